// The optional feedback loops of Pulumi.org.yaml: `conveyor:notifications` (Slack release announcements) and
// `conveyor:sentry` (a Sentry release per deployed build, and a deploy record per environment). Their secrets
// (incoming-webhook URLs, the Sentry auth token) are `secure:` values, referenced here and never read.
import { z } from "zod";
import { httpsUrl, name, secure, withInput, type SecretRef } from "./fields";
import type { Problems } from "./problems";
import { PROJECT_FILE, type Component } from "./project";

export const NOTIFICATIONS_KEY = "conveyor:notifications";
export const SENTRY_KEY = "conveyor:sentry";
/** Where the Slack webhook URLs sit: secrets (SECRET_KEYS in fields.ts), named in problems, never repeated. */
export const SLACK_WEBHOOKS_PATH = `${NOTIFICATIONS_KEY}.slack.webhooks`;

const webhookName = name("webhook name");
// Sentry slugs: lower-case letters, digits, `-` and `_`, not all digits.
const slug = (what: string) =>
    z.string().regex(/^(?![0-9]+$)[a-z0-9][a-z0-9_-]{0,49}$/, {
        error: withInput(`expected a Sentry ${what} slug (lower-case, digits, - or _)`),
    });
// Sentry environment names: no slashes or newlines, at most 64 characters.
const sentryEnvironment = z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: withInput("expected a Sentry environment name (letters, digits, . _ -)") });

export const notificationsSchema = z
    .strictObject({
        slack: z.strictObject({
            /** Incoming webhooks by name, one per channel (Slack binds a webhook to its channel). */
            webhooks: z.record(webhookName, secure),
            /** The webhook of every environment's announcements, unless `environments` names another. */
            default: webhookName.optional(),
            /** Environment stack -> webhook: that environment's release PRs, deploys and failures go there instead. */
            environments: z.record(z.string(), webhookName).default({}),
            /** Component -> webhook: a release or deploy that changes the component is also announced there. */
            components: z.record(z.string(), webhookName).default({}),
        }),
    })
    .optional();

export const sentrySchema = z
    .strictObject({
        organization: slug("organisation"),
        /** Sentry's address; self-hosted Sentry has its own. */
        url: httpsUrl.default("https://sentry.io"),
        authToken: secure,
        /** Component -> Sentry project(s): a deployed build of the component becomes a release of each. */
        projects: z
            .record(z.string(), z.union([slug("project"), z.array(slug("project")).min(1)]))
            .refine((p) => Object.keys(p).length > 0, { error: "expected at least one component" }),
        /** Environment stack -> Sentry environment name; when given, only these environments record deploys. */
        environments: z.record(z.string(), sentryEnvironment).optional(),
    })
    .optional();

export interface SlackNotifications {
    /** Webhook name -> where its URL (a secret) is kept. */
    readonly webhooks: ReadonlyMap<string, SecretRef>;
    readonly default?: string;
    readonly environments: Readonly<Record<string, string>>;
    readonly components: Readonly<Record<string, string>>;
}

export interface NotificationsConfig {
    readonly slack: SlackNotifications;
}

export interface SentryConfig {
    readonly organization: string;
    readonly url: string;
    readonly authToken: SecretRef;
    /** Component -> Sentry project slugs. */
    readonly projects: Readonly<Record<string, readonly string[]>>;
    /** Environment stack -> Sentry environment; undefined: every environment, under its stack name. */
    readonly environments?: Readonly<Record<string, string>>;
}

