// Slack incoming webhooks: Block Kit pieces that never let a typed word become markup, the limits Slack
// enforces (a message that breaks one is refused whole), and a sender that can only ever be late or silent:
// short timeout, few retries, every failure logged and swallowed, so no announcement blocks a release or a deploy.
import { backoffMs, isRetryableStatus, retryAfterMs, sleep } from "./http-retry";

/** Slack's documented limits for a message and its blocks. */
export const SLACK_LIMITS = {
    blocks: 50,
    /** A section's text. */
    sectionText: 3000,
    /** A header's plain text. */
    headerText: 150,
    /** Elements of a context block. */
    contextElements: 10,
    /** The top-level `text`, used as the notification and the fallback. */
    text: 40_000,
} as const;

export interface PlainText {
    readonly type: "plain_text";
    readonly text: string;
    readonly emoji?: boolean;
}
export interface Mrkdwn {
    readonly type: "mrkdwn";
    readonly text: string;
}
export type Block =
    | { readonly type: "header"; readonly text: PlainText }
    | { readonly type: "section"; readonly text: Mrkdwn }
    | { readonly type: "context"; readonly elements: readonly Mrkdwn[] }
    | { readonly type: "divider" };

export interface SlackMessage {
    /** Plain words for notifications and clients that show no blocks. */
    readonly text: string;
    readonly blocks: readonly Block[];
}

/** Slack's mrkdwn escaping: the three characters that open markup (links, mentions, `<!channel>`). */
export function escapeMrkdwn(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Text a user typed, on one line, cut to `max`, then escaped (so the cut never splits an entity). */
export function typed(text: string, max = 200): string {
    const one = text.replace(/\s+/g, " ").trim();
    return escapeMrkdwn(one.length > max ? `${one.slice(0, max - 1)}…` : one);
}

/** A link, only to an http(s) address that cannot break out of `<…|…>`; else the label alone. */
export function link(url: string, label: string): string {
    const safe = /^https?:\/\/[^\s<>|]+$/.test(url);
    return safe ? `<${url}|${typed(label)}>` : typed(label);
}

/** Cuts mrkdwn to `max` characters without splitting an escape (`&amp;`) or a link (`<…>`). */
export function cut(text: string, max: number): string {
    if (text.length <= max) return text;
    let end = max - 1;
    const openLink = text.lastIndexOf("<", end);
    if (openLink > text.lastIndexOf(">", end)) end = openLink;
    const amp = text.lastIndexOf("&", end);
    if (amp >= 0 && amp > end - 6 && !text.slice(amp, end).includes(";")) end = amp;
    return `${text.slice(0, end)}…`;
}

export const header = (text: string): Block => ({
    type: "header",
    text: { type: "plain_text", text: cut(text.replace(/\s+/g, " "), SLACK_LIMITS.headerText), emoji: false },
});
export const section = (mrkdwn: string): Block => ({
    type: "section",
    text: { type: "mrkdwn", text: cut(mrkdwn, SLACK_LIMITS.sectionText) },
});
export const context = (...mrkdwn: string[]): Block => ({
    type: "context",
    elements: mrkdwn.slice(0, SLACK_LIMITS.contextElements).map((t) => ({ type: "mrkdwn", text: cut(t, SLACK_LIMITS.sectionText) })),
});

/**
 * Lines as few sections as fit Slack's limits, a line never split; past `maxSections` the rest is counted
 * ("and 12 more"), so a release of 300 issues is still one valid message.
 */
export function sectionsOf(lines: readonly string[], maxSections: number, more: (n: number) => string): Block[] {
    const out: string[] = [];
    let current = "";
    let i = 0;
    for (; i < lines.length; i++) {
        const line = cut(lines[i], SLACK_LIMITS.sectionText - 100);
        const next = current === "" ? line : `${current}\n${line}`;
        if (next.length <= SLACK_LIMITS.sectionText - 100) {
            current = next;
            continue;
        }
        out.push(current);
        if (out.length === maxSections) break;
        current = line;
    }
    if (i === lines.length && current !== "") out.push(current);
    const left = lines.length - i;
    const blocks = out.map(section);
    if (left > 0) blocks.push(section(more(left)));
    return blocks;
}

/** A message within Slack's limits: at most 50 blocks, the fallback text bounded. */
export function message(text: string, blocks: readonly Block[]): SlackMessage {
    return { text: cut(text, SLACK_LIMITS.text), blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}

export interface SlackSenderOptions {
    /** Webhook name -> its URL (a secret: never logged, never in an error). */
    readonly urls: ReadonlyMap<string, string>;
    /** Per attempt. Default 3 s: an announcement that cannot get through quickly is not worth a deploy's time. */
    readonly timeoutMs?: number;
    /** Retries after the first attempt, on 429 and 5xx only. Default 2. */
    readonly retries?: number;
    readonly baseMs?: number;
    /** Where failures go: they are never thrown. */
    readonly warn: (line: string) => void;
}

/** Posts announcements; `post` resolves to the webhooks that took the message and never rejects. */
export interface Announcer {
    post(webhooks: readonly string[], message: SlackMessage): Promise<string[]>;
}

/**
 * A webhook POST is not idempotent: only answers that say the message was not taken (429, 5xx) are retried.
 * A timeout or a broken connection is not: the message may have landed, and a duplicate in a channel is worse
 * than a late one the next event makes up for.
 */
export function slackAnnouncer(o: SlackSenderOptions): Announcer {
    const timeoutMs = o.timeoutMs ?? 3000;
    const retries = o.retries ?? 2;
    const baseMs = o.baseMs ?? 250;
    async function postOne(name: string, msg: SlackMessage): Promise<boolean> {
        const url = o.urls.get(name);
        if (!url) {
            o.warn(`slack: webhook "${name}" has no URL here; announcement not sent`);
            return false;
        }
        const body = JSON.stringify(msg);
        for (let retry = 0; ; retry++) {
            let res: Response;
            try {
                res = await fetch(url, {
                    method: "POST",
                    headers: { "content-type": "application/json; charset=utf-8" },
                    body,
                    signal: AbortSignal.timeout(timeoutMs),
                });
            } catch (e) {
                o.warn(
                    `slack: webhook "${name}": ${(e as Error).name === "TimeoutError" ? `no answer in ${timeoutMs} ms` : "unreachable"}; not retried`,
                );
                return false;
            }
            const answer = (await res.text().catch(() => "")).slice(0, 100).replace(/[^\x20-\x7e]/g, "?");
            if (res.ok) return true;
            const wait = retryAfterMs(res.status, res.headers.get("retry-after")) ?? backoffMs(retry, baseMs);
            if (!isRetryableStatus(res.status) || retry >= retries || wait > 5000) {
                o.warn(`slack: webhook "${name}" answered ${res.status} ${answer}; announcement not sent`);
                return false;
            }
            await sleep(wait);
        }
    }
    return {
        async post(webhooks, msg) {
            const took: string[] = [];
            for (const name of webhooks) {
                try {
                    if (await postOne(name, msg)) took.push(name);
                } catch (e) {
                    o.warn(`slack: webhook "${name}": ${(e as Error).message}`);
                }
            }
            return took;
        },
    };
}

/** Webhook name -> environment variable the CLI reads its URL from: `prod-releases` -> SLACK_WEBHOOK_PROD_RELEASES. */
export const slackWebhookVariable = (name: string): string => `SLACK_WEBHOOK_${name.toUpperCase().replace(/-/g, "_")}`;
