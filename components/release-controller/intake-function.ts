// The webhook intake in AWS: a function behind a public URL that verifies each webhook, queues it and answers.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ReleaseControllerArgs } from "./args";
import { code, environment, execution } from "./execution";
import { intakePolicy } from "./policy";
import type { ReleaseControllerSecrets } from "./secrets";

/** The intake answers in milliseconds; 10 s is GitHub's own limit for a webhook answer. */
export const INTAKE_TIMEOUT_SECONDS = 10;

export function intakeFunction(
    component: pulumi.ComponentResource,
    name: string,
    args: ReleaseControllerArgs,
    { githubWebhookSecret, circleciWebhookSecret }: ReleaseControllerSecrets,
    queue: aws.sqs.Queue,
): { intake: aws.lambda.Function; url: aws.lambda.FunctionUrl } {
    const parent = { parent: component };
    const {
        logs: intakeLogs,
        role: intakeRole,
        rolePolicy: intakeRolePolicy,
    } = execution(component, `${name}-intake`, "webhook intake", args, (logGroupArn) =>
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
            ...code(component, args.intakeEntry),
            role: intakeRole.arn,
            timeout: INTAKE_TIMEOUT_SECONDS,
            // Small and quick: most of a cold start is loading code, which memory (CPU) speeds up.
            memorySize: 256,
            // No reserved concurrency: webhooks arriving together are each answered at once; the queue
            // serialises the work, not the intake.
            loggingConfig: { logFormat: "JSON", logGroup: intakeLogs.name, applicationLogLevel: "INFO", systemLogLevel: "WARN" },
            environment: environment(args, queue, {
                [githubWebhookSecret.variable]: githubWebhookSecret.secret.arn,
                [circleciWebhookSecret.variable]: circleciWebhookSecret.secret.arn,
            }),
        },
        { parent: component, dependsOn: [intakeRolePolicy, githubWebhookSecret.version, circleciWebhookSecret.version] },
    );
    // Webhooks authenticate by their signatures, checked by the intake before it parses anything.
    const url = new aws.lambda.FunctionUrl(name, { functionName: intake.name, authorizationType: "NONE", invokeMode: "BUFFERED" }, parent);
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
    return { intake, url };
}
