import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Weekday } from "../../config";
import { bundleHandler, LAMBDA_RUNTIME, type HandlerBundle } from "./bundle";
import { HANDLER_EXPORT, MESSAGE_GROUP_ID, RELEASE_CONTROLLER_ENV, TRAIN_MESSAGE } from "./env";
import { accountOf, intakePolicy, schedulerPolicy, trustPolicy, workerPolicy } from "./policy";

export interface ReleaseControllerArgs {
    /** The TypeScript module exporting the webhook intake's `handler` (controller/intake.ts); bundled by esbuild while the program runs. */
    readonly intakeEntry: string;
    /** The module exporting the worker's `handler` (controller/worker.ts). */
    readonly workerEntry: string;
    /** When the release train runs: at `hour`:00 local time in `timezone` (IANA), on `days` (default Monday to Friday). */
    readonly schedule: { readonly timezone: string; readonly hour: number; readonly days?: readonly Weekday[] };
    /** Release owners' e-mail addresses: each is subscribed to the alarms and failed-deploy notices. */
    readonly owners: readonly string[];
    /** The GitHub token the worker opens release PRs with. Stored in Secrets Manager, never in a function. */
    readonly githubToken: pulumi.Input<string>;
    /** The CircleCI token the worker reads pipelines with. */
    readonly circleciToken: pulumi.Input<string>;
    /** The secret GitHub signs `issue_comment` webhooks with (X-Hub-Signature-256); the intake checks it. */
    readonly githubWebhookSecret: pulumi.Input<string>;
    /** The secret CircleCI signs `workflow-completed` webhooks with (circleci-signature). */
    readonly circleciWebhookSecret: pulumi.Input<string>;
    /** Slack incoming webhooks the worker announces on, as one JSON object of name -> URL; none: no Slack. */
    readonly slackWebhooks?: pulumi.Input<string>;
    /** The Sentry auth token the worker makes releases and deploys with; none: no Sentry. */
    readonly sentryAuthToken?: pulumi.Input<string>;
    /** The ops repository (this repository): where release PRs are opened and stack files are read. */
    readonly opsRepository: { readonly owner: string; readonly repo: string };
    /**
     * Other plain environment variables of both functions: GITHUB_API_URL, CIRCLECI_API_URL, DEPLOY_WORKFLOWS,
     * COMMAND_BOTS. Visible in the functions' configuration, so anything named like a secret is refused here.
     */
    readonly environment?: Readonly<Record<string, string>>;
    /** The worker's timeout. Default 900 s, Lambda's maximum: `deployed` for 50 issues spaces its writes by design and takes minutes. */
    readonly timeoutSeconds?: number;
    /** The worker's memory. Default 512 MB; Lambda gives CPU in proportion, and parsing changelogs and YAML is CPU-bound. */
    readonly memoryMb?: number;
    /** Receives of a message before it goes to the dead-letter queue. Default 5. */
    readonly maxReceiveCount?: number;
    /** Default 30 days. */
    readonly logRetentionDays?: number;
}

const WEEKDAY_CRON: Record<Weekday, string> = {
    monday: "MON",
    tuesday: "TUE",
    wednesday: "WED",
    thursday: "THU",
    friday: "FRI",
    saturday: "SAT",
    sunday: "SUN",
};
const WORKING_WEEK: readonly Weekday[] = ["monday", "tuesday", "wednesday", "thursday", "friday"];
const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** EventBridge Scheduler's six-field cron: minute 0 of `hour` on `days` (day-of-month `?` as it requires). */
export function releaseSchedule(hour: number, days: readonly Weekday[] = WORKING_WEEK): string {
    const order = Object.keys(WEEKDAY_CRON) as Weekday[];
    const sorted = order.filter((d) => days.includes(d));
    const dow = sorted.join() === WORKING_WEEK.join() ? "MON-FRI" : sorted.map((d) => WEEKDAY_CRON[d]).join(",");
    return `cron(0 ${hour} ? * ${dow} *)`;
}

