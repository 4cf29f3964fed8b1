import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Weekday } from "../../config";
import { bundleHandler, LAMBDA_RUNTIME } from "./bundle";
import { HANDLER_EXPORT, RELEASE_CONTROLLER_ENV, SCHEDULE_EVENT } from "./env";
import { accountOf, executionPolicy, schedulerPolicy, trustPolicy } from "./policy";

export interface ReleaseControllerArgs {
    /** The TypeScript module exporting `handler` (controller/lambda.ts); bundled by esbuild while the program runs. */
    readonly handlerEntry: string;
    /** When the release train runs: at `hour`:00 local time in `timezone` (IANA), on `days` (default Monday to Friday). */
    readonly schedule: { readonly timezone: string; readonly hour: number; readonly days?: readonly Weekday[] };
    /** Release owners' e-mail addresses: each is subscribed to the alarms and failed-deploy notices. */
    readonly owners: readonly string[];
    /** The GitHub token the controller opens release PRs with. Stored in Secrets Manager, never in the function. */
    readonly githubToken: pulumi.Input<string>;
    /** The CircleCI token it reads pipelines with. */
    readonly circleciToken: pulumi.Input<string>;
    /** The secret GitHub signs `issue_comment` webhooks with (X-Hub-Signature-256). */
    readonly githubWebhookSecret: pulumi.Input<string>;
    /** The secret CircleCI signs `workflow-completed` webhooks with (circleci-signature). */
    readonly circleciWebhookSecret: pulumi.Input<string>;
    /** The ops repository (this repository): where release PRs are opened and stack files are read. */
    readonly opsRepository: { readonly owner: string; readonly repo: string };
    /**
     * Other plain environment variables: GITHUB_API_URL, CIRCLECI_API_URL, DEPLOY_WORKFLOWS. Visible in the
     * function's configuration, so anything named like a secret is refused here.
     */
    readonly environment?: Readonly<Record<string, string>>;
    /** Default 900 s, Lambda's maximum: `deployed` for 50 issues spaces its writes by design and takes minutes. */
    readonly timeoutSeconds?: number;
    /** Default 512 MB; Lambda gives CPU in proportion, and parsing changelogs and YAML is CPU-bound. */
    readonly memoryMb?: number;
    /** Default 30 days. */
    readonly logRetentionDays?: number;
}

const WEEKDAY_CRON: Record<Weekday, string> = {
    monday: "MON", tuesday: "TUE", wednesday: "WED", thursday: "THU", friday: "FRI", saturday: "SAT", sunday: "SUN",
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
    if (!/^[A-Za-z0-9-]{1,39}$/.test(args.opsRepository.owner)) problems.push(`opsRepository.owner: expected a GitHub login, got ${JSON.stringify(args.opsRepository.owner)}`);
    if (!/^[A-Za-z0-9._-]{1,100}$/.test(args.opsRepository.repo)) problems.push(`opsRepository.repo: expected a repository name, got ${JSON.stringify(args.opsRepository.repo)}`);
    const ours = new Set<string>(Object.values(RELEASE_CONTROLLER_ENV));
    for (const key of Object.keys(args.environment ?? {})) {
        if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(key)) problems.push(`environment.${key}: not a valid environment variable name`);
        else if (ours.has(key)) problems.push(`environment.${key}: set by the component itself`);
        else if (RESERVED_VARIABLE.test(key)) problems.push(`environment.${key}: reserved by Lambda`);
        else if (SECRET_LIKE_VARIABLE.test(key)) problems.push(`environment.${key}: looks like a secret; pass it as a secret input (the environment is plain text)`);
    }
    const timeout = args.timeoutSeconds ?? 900;
    if (!Number.isInteger(timeout) || timeout < 1 || timeout > 900) problems.push(`timeoutSeconds: expected 1-900, got ${timeout}`);
    const memory = args.memoryMb ?? 512;
    if (!Number.isInteger(memory) || memory < 128 || memory > 10240) problems.push(`memoryMb: expected 128-10240, got ${memory}`);
    const retention = args.logRetentionDays ?? 30;
    if (!RETENTION_DAYS.includes(retention)) problems.push(`logRetentionDays: expected one of ${RETENTION_DAYS.join(", ")}, got ${retention}`);
    return problems.map((p) => `${name}: ${p}`);
}

/**
 * The release controller in AWS: the handler bundled from source, run every scheduled weekday and on the
 * GitHub and CircleCI webhooks through a function URL, never two at a time, with its tokens in Secrets
 * Manager, failures alarmed to the release owners by e-mail, and logs kept for a bounded time.
 */
