// Pulumi components on Pulumi's mocks: every registration recorded as the engine would receive it (the same
// recording `conveyor synth` makes), with the physical names and ARNs the mocks give AWS resources.
import * as pulumi from "@pulumi/pulumi";
import { cleanWireValue, registrationsSettled, urnLabel, watchRegistrations } from "../../cli/synth";

export const ACCOUNT = "123456789012";

export const T = {
    fn: "aws:lambda/function:Function",
    url: "aws:lambda/functionUrl:FunctionUrl",
    permission: "aws:lambda/permission:Permission",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    secret: "aws:secretsmanager/secret:Secret",
    secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
    queue: "aws:sqs/queue:Queue",
    topic: "aws:sns/topic:Topic",
    subscription: "aws:sns/topicSubscription:TopicSubscription",
    schedule: "aws:scheduler/schedule:Schedule",
    mapping: "aws:lambda/eventSourceMapping:EventSourceMapping",
    dns: "cloudflare:index/dnsRecord:DnsRecord",
    ruleset: "cloudflare:index/ruleset:Ruleset",
};

/** The physical name and ARN the mocks give a resource, so tests can say which resource a policy names. */
export function mockName(name: string): string {
    return `${name}-a1b2c3d`;
}
export function mockArn(type: string, name: string, inputs: Record<string, unknown> = {}): string {
    const service = type.split(":")[1].split("/")[0];
    if (type === T.fn) return `arn:aws:lambda:eu-west-3:${ACCOUNT}:function:${mockName(name)}`;
    if (type === T.logGroup) return `arn:aws:logs:eu-west-3:${ACCOUNT}:log-group:${String(inputs.name)}`;
    return `arn:aws:${service}:eu-west-3:${ACCOUNT}:${name}`;
}

export const queueUrlOf = (name: string): string => `https://sqs.eu-west-3.amazonaws.com/${ACCOUNT}/${mockName(name)}`;

export interface Recorded {
    readonly type: string;
    readonly name: string;
    readonly parent?: string;
    readonly dependencies: string[];
    readonly inputs: Record<string, any>;
    /** The inputs as sent, assets untouched (synth's recording may summarise them). */
    readonly raw: Record<string, any>;
}

/**
 * Runs `build` on Pulumi mocks and records every registration as the engine would receive it (the same
 * recording `conveyor synth` makes), plus the values of the outputs `build` returns.
 */
export async function onMocks<T extends Record<string, pulumi.Output<unknown>>>(
    build: () => T,
): Promise<{ resources: Recorded[]; outputs: Record<keyof T, unknown> }> {
    await pulumi.runtime.setMocks(
        {
            newResource: (a) => {
                const state: Record<string, unknown> = { ...a.inputs };
                if (a.type.startsWith("aws:")) {
                    state.arn = mockArn(a.type, a.name, a.inputs);
                    state.name = a.inputs.name ?? mockName(a.name);
                }
                if (a.type === T.url) state.functionUrl = `https://${a.name}-a1b2c3d.lambda-url.eu-west-3.on.aws/`;
                if (a.type === T.queue) state.url = queueUrlOf(a.name);
                return { id: `${a.name}-id`, state };
            },
            call: (a) => a.inputs,
        },
        "conveyor",
        "org",
        false,
    );
    const resources: Recorded[] = [];
    watchRegistrations((req) => {
        if (req.getType() === "pulumi:pulumi:Stack") return;
        const parent = req.getParent();
        const raw = req.getObject()?.toJavaScript() ?? {};
        resources.push({
            type: req.getType(),
            name: req.getName(),
            ...(parent ? { parent: urnLabel(parent) } : {}),
            dependencies: req.getDependenciesList().map(urnLabel),
            inputs: cleanWireValue(raw) as Record<string, any>,
            raw,
        });
    });
    let built: T | undefined;
    await pulumi.runtime.runInPulumiStack(async () => {
        built = build();
        return {};
    });
    await registrationsSettled();
    const outputs = {} as Record<keyof T, unknown>;
    for (const [k, v] of Object.entries(built ?? {})) outputs[k as keyof T] = await new Promise((res) => v.apply(res));
    return { resources, outputs };
}
