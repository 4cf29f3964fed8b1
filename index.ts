// Entry point for `pulumi preview` / `pulumi up`: validate every config file, then build the selected stack.
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, loadWorkspace } from "./config";
import { buildStack, configSecret } from "./program";

export = async (): Promise<Record<string, unknown>> => {
    let workspace;
    try {
        workspace = loadWorkspace(__dirname);
    } catch (e) {
        // RunError prints the message alone: the user needs file, key and reason, not our stack trace.
        if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
        throw e;
    }
    return buildStack({ workspace, stack: pulumi.getStack(), resolveSecret: configSecret, now: new Date() });
};
