// The release controller's IAM documents, as pure functions of the ARNs they grant on: reviewable in one
// place and testable without Pulumi. One role per principal (intake, worker, schedule), each holding only
// what that principal uses.

export interface Statement {
    readonly Sid: string;
    readonly Effect: "Allow";
    readonly Action: readonly string[];
    readonly Resource: readonly string[];
}

export interface PolicyDocument {
    readonly Version: "2012-10-17";
    readonly Statement: readonly Statement[];
}

export interface TrustPolicy {
    readonly Version: "2012-10-17";
    readonly Statement: readonly {
        readonly Effect: "Allow";
        readonly Principal: { readonly Service: string };
        readonly Action: "sts:AssumeRole";
        readonly Condition?: Readonly<Record<string, Readonly<Record<string, string>>>>;
    }[];
}

/**
 * Lets an AWS service assume a role. With `sourceAccount`, only on behalf of resources of that account: the
 * service then cannot be made to use the role for someone else's resource (the confused-deputy problem).
 */
export function trustPolicy(service: string, sourceAccount?: string): TrustPolicy {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: service },
                Action: "sts:AssumeRole",
                ...(sourceAccount === undefined ? {} : { Condition: { StringEquals: { "aws:SourceAccount": sourceAccount } } }),
            },
        ],
    };
}

/** `<group arn>:*` is the group's own ARN form for CreateLogStream and covers its log streams for PutLogEvents. */
const ownLogs = (logGroupArn: string): Statement => ({
    Sid: "WriteOwnLogs",
    Effect: "Allow",
    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
    Resource: [`${logGroupArn}:*`],
});

export interface IntakeGrants {
    /** The intake's own log group (created with the function, so no logs:CreateLogGroup). */
    readonly logGroupArn: string;
    /** The two secrets the webhooks are signed with. */
    readonly webhookSecretArns: readonly string[];
    /** The work queue it puts messages on. */
    readonly queueArn: string;
}

/** The intake verifies a signature and sends one message: nothing on GitHub, nothing else on the queue. */
export function intakePolicy(g: IntakeGrants): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            ownLogs(g.logGroupArn),
            { Sid: "ReadWebhookSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [...g.webhookSecretArns] },
            { Sid: "QueueWork", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [g.queueArn] },
        ],
    };
}

export interface WorkerGrants {
    readonly logGroupArn: string;
    /** The GitHub and CircleCI tokens. */
    readonly tokenSecretArns: readonly string[];
    /** The work queue it consumes. */
    readonly queueArn: string;
    /** The release owners' topic it publishes failed deploys to. */
    readonly topicArn: string;
    /** Slack webhooks and the Sentry token, when configured. */
    readonly feedbackSecretArns?: readonly string[];
}

/**
 * What the worker does, each on the one resource it does it to. The event source mapping polls the queue with
 * the function's role (receive, delete, and read its attributes); the worker itself delays a message it must
 * retry later (change visibility). It never sends to the queue and cannot read the webhook secrets.
 */
export function workerPolicy(g: WorkerGrants): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            ownLogs(g.logGroupArn),
            { Sid: "ReadTokens", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [...g.tokenSecretArns] },
            {
                Sid: "ConsumeWork",
                Effect: "Allow",
                Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
                Resource: [g.queueArn],
            },
            { Sid: "NotifyOwners", Effect: "Allow", Action: ["sns:Publish"], Resource: [g.topicArn] },
            ...(g.feedbackSecretArns && g.feedbackSecretArns.length > 0
                ? [
                      {
                          Sid: "ReadFeedbackSecrets",
                          Effect: "Allow" as const,
                          Action: ["secretsmanager:GetSecretValue"],
                          Resource: [...g.feedbackSecretArns],
                      },
                  ]
                : []),
        ],
    };
}

/** The schedule's role: put the train's message on the work queue, nothing else. */
export function schedulerPolicy(queueArn: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [{ Sid: "QueueTrain", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [queueArn] }],
    };
}

/** The account id of an ARN (`arn:<partition>:<service>:<region>:<account>:...`). */
export function accountOf(arn: string): string {
    const account = arn.split(":")[4];
    if (!account) throw new Error(`not an ARN with an account: ${arn}`);
    return account;
}
