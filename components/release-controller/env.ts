// The contract between the ReleaseController component and the Lambda handler it deploys: the names of the
// environment variables the function gets and the event the schedule sends. No imports on purpose: the
// handler (controller/lambda.ts) imports this file, and anything imported here would end up in its bundle.

/**
 * Environment variables naming where the function finds what it needs. Secrets are passed by ARN and read
 * from Secrets Manager at run time: a value in the function's configuration is readable by anyone allowed
 * `lambda:GetFunctionConfiguration`, and it would sit in the Pulumi state in plain text.
 */
export const RELEASE_CONTROLLER_ENV = {
    githubTokenSecretArn: "GITHUB_TOKEN_SECRET_ARN",
    circleciTokenSecretArn: "CIRCLECI_TOKEN_SECRET_ARN",
    githubWebhookSecretArn: "GITHUB_WEBHOOK_SECRET_ARN",
    circleciWebhookSecretArn: "CIRCLECI_WEBHOOK_SECRET_ARN",
    /** The release owners' SNS topic: failed deploys are published there. */
    ownersTopicArn: "RELEASE_OWNERS_TOPIC_ARN",
    /** The ops repository (this one): where release PRs are opened and stack files read. */
    opsOwner: "OPS_OWNER",
    opsRepo: "OPS_REPO",
} as const;

/** What the EventBridge Scheduler schedule sends on each run: "run the release train now". */
export const SCHEDULE_EVENT = { source: "conveyor.schedule", action: "release-due" } as const;
export type ScheduleEvent = typeof SCHEDULE_EVENT;

/** The export of the handler module Lambda calls (`index.handler`). */
export const HANDLER_EXPORT = "handler";
