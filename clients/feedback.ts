// The feedback clients (Slack, Sentry) of a run, from the secrets at hand: the CLI's environment variables,
// or the values the release controller read from Secrets Manager. Absent config or secrets mean no client,
// never an error: feedback is optional, and a deploy must not wait on it.
import type { OrgConfig } from "../config";
import { Sentry } from "./sentry";
import { slackAnnouncer, slackWebhookVariable, type Announcer } from "./slack";

export interface FeedbackClients {
    readonly announcer?: Announcer;
    readonly sentry?: Sentry;
}

export interface FeedbackSecrets {
    /** Webhook name -> URL. */
    readonly slackWebhooks: ReadonlyMap<string, string>;
    readonly sentryToken?: string;
}

export function feedbackClients(org: OrgConfig | undefined, secrets: FeedbackSecrets, warn: (line: string) => void): FeedbackClients {
    const slack = org?.notifications?.slack;
    const missing = slack ? [...slack.webhooks.keys()].filter((n) => !secrets.slackWebhooks.has(n)) : [];
    if (missing.length > 0)
        warn(`slack: no URL for webhook${missing.length > 1 ? "s" : ""} ${missing.join(", ")}; those announcements are skipped`);
    if (org?.sentry && !secrets.sentryToken) warn("sentry: no auth token; Sentry releases are skipped");
    return {
        announcer: slack ? slackAnnouncer({ urls: secrets.slackWebhooks, warn }) : undefined,
        sentry:
            org?.sentry && secrets.sentryToken
                ? new Sentry({ url: org.sentry.url, organization: org.sentry.organization, token: secrets.sentryToken })
                : undefined,
    };
}

/** The CLI's: `SLACK_WEBHOOK_<NAME>` per webhook, and Sentry's own `SENTRY_AUTH_TOKEN`. */
export function feedbackSecretsFromEnv(org: OrgConfig | undefined, env: NodeJS.ProcessEnv): FeedbackSecrets {
    const names = [...(org?.notifications?.slack.webhooks.keys() ?? [])];
    const slackWebhooks = new Map(
        names.flatMap((n) => (env[slackWebhookVariable(n)] ? [[n, env[slackWebhookVariable(n)]!] as const] : [])),
    );
    return { slackWebhooks, sentryToken: env.SENTRY_AUTH_TOKEN || undefined };
}

/** The release controller's Slack secret: one JSON object, webhook name -> URL. Anything else is ignored, loudly. */
export function slackWebhooksFromJson(json: string | undefined, warn: (line: string) => void): Map<string, string> {
    if (!json) return new Map();
    try {
        const value = JSON.parse(json) as unknown;
        if (!value || typeof value !== "object" || Array.isArray(value)) throw new Error("not an object");
        return new Map(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === "string"));
    } catch {
        // Never the text itself: it holds the URLs.
        warn("slack: the webhooks secret is not a JSON object of name -> URL; announcements are skipped");
        return new Map();
    }
}
