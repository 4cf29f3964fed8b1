// The CircleCI API v2 client's core over the global fetch: one call (JSON in and out, retried per
// http-retry.ts), paging, and failures as CircleCiError with the token redacted. The calls themselves are in
// circleci-pipelines.ts and circleci.ts.
//
// Shapes follow CircleCI's API v2 reference, https://circleci.com/docs/api/v2/index.html, whose OpenAPI description
// is published in github.com/circleci/circleci-docs (docs/reference/modules/ROOT/attachments/openapi-final.json).
import { fetchWithRetry, isReadMethod, retryAfterMs, type RetryPolicy } from "./http-retry";

export const DEFAULT_CIRCLECI_API_URL = "https://circleci.com/api/v2";

export interface CircleCiOptions {
    readonly token: string;
    /** API root; `CIRCLECI_API_URL`, else CircleCI cloud. */
    readonly baseUrl?: string;
    /** Retries of a read or an idempotent write. */
    readonly retries?: number;
    readonly retryBaseMs?: number;
    /** The longest `retry-after` worth waiting for; longer ones fail at once. */
    readonly maxRetryAfterMs?: number;
    /** Per attempt, so a hung connection becomes a retryable failure instead of a hung release. */
    readonly timeoutMs?: number;
    readonly fetchImpl?: typeof fetch;
}

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RequestOptions {
    readonly query?: Readonly<Record<string, string | undefined>>;
    readonly body?: unknown;
    /** A write that may safely be repeated (PUT of a value, DELETE); reads always are. */
    readonly idempotent?: boolean;
    readonly signal?: AbortSignal;
}

export class CircleCiError extends Error {
    override readonly name = "CircleCiError";

    constructor(
        /** Undefined when no HTTP answer arrived (network error, timeout). */
        readonly status: number | undefined,
        readonly method: string,
        /** API path without the query string, e.g. "/context/{id}". */
        readonly path: string,
        /** CircleCI's own `message`, when it sent one. */
        readonly apiMessage: string | undefined,
        message: string,
        options?: { cause?: unknown; retryAt?: Date },
    ) {
        super(message, options);
        this.retryAt = options?.retryAt;
    }

    /** When CircleCI asked (retry-after on a 429 or 503) to be called again, if it did. */
    readonly retryAt?: Date;
}

export function isCircleCiNotFound(err: unknown): boolean {
    return err instanceof CircleCiError && err.status === 404;
}

/** A page of any CircleCI list, as it arrives. */
export interface ApiPage<T> {
    readonly items: T[];
    readonly next_page_token?: string | null;
}

/** Guards list endpoints against a server that keeps handing out page tokens. */
const MAX_LIST_PAGES = 500;

/** What every call goes through; `CircleCiPipelines` and `CircleCi` add the calls. */
export class CircleCiHttp {
    readonly baseUrl: string;
    private readonly token: string;
    private readonly policy: RetryPolicy;
    private readonly timeoutMs: number;
    private readonly fetchImpl: typeof fetch;

    constructor(options: CircleCiOptions) {
        if (!options.token) throw new Error("CIRCLECI_TOKEN is not set: create a personal API token in CircleCI and export it");
        this.token = options.token;
        this.baseUrl = (options.baseUrl ?? process.env.CIRCLECI_API_URL ?? DEFAULT_CIRCLECI_API_URL).replace(/\/+$/, "");
        this.policy = {
            retries: options.retries ?? 3,
            baseMs: options.retryBaseMs ?? 200,
            maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
        };
        this.timeoutMs = options.timeoutMs ?? 30_000;
        this.fetchImpl = options.fetchImpl ?? fetch;
    }

    /** One API call: JSON in and out, retried per http-retry's rules, failures as CircleCiError. */
    async request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<T> {
        const url = this.urlFor(path, options.query);
        const retryable = isReadMethod(method) || options.idempotent === true;
        const send = (): Promise<Response> => this.fetchImpl(url, this.init(method, options));
        let response: Response;
        try {
            response = await fetchWithRetry(send, { retryable, policy: this.policy, signal: options.signal });
        } catch (err) {
            throw this.networkError(method, path, err);
        }
        return this.parse<T>(method, path, response);
    }

    /** Each page's items in order; a consumer that stops early stops the paging. */
    protected async *pages<T>(path: string, query: Record<string, string | undefined> = {}, signal?: AbortSignal): AsyncGenerator<T[]> {
        const seen = new Set<string>();
        let pageToken: string | undefined;
        do {
            const page = await this.request<ApiPage<T>>("GET", path, { query: { ...query, "page-token": pageToken }, signal });
            yield page.items;
            pageToken = page.next_page_token ?? undefined;
            if (pageToken !== undefined && (seen.has(pageToken) || seen.size >= MAX_LIST_PAGES)) {
                throw new CircleCiError(
                    undefined,
                    "GET",
                    path,
                    undefined,
                    `CircleCI GET ${path} kept paging (token repeated or over ${MAX_LIST_PAGES} pages)`,
                );
            }
            if (pageToken !== undefined) seen.add(pageToken);
        } while (pageToken);
    }

