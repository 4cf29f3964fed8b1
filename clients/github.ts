// clients/: the API clients conveyor talks to GitHub and CircleCI with, and the rules every call keeps
// (bounded retries, no blind retry of a write that is not idempotent, one comment per marker). Used by
// the workflows and by the components' dynamic providers; imports config/ at most.
//
// The release controller's GitHub client: octokit with its retry and throttling plugins, and two rules:
// a write which is not idempotent (a PR or comment POST) is never retried blindly (the caller finds what
// exists and creates only what is missing instead), and a rate limit is waited out only when it resets soon;
// otherwise the call fails at once with the time it resets, for the caller to try again then.
import type Bottleneck from "bottleneck";
import type { Octokit } from "octokit";
import { InputError } from "../config/input-error";

export interface GitHubOptions {
    readonly token: string;
    /** API root, e.g. https://api.github.com or http://127.0.0.1:PORT for the fakes. */
    readonly baseUrl: string;
    /** Retries of a read or an idempotent write after a 5xx or a network error. */
    readonly retries?: number;
    /** Base delay between retries, in ms (plugin-retry backs off from it). */
    readonly retryAfterBaseMs?: number;
    /**
     * octokit's throttling: waits out rate limits and spaces writes and GraphQL queries a second apart
     * (notification-creating writes three), as GitHub asks of integrations. Tests that are not about
     * throttling turn it off to run fast.
     */
    readonly throttle?: boolean;
    /**
     * With throttling on, the gap between two writes (and GraphQL queries), in ms, kept across every client of
     * this process: octokit's throttling spaces them 1000 ms apart, as GitHub asks, process-wide (one queue
     * for all its clients). The dynamic providers take it from `github:writeDelayMs`, the github provider's
     * own pacing setting, so one stack setting paces both; 0 against the loopback fakes, which have no
     * secondary limit to stay under. Writes that notify people (opening a PR, commenting) keep octokit's
     * ratio: three gaps apart. Rate limits are still waited out.
     */
    readonly writeDelayMs?: number;
    /**
     * The longest rate-limit wait worth sitting out, in ms (default a minute); a function for a budget that
     * shrinks, such as a Lambda's remaining time. A longer one fails the call with a RateLimitError.
     */
    readonly maxWaitMs?: number | (() => number);
}

/** The longest rate-limit wait sat out by default: longer, and the run fails saying when to try again. */
export const DEFAULT_MAX_WAIT_MS = 60_000;

/** GitHub refused for a rate limit that resets later than the caller would wait. */
export class RateLimitError extends Error {
    override readonly name = "RateLimitError";

    constructor(
        /** When GitHub will take the request again. */
        readonly resetAt: Date,
        readonly status: number | undefined,
        message: string,
        options?: { cause?: unknown },
    ) {
        super(message, options);
    }
}

interface ErrorLike {
    readonly status?: number;
    readonly message?: string;
    readonly response?: { readonly headers?: Readonly<Record<string, string | number | undefined>> };
    readonly data?: { readonly errors?: readonly { readonly type?: string }[] };
}

/**
 * When a rate-limited request may be sent again, read the way octokit's throttling reads it: a primary limit
 * (`x-ratelimit-remaining: 0`, or a GraphQL RATE_LIMITED error) resets at `x-ratelimit-reset`; a secondary
 * one after `retry-after` seconds, a minute when GitHub does not say. Undefined for any other error.
 */
export function rateLimitResetOf(error: unknown, now = Date.now()): Date | undefined {
    const e = (error ?? {}) as ErrorLike;
    const headers = e.response?.headers ?? {};
    const graphqlLimited = (e.data?.errors ?? []).some((x) => x.type === "RATE_LIMITED");
    if (e.status !== 403 && e.status !== 429 && !graphqlLimited) return undefined;
    if ((String(headers["x-ratelimit-remaining"]) === "0" || graphqlLimited) && headers["x-ratelimit-reset"] !== undefined) {
        const reset = Number(headers["x-ratelimit-reset"]) * 1000;
        if (Number.isFinite(reset)) return new Date(Math.max(reset, now));
    }
    if (e.status === 429 || /\bsecondary rate\b/i.test(e.message ?? "")) {
        const after = Number(headers["retry-after"]);
        return new Date(now + (Number.isFinite(after) && after > 0 ? after : 60) * 1000);
    }
    return undefined;
}

/** plugin-retry's defaults plus 409: a compare-and-swap conflict is answered by re-reading, not repeating. */
const DO_NOT_RETRY = [400, 401, 403, 404, 409, 410, 422, 451];

/** Writes safe to repeat: the same request twice leaves the same state. */
// An array, not a Set: the dynamic providers carry this module through Pulumi's closure serialiser, which
// would rebuild a Set as a plain object.
const IDEMPOTENT = ["GET", "HEAD", "PUT", "PATCH", "DELETE"];

export function isRetryable(method: string, url: string): boolean {
    // GraphQL queries are reads sent as POST; this controller sends no GraphQL mutation.
    return IDEMPOTENT.includes(method.toUpperCase()) || url.endsWith("/graphql");
}

