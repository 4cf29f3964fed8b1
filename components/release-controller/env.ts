// The contract between the ReleaseController component and the two functions it deploys (the webhook intake
// and the worker): the environment variables each gets, the queue's one message group, and the message the
// schedule puts on the queue. No imports on purpose: the handlers (controller/intake.ts, controller/worker.ts)
// import this file, and anything imported here would end up in their bundles.

/**
 * Environment variables naming where the functions find what they need. Secrets are passed by ARN and read
 * from Secrets Manager at run time: a value in a function's configuration is readable by anyone allowed
 * `lambda:GetFunctionConfiguration`, and it would sit in the Pulumi state in plain text.
 */
export const RELEASE_CONTROLLER_ENV = {
    /** Worker: the token it writes to GitHub with. */
    githubTokenSecretArn: "GITHUB_TOKEN_SECRET_ARN",
    /** Worker: the token it reads CircleCI with. */
    circleciTokenSecretArn: "CIRCLECI_TOKEN_SECRET_ARN",
    /** Worker, when Slack announcements are configured: one secret, a JSON object of webhook name -> URL. */
    slackWebhooksSecretArn: "SLACK_WEBHOOKS_SECRET_ARN",
    /** Worker, when Sentry releases are configured: the Sentry auth token. */
    sentryTokenSecretArn: "SENTRY_AUTH_TOKEN_SECRET_ARN",
    /** Intake: the secrets the webhooks are signed with. */
    githubWebhookSecretArn: "GITHUB_WEBHOOK_SECRET_ARN",
    circleciWebhookSecretArn: "CIRCLECI_WEBHOOK_SECRET_ARN",
    /** Worker: the release owners' SNS topic, where failed deploys are published. */
    ownersTopicArn: "RELEASE_OWNERS_TOPIC_ARN",
    /** Both: the work queue (the intake sends to it, the worker delays a message it must retry later). */
    queueUrl: "WORK_QUEUE_URL",
    /** Both: the ops repository (this one), where release PRs are opened and stack files read. */
    opsOwner: "OPS_OWNER",
    opsRepo: "OPS_REPO",
} as const;

/**
 * The queue's one message group: every piece of work (a webhook, a scheduled train) is done one after the
 * other, in the order it arrived, so no two runs ever race on a release branch.
 */
export const MESSAGE_GROUP_ID = "release-controller";

/** EventBridge Scheduler puts the moment the run was scheduled for in place of this keyword. */
export const SCHEDULED_TIME = "<aws.scheduler.scheduled-time>";

/** What the schedule puts on the queue on each run: "run the release train as of the scheduled time". */
export const TRAIN_MESSAGE = { kind: "train", scheduledTime: SCHEDULED_TIME } as const;

/** The export of each handler module Lambda calls (`index.handler`). */
export const HANDLER_EXPORT = "handler";
