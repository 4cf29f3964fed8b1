// The composition root of the components/ layer (Pulumi resources, one folder per domain, which import
// clients/ and config/ only): index.ts and cli/synth.ts call it; it imports components/ and config/.
//
// What a stack builds, given its validated workspace. Shared by `pulumi` (index.ts) and `conveyor synth`.
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, type SecretRef, type Workspace } from "./config";
import { CiContexts } from "./components/circleci/contexts";
import { Environment } from "./components/environment/environment";
import { Organization } from "./components/github/organization";
import { IssueLinkRedirector } from "./components/redirector/redirector";
import { ReleaseController } from "./components/release-controller/release-controller";
import { DestroyGuard } from "./components/stack/destroy-guard";

export interface ProgramContext {
    readonly workspace: Workspace;
    readonly stack: string;
    /** Turns a `secure:` config reference into its (secret) value. */
    readonly resolveSecret: (ref: SecretRef) => pulumi.Output<string>;
    /** The moment the program runs at (weekly milestones count from it). */
    readonly now: Date;
}

/** Registers the stack's resources and returns its outputs. */
export function buildStack(ctx: ProgramContext): Record<string, unknown> {
    const { workspace: ws, stack } = ctx;
    if (stack === "org") {
        if (!ws.org) throw new ConfigError(["Pulumi.org.yaml: file not found (the org stack needs it)"]);
        const org = ws.org;
        const organization = new Organization(org.owner, {
            org,
            environments: ws.environments.map((e) => e.stack),
            dependabotSecrets: new Map([...org.dependabotSecrets].map(([n, ref]) => [n, ctx.resolveSecret(ref)])),
            now: ctx.now,
        });
        const contexts = org.circleci
            ? new CiContexts("circleci", {
                  circleci: org.circleci,
                  environments: ws.environments,
                  secrets: new Map([...org.circleciSecrets].map(([n, ref]) => [n, ctx.resolveSecret(ref)])),
              })
            : undefined;
        const rc = org.releaseController;
        const rcSecret = (n: string) => ctx.resolveSecret(org.releaseControllerSecrets.get(n)!);
        const days = [...new Set(ws.environments.flatMap((e) => e.release.days))];
        const controller = new ReleaseController("release-controller", {
            intakeEntry: path.join(__dirname, "controller", "intake.ts"),
            workerEntry: path.join(__dirname, "controller", "worker.ts"),
            schedule: { timezone: rc.timezone, hour: rc.hour, days: days.length > 0 ? days : undefined },
            owners: rc.owners,
            opsRepository: { owner: org.owner, repo: org.opsRepo },
            // Only the pipeline's deploy workflow ends in deploys; the nightly drift check must not count as one.
            environment: { DEPLOY_WORKFLOWS: "deploy", ...(rc.commandBots.length > 0 ? { COMMAND_BOTS: rc.commandBots.join(",") } : {}) },
            githubToken: rcSecret("GITHUB_TOKEN"),
            circleciToken: rcSecret("CIRCLECI_TOKEN"),
            githubWebhookSecret: rcSecret("GITHUB_WEBHOOK_SECRET"),
            circleciWebhookSecret: rcSecret("CIRCLECI_WEBHOOK_SECRET"),
            ...feedbackSecrets(org, ctx.resolveSecret),
        });
        const issueLinks = new IssueLinkRedirector("issue-links", { zoneId: rc.redirectorZoneId, domain: rc.redirectorDomain });
        new DestroyGuard("org", { guards: [organization, ...(contexts ? [contexts] : []), controller, issueLinks] });
        return {
            releaseController: {
                intakeFunction: controller.intakeFunctionName,
                workerFunction: controller.workerFunctionName,
                webhookUrl: controller.functionUrl,
                queueUrl: controller.queueUrl,
                deadLetterQueueUrl: controller.deadLetterQueueUrl,
                topicArn: controller.topicArn,
            },
            issueLinks: issueLinks.baseUrl,
            repositoryUrls: organization.repositoryUrls,
            labelCounts: organization.labelCounts,
            ...(contexts ? { circleciContexts: contexts.names } : {}),
        };
    }
    const env = ws.environments.find((e) => e.stack === stack);
    if (!env) {
        throw new ConfigError([
            `Pulumi.${stack}.yaml: file not found (stacks: ${["org", ...ws.environments.map((e) => e.stack)].join(", ")})`,
        ]);
    }
    if (!ws.imageRegistry)
        throw new ConfigError(["Pulumi.yaml: conveyor:imageRegistry: required: environments run <registry>/<image>:<build>"]);
    const environment = new Environment(stack, { env, catalog: ws.catalog, imageRegistry: ws.imageRegistry });
    return { domain: env.domain, urls: environment.urls, versions: environment.versions, loadBalancer: environment.loadBalancerDnsName };
}

/** The Slack webhooks (one JSON secret) and the Sentry token, for the release controller when configured. */
function feedbackSecrets(
    org: NonNullable<Workspace["org"]>,
    resolve: ProgramContext["resolveSecret"],
): { slackWebhooks?: pulumi.Output<string>; sentryAuthToken?: pulumi.Output<string> } {
    const hooks = [...(org.notifications?.slack.webhooks ?? new Map<string, SecretRef>())];
    return {
        ...(hooks.length > 0
            ? {
                  slackWebhooks: pulumi
                      .all(hooks.map(([, ref]) => resolve(ref)))
                      .apply((urls) => JSON.stringify(Object.fromEntries(hooks.map(([name], i) => [name, urls[i]])))),
              }
            : {}),
        ...(org.sentry ? { sentryAuthToken: resolve(org.sentry.authToken) } : {}),
    };
}

/** Resolves a `secure:` reference through Pulumi's config, which the CLI has decrypted. */
export function configSecret(ref: SecretRef): pulumi.Output<string> {
    const [namespace, key] = ref.key.split(":");
    const config = new pulumi.Config(namespace);
    if (ref.path.length === 0) return config.requireSecret(key);
    return config.requireSecretObject<Record<string, unknown>>(key).apply((value) => {
        let v: unknown = value;
        for (const p of ref.path) v = (v as Record<string, unknown> | undefined)?.[p];
        if (typeof v !== "string") throw new Error(`${ref.file}: ${ref.key}.${ref.path.join(".")}: expected a secret string`);
        return v;
    });
}
