// The release controller's GitHub client: octokit with its retry and throttling plugins, and the rule
// that a write which is not idempotent (a PR or comment POST) is never retried blindly: the caller finds
// what exists and creates only what is missing instead.
import type { Octokit } from "octokit";
import { InputError } from "../components/input-error";

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
    const octokit = new Client({
        auth: opts.token,
        baseUrl: opts.baseUrl.replace(/\/+$/, ""),
        userAgent: "conveyor",
        retry: { retries, retryAfterBaseValue: opts.retryAfterBaseMs ?? 1000, doNotRetry: DO_NOT_RETRY },
        throttle: {
            enabled: opts.throttle ?? true,
            // A rate-limit answer means GitHub did not act on the request, so waiting and repeating it is
            // safe even for a POST; give up after two waits rather than stall the train.
            onRateLimit: (_after: number, _o: object, _k: unknown, count: number) => count < 2,
            onSecondaryRateLimit: (_after: number, _o: object, _k: unknown, count: number) => count < 2,
        },
    });
    octokit.hook.before("request", (options) => {
        if (!isRetryable(options.method, options.url)) {
            (options.request as { retries?: number }).retries = 0;
        }
    });
    return octokit;
}

/** Reads GITHUB_TOKEN and GITHUB_API_URL, the same in the CLI and the Lambda. */
export function gitHubFromEnv(env: NodeJS.ProcessEnv = process.env): Octokit {
    const token = env.GITHUB_TOKEN;
    if (!token) throw new MissingCredentialError("GITHUB_TOKEN is not set: export a token with repo scope on the ops repository and the component repositories");
    return createGitHub({ token, baseUrl: env.GITHUB_API_URL ?? "https://api.github.com" });
}

export class MissingCredentialError extends InputError {}

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
