// The release controller's work queue, its dead letters, and the schedule that puts the release train on it.
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { Weekday } from "../../config";
import type { ReleaseControllerArgs } from "./args";
import { MESSAGE_GROUP_ID, TRAIN_MESSAGE } from "./env";
import { accountOf, schedulerPolicy, trustPolicy } from "./policy";

/** AWS asks for a queue visibility timeout of at least six times the timeout of the function it feeds. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

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

/** EventBridge Scheduler's six-field cron: minute 0 of `hour` on `days` (day-of-month `?` as it requires). */
export function releaseSchedule(hour: number, days: readonly Weekday[] = WORKING_WEEK): string {
    const order = Object.keys(WEEKDAY_CRON) as Weekday[];
    const sorted = order.filter((d) => days.includes(d));
    const dow = sorted.join() === WORKING_WEEK.join() ? "MON-FRI" : sorted.map((d) => WEEKDAY_CRON[d]).join(",");
    return `cron(0 ${hour} ? * ${dow} *)`;
}

export function workQueue(
    component: pulumi.ComponentResource,
    name: string,
    args: ReleaseControllerArgs,
    workerTimeout: number,
): { deadLetters: aws.sqs.Queue; queue: aws.sqs.Queue } {
    const parent = { parent: component };
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
    return { deadLetters, queue };
}

/** The train, through the same queue as the webhooks: it waits its turn behind them. */
export function trainSchedule(component: pulumi.ComponentResource, name: string, args: ReleaseControllerArgs, queue: aws.sqs.Queue): void {
    const parent = { parent: component };
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
        { parent: component, dependsOn: [schedulerRolePolicy] },
    );
}