// Lambda rejects these names, or sets them itself.
const RESERVED_VARIABLE = /^(AWS_|_|LAMBDA_TASK_ROOT$|LAMBDA_RUNTIME_DIR$)/;
// A value under such a name is a credential: it belongs in a secret input, not in the function's configuration.
const SECRET_LIKE_VARIABLE = /(^|_)(TOKEN|SECRET|PASSWORD|PASSWD|PRIVATE_KEY)$/;

function validate(name: string, args: ReleaseControllerArgs): string[] {
    const problems: string[] = [];
    const { hour, timezone, days } = args.schedule;
    if (!Number.isInteger(hour) || hour < 0 || hour > 23) problems.push(`schedule.hour: expected an hour 0-23, got ${hour}`);
    try {
        new Intl.DateTimeFormat("en", { timeZone: timezone });
    } catch {
        problems.push(`schedule.timezone: expected an IANA time zone like Europe/Paris, got ${JSON.stringify(timezone)}`);
    }
    if (days !== undefined && days.length === 0) problems.push("schedule.days: expected at least one weekday");
    if (args.owners.length === 0) problems.push("owners: expected at least one e-mail address");
    const seen = new Set<string>();
    for (const owner of args.owners) {
        if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(owner)) problems.push(`owners: expected an e-mail address, got ${JSON.stringify(owner)}`);
        if (seen.has(owner.toLowerCase())) problems.push(`owners: ${owner} is listed twice`);
        seen.add(owner.toLowerCase());
    }
    if (!/^[A-Za-z0-9-]{1,39}$/.test(args.opsRepository.owner))
        problems.push(`opsRepository.owner: expected a GitHub login, got ${JSON.stringify(args.opsRepository.owner)}`);
    if (!/^[A-Za-z0-9._-]{1,100}$/.test(args.opsRepository.repo))
        problems.push(`opsRepository.repo: expected a repository name, got ${JSON.stringify(args.opsRepository.repo)}`);
    const ours = new Set<string>(Object.values(RELEASE_CONTROLLER_ENV));
    for (const key of Object.keys(args.environment ?? {})) {
        if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(key)) problems.push(`environment.${key}: not a valid environment variable name`);
        else if (ours.has(key)) problems.push(`environment.${key}: set by the component itself`);
        else if (RESERVED_VARIABLE.test(key)) problems.push(`environment.${key}: reserved by Lambda`);
        else if (SECRET_LIKE_VARIABLE.test(key))
            problems.push(`environment.${key}: looks like a secret; pass it as a secret input (the environment is plain text)`);
    }
    const timeout = args.timeoutSeconds ?? 900;
    if (!Number.isInteger(timeout) || timeout < 1 || timeout > 900) problems.push(`timeoutSeconds: expected 1-900, got ${timeout}`);
    const memory = args.memoryMb ?? 512;
    if (!Number.isInteger(memory) || memory < 128 || memory > 10240) problems.push(`memoryMb: expected 128-10240, got ${memory}`);
    const receives = args.maxReceiveCount ?? 5;
    if (!Number.isInteger(receives) || receives < 2 || receives > 20) problems.push(`maxReceiveCount: expected 2-20, got ${receives}`);
    const retention = args.logRetentionDays ?? 30;
    if (!RETENTION_DAYS.includes(retention))
        problems.push(`logRetentionDays: expected one of ${RETENTION_DAYS.join(", ")}, got ${retention}`);
    return problems.map((p) => `${name}: ${p}`);
}

/** The intake answers in milliseconds; 10 s is GitHub's own limit for a webhook answer. */
export const INTAKE_TIMEOUT_SECONDS = 10;
/** AWS asks for a queue visibility timeout of at least six times the timeout of the function it feeds. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

/**
 * The release controller in AWS. Webhooks from GitHub and CircleCI reach a small intake function through a
 * function URL; it checks each one and puts it on a FIFO queue, answering at once. The schedule puts the
 * train on the same queue. One worker function (reserved concurrency 1) does the work from the queue in
 * order, reporting failed messages back for a delayed retry; after a bounded number of receives a message goes
 * to the dead-letter queue, and the release owners are alarmed. Tokens live in Secrets Manager, each role holds
 * only what its function uses, and logs are kept for a bounded time.
 */
