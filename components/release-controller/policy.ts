// The release controller's IAM documents, as pure functions of the ARNs they grant on: reviewable in one
// place and testable without Pulumi.

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

export interface ExecutionGrants {
    /** The function's own log group (created with the function, so no logs:CreateLogGroup). */
    readonly logGroupArn: string;
    /** The four Secrets Manager secrets the handler reads. */
    readonly secretArns: readonly string[];
    /** Where Lambda puts asynchronous invocations that failed every retry. */
    readonly deadLetterQueueArn: string;
    /** The release owners' topic the handler publishes failed deploys to. */
    readonly topicArn: string;
}

/** Exactly what the function does at run time, each on the one resource it does it to. */
export function executionPolicy(g: ExecutionGrants): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            // `<group arn>:*` is the group's own ARN form for CreateLogStream and covers its log streams for
            // PutLogEvents; nothing outside the group.
            { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [`${g.logGroupArn}:*`] },
            { Sid: "ReadOwnSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [...g.secretArns] },
            // Lambda sends to the dead-letter queue with the function's role, and CreateFunction checks it can.
            { Sid: "DeadLetter", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [g.deadLetterQueueArn] },
            { Sid: "NotifyOwners", Effect: "Allow", Action: ["sns:Publish"], Resource: [g.topicArn] },
        ],
    };
}

/** The schedule's role: invoke this one function, nothing else. */
export function schedulerPolicy(functionArn: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [{ Sid: "InvokeReleaseController", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [functionArn] }],
    };
}

/** The account id of an ARN (`arn:<partition>:<service>:<region>:<account>:...`). */
export function accountOf(arn: string): string {
    const account = arn.split(":")[4];
    if (!account) throw new Error(`not an ARN with an account: ${arn}`);
    return account;
}
