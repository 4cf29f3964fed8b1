// The release controller's AWS deployment and the issue-link redirector on Pulumi mocks: what `pulumi up`
// would create, recorded as the engine receives it (secrets as "[secret]"), and the handler bundle itself.
import * as assert from "node:assert/strict";
import * as fs from "fs";
import { isBuiltin } from "module";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { cleanWireValue, registrationsSettled, urnLabel, watchRegistrations } from "../../../cli/synth";
import { bundleHandler, LAMBDA_RUNTIME, PROJECT_FILES } from "../../../components/release-controller/bundle";
import { MESSAGE_GROUP_ID, RELEASE_CONTROLLER_ENV, TRAIN_MESSAGE } from "../../../components/release-controller/env";
import { accountOf, type PolicyDocument, type TrustPolicy } from "../../../components/release-controller/policy";
import type { ReleaseControllerArgs } from "../../../components/release-controller/args";
import { INTAKE_TIMEOUT_SECONDS } from "../../../components/release-controller/intake-function";
import { releaseSchedule, VISIBILITY_TIMEOUT_FACTOR } from "../../../components/release-controller/queue";
import { ReleaseController } from "../../../components/release-controller/release-controller";
import { IssueLinkRedirector, issueRedirectRule, REDIRECT_STATUS } from "../../../components/redirector/redirector";
import { evalCommonJs } from "../../commonjs";

const FIXTURE_ENTRY = path.join(__dirname, "..", "..", "fixtures", "lambda-entry.ts");
const FIXTURE_MARKER = "conveyor-lambda-fixture-5f2c";
const ACCOUNT = "123456789012";
const ZONE_ID = "0123456789abcdef0123456789abcdef";
const SECRET_VALUES = {
    githubToken: "ghp_releaseControllerToken0123456789",
    circleciToken: "CCIPAT_releaseControllerToken0123",
    githubWebhookSecret: "gh-webhook-secret-value-9f8e7d",
    circleciWebhookSecret: "circleci-webhook-secret-value-1a2b3c",
};

