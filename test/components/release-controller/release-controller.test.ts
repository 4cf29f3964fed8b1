// The release controller's AWS deployment on Pulumi mocks: what `pulumi up` would create, recorded as the
// engine receives it (secrets as "[secret]"). Its handlers' bundles: bundle.test.ts.
import * as assert from "node:assert/strict";
import { LAMBDA_RUNTIME } from "../../../components/release-controller/bundle";
import { MESSAGE_GROUP_ID, RELEASE_CONTROLLER_ENV, TRAIN_MESSAGE } from "../../../components/release-controller/env";
import { accountOf, type PolicyDocument, type TrustPolicy } from "../../../components/release-controller/policy";
import type { ReleaseControllerArgs } from "../../../components/release-controller/args";
import { INTAKE_TIMEOUT_SECONDS } from "../../../components/release-controller/intake-function";
import { releaseSchedule, VISIBILITY_TIMEOUT_FACTOR } from "../../../components/release-controller/queue";
import { ReleaseController } from "../../../components/release-controller/release-controller";
import { ACCOUNT, mockArn, mockName, onMocks, queueUrlOf, T, type Recorded } from "../on-mocks";
import { baseArgs, SECRET_VALUES } from "./controller-fixture";

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
