// The release controller's secrets in Secrets Manager: the functions get their ARNs, never their values.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ReleaseControllerArgs } from "./args";
import { RELEASE_CONTROLLER_ENV } from "./env";

/** A secret, its one version, and the environment variable its ARN is passed in. */
export interface StoredSecret {
    readonly secret: aws.secretsmanager.Secret;
    readonly version: aws.secretsmanager.SecretVersion;
    readonly variable: string;
}

export interface ReleaseControllerSecrets {
    readonly githubToken: StoredSecret;
    readonly circleciToken: StoredSecret;
    readonly githubWebhookSecret: StoredSecret;
    readonly circleciWebhookSecret: StoredSecret;
    /** Slack's webhooks and Sentry's token, each only when the org config asks for it. */
    readonly feedback: StoredSecret[];
}

export function storeSecrets(component: pulumi.ComponentResource, name: string, args: ReleaseControllerArgs): ReleaseControllerSecrets {
    const parent = { parent: component };
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
    const store = ([id, value, description, variable]: readonly [string, pulumi.Input<string>, string, string]): StoredSecret => {
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
    return { githubToken, circleciToken, githubWebhookSecret, circleciWebhookSecret, feedback };
}
