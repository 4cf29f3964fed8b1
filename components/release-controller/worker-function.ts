// The worker in AWS: one function, one run at a time, fed by the work queue one message at a time.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ReleaseControllerArgs } from "./args";
import { RELEASE_CONTROLLER_ENV } from "./env";
import { code, environment, execution } from "./execution";
import { workerPolicy } from "./policy";
import type { ReleaseControllerSecrets } from "./secrets";

export function workerFunction(
    component: pulumi.ComponentResource,
    name: string,
    args: ReleaseControllerArgs,
    { githubToken, circleciToken, feedback }: ReleaseControllerSecrets,
    queue: aws.sqs.Queue,
    topic: aws.sns.Topic,
    workerTimeout: number,
): aws.lambda.Function {
    const {
        logs: workerLogs,
        role: workerRole,
        rolePolicy: workerRolePolicy,
    } = execution(component, `${name}-worker`, "worker", args, (logGroupArn) =>
        pulumi
            .all([logGroupArn, githubToken.secret.arn, circleciToken.secret.arn, queue.arn, topic.arn, feedback.map((f) => f.secret.arn)])
            .apply(([logArn, gh, ci, queueArn, topicArn, feedbackSecretArns]) =>
                JSON.stringify(workerPolicy({ logGroupArn: logArn, tokenSecretArns: [gh, ci], queueArn, topicArn, feedbackSecretArns })),
            ),
    );
    const worker = new aws.lambda.Function(
        `${name}-worker`,
        {
            description: "conveyor release controller: the release train, slash commands and post-deploy notices, from the work queue",
            ...code(component, args.workerEntry),
            role: workerRole.arn,
            timeout: workerTimeout,
            memorySize: args.memoryMb ?? 512,
            // One run at a time, whatever else happens to the event source mapping: two runs would race on
            // the same release branches.
            reservedConcurrentExecutions: 1,
            loggingConfig: { logFormat: "JSON", logGroup: workerLogs.name, applicationLogLevel: "INFO", systemLogLevel: "WARN" },
            environment: environment(args, queue, {
                [githubToken.variable]: githubToken.secret.arn,
                [circleciToken.variable]: circleciToken.secret.arn,
                [RELEASE_CONTROLLER_ENV.ownersTopicArn]: topic.arn,
                ...Object.fromEntries(feedback.map((f) => [f.variable, f.secret.arn])),
            }),
        },
        { parent: component, dependsOn: [workerRolePolicy, githubToken.version, circleciToken.version, ...feedback.map((f) => f.version)] },
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
        { parent: component, dependsOn: [workerRolePolicy] },
    );
    return worker;
}
