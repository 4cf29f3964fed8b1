// The release owners' topic and the alarms it carries: failed functions, given-up work, a queue that stopped moving.
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

export function ownersTopic(component: pulumi.ComponentResource, name: string, owners: readonly string[]): aws.sns.Topic {
    const parent = { parent: component };
    // No KMS key on the topic: CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed key.
    const topic = new aws.sns.Topic(`${name}-owners`, { displayName: "conveyor release controller" }, parent);
    for (const owner of owners) {
        // An e-mail subscription stays "pending confirmation" until the owner clicks the link AWS sends.
        new aws.sns.TopicSubscription(
            `${name}-owner-${owner.toLowerCase()}`,
            { topic: topic.arn, protocol: "email", endpoint: owner },
            parent,
        );
    }
    return topic;
}

export interface Alarmed {
    readonly topic: aws.sns.Topic;
    readonly intake: aws.lambda.Function;
    readonly worker: aws.lambda.Function;
    readonly queue: aws.sqs.Queue;
    readonly deadLetters: aws.sqs.Queue;
}

export function ownersAlarms(
    component: pulumi.ComponentResource,
    name: string,
    { topic, intake, worker, queue, deadLetters }: Alarmed,
): void {
    const parent = { parent: component };
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
}