export class ReleaseController extends pulumi.ComponentResource {
    public readonly functionName: pulumi.Output<string>;
    /** Where GitHub and CircleCI send their webhooks. */
    public readonly functionUrl: pulumi.Output<string>;
    /** The release owners' topic. */
    public readonly topicArn: pulumi.Output<string>;

    constructor(name: string, args: ReleaseControllerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("conveyor:release-controller:ReleaseController", name, {}, opts);
        const problems = validate(name, args);
        if (problems.length > 0) throw new Error(problems.join("\n"));
        const parent = { parent: this };

        // Left to itself, Lambda creates /aws/lambda/<function> on the first log line and keeps it forever; this
        // group, named in the function's logging config, exists first and has a retention.
        const logGroup = new aws.cloudwatch.LogGroup(name, { name: `/aws/lambda/${name}`, retentionInDays: args.logRetentionDays ?? 30 }, parent);

        const secretSpecs = [
            ["github-token", args.githubToken, "GitHub token the release controller opens release PRs with", RELEASE_CONTROLLER_ENV.githubTokenSecretArn],
            ["circleci-token", args.circleciToken, "CircleCI token the release controller reads pipelines with", RELEASE_CONTROLLER_ENV.circleciTokenSecretArn],
            ["github-webhook-secret", args.githubWebhookSecret, "Secret GitHub signs its webhooks to the release controller with", RELEASE_CONTROLLER_ENV.githubWebhookSecretArn],
            ["circleci-webhook-secret", args.circleciWebhookSecret, "Secret CircleCI signs its webhooks to the release controller with", RELEASE_CONTROLLER_ENV.circleciWebhookSecretArn],
        ] as const;
        const secrets = secretSpecs.map(([id, value, description, variable]) => {
            const secret = new aws.secretsmanager.Secret(`${name}-${id}`, { description }, parent);
            // pulumi.secret() whatever the caller passed: the value is encrypted in the state either way.
            const version = new aws.secretsmanager.SecretVersion(`${name}-${id}`, { secretId: secret.id, secretString: pulumi.secret(value) }, parent);
            return { secret, version, variable };
        });

        const deadLetters = new aws.sqs.Queue(`${name}-dead-letter`, { messageRetentionSeconds: 14 * 24 * 3600, sqsManagedSseEnabled: true }, parent);

        // No KMS key on the topic: CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed key.
        const topic = new aws.sns.Topic(`${name}-owners`, { displayName: "conveyor release controller" }, parent);
        for (const owner of args.owners) {
            // An e-mail subscription stays "pending confirmation" until the owner clicks the link AWS sends.
            new aws.sns.TopicSubscription(`${name}-owner-${owner.toLowerCase()}`, { topic: topic.arn, protocol: "email", endpoint: owner }, parent);
        }

        const role = new aws.iam.Role(
            name,
            { description: "conveyor release controller (Lambda execution)", assumeRolePolicy: JSON.stringify(trustPolicy("lambda.amazonaws.com")) },
            parent,
        );
        const rolePolicy = new aws.iam.RolePolicy(
            name,
            {
                role: role.name,
                policy: pulumi
                    .all([logGroup.arn, pulumi.all(secrets.map((s) => s.secret.arn)), deadLetters.arn, topic.arn])
                    .apply(([logGroupArn, secretArns, deadLetterQueueArn, topicArn]) => JSON.stringify(executionPolicy({ logGroupArn, secretArns, deadLetterQueueArn, topicArn }))),
            },
            parent,
        );

        const bundle = bundleHandler(args.handlerEntry);
        // Fire and forget: a constructor cannot wait, and the engine prints the warning whenever it arrives.
        for (const warning of bundle.warnings) void pulumi.log.warn(`${args.handlerEntry}: ${warning}`, this);

        const fn = new aws.lambda.Function(
            name,
            {
                description: "conveyor release controller: the release train on schedule, GitHub and CircleCI webhooks",
                runtime: LAMBDA_RUNTIME,
                // Plain JavaScript with no native modules: Graviton costs less for the same work.
                architectures: ["arm64"],
                handler: `index.${HANDLER_EXPORT}`,
                code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(bundle.code) }),
                role: role.arn,
                timeout: args.timeoutSeconds ?? 900,
                memorySize: args.memoryMb ?? 512,
                // One run at a time: two scheduled trains, or a train and a webhook, would race on the same
                // release branches. Asynchronous invocations (the schedule) wait in Lambda's queue meanwhile;
                // synchronous ones (webhooks) are refused with 429 while a run is in progress.
                reservedConcurrentExecutions: 1,
                deadLetterConfig: { targetArn: deadLetters.arn },
                loggingConfig: { logFormat: "JSON", logGroup: logGroup.name, applicationLogLevel: "INFO", systemLogLevel: "WARN" },
                environment: {
                    variables: {
                        ...args.environment,
                        [RELEASE_CONTROLLER_ENV.opsOwner]: args.opsRepository.owner,
                        [RELEASE_CONTROLLER_ENV.opsRepo]: args.opsRepository.repo,
                        ...Object.fromEntries(secrets.map((s) => [s.variable, s.secret.arn])),
                        [RELEASE_CONTROLLER_ENV.ownersTopicArn]: topic.arn,
                    },
                },
            },
            // CreateFunction checks the role may send to the dead-letter queue; secrets hold a value before
            // anything can invoke the function.
            { parent: this, dependsOn: [rolePolicy, ...secrets.map((s) => s.version)] },
        );

        // Webhooks authenticate by their signatures, checked by the handler before it parses anything.
        const url = new aws.lambda.FunctionUrl(name, { functionName: fn.name, authorizationType: "NONE", invokeMode: "BUFFERED" }, parent);
        // Since October 2025 a public function URL needs both grants: the URL and the invocation through it.
        new aws.lambda.Permission(`${name}-url`, { function: fn.name, action: "lambda:InvokeFunctionUrl", principal: "*", functionUrlAuthType: "NONE" }, parent);
        new aws.lambda.Permission(`${name}-url-invoke`, { function: fn.name, action: "lambda:InvokeFunction", principal: "*", invokedViaFunctionUrl: true }, parent);

        // The account comes from the function's own ARN: same account by construction, no lookup to make.
        const schedulerRole = new aws.iam.Role(
            `${name}-schedule`,
            {
                description: "conveyor release controller (EventBridge Scheduler: invoke the function)",
                assumeRolePolicy: fn.arn.apply((arn) => JSON.stringify(trustPolicy("scheduler.amazonaws.com", accountOf(arn)))),
            },
            parent,
        );
        const schedulerRolePolicy = new aws.iam.RolePolicy(`${name}-schedule`, { role: schedulerRole.name, policy: fn.arn.apply((arn) => JSON.stringify(schedulerPolicy(arn))) }, parent);
        new aws.scheduler.Schedule(
            name,
            {
                description: "conveyor: run the release train (release --due)",
                scheduleExpression: releaseSchedule(args.schedule.hour, args.schedule.days),
                // The scheduler follows the zone's daylight-saving changes: 07:00 stays 07:00 all year.
                scheduleExpressionTimezone: args.schedule.timezone,
                flexibleTimeWindow: { mode: "OFF" },
                state: "ENABLED",
                target: { arn: fn.arn, roleArn: schedulerRole.arn, input: JSON.stringify(SCHEDULE_EVENT) },
            },
            { parent: this, dependsOn: [schedulerRolePolicy] },
        );

        const alarm = {
            period: 300,
            evaluationPeriods: 1,
            threshold: 0,
            comparisonOperator: "GreaterThanThreshold",
            treatMissingData: "notBreaching",
            alarmActions: [topic.arn],
            okActions: [topic.arn],
        };
        new aws.cloudwatch.MetricAlarm(
            `${name}-errors`,
            {
                ...alarm,
                alarmDescription: "The release controller failed (an error or a timeout) in the last 5 minutes; see its log group.",
                namespace: "AWS/Lambda",
                metricName: "Errors",
                dimensions: { FunctionName: fn.name },
                statistic: "Sum",
            },
            parent,
        );
        // A scheduled run that waited too long behind another (concurrency 1) is dropped to the queue without
        // ever raising an error: this alarm is the only sign of it.
        new aws.cloudwatch.MetricAlarm(
            `${name}-dead-letters`,
            {
                ...alarm,
                alarmDescription: "A scheduled release-controller run was given up and is in the dead-letter queue.",
                namespace: "AWS/SQS",
                metricName: "ApproximateNumberOfMessagesVisible",
                dimensions: { QueueName: deadLetters.name },
                statistic: "Maximum",
            },
            parent,
        );

        this.functionName = fn.name;
        this.functionUrl = url.functionUrl;
        this.topicArn = topic.arn;
        this.registerOutputs({ functionName: this.functionName, functionUrl: this.functionUrl, topicArn: this.topicArn });
    }
}