export function createGitHub(opts: GitHubOptions): Octokit {
    const { Octokit: Client } = require("octokit") as typeof import("octokit");
    const retries = opts.retries ?? 3;
    const { maxWaitMs = DEFAULT_MAX_WAIT_MS } = opts;
    const budgetMs = (): number => Math.max(0, typeof maxWaitMs === "function" ? maxWaitMs() : maxWaitMs);
    // A rate-limit answer means GitHub did not act on the request, so waiting and repeating it is safe even
    // for a POST; wait at most twice, and only as long as the budget allows.
    const worthWaiting = (afterSeconds: number, _o: object, _k: unknown, count: number): boolean =>
        count < 2 && afterSeconds * 1000 <= budgetMs();
    const octokit = new Client({
        auth: opts.token,
        baseUrl: opts.baseUrl.replace(/\/+$/, ""),
        userAgent: "conveyor",
        retry: { retries, retryAfterBaseValue: opts.retryAfterBaseMs ?? 1000, doNotRetry: DO_NOT_RETRY },
        throttle: {
            enabled: opts.throttle ?? true,
            onRateLimit: worthWaiting,
            onSecondaryRateLimit: worthWaiting,
            ...(opts.writeDelayMs === undefined
                ? {}
                : { write: writeQueue(opts.writeDelayMs), notifications: writeQueue(NOTIFYING_RATIO * opts.writeDelayMs) }),
        },
    });
    octokit.hook.before("request", (options) => {
        if (!isRetryable(options.method, options.url)) {
            (options.request as { retries?: number }).retries = 0;
        }
    });
    // Registered after the plugins, so it sees only what they gave up on: a limit too far away to wait for.
    octokit.hook.error("request", (error, options) => {
        const resetAt = rateLimitResetOf(error);
        if (!resetAt) throw error;
        const seconds = Math.ceil((resetAt.getTime() - Date.now()) / 1000);
        const what = `${options.method} ${String(options.url)}`;
        throw new RateLimitError(
            resetAt,
            (error as ErrorLike).status,
            `GitHub rate limit on ${what}: it resets at ${resetAt.toISOString()} (in ${seconds} s), later than this run waits (${Math.round(budgetMs() / 1000)} s); try again then`,
            { cause: error },
        );
    });
    return octokit;
}

/** octokit spaces writes that notify people 3000 ms apart against 1000 for the others. */
const NOTIFYING_RATIO = 3;

/**
 * One write queue per gap for the whole process, as octokit keeps its default one: clients made per operation
 * (the dynamic providers make one per create or update) still write one at a time, `gapMs` apart. Kept on
 * globalThis because the dynamic providers reach this module through Pulumi's closure serialiser, which would
 * give every serialised provider its own copy of a module-level cache, and so its own queue.
 */
function writeQueue(gapMs: number): Bottleneck.Group {
    if (!Number.isInteger(gapMs) || gapMs < 0) throw new RangeError(`writeDelayMs: ${gapMs} is not a whole number of milliseconds`);
    const queues = ((globalThis as Record<symbol, unknown>)[Symbol.for("conveyor.github.writeQueues")] ??= {}) as Record<
        string,
        Bottleneck.Group
    >;
    // bottleneck/light is the build octokit's throttling uses by default.
    const Light = require("bottleneck/light") as typeof Bottleneck;
    return (queues[gapMs] ??= new Light.Group({ id: `conveyor-write-${gapMs}`, maxConcurrent: 1, minTime: gapMs }));
}

/**
 * Reads GITHUB_TOKEN, GITHUB_API_URL and GITHUB_WRITE_DELAY_MS (the gap between two writes, as the github
 * provider's `writeDelayMs`; octokit's pacing when unset), the same in the CLI and the Lambda.
 */
export function gitHubFromEnv(env: NodeJS.ProcessEnv = process.env): Octokit {
    const token = env.GITHUB_TOKEN;
    if (!token)
        throw new MissingCredentialError(
            "GITHUB_TOKEN is not set: export a token with repo scope on the ops repository and the component repositories",
        );
    const delay = writeDelayMsOf("GITHUB_WRITE_DELAY_MS", env.GITHUB_WRITE_DELAY_MS);
    return createGitHub({
        token,
        baseUrl: env.GITHUB_API_URL ?? "https://api.github.com",
        ...(delay === undefined ? {} : { writeDelayMs: delay }),
    });
}

/**
 * A write delay as a setting spells it (`GITHUB_WRITE_DELAY_MS` for the commands, `github:writeDelayMs` for the
 * providers): whole milliseconds, or unset.
 */
export function writeDelayMsOf(setting: string, value: string | undefined): number | undefined {
    if (value === undefined) return undefined;
    if (!/^\d{1,7}$/.test(value.trim()))
        throw new GitHubSettingError(
            `${setting}: "${value.slice(0, 20)}" is not a whole number of milliseconds (the gap between two writes to GitHub)`,
        );
    return Number(value);
}

/** A GitHub setting (a GITHUB_* variable, a github:* stack key) conveyor cannot use. */
export class GitHubSettingError extends InputError {}

export class MissingCredentialError extends GitHubSettingError {}

/** https://api.github.com -> https://github.com; GitHub Enterprise's /api/v3 -> its web root. */
export function webUrlOf(apiUrl: string): string {
    const u = apiUrl.replace(/\/+$/, "");
    if (u === "https://api.github.com") return "https://github.com";
    return u.replace(/\/api\/v3$/, "");
}

/** Runs tasks with at most `limit` in flight, keeping results in order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
    const results = new Array<R>(items.length);
    let next = 0;
    const worker = async (): Promise<void> => {
        while (next < items.length) {
            const i = next++;
            results[i] = await fn(items[i], i);
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    return results;
}