export class ReleaseController extends pulumi.ComponentResource {
    /** The webhook intake, behind the function URL. */
    public readonly intakeFunctionName: pulumi.Output<string>;
    /** The worker, fed by the queue. */
    public readonly workerFunctionName: pulumi.Output<string>;
    /** Where GitHub and CircleCI send their webhooks. */
    public readonly functionUrl: pulumi.Output<string>;
    /** The work queue (FIFO). */
    public readonly queueUrl: pulumi.Output<string>;
    /** Where work that failed every attempt is kept, for the owners to look at and redrive. */
    public readonly deadLetterQueueUrl: pulumi.Output<string>;
    /** The release owners' topic. */
    public readonly topicArn: pulumi.Output<string>;

    constructor(name: string, args: ReleaseControllerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("conveyor:release-controller:ReleaseController", name, {}, opts);
        const problems = validate(name, args);
        if (problems.length > 0) throw new Error(problems.join("\n"));
        const parent = { parent: this };
        const workerTimeout = args.timeoutSeconds ?? 900;

        const secretSpecs = [
            [
                "github-token",
                args.githubToken,
                "GitHub token the release controller opens release PRs with",
                RELEASE_CONTROLLER_ENV.githubTokenSecretArn,
            ],
            [
                "circleci-token",
                args.circleciToken,
                "CircleCI token the release controller reads pipelines with",
                RELEASE_CONTROLLER_ENV.circleciTokenSecretArn,
            ],
            [
                "github-webhook-secret",
                args.githubWebhookSecret,
                "Secret GitHub signs its webhooks to the release controller with",
                RELEASE_CONTROLLER_ENV.githubWebhookSecretArn,
            ],
            [
                "circleci-webhook-secret",
                args.circleciWebhookSecret,
                "Secret CircleCI signs its webhooks to the release controller with",
                RELEASE_CONTROLLER_ENV.circleciWebhookSecretArn,
            ],
        ] as const;
        const store = ([id, value, description, variable]: readonly [string, pulumi.Input<string>, string, string]) => {
            const secret = new aws.secretsmanager.Secret(`${name}-${id}`, { description }, parent);
            // pulumi.secret() whatever the caller passed: the value is encrypted in the state either way.
            const version = new aws.secretsmanager.SecretVersion(
                `${name}-${id}`,
                { secretId: secret.id, secretString: pulumi.secret(value) },
                parent,
            );
            return { secret, version, variable };
        };
        const [githubToken, circleciToken, githubWebhookSecret, circleciWebhookSecret] = secretSpecs.map(store);
        // The optional feedback loops: only the worker reads them, and only when the org config asks for them.
        const feedback = [
            ...(args.slackWebhooks === undefined
                ? []
                : [
                      store([
                          "slack-webhooks",
                          args.slackWebhooks,
                          "Slack incoming-webhook URLs (JSON, name -> URL) the release controller announces releases on",
                          RELEASE_CONTROLLER_ENV.slackWebhooksSecretArn,
                      ]),
                  ]),
            ...(args.sentryAuthToken === undefined
                ? []
                : [
                      store([
                          "sentry-auth-token",
                          args.sentryAuthToken,
                          "Sentry auth token the release controller records releases and deploys with",
                          RELEASE_CONTROLLER_ENV.sentryTokenSecretArn,
                      ]),
                  ]),
        ];

        // FIFO: one message group keeps the work in arrival order and one at a time. A dead-letter queue of a
        // FIFO queue must be FIFO too.
        const deadLetters = new aws.sqs.Queue(
            `${name}-dead-letter`,
            { fifoQueue: true, messageRetentionSeconds: 14 * 24 * 3600, sqsManagedSseEnabled: true },
            parent,
        );
        const queue = new aws.sqs.Queue(
            `${name}-queue`,
            {
                fifoQueue: true,
                // The intake always sets the deduplication id (a digest of the signed identity of the event), which
                // overrides this; the schedule cannot set one, and EventBridge Scheduler requires content-based
                // deduplication on a FIFO target: its message carries the scheduled time, so a retried delivery
                // of one run is dropped and two runs never are.
                contentBasedDeduplication: true,
                deduplicationScope: "queue",
                fifoThroughputLimit: "perQueue",
                visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_FACTOR * workerTimeout,
                messageRetentionSeconds: 4 * 24 * 3600,
                sqsManagedSseEnabled: true,
                redrivePolicy: deadLetters.arn.apply((arn) =>
                    JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: args.maxReceiveCount ?? 5 }),
                ),
            },
            parent,
        );

        // No KMS key on the topic: CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed key.
        const topic = new aws.sns.Topic(`${name}-owners`, { displayName: "conveyor release controller" }, parent);
        for (const owner of args.owners) {
            // An e-mail subscription stays "pending confirmation" until the owner clicks the link AWS sends.
            new aws.sns.TopicSubscription(
                `${name}-owner-${owner.toLowerCase()}`,
                { topic: topic.arn, protocol: "email", endpoint: owner },
                parent,
            );
        }

        const environment = (own: Record<string, pulumi.Input<string>>) => ({
            variables: {
                ...args.environment,
                [RELEASE_CONTROLLER_ENV.opsOwner]: args.opsRepository.owner,
                [RELEASE_CONTROLLER_ENV.opsRepo]: args.opsRepository.repo,
                [RELEASE_CONTROLLER_ENV.queueUrl]: queue.url,
                ...own,
            },
        });

        // ---- the intake: verify, queue, answer ----
        const {
            logs: intakeLogs,
            role: intakeRole,
            rolePolicy: intakeRolePolicy,
        } = this.execution(`${name}-intake`, "webhook intake", args, (logGroupArn) =>
            pulumi
                .all([logGroupArn, githubWebhookSecret.secret.arn, circleciWebhookSecret.secret.arn, queue.arn])
                .apply(([logArn, gh, ci, queueArn]) =>
                    JSON.stringify(intakePolicy({ logGroupArn: logArn, webhookSecretArns: [gh, ci], queueArn })),
                ),
        );
        const intake = new aws.lambda.Function(
            `${name}-intake`,
            {
                description: "conveyor release controller: checks GitHub and CircleCI webhooks and queues the work",
                ...this.code(args.intakeEntry),
                role: intakeRole.arn,
                timeout: INTAKE_TIMEOUT_SECONDS,
                // Small and quick: most of a cold start is loading code, which memory (CPU) speeds up.
                memorySize: 256,
                // No reserved concurrency: webhooks arriving together are each answered at once; the queue
                // serialises the work, not the intake.
                loggingConfig: { logFormat: "JSON", logGroup: intakeLogs.name, applicationLogLevel: "INFO", systemLogLevel: "WARN" },
                environment: environment({
                    [githubWebhookSecret.variable]: githubWebhookSecret.secret.arn,
                    [circleciWebhookSecret.variable]: circleciWebhookSecret.secret.arn,
                }),
            },
            { parent: this, dependsOn: [intakeRolePolicy, githubWebhookSecret.version, circleciWebhookSecret.version] },
        );
        // Webhooks authenticate by their signatures, checked by the intake before it parses anything.
        const url = new aws.lambda.FunctionUrl(
            name,
            { functionName: intake.name, authorizationType: "NONE", invokeMode: "BUFFERED" },
            parent,
        );
        // Since October 2025 a public function URL needs both grants: the URL and the invocation through it.
        new aws.lambda.Permission(
            `${name}-url`,
            { function: intake.name, action: "lambda:InvokeFunctionUrl", principal: "*", functionUrlAuthType: "NONE" },
            parent,
        );
        new aws.lambda.Permission(
            `${name}-url-invoke`,
            { function: intake.name, action: "lambda:InvokeFunction", principal: "*", invokedViaFunctionUrl: true },
            parent,
        );

        // ---- the worker: the work, one message at a time ----
        const {
            logs: workerLogs,
            role: workerRole,
            rolePolicy: workerRolePolicy,
        } = this.execution(`${name}-worker`, "worker", args, (logGroupArn) =>
            pulumi
                .all([
                    logGroupArn,
                    githubToken.secret.arn,
                    circleciToken.secret.arn,
                    queue.arn,
                    topic.arn,
                    feedback.map((f) => f.secret.arn),
                ])
                .apply(([logArn, gh, ci, queueArn, topicArn, feedbackSecretArns]) =>
                    JSON.stringify(
                        workerPolicy({ logGroupArn: logArn, tokenSecretArns: [gh, ci], queueArn, topicArn, feedbackSecretArns }),
                    ),
                ),
        );
        const worker = new aws.lambda.Function(
            `${name}-worker`,
            {
                description: "conveyor release controller: the release train, slash commands and post-deploy notices, from the work queue",
                ...this.code(args.workerEntry),
                role: workerRole.arn,
                timeout: workerTimeout,
                memorySize: args.memoryMb ?? 512,
                // One run at a time, whatever else happens to the event source mapping: two runs would race on
                // the same release branches.
                reservedConcurrentExecutions: 1,
                loggingConfig: { logFormat: "JSON", logGroup: workerLogs.name, applicationLogLevel: "INFO", systemLogLevel: "WARN" },
                environment: environment({
                    [githubToken.variable]: githubToken.secret.arn,
                    [circleciToken.variable]: circleciToken.secret.arn,
                    [RELEASE_CONTROLLER_ENV.ownersTopicArn]: topic.arn,
                    ...Object.fromEntries(feedback.map((f) => [f.variable, f.secret.arn])),
                }),
            },
            { parent: this, dependsOn: [workerRolePolicy, githubToken.version, circleciToken.version, ...feedback.map((f) => f.version)] },
        );
        new aws.lambda.EventSourceMapping(
            `${name}-worker`,
            {
                eventSourceArn: queue.arn,
                functionName: worker.arn,
                // One message per run: a run's time budget is the message's, and a failure holds back nothing
                // that already succeeded.
                batchSize: 1,
                // The worker names the messages that failed (and, FIFO, every one after them); the rest are deleted.
                functionResponseTypes: ["ReportBatchItemFailures"],
                enabled: true,
            },
            // CreateEventSourceMapping checks the role may read the queue.
            { parent: this, dependsOn: [workerRolePolicy] },
        );

        // ---- the schedule: the train, through the same queue ----
        // The account comes from the queue's own ARN: same account by construction, no lookup to make.
        const schedulerRole = new aws.iam.Role(
            `${name}-schedule`,
            {
                description: "conveyor release controller (EventBridge Scheduler: queue the release train)",
                assumeRolePolicy: queue.arn.apply((arn) => JSON.stringify(trustPolicy("scheduler.amazonaws.com", accountOf(arn)))),
            },
            parent,
        );
        const schedulerRolePolicy = new aws.iam.RolePolicy(
            `${name}-schedule`,
            { role: schedulerRole.name, policy: queue.arn.apply((arn) => JSON.stringify(schedulerPolicy(arn))) },
            parent,
        );
        new aws.scheduler.Schedule(
            name,
            {
                description: "conveyor: queue the release train (release --due, as of the scheduled time)",
                scheduleExpression: releaseSchedule(args.schedule.hour, args.schedule.days),
                // The scheduler follows the zone's daylight-saving changes: 07:00 stays 07:00 all year.
                scheduleExpressionTimezone: args.schedule.timezone,
                flexibleTimeWindow: { mode: "OFF" },
                state: "ENABLED",
                target: {
                    arn: queue.arn,
                    roleArn: schedulerRole.arn,
                    input: JSON.stringify(TRAIN_MESSAGE),
                    sqsParameters: { messageGroupId: MESSAGE_GROUP_ID },
                },
            },
            { parent: this, dependsOn: [schedulerRolePolicy] },
        );

        // ---- alarms, to the owners ----
        const alarm = {
            period: 300,
            evaluationPeriods: 1,
            threshold: 0,
            comparisonOperator: "GreaterThanThreshold",
            treatMissingData: "notBreaching",
            alarmActions: [topic.arn],
            okActions: [topic.arn],
        };
        for (const [id, fn, what] of [
            ["intake-errors", intake, "The webhook intake failed (an error or a timeout): webhooks may not have been queued"],
            ["worker-errors", worker, "The release controller's worker failed (an error or a timeout); the message will be retried"],
        ] as const) {
            new aws.cloudwatch.MetricAlarm(
                `${name}-${id}`,
                {
                    ...alarm,
                    alarmDescription: `${what}. See its log group.`,
                    namespace: "AWS/Lambda",
                    metricName: "Errors",
                    dimensions: { FunctionName: fn.name },
                    statistic: "Sum",
                },
                parent,
            );
        }
        // A message that failed every attempt waits here; nothing else says it was given up.
        new aws.cloudwatch.MetricAlarm(
            `${name}-dead-letters`,
            {
                ...alarm,
                alarmDescription:
                    "Release-controller work failed every attempt and is in the dead-letter queue: look at the worker's log, fix the cause, then redrive the queue.",
                namespace: "AWS/SQS",
                metricName: "ApproximateNumberOfMessagesVisible",
                dimensions: { QueueName: deadLetters.name },
                statistic: "Maximum",
            },
            parent,
        );
        // Work that waits behind a long rate limit or a stuck message: the queue is not moving.
        new aws.cloudwatch.MetricAlarm(
            `${name}-queue-age`,
            {
                ...alarm,
                threshold: 2 * 3600,
                alarmDescription:
                    "The release controller's oldest queued work has waited more than two hours: the worker is stuck or rate-limited.",
                namespace: "AWS/SQS",
                metricName: "ApproximateAgeOfOldestMessage",
                dimensions: { QueueName: queue.name },
                statistic: "Maximum",
            },
            parent,
        );

        this.intakeFunctionName = intake.name;
        this.workerFunctionName = worker.name;
        this.functionUrl = url.functionUrl;
        this.queueUrl = queue.url;
        this.deadLetterQueueUrl = deadLetters.url;
        this.topicArn = topic.arn;
        this.registerOutputs({
            intakeFunctionName: this.intakeFunctionName,
            workerFunctionName: this.workerFunctionName,
            functionUrl: this.functionUrl,
            queueUrl: this.queueUrl,
            deadLetterQueueUrl: this.deadLetterQueueUrl,
            topicArn: this.topicArn,
        });
    }

    /** The function's code: `entry` bundled by esbuild, as `index.js`, on the runtime it targets. */
    /** A function's log group, its execution role and the role's one policy, which `policyOf` writes from the log group's ARN. */
    private execution(
        fn: string,
        what: string,
        args: ReleaseControllerArgs,
        policyOf: (logGroupArn: pulumi.Output<string>) => pulumi.Input<string>,
    ) {
        const parent = { parent: this };
        const logs = new aws.cloudwatch.LogGroup(fn, { name: `/aws/lambda/${fn}`, retentionInDays: args.logRetentionDays ?? 30 }, parent);
        const role = new aws.iam.Role(
            fn,
            {
                description: `conveyor release controller: ${what} (Lambda execution)`,
                assumeRolePolicy: JSON.stringify(trustPolicy("lambda.amazonaws.com")),
            },
            parent,
        );
        const rolePolicy = new aws.iam.RolePolicy(fn, { role: role.name, policy: policyOf(logs.arn) }, parent);
        return { logs, role, rolePolicy };
    }

    private code(entry: string): Pick<aws.lambda.FunctionArgs, "runtime" | "architectures" | "handler" | "code"> {
        const bundle: HandlerBundle = bundleHandler(entry);
        // Fire and forget: a constructor cannot wait, and the engine prints the warning whenever it arrives.
        for (const warning of bundle.warnings) void pulumi.log.warn(`${entry}: ${warning}`, this);
        return {
            runtime: LAMBDA_RUNTIME,
            // Plain JavaScript with no native modules: Graviton costs less for the same work.
            architectures: ["arm64"],
            handler: `index.${HANDLER_EXPORT}`,
            code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(bundle.code) }),
        };
    }
}