const T = {
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
function mockName(name: string): string {
    return `${name}-a1b2c3d`;
}
function mockArn(type: string, name: string, inputs: Record<string, unknown> = {}): string {
    const service = type.split(":")[1].split("/")[0];
    if (type === T.fn) return `arn:aws:lambda:eu-west-3:${ACCOUNT}:function:${mockName(name)}`;
    if (type === T.logGroup) return `arn:aws:logs:eu-west-3:${ACCOUNT}:log-group:${String(inputs.name)}`;
    return `arn:aws:${service}:eu-west-3:${ACCOUNT}:${name}`;
}

const queueUrlOf = (name: string): string => `https://sqs.eu-west-3.amazonaws.com/${ACCOUNT}/${mockName(name)}`;

interface Recorded {
    readonly type: string;
    readonly name: string;
    readonly parent?: string;
    readonly dependencies: string[];
    readonly inputs: Record<string, any>;
    /** The inputs as sent, assets untouched (synth's recording may summarise them). */
    readonly raw: Record<string, any>;
}

// Pulumi's wire format markers for assets (sdk/nodejs/runtime/rpc.ts).
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";

/**
 * Runs `build` on Pulumi mocks and records every registration as the engine would receive it (the same
 * recording `conveyor synth` makes), plus the values of the outputs `build` returns.
 */
async function onMocks<T extends Record<string, pulumi.Output<unknown>>>(
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

const baseArgs = (over: Partial<ReleaseControllerArgs> = {}): ReleaseControllerArgs => ({
    intakeEntry: FIXTURE_ENTRY,
    workerEntry: FIXTURE_ENTRY,
    schedule: { timezone: "Europe/Paris", hour: 7 },
    owners: ["release-owners@acme-saas.example", "cto@acme-saas.example"],
    githubToken: pulumi.secret(SECRET_VALUES.githubToken),
    // A plain value on purpose: the component must make it secret itself.
    circleciToken: SECRET_VALUES.circleciToken,
    githubWebhookSecret: pulumi.secret(SECRET_VALUES.githubWebhookSecret),
    circleciWebhookSecret: pulumi.secret(SECRET_VALUES.circleciWebhookSecret),
    opsRepository: { owner: "acme-saas", repo: "ops" },
    environment: { GITHUB_API_URL: "https://api.github.com", CIRCLECI_API_URL: "https://circleci.com/api/v2" },
    ...over,
});

/** The CommonJS bundle evaluated as Lambda would load it, with `stubs` standing in for runtime-provided modules. */
function loadBundle(code: string, stubs: Record<string, unknown>): Record<string, unknown> {
    return evalCommonJs(code, (id) => {
        if (id in stubs) return stubs[id];
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- a Node built-in, as Lambda's runtime provides it
        if (isBuiltin(id)) return require(id);
        throw new Error(`the bundle required ${id}, which is neither bundled nor provided by the runtime`);
    });
}

function archiveText(fn: Recorded): string {
    const code = fn.raw.code as Record<string, any>;
    assert.equal(code[SIG_KEY], ARCHIVE_SIG, "code is an archive");
    assert.deepEqual(Object.keys(code.assets), ["index.js"]);
    const asset = code.assets["index.js"];
    assert.equal(asset[SIG_KEY], ASSET_SIG, "index.js is a string asset");
    return asset.text as string;
}

describe("release controller (AWS)", function () {
    this.timeout(60_000);
    let resources: Recorded[];
    let outputs: { intake: unknown; worker: unknown; functionUrl: unknown; queueUrl: unknown; topicArn: unknown };
    const ofType = (type: string) => resources.filter((r) => r.type === type);
    const one = (type: string, name: string): Recorded => {
        const found = resources.find((r) => r.type === type && r.name === name);
        assert.ok(found, `${type} ${name}`);
        return found;
    };
    const policyOf = (name: string) => JSON.parse(one(T.rolePolicy, name).inputs.policy) as PolicyDocument;
    const topicArn = mockArn(T.topic, "release-controller-owners");
    const queueArn = mockArn(T.queue, "release-controller-queue");
    const deadLetterArn = mockArn(T.queue, "release-controller-dead-letter");
    const logGroupArn = (fn: string) => `arn:aws:logs:eu-west-3:${ACCOUNT}:log-group:/aws/lambda/release-controller-${fn}`;
    const secretArn = (id: string) => mockArn(T.secret, `release-controller-${id}`);
    const secretIds = ["github-token", "circleci-token", "github-webhook-secret", "circleci-webhook-secret"];

    before(async () => {
        const run = await onMocks(() => {
            const rc = new ReleaseController("release-controller", baseArgs());
            return {
                intake: rc.intakeFunctionName,
                worker: rc.workerFunctionName,
                functionUrl: rc.functionUrl,
                queueUrl: rc.queueUrl,
                topicArn: rc.topicArn,
            };
        });
        resources = run.resources;
        outputs = run.outputs;
    });

    it("creates exactly its resources, all under the component and named from it", () => {
        const counts: Record<string, number> = {};
        for (const r of resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
        assert.deepEqual(counts, {
            "conveyor:release-controller:ReleaseController": 1,
            [T.logGroup]: 2,
            [T.secret]: 4,
            [T.secretVersion]: 4,
            [T.queue]: 2,
            [T.topic]: 1,
            [T.subscription]: 2,
            [T.role]: 3,
            [T.rolePolicy]: 3,
            [T.fn]: 2,
            [T.url]: 1,
            [T.permission]: 2,
            [T.mapping]: 1,
            [T.schedule]: 1,
            [T.alarm]: 4,
        });
        for (const r of resources.filter((x) => x.type !== "conveyor:release-controller:ReleaseController")) {
            assert.equal(r.parent, "conveyor:release-controller:ReleaseController::release-controller", `${r.type} ${r.name}`);
            assert.ok(r.name.startsWith("release-controller"), r.name);
        }
    });

    it("answers webhooks with a small intake: its own short timeout, no reserved concurrency, on a public function URL granted both ways AWS requires", () => {
        const fn = one(T.fn, "release-controller-intake").inputs;
        assert.equal(fn.runtime, LAMBDA_RUNTIME);
        assert.equal(fn.runtime, "nodejs24.x");
        assert.equal(fn.handler, "index.handler");
        assert.equal(fn.timeout, INTAKE_TIMEOUT_SECONDS);
        assert.equal(fn.reservedConcurrentExecutions, undefined, "webhooks arriving together are each answered");
        assert.equal(fn.deadLetterConfig, undefined);
        assert.deepEqual(fn.architectures, ["arm64"]);
        assert.equal(fn.role, mockArn(T.role, "release-controller-intake"));
        const url = one(T.url, "release-controller").inputs;
        assert.equal(url.authorizationType, "NONE");
        assert.equal(url.functionName, mockName("release-controller-intake"));
        const grants = ofType(T.permission)
            .map((p) => p.inputs)
            .map((p) => [p.function, p.action, p.principal, p.functionUrlAuthType, p.invokedViaFunctionUrl]);
        assert.deepEqual(grants.sort(), [
            [mockName("release-controller-intake"), "lambda:InvokeFunction", "*", undefined, true],
            [mockName("release-controller-intake"), "lambda:InvokeFunctionUrl", "*", "NONE", undefined],
        ]);
        assert.equal(outputs.functionUrl, "https://release-controller-a1b2c3d.lambda-url.eu-west-3.on.aws/");
        assert.equal(outputs.intake, mockName("release-controller-intake"));
        assert.equal(outputs.worker, mockName("release-controller-worker"));
        assert.equal(outputs.topicArn, topicArn);
    });

    it("queues work on a FIFO queue whose visibility timeout is six times the worker's, handing failed work to a FIFO dead-letter queue after 5 receives", () => {
        const queue = one(T.queue, "release-controller-queue").inputs;
        assert.equal(queue.fifoQueue, true);
        assert.equal(
            queue.contentBasedDeduplication,
            true,
            "EventBridge Scheduler requires it; the intake always sets its own deduplication id",
        );
        assert.equal(queue.visibilityTimeoutSeconds, VISIBILITY_TIMEOUT_FACTOR * 900);
        assert.equal(queue.visibilityTimeoutSeconds, 5400);
        assert.equal(queue.sqsManagedSseEnabled, true);
        assert.deepEqual(JSON.parse(queue.redrivePolicy), { deadLetterTargetArn: deadLetterArn, maxReceiveCount: 5 });
        const dead = one(T.queue, "release-controller-dead-letter").inputs;
        assert.equal(dead.fifoQueue, true);
        assert.equal(dead.messageRetentionSeconds, 14 * 24 * 3600);
        assert.equal(outputs.queueUrl, queueUrlOf("release-controller-queue"));
    });

    it("works from the queue with one worker at a time, one message per run, reporting failed messages back", () => {
        const fn = one(T.fn, "release-controller-worker").inputs;
        assert.equal(fn.runtime, LAMBDA_RUNTIME);
        assert.equal(fn.timeout, 900);
        assert.equal(fn.memorySize, 512);
        assert.equal(fn.reservedConcurrentExecutions, 1);
        assert.equal(fn.role, mockArn(T.role, "release-controller-worker"));
        const mapping = one(T.mapping, "release-controller-worker");
        assert.equal(mapping.inputs.eventSourceArn, queueArn);
        assert.equal(mapping.inputs.functionName, mockArn(T.fn, "release-controller-worker"));
        assert.equal(mapping.inputs.batchSize, 1);
        assert.deepEqual(mapping.inputs.functionResponseTypes, ["ReportBatchItemFailures"]);
        assert.ok(
            mapping.dependencies.includes(`${T.rolePolicy}::release-controller-worker`),
            "the role may read the queue before the mapping is created",
        );
    });

    it("logs each function to its own log group, created with a retention before the function", () => {
        for (const fn of ["intake", "worker"]) {
            const group = one(T.logGroup, `release-controller-${fn}`).inputs;
            assert.equal(group.name, `/aws/lambda/release-controller-${fn}`);
            assert.equal(group.retentionInDays, 30);
            const f = one(T.fn, `release-controller-${fn}`);
            assert.equal(f.inputs.loggingConfig.logGroup, `/aws/lambda/release-controller-${fn}`);
            assert.ok(f.dependencies.includes(`${T.logGroup}::release-controller-${fn}`));
        }
    });

    it("creates each function after its permissions and the secret values it reads exist", () => {
        const deps = (fn: string) => one(T.fn, `release-controller-${fn}`).dependencies;
        assert.ok(deps("intake").includes(`${T.rolePolicy}::release-controller-intake`));
        assert.ok(deps("worker").includes(`${T.rolePolicy}::release-controller-worker`));
        for (const id of ["github-webhook-secret", "circleci-webhook-secret"])
            assert.ok(deps("intake").includes(`${T.secretVersion}::release-controller-${id}`), id);
        for (const id of ["github-token", "circleci-token"])
            assert.ok(deps("worker").includes(`${T.secretVersion}::release-controller-${id}`), id);
    });

    it("names in each function's environment only the secrets it reads, by ARN, never their values", () => {
        const variables = (fn: string) => one(T.fn, `release-controller-${fn}`).inputs.environment.variables as Record<string, string>;
        const common = {
            GITHUB_API_URL: "https://api.github.com",
            CIRCLECI_API_URL: "https://circleci.com/api/v2",
            OPS_OWNER: "acme-saas",
            OPS_REPO: "ops",
            [RELEASE_CONTROLLER_ENV.queueUrl]: queueUrlOf("release-controller-queue"),
        };
        assert.deepEqual(variables("intake"), {
            ...common,
            [RELEASE_CONTROLLER_ENV.githubWebhookSecretArn]: secretArn("github-webhook-secret"),
            [RELEASE_CONTROLLER_ENV.circleciWebhookSecretArn]: secretArn("circleci-webhook-secret"),
        });
        assert.deepEqual(variables("worker"), {
            ...common,
            [RELEASE_CONTROLLER_ENV.githubTokenSecretArn]: secretArn("github-token"),
            [RELEASE_CONTROLLER_ENV.circleciTokenSecretArn]: secretArn("circleci-token"),
            [RELEASE_CONTROLLER_ENV.ownersTopicArn]: topicArn,
        });
    });

    it("stores the four secret inputs in Secrets Manager as secrets, even one passed in plain", () => {
        for (const id of secretIds) {
            assert.ok(one(T.secret, `release-controller-${id}`).inputs.description.length > 0);
            const version = one(T.secretVersion, `release-controller-${id}`).inputs;
            assert.equal(version.secretString, "[secret]", id);
            assert.equal(version.secretId, `release-controller-${id}-id`);
        }
        // Inside the engine's secret wrappers the values are expected; anywhere else they are a leak.
        const everything = JSON.stringify(resources.map((r) => r.inputs));
        for (const value of Object.values(SECRET_VALUES))
            assert.ok(!everything.includes(value), "a secret value reached the engine in plain text");
    });

    it("grants each function exactly what it uses, each on its own resource", () => {
        assert.deepEqual(policyOf("release-controller-intake").Statement, [
            {
                Sid: "WriteOwnLogs",
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                Resource: [`${logGroupArn("intake")}:*`],
            },
            {
                Sid: "ReadWebhookSecrets",
                Effect: "Allow",
                Action: ["secretsmanager:GetSecretValue"],
                Resource: [secretArn("github-webhook-secret"), secretArn("circleci-webhook-secret")],
            },
            { Sid: "QueueWork", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [queueArn] },
        ]);
        assert.deepEqual(policyOf("release-controller-worker").Statement, [
            {
                Sid: "WriteOwnLogs",
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                Resource: [`${logGroupArn("worker")}:*`],
            },
            {
                Sid: "ReadTokens",
                Effect: "Allow",
                Action: ["secretsmanager:GetSecretValue"],
                Resource: [secretArn("github-token"), secretArn("circleci-token")],
            },
            {
                Sid: "ConsumeWork",
                Effect: "Allow",
                Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
                Resource: [queueArn],
            },
            { Sid: "NotifyOwners", Effect: "Allow", Action: ["sns:Publish"], Resource: [topicArn] },
        ]);
        for (const fn of ["intake", "worker"]) {
            const trust = JSON.parse(one(T.role, `release-controller-${fn}`).inputs.assumeRolePolicy) as TrustPolicy;
            assert.deepEqual(
                trust.Statement.map((s) => [s.Principal.Service, s.Action]),
                [["lambda.amazonaws.com", "sts:AssumeRole"]],
            );
        }
    });

    it("lists no * action and no * resource in any IAM statement of either function or the schedule", () => {
        const policies = ofType(T.rolePolicy);
        assert.deepEqual(policies.map((p) => p.name).sort(), [
            "release-controller-intake",
            "release-controller-schedule",
            "release-controller-worker",
        ]);
        for (const p of policies) {
            const statements = (JSON.parse(p.inputs.policy) as PolicyDocument).Statement;
            assert.ok(statements.length >= 1, p.name);
            for (const s of statements) {
                for (const action of s.Action) assert.ok(!action.includes("*"), `${p.name}: action ${action}`);
                for (const resource of s.Resource) {
                    assert.notEqual(resource, "*", p.name);
                    // The one wildcard: the log streams of the function's own log group.
                    if (resource.includes("*"))
                        assert.ok(
                            [`${logGroupArn("intake")}:*`, `${logGroupArn("worker")}:*`].includes(resource),
                            `${p.name}: ${resource}`,
                        );
                }
            }
        }
    });

    it("queues the train on weekdays at the configured hour and time zone, as of the scheduled time, through a role that may only send to the queue", () => {
        const schedule = one(T.schedule, "release-controller").inputs;
        assert.equal(schedule.scheduleExpression, "cron(0 7 ? * MON-FRI *)");
        assert.equal(schedule.scheduleExpressionTimezone, "Europe/Paris");
        assert.deepEqual(schedule.flexibleTimeWindow, { mode: "OFF" });
        assert.equal(schedule.target.arn, queueArn);
        assert.deepEqual(schedule.target.sqsParameters, { messageGroupId: MESSAGE_GROUP_ID });
        assert.equal(schedule.target.roleArn, mockArn(T.role, "release-controller-schedule"));
        assert.deepEqual(JSON.parse(schedule.target.input), { kind: "train", scheduledTime: "<aws.scheduler.scheduled-time>" });
        assert.deepEqual(JSON.parse(schedule.target.input), TRAIN_MESSAGE);

        const trust = JSON.parse(one(T.role, "release-controller-schedule").inputs.assumeRolePolicy) as TrustPolicy;
        assert.deepEqual(trust.Statement, [
            {
                Effect: "Allow",
                Principal: { Service: "scheduler.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
            },
        ]);
        assert.deepEqual(policyOf("release-controller-schedule").Statement, [
            { Sid: "QueueTrain", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [queueArn] },
        ]);
        assert.ok(one(T.schedule, "release-controller").dependencies.includes(`${T.rolePolicy}::release-controller-schedule`));
    });

    it("renders the schedule's days in cron order", () => {
        assert.equal(releaseSchedule(7), "cron(0 7 ? * MON-FRI *)");
        assert.equal(releaseSchedule(0, ["friday", "monday"]), "cron(0 0 ? * MON,FRI *)");
        assert.equal(
            releaseSchedule(23, ["saturday", "tuesday", "monday", "wednesday", "thursday", "friday"]),
            "cron(0 23 ? * MON,TUE,WED,THU,FRI,SAT *)",
        );
    });

    it("subscribes each release owner by e-mail to the owners' topic", () => {
        const subs = ofType(T.subscription).map((s) => s.inputs);
        assert.deepEqual(subs.map((s) => [s.protocol, s.endpoint, s.topic]).sort(), [
            ["email", "cto@acme-saas.example", topicArn],
            ["email", "release-owners@acme-saas.example", topicArn],
        ]);
    });

    it("alarms the owners on either function's errors, on anything in the dead-letter queue, and on work waiting over two hours", () => {
        for (const fn of ["intake", "worker"]) {
            const errors = one(T.alarm, `release-controller-${fn}-errors`).inputs;
            assert.deepEqual(
                [
                    errors.namespace,
                    errors.metricName,
                    errors.statistic,
                    errors.period,
                    errors.evaluationPeriods,
                    errors.threshold,
                    errors.comparisonOperator,
                ],
                ["AWS/Lambda", "Errors", "Sum", 300, 1, 0, "GreaterThanThreshold"],
            );
            assert.deepEqual(errors.dimensions, { FunctionName: mockName(`release-controller-${fn}`) });
            assert.deepEqual(errors.alarmActions, [topicArn]);
            assert.equal(errors.treatMissingData, "notBreaching");
        }
        const dead = one(T.alarm, "release-controller-dead-letters").inputs;
        assert.deepEqual(
            [dead.namespace, dead.metricName, dead.threshold, dead.comparisonOperator],
            ["AWS/SQS", "ApproximateNumberOfMessagesVisible", 0, "GreaterThanThreshold"],
        );
        assert.deepEqual(dead.dimensions, { QueueName: mockName("release-controller-dead-letter") });
        assert.deepEqual(dead.alarmActions, [topicArn]);
        const age = one(T.alarm, "release-controller-queue-age").inputs;
        assert.deepEqual(
            [age.metricName, age.threshold, age.dimensions],
            ["ApproximateAgeOfOldestMessage", 7200, { QueueName: mockName("release-controller-queue") }],
        );
    });

    it("deploys each handler bundled from source: runnable CommonJS with the fixture's code, the SDK left to the runtime", async () => {
        for (const fn of ["intake", "worker"]) {
            const code = archiveText(one(T.fn, `release-controller-${fn}`));
            assert.ok(code.includes(FIXTURE_MARKER), "the helper module is bundled");
            assert.ok(!code.includes("conveyor-fixture-unused-export"), "exports other than handler are dropped");
            assert.match(code, /require\("@aws-sdk\/client-sns"\)/, "@aws-sdk stays external");
            const exports = loadBundle(code, { "@aws-sdk/client-sns": { name: "runtime-sdk" } });
            assert.equal(typeof exports.handler, "function");
            const answer = await (exports.handler as (e: unknown) => Promise<{ statusCode: number; body: string }>)({
                source: "conveyor.test",
            });
            assert.deepEqual(answer, { statusCode: 200, body: `${FIXTURE_MARKER}:conveyor.test sdk=runtime-sdk` });
        }
    });

    it("bundles the real intake small, with no GitHub client, and both real handlers as loadable modules", () => {
        const intake = bundleHandler(path.join(__dirname, "..", "..", "..", "controller", "intake.ts"));
        assert.ok(intake.bytes < 100_000, `${intake.bytes} bytes`);
        assert.deepEqual(
            Object.keys(intake.bytesByPackage).filter((p) => p.includes("octokit") || p === "yaml"),
            [],
            "no octokit, no YAML parser",
        );
        assert.deepEqual(intake.externalImports, ["@aws-sdk/client-secrets-manager", "@aws-sdk/client-sqs"]);
        const worker = bundleHandler(path.join(__dirname, "..", "..", "..", "controller", "worker.ts"));
        assert.ok(worker.bytes < 1_000_000, `${worker.bytes} bytes`);
        assert.deepEqual(worker.externalImports, ["@aws-sdk/client-secrets-manager", "@aws-sdk/client-sns", "@aws-sdk/client-sqs"]);
        for (const b of [intake, worker]) {
            assert.deepEqual(b.warnings, []);
            assert.equal(typeof loadBundle(b.code, {}).handler, "function", "loads without touching the SDK");
        }
    });

    it("bundles deterministically: same bytes on a second run and from another checkout directory", async () => {
        const first = archiveText(one(T.fn, "release-controller-worker"));
        const again = await onMocks(() => ({ name: new ReleaseController("release-controller", baseArgs()).workerFunctionName }));
        assert.equal(archiveText(again.resources.find((r) => r.type === T.fn && r.name === "release-controller-worker")!), first);

        const direct = bundleHandler(FIXTURE_ENTRY);
        assert.equal(direct.code, first);
        const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "conveyor-bundle-"));
        try {
            for (const f of ["lambda-entry.ts", "lambda-helper.ts"])
                fs.copyFileSync(path.join(__dirname, "..", "..", "fixtures", f), path.join(elsewhere, f));
            const moved = bundleHandler(path.join(elsewhere, "lambda-entry.ts"));
            assert.equal(moved.sha256, direct.sha256);
        } finally {
            fs.rmSync(elsewhere, { recursive: true, force: true });
        }
        assert.equal(direct.bytes, Buffer.byteLength(first));
        assert.deepEqual(direct.externalImports, ["@aws-sdk/client-sns"]);
        assert.deepEqual(Object.keys(direct.bytesByPackage), [PROJECT_FILES]);
        assert.deepEqual(direct.warnings, []);
    });

    it("refuses a handler module without a handler export, one that imports the Pulumi program, and a missing file", () => {
        assert.throws(
            () => bundleHandler(path.join(__dirname, "..", "..", "fixtures", "lambda-no-handler.ts")),
            /does not bundle:\n.*lambda-no-handler\.ts.*No matching export .* for import "handler"/,
        );
        assert.throws(
            () => bundleHandler(path.join(__dirname, "..", "..", "fixtures", "lambda-imports-pulumi.ts")),
            /must not bundle the Pulumi program or build tooling:\n[\s\S]*^components\/release-controller\/release-controller\.ts imports @pulumi\/pulumi$/m,
        );
        assert.throws(() => bundleHandler(path.join(__dirname, "..", "..", "fixtures", "no-such-entry.ts")), /file not found/);
    });

    it("fails at construction when a handler does not bundle, so preview and synth stop with the reason", async () => {
        for (const entry of ["intakeEntry", "workerEntry"] as const) {
            let message = "";
            await onMocks(() => {
                try {
                    new ReleaseController(
                        "rc",
                        baseArgs({ [entry]: path.join(__dirname, "..", "..", "fixtures", "lambda-no-handler.ts") }),
                    );
                } catch (e) {
                    message = (e as Error).message;
                }
                return {};
            });
            assert.match(message, /lambda-no-handler\.ts does not bundle/, entry);
        }
    });

    it("refuses bad arguments with every problem named", async () => {
        const problems = async (over: Partial<ReleaseControllerArgs>): Promise<string> => {
            let message = "";
            await onMocks(() => {
                try {
                    new ReleaseController("rc", baseArgs(over));
                } catch (e) {
                    message = (e as Error).message;
                }
                return {};
            });
            return message;
        };
        assert.match(
            await problems({ schedule: { timezone: "Mars/Olympus_Mons", hour: 24 } }),
            /rc: schedule\.hour: expected an hour 0-23, got 24\nrc: schedule\.timezone: expected an IANA time zone/,
        );
        assert.match(await problems({ owners: [] }), /owners: expected at least one e-mail address/);
        assert.match(await problems({ owners: ["a@acme.example", "A@acme.example"] }), /A@acme\.example is listed twice/);
        assert.match(await problems({ owners: ["not-an-address"] }), /expected an e-mail address, got "not-an-address"/);
        assert.match(
            await problems({ environment: { GITHUB_TOKEN: "ghp_x" } }),
            /environment\.GITHUB_TOKEN: looks like a secret; pass it as a secret input/,
        );
        assert.match(await problems({ environment: { CIRCLECI_WEBHOOK_SECRET: "x" } }), /looks like a secret/);
        assert.match(await problems({ environment: { AWS_REGION: "eu-west-3" } }), /environment\.AWS_REGION: reserved by Lambda/);
        assert.match(await problems({ environment: { [RELEASE_CONTROLLER_ENV.ownersTopicArn]: "x" } }), /set by the component itself/);
        assert.match(await problems({ environment: { [RELEASE_CONTROLLER_ENV.queueUrl]: "x" } }), /set by the component itself/);
        assert.match(await problems({ environment: { OPS_REPO: "other" } }), /environment\.OPS_REPO: set by the component itself/);
        assert.match(
            await problems({ opsRepository: { owner: "acme saas", repo: "" } }),
            /opsRepository\.owner: expected a GitHub login.*\n.*opsRepository\.repo: expected a repository name/,
        );
        assert.match(
            await problems({ timeoutSeconds: 901, memoryMb: 64, logRetentionDays: 10 }),
            /timeoutSeconds: expected 1-900, got 901\n.*memoryMb.*\n.*logRetentionDays/,
        );
        assert.match(await problems({ maxReceiveCount: 100 }), /maxReceiveCount: expected 2-20, got 100/);
        assert.equal(await problems({}), "");
    });

    it("reads the account of an ARN", () => {
        assert.equal(accountOf("arn:aws:lambda:eu-west-3:123456789012:function:x"), "123456789012");
        assert.throws(() => accountOf("not-an-arn"), /not an ARN/);
    });
});

/**
 * Cloudflare's documented wildcard semantics: the whole value must match; `*` matches any run of characters,
 * `/` included, as few as possible; case-insensitive unless strict. Used to check the rule we write does what
 * we mean on sample URLs (it checks our reading of the documentation, not Cloudflare itself).
 */
function wildcardRegExp(pattern: string): RegExp {
    const body = pattern
        .split("*")
        .map((part) => part.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"))
        .join("(.*?)");
    return new RegExp(`^${body}$`, "i");
}

/** Evaluates the `and`-joined clauses our rule uses (`field eq "v"`, `[not] field wildcard "p"`) on one request. */
function ruleMatches(expression: string, request: { host: string; path: string }): boolean {
    const inner = expression.replace(/^\((.*)\)$/, "$1");
    return inner.split(" and ").every((clause) => {
        const m = /^(not )?(http\.host|http\.request\.uri\.path) (eq|wildcard) "([^"]*)"$/.exec(clause);
        assert.ok(m, `unexpected clause: ${clause}`);
        const value = m[2] === "http.host" ? request.host : request.path;
        const hit = m[3] === "eq" ? value === m[4] : wildcardRegExp(m[4]).test(value);
        return m[1] ? !hit : hit;
    });
}

/** Evaluates `wildcard_replace(http.request.uri.path, "pattern", "replacement")` on a path. */
function redirectTarget(target: string, path_: string): string {
    const m = /^wildcard_replace\(http\.request\.uri\.path, "([^"]*)", "([^"]*)"\)$/.exec(target);
    assert.ok(m, `unexpected target: ${target}`);
    const groups = wildcardRegExp(m[1]).exec(path_);
    if (!groups) return path_;
    return m[2].replace(/\$\{(\d)\}/g, (_, n: string) => groups[Number(n)]);
}

describe("issue-link redirector (Cloudflare)", function () {
    this.timeout(60_000);
    let resources: Recorded[];
    before(async () => {
        resources = (
            await onMocks(() => ({
                url: pulumi.output(new IssueLinkRedirector("issue-links", { zoneId: ZONE_ID, domain: "go.acme-saas.example" }).baseUrl),
            }))
        ).resources;
    });

    it("answers on a proxied AAAA record to the discard prefix, no origin behind it", () => {
        const records = resources.filter((r) => r.type === T.dns);
        assert.equal(records.length, 1);
        const { inputs, parent, name } = records[0];
        assert.deepEqual(
            [inputs.zoneId, inputs.name, inputs.type, inputs.content, inputs.proxied, inputs.ttl],
            [ZONE_ID, "go.acme-saas.example", "AAAA", "100::", true, 1],
        );
        assert.equal(parent, "conveyor:redirector:IssueLinkRedirector::issue-links");
        assert.equal(name, "issue-links");
    });

    it("redirects /<owner>/<repo>/issues/<n> to the GitHub issue with a dynamic redirect rule", () => {
        const rulesets = resources.filter((r) => r.type === T.ruleset);
        assert.equal(rulesets.length, 1);
        const rs = rulesets[0].inputs;
        assert.deepEqual([rs.zoneId, rs.kind, rs.phase], [ZONE_ID, "zone", "http_request_dynamic_redirect"]);
        assert.equal(rs.rules.length, 1);
        const [rule] = rs.rules;
        assert.equal(rule.action, "redirect");
        assert.equal(rule.enabled, true);
        assert.equal(
            rule.expression,
            '(http.host eq "go.acme-saas.example" and http.request.uri.path wildcard "/*/*/issues/*" and not http.request.uri.path wildcard "/*/*/*/issues/*" and not http.request.uri.path wildcard "/*/*/issues/*/*")',
        );
        assert.deepEqual(rule.actionParameters.fromValue, {
            statusCode: 302,
            preserveQueryString: false,
            targetUrl: {
                expression: 'wildcard_replace(http.request.uri.path, "/*/*/issues/*", "https://github.com/${1}/${2}/issues/${3}")',
            },
        });
        assert.equal(REDIRECT_STATUS, 302);
    });

    it("sends issue links, and only issue links, to the issue (by the documented matching rules)", () => {
        const { expression, target } = issueRedirectRule("go.acme-saas.example");
        const go = (host: string, p: string) => (ruleMatches(expression, { host, path: p }) ? redirectTarget(target, p) : undefined);
        assert.equal(go("go.acme-saas.example", "/acme-saas/ops/issues/42"), "https://github.com/acme-saas/ops/issues/42");
        assert.equal(
            go("go.acme-saas.example", "/acme-saas/billing-service/issues/7"),
            "https://github.com/acme-saas/billing-service/issues/7",
        );
        assert.equal(
            go("go.acme-saas.example", "/Acme-SaaS/Ops/Issues/42"),
            "https://github.com/Acme-SaaS/Ops/issues/42",
            "GitHub names are case-insensitive",
        );
        assert.equal(go("go.acme-saas.example", "/acme-saas/ops/pull/42"), undefined);
        assert.equal(go("go.acme-saas.example", "/acme-saas/team/ops/issues/42"), undefined, "one segment too many");
        assert.equal(go("go.acme-saas.example", "/acme-saas/ops/issues/42/timeline"), undefined);
        assert.equal(go("app.acme-saas.example", "/acme-saas/ops/issues/42"), undefined, "other hosts of the zone are untouched");
    });

    it("points at a GitHub Enterprise host when told, and refuses a domain that could break the expression", () => {
        assert.match(
            issueRedirectRule("go.acme-saas.example", "https://github.acme.example").target,
            /"https:\/\/github\.acme\.example\/\$\{1\}\/\$\{2\}\/issues\/\$\{3\}"/,
        );
        assert.throws(() => issueRedirectRule('go.example" or true or "'), /expected a lower-case DNS name/);
        assert.throws(() => issueRedirectRule("go.acme-saas.example", "https://github.com/evil"), /expected https:\/\/<host> with no path/);
    });
});
