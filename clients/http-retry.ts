// Retry policy for conveyor's fetch-based API clients (CircleCI today). GitHub goes through Octokit's retry and
// throttling plugins; this mirrors their rules so both clients behave alike:
// - a read, or a write the caller marks idempotent, is retried on network errors, 5xx and 429;
// - any other write is sent once, because a lost answer does not mean the write did not land;
// - 4xx other than 429 is an answer, never retried;
// - `retry-after` (seconds or an HTTP date) on 429/503 replaces the backoff; past `maxRetryAfterMs` we give up
//   rather than keep a CLI run or a Lambda waiting.

export interface RetryPolicy {
    /** Retries after the first attempt; 0 sends each request once. */
    readonly retries: number;
    /** First backoff; doubles per retry, with jitter. */
    readonly baseMs: number;
    /** The longest `retry-after` worth waiting for. */
    readonly maxRetryAfterMs: number;
}

export interface RetryRequest {
    /** False for a write that is not idempotent: it is sent once. */
    readonly retryable: boolean;
    readonly policy: RetryPolicy;
    /** The caller no longer wants the answer: stop retrying. */
    readonly signal?: AbortSignal;
}

// An array, not a Set: Pulumi's closure serialiser (the CircleCI context provider carries this client) would
// rebuild a Set as a plain object.
const READ_METHODS = ["GET", "HEAD", "OPTIONS"];

export function isReadMethod(method: string): boolean {
    return READ_METHODS.includes(method.toUpperCase());
}

export function isRetryableStatus(status: number): boolean {
    return status === 429 || status >= 500;
}

/**
 * Milliseconds to wait according to `retry-after`, undefined when absent or unparseable. Only 429 and 503 carry
 * a meaningful one; elsewhere the header is ignored.
 */
export function retryAfterMs(status: number, header: string | null, now = Date.now()): number | undefined {
    if ((status !== 429 && status !== 503) || header === null) return undefined;
    const trimmed = header.trim();
    if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
    const date = Date.parse(trimmed);
    return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Exponential backoff with jitter in [50%, 100%] of the step, so parallel readers do not retry in lockstep. */
export function backoffMs(retry: number, baseMs: number, random: () => number = Math.random): number {
    const step = baseMs * 2 ** retry;
    return Math.round(step * (0.5 + random() / 2));
}

/** Wakes early when `signal` aborts, so an abandoned request does not sit out its backoff. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
        // Declared before the callback that names it: Pulumi's closure serialiser refuses the other order.
        let timer: ReturnType<typeof setTimeout> | undefined = undefined;
        const done = (): void => {
            clearTimeout(timer);
            signal?.removeEventListener("abort", done);
            resolve();
        };
        timer = setTimeout(done, ms);
        signal?.addEventListener("abort", done, { once: true });
    });
}

/**
 * Sends `attempt` until it yields an answer worth returning: a success, a non-retryable status, or the last
 * retryable one once retries are spent. Network errors are rethrown when they cannot be retried.
 */
export async function fetchWithRetry(attempt: () => Promise<Response>, { retryable, policy, signal }: RetryRequest): Promise<Response> {
    const maxRetries = retryable ? policy.retries : 0;
    for (let retry = 0; ; retry++) {
        const outcome = await settle(attempt);
        if (signal?.aborted || retry >= maxRetries) return unwrap(outcome);
        const delay = delayBeforeRetry(outcome, retry, policy);
        if (delay === undefined) return unwrap(outcome);
        if (outcome.response) await discardBody(outcome.response);
        await sleep(delay, signal);
        // The drained answer can no longer be returned; the caller asked to stop anyway.
        if (signal?.aborted) throw signal.reason;
    }
}

interface Outcome {
    readonly response?: Response;
    readonly error?: unknown;
}

async function settle(attempt: () => Promise<Response>): Promise<Outcome> {
    try {
        return { response: await attempt() };
    } catch (error) {
        return { error };
    }
}

function unwrap(outcome: Outcome): Response {
    if (outcome.response) return outcome.response;
    throw outcome.error;
}

/** Undefined when the outcome is final: a success, a non-retryable status, or a `retry-after` too long to honour. */
function delayBeforeRetry(outcome: Outcome, retry: number, policy: RetryPolicy): number | undefined {
    const { response } = outcome;
    if (!response) return backoffMs(retry, policy.baseMs);
    if (!isRetryableStatus(response.status)) return undefined;
    const asked = retryAfterMs(response.status, response.headers.get("retry-after"));
    if (asked === undefined) return backoffMs(retry, policy.baseMs);
    return asked <= policy.maxRetryAfterMs ? asked : undefined;
}

/** An unread body pins its keep-alive connection; drain it before the next attempt. */
async function discardBody(response: Response): Promise<void> {
    try {
        await response.arrayBuffer();
    } catch {
        // The connection broke mid-body: nothing left to free.
    }
}