/** Both blocks, checked against the catalog; environment names are checked across files (checks.ts). */
export function parseFeedback(
    file: string,
    notifications: z.infer<typeof notificationsSchema>,
    sentry: z.infer<typeof sentrySchema>,
    catalog: readonly Component[],
    problems: Problems,
): { notifications?: NotificationsConfig; sentry?: SentryConfig } {
    const inCatalog = (c: string) => catalog.length === 0 || catalog.some((x) => x.name === c);
    let slackOut: SlackNotifications | undefined;
    if (notifications) {
        const s = notifications.slack;
        const declared = Object.keys(s.webhooks);
        if (declared.length === 0) problems.add(file, SLACK_WEBHOOKS_PATH, "expected at least one webhook");
        const route = (key: string, hook: string) => {
            if (!declared.includes(hook))
                problems.add(file, key, `webhook "${hook}" is not declared in ${SLACK_WEBHOOKS_PATH} (${declared.join(", ")})`);
        };
        if (s.default !== undefined) route(`${NOTIFICATIONS_KEY}.slack.default`, s.default);
        for (const [env, hook] of Object.entries(s.environments)) route(`${NOTIFICATIONS_KEY}.slack.environments.${env}`, hook);
        for (const [component, hook] of Object.entries(s.components)) {
            route(`${NOTIFICATIONS_KEY}.slack.components.${component}`, hook);
            if (!inCatalog(component))
                problems.add(
                    file,
                    `${NOTIFICATIONS_KEY}.slack.components.${component}`,
                    `component "${component}" is not in the catalog (${PROJECT_FILE})`,
                );
        }
        if (s.default === undefined && Object.keys(s.environments).length === 0 && Object.keys(s.components).length === 0)
            problems.add(file, `${NOTIFICATIONS_KEY}.slack`, "announces nothing: set default, environments or components");
        const used = new Set([s.default, ...Object.values(s.environments), ...Object.values(s.components)]);
        for (const hook of declared.filter((h) => !used.has(h)))
            problems.add(file, `${SLACK_WEBHOOKS_PATH}.${hook}`, "no environment or component uses this webhook");
        slackOut = {
            webhooks: new Map(declared.map((h) => [h, { file, key: NOTIFICATIONS_KEY, path: ["slack", "webhooks", h] }])),
            default: s.default,
            environments: s.environments,
            components: s.components,
        };
    }
    let sentryOut: SentryConfig | undefined;
    if (sentry) {
        const projects: Record<string, readonly string[]> = {};
        for (const [component, p] of Object.entries(sentry.projects)) {
            if (!inCatalog(component))
                problems.add(
                    file,
                    `${SENTRY_KEY}.projects.${component}`,
                    `component "${component}" is not in the catalog (${PROJECT_FILE})`,
                );
            else if (catalog.length > 0 && catalog.find((x) => x.name === component)?.port === undefined)
                problems.add(
                    file,
                    `${SENTRY_KEY}.projects.${component}`,
                    `component "${component}" is never deployed (it has no port: a repository only)`,
                );
            projects[component] = typeof p === "string" ? [p] : [...new Set(p)];
        }
        sentryOut = {
            organization: sentry.organization,
            url: sentry.url.replace(/\/+$/, ""),
            authToken: { file, key: SENTRY_KEY, path: ["authToken"] },
            projects,
            environments: sentry.environments,
        };
    }
    return { notifications: slackOut ? { slack: slackOut } : undefined, sentry: sentryOut };
}

/** Cross-file: environment names used as keys must be environment stacks. */
export function checkFeedbackEnvironments(
    file: string,
    feedback: { notifications?: NotificationsConfig; sentry?: SentryConfig },
    stacks: readonly string[],
    problems: Problems,
): void {
    const check = (key: string, envs: readonly string[]) => {
        for (const env of envs.filter((e) => !stacks.includes(e)))
            problems.add(file, `${key}.${env}`, `environment "${env}" has no stack file (environments: ${stacks.join(", ")})`);
    };
    check(`${NOTIFICATIONS_KEY}.slack.environments`, Object.keys(feedback.notifications?.slack.environments ?? {}));
    check(`${SENTRY_KEY}.environments`, Object.keys(feedback.sentry?.environments ?? {}));
}

/**
 * Pure: the webhooks an event of `env` touching `components` is announced on: the environment's own (or the
 * default), and each changed component's channel. Each webhook once, in that order.
 */
export function slackRoutes(slack: SlackNotifications | undefined, env: string, components: readonly string[]): string[] {
    if (!slack) return [];
    const out: string[] = [];
    const add = (h: string | undefined) => {
        if (h !== undefined && !out.includes(h)) out.push(h);
    };
    add(slack.environments[env] ?? slack.default);
    for (const c of components) add(slack.components[c]);
    return out;
}

/** Pure: the Sentry environment a stack's deploys are recorded under, or undefined when it records none. */
export function sentryEnvironmentOf(sentry: SentryConfig, stack: string): string | undefined {
    return sentry.environments === undefined ? stack : sentry.environments[stack];
}