    protected async listAll<T>(path: string, query: Record<string, string | undefined> = {}, signal?: AbortSignal): Promise<T[]> {
        const all: T[] = [];
        for await (const items of this.pages<T>(path, query, signal)) all.push(...items);
        return all;
    }

    protected async deleteIfPresent(path: string): Promise<boolean> {
        try {
            await this.request<unknown>("DELETE", path, { idempotent: true });
            return true;
        } catch (err) {
            // Also the answer to a retried DELETE whose first attempt landed.
            if (isCircleCiNotFound(err)) return false;
            throw err;
        }
    }

    private urlFor(path: string, query: Readonly<Record<string, string | undefined>> = {}): string {
        const params = new URLSearchParams();
        for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, value);
        const search = params.toString();
        return `${this.baseUrl}${path}${search ? `?${search}` : ""}`;
    }

    private init(method: HttpMethod, options: RequestOptions): RequestInit {
        const headers: Record<string, string> = {
            "Circle-Token": this.token,
            accept: "application/json",
            "user-agent": "conveyor",
        };
        if (options.body !== undefined) headers["content-type"] = "application/json";
        const timeout = AbortSignal.timeout(this.timeoutMs);
        return {
            method,
            headers,
            body: options.body === undefined ? undefined : JSON.stringify(options.body),
            signal: options.signal ? AbortSignal.any([timeout, options.signal]) : timeout,
        };
    }

    private async parse<T>(method: string, path: string, response: Response): Promise<T> {
        const text = await response.text();
        const body = parseJson(text);
        if (!response.ok) throw this.httpError(method, path, response, body, text);
        if (text !== "" && body === undefined) {
            throw new CircleCiError(
                response.status,
                method,
                path,
                undefined,
                `CircleCI ${method} ${path} answered ${response.status} with a body that is not JSON`,
            );
        }
        return body as T;
    }

    private httpError(method: string, path: string, response: Response, body: unknown, text: string): CircleCiError {
        const apiMessage = messageOf(body);
        const detail = this.redact(apiMessage ?? plainText(text) ?? (response.statusText || "no message"));
        const where = `${response.status} on ${method} ${path}`;
        if (response.status === 401) {
            const hint = "Check that it is a current personal API token with access to this organisation.";
            const message = `CIRCLECI_TOKEN was refused by CircleCI (${where}): ${detail.replace(/\.?$/, ".")} ${hint}`;
            return new CircleCiError(401, method, path, apiMessage, message);
        }
        const afterMs = retryAfterMs(response.status, response.headers.get("retry-after"));
        const retryAt = afterMs === undefined ? undefined : new Date(Date.now() + afterMs);
        const wait = retryAt ? ` (try again after ${retryAt.toISOString()}, in ${Math.ceil(afterMs! / 1000)} s)` : "";
        return new CircleCiError(
            response.status,
            method,
            path,
            apiMessage,
            `CircleCI answered ${where}${wait}: ${detail}`,
            retryAt ? { retryAt } : undefined,
        );
    }

    private networkError(method: string, path: string, err: unknown): CircleCiError {
        const reason = err instanceof Error ? describeNetworkError(err) : String(err);
        return new CircleCiError(undefined, method, path, undefined, `CircleCI ${method} ${path} failed: ${this.redact(reason)}`, {
            cause: err,
        });
    }

    /** CircleCI does not echo tokens, but an error message is the last place one may leak from. */
    private redact(text: string): string {
        return this.token.length >= 8 ? text.split(this.token).join("[redacted]") : text;
    }
}

export function enc(segment: string): string {
    return encodeURIComponent(segment);
}

function parseJson(text: string): unknown {
    if (text.trim() === "") return undefined;
    try {
        return JSON.parse(text);
    } catch {
        return undefined;
    }
}

/** A proxy's HTML error page says nothing the status line does not; short plain text may. */
function plainText(text: string): string | undefined {
    const trimmed = text.trim();
    return trimmed === "" || trimmed.startsWith("<") ? undefined : trimmed.slice(0, 200);
}

function messageOf(body: unknown): string | undefined {
    if (typeof body !== "object" || body === null) return undefined;
    const message = (body as { message?: unknown }).message;
    return typeof message === "string" ? message : undefined;
}

/** fetch reports "fetch failed" and hides the reason (ECONNREFUSED, a timeout) in `cause`. */
function describeNetworkError(err: Error): string {
    if (err.name === "TimeoutError") return "timed out";
    if (err.name === "AbortError") return "aborted";
    const cause = err.cause as { code?: unknown; message?: unknown } | undefined;
    const code = typeof cause?.code === "string" ? cause.code : typeof cause?.message === "string" ? cause.message : undefined;
    return code ? `${err.message} (${code})` : err.message;
}
