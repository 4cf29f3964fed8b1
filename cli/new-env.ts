// `conveyor new-env <client> [--staging-day <d>] [--prod-day <d>] [--domain <d>]`
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { loadWorkspace, parseWorkspace, PROJECT_FILE } from "../config";
import { CI_CONFIG } from "../pipeline/ci-config";
import { planNewEnv } from "../pipeline/new-env";
import type { Io } from "./io";
import { UsageError } from "./release";

export async function newEnvCommand(args: string[], io: Io): Promise<number> {
    const { positionals, values } = parseArgs({
        args,
        allowPositionals: true,
        options: { "staging-day": { type: "string" }, "prod-day": { type: "string" }, domain: { type: "string" } },
    });
    const [client] = positionals;
    if (!client || positionals.length > 1) throw new UsageError("new-env takes exactly one client name, e.g. `conveyor new-env globex`");
    const workspace = loadWorkspace(io.cwd);
    const names = fs.readdirSync(io.cwd).filter((n) => n === PROJECT_FILE || /^Pulumi\..+\.yaml$/.test(n));
    const files = new Map(names.map((n) => [n, fs.readFileSync(path.join(io.cwd, n), "utf8")]));
    if (fs.existsSync(path.join(io.cwd, CI_CONFIG))) files.set(CI_CONFIG, fs.readFileSync(path.join(io.cwd, CI_CONFIG), "utf8"));
    const edits = planNewEnv(workspace, files, {
        client,
        stagingDay: values["staging-day"],
        prodDay: values["prod-day"],
        domain: values.domain,
    });
    if (edits.length === 0) {
        io.out(`${client}: already set up, nothing to change`);
        return 0;
    }
    // The result must load like any other workspace before a byte is written.
    const after = new Map(files);
    for (const e of edits) after.set(e.name, e.after);
    parseWorkspace([...after].filter(([name]) => name !== CI_CONFIG).map(([name, text]) => ({ name, text })));
    for (const e of edits) {
        const target = path.join(io.cwd, e.name);
        fs.writeFileSync(`${target}.tmp`, e.after);
        fs.renameSync(`${target}.tmp`, target);
        io.out(`${e.before === undefined ? "created" : "updated"} ${e.name}`);
    }
    io.out(
        [
            "",
            "Next:",
            `  1. npm run synth -- ${client}-staging     # check what the new stacks would create`,
            `  2. open a PR with these files (and ${CI_CONFIG}'s new jobs); its preview covers ${client}-staging, ${client}-prod and org`,
            `  3. merge it: CI deploys org (the customer label, deploy labels and contexts), then the new stacks`,
        ].join("\n"),
    );
    return 0;
}
