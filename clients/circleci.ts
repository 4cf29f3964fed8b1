// CircleCI API v2 client over the global fetch: the pipelines the release controller reads ("latest green build")
// and the contexts the CircleCI dynamic provider manages.
//
// Shapes follow CircleCI's API v2 reference, https://circleci.com/docs/api/v2/index.html, whose OpenAPI description
// is published in github.com/circleci/circleci-docs (docs/reference/modules/ROOT/attachments/openapi-final.json).
// Restrictions use its `restriction_type`/`restriction_value` form; the `project_id`-only form is deprecated there.
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

/** GitHub-hosted projects (OAuth app integration). GitHub App projects use `circleci/<org-id>/<project-id>`. */
export function projectSlug(owner: string, repo: string): string {
    return `gh/${owner}/${repo}`;
}

export type WorkflowStatus = "success" | "running" | "not_run" | "failed" | "error" | "failing" | "on_hold" | "canceled" | "unauthorized";

export interface Pipeline {
    readonly id: string;
    readonly number: number;
    readonly createdAt: string;
    readonly state: string;
    readonly branch?: string;
    readonly revision?: string;
}

export interface Workflow {
    readonly id: string;
    readonly name: string;
    readonly status: WorkflowStatus;
    readonly pipelineId: string;
    readonly pipelineNumber: number;
}

/** A job's status as CircleCI API v2 reports it (Job schema). */
export type JobStatus =
    | "success"
    | "running"
    | "not_run"
    | "failed"
    | "retried"
    | "queued"
    | "not_running"
    | "infrastructure_fail"
    | "timedout"
    | "on_hold"
    | "terminated-unknown"
    | "blocked"
    | "canceled"
    | "unauthorized";

export interface WorkflowJob {
    readonly name: string;
    readonly status: JobStatus;
    /** Absent until the job starts (blocked or not run) and for approval jobs. */
    readonly jobNumber?: number;
}

/** What the release controller asks CircleCI about a finished deploy workflow. */
export interface CiJobs {
    workflowJobs(workflowId: string): Promise<WorkflowJob[]>;
}

export interface GreenPipeline {
    readonly number: number;
    readonly revision: string;
    readonly id: string;
    readonly createdAt: string;
}

export interface GreenPipelineOptions {
    /** Pages of pipelines (20 each on CircleCI) to look through before giving up. */
    readonly maxPages?: number;
    /** Pipelines whose workflows are fetched at once. */
    readonly concurrency?: number;
}

export interface GreenPipelineSearch {
    readonly pipeline?: GreenPipeline;
    readonly pagesRead: number;
    readonly pipelinesChecked: number;
    /** True when older pipelines were left unread because of `maxPages`: "none found" is then not the whole story. */
    readonly pageCapReached: boolean;
}

export type OwnerType = "organization" | "account";

export interface CircleCiContext {
    readonly id: string;
    readonly name: string;
    readonly createdAt: string;
}

/** CircleCI never returns a context variable's value, only that it exists. */
export interface ContextEnvVar {
    readonly name: string;
    readonly contextId: string;
    readonly createdAt: string;
    readonly updatedAt: string;
}

export type RestrictionType = "project" | "expression" | "group";

export interface ContextRestriction {
    readonly id: string;
    readonly contextId: string;
    readonly type: string;
    /** A project UUID for "project", the rule for "expression". */
    readonly value: string;
    /** Human-readable subject (a project's name); may be absent. */
    readonly name?: string;
}

export interface NewRestriction {
    readonly type: RestrictionType;
    readonly value: string;
}

// CircleCI's wire shapes, only the fields this client reads.
interface ApiPage<T> {
    readonly items: T[];
    readonly next_page_token?: string | null;
}

interface ApiPipeline {
    readonly id: string;
    readonly number: number;
    readonly created_at: string;
    readonly state: string;
    readonly vcs?: { readonly branch?: string; readonly revision?: string };
}

interface ApiWorkflow {
    readonly id: string;
    readonly name: string;
    readonly status: WorkflowStatus;
    readonly pipeline_id: string;
    readonly pipeline_number: number;
}

interface ApiJob {
    readonly name: string;
    readonly status: JobStatus;
    readonly job_number?: number;
}

interface ApiContext {
    readonly id: string;
    readonly name: string;
    readonly created_at: string;
}

interface ApiEnvVar {
    readonly variable: string;
    readonly context_id: string;
    readonly created_at: string;
    readonly updated_at: string;
}

interface ApiRestriction {
    readonly id: string;
    readonly context_id?: string;
    readonly project_id?: string | null;
    readonly name?: string | null;
    readonly restriction_type: string;
    readonly restriction_value: string;
}

/** Guards list endpoints against a server that keeps handing out page tokens. */
const MAX_LIST_PAGES = 500;

export class CircleCi {
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

    /** The CLI's and the Lambda's way in: `CIRCLECI_TOKEN` and `CIRCLECI_API_URL`. */
    static fromEnv(env: NodeJS.ProcessEnv = process.env, options: Omit<CircleCiOptions, "token"> = {}): CircleCi {
        return new CircleCi({ baseUrl: env.CIRCLECI_API_URL, ...options, token: env.CIRCLECI_TOKEN ?? "" });
    }

    // ---- pipelines -------------------------------------------------------------------------------------------

    /** The newest pipeline on `branch` whose workflows all succeeded; undefined when none within the page cap. */
    async latestGreenPipeline(slug: string, branch: string, options: GreenPipelineOptions = {}): Promise<GreenPipeline | undefined> {
        return (await this.findGreenPipeline(slug, branch, options)).pipeline;
    }

    /** `latestGreenPipeline` with the evidence: how far it looked, and whether it stopped at the page cap. */
    async findGreenPipeline(slug: string, branch: string, options: GreenPipelineOptions = {}): Promise<GreenPipelineSearch> {
        const maxPages = options.maxPages ?? 10;
        const concurrency = Math.max(1, options.concurrency ?? 4);
        let pageToken: string | undefined;
        let pagesRead = 0;
        let pipelinesChecked = 0;
        while (pagesRead < maxPages) {
            const page = await this.pipelinesPage(slug, branch, pageToken);
            pagesRead += 1;
            // The API filters by branch already; a server that ignored the filter must not promote another branch.
            const candidates = page.items.filter((p) => p.revision !== undefined && (p.branch ?? branch) === branch);
            const found = await firstInOrder(candidates, concurrency, (p, signal) => this.isGreen(p.id, signal));
            pipelinesChecked += found.checked;
            if (found.index !== undefined) {
                return { pipeline: toGreen(candidates[found.index]), pagesRead, pipelinesChecked, pageCapReached: false };
            }
            pageToken = page.nextPageToken;
            if (!pageToken) return { pagesRead, pipelinesChecked, pageCapReached: false };
        }
        return { pagesRead, pipelinesChecked, pageCapReached: true };
    }

    /** The commit a pipeline ran on: how a build number maps to a revision. Undefined when CircleCI has no such pipeline. */
    async pipelineRevision(slug: string, number: number): Promise<string | undefined> {
        try {
            const p = await this.request<ApiPipeline>("GET", `/project/${encodeSlug(slug)}/pipeline/${number}`);
            return toPipeline(p).revision;
        } catch (err) {
            if (isCircleCiNotFound(err)) return undefined;
            throw err;
        }
    }

    /** One page of a project's pipelines on a branch, newest first. */
    async pipelinesPage(slug: string, branch: string, pageToken?: string): Promise<{ items: Pipeline[]; nextPageToken?: string }> {
        const page = await this.request<ApiPage<ApiPipeline>>("GET", `/project/${encodeSlug(slug)}/pipeline`, {
            query: { branch, "page-token": pageToken },
        });
        return { items: page.items.map(toPipeline), nextPageToken: page.next_page_token ?? undefined };
    }

    async workflows(pipelineId: string, signal?: AbortSignal): Promise<Workflow[]> {
        const items = await this.listAll<ApiWorkflow>(`/pipeline/${enc(pipelineId)}/workflow`, {}, signal);
        return items.map(toWorkflow);
    }

    /** Every job of a workflow, in CircleCI's order (GET /workflow/{id}/job). */
    async workflowJobs(workflowId: string): Promise<WorkflowJob[]> {
        const items = await this.listAll<ApiJob>(`/workflow/${enc(workflowId)}/job`);
        return items.map((j) => ({
            name: j.name,
            status: j.status,
            ...(typeof j.job_number === "number" ? { jobNumber: j.job_number } : {}),
        }));
    }

    /** Green means at least one workflow and every one a success; stops reading at the first that is not. */
    private async isGreen(pipelineId: string, signal: AbortSignal): Promise<boolean> {
        let seen = 0;
        for await (const items of this.pages<ApiWorkflow>(`/pipeline/${enc(pipelineId)}/workflow`, {}, signal)) {
            if (items.some((w) => w.status !== "success")) return false;
            seen += items.length;
        }
        return seen > 0;
    }

    // ---- contexts --------------------------------------------------------------------------------------------

    async listContexts(ownerId: string, ownerType?: OwnerType): Promise<CircleCiContext[]> {
        const items = await this.listAll<ApiContext>("/context", { "owner-id": ownerId, "owner-type": ownerType });
        return items.map(toContext);
    }

    /** Context names are unique per owner, so a name finds at most one. */
    async findContext(ownerId: string, name: string, ownerType?: OwnerType): Promise<CircleCiContext | undefined> {
        return (await this.listContexts(ownerId, ownerType)).find((c) => c.name === name);
    }

    /** Not retried: a create whose answer was lost may still have landed. Callers find-then-create. */
    async createContext(ownerId: string, name: string, ownerType: OwnerType = "organization"): Promise<CircleCiContext> {
        const body = { name, owner: { id: ownerId, type: ownerType } };
        return toContext(await this.request<ApiContext>("POST", "/context", { body }));
    }

    async getContext(contextId: string): Promise<CircleCiContext | undefined> {
        try {
            return toContext(await this.request<ApiContext>("GET", `/context/${enc(contextId)}`));
        } catch (err) {
            if (isCircleCiNotFound(err)) return undefined;
            throw err;
        }
    }

    /** True when this call deleted it, false when it was already gone. */
    async deleteContext(contextId: string): Promise<boolean> {
        return this.deleteIfPresent(`/context/${enc(contextId)}`);
    }

    async listEnvVars(contextId: string): Promise<ContextEnvVar[]> {
        const items = await this.listAll<ApiEnvVar>(`/context/${enc(contextId)}/environment-variable`);
        return items.map(toEnvVar);
    }

    /** Creates or replaces; the same PUT twice leaves the same state, so it is retried like a read. */
    async putEnvVar(contextId: string, name: string, value: string): Promise<ContextEnvVar> {
        const path = `/context/${enc(contextId)}/environment-variable/${enc(name)}`;
        return toEnvVar(await this.request<ApiEnvVar>("PUT", path, { body: { value }, idempotent: true }));
    }

    /** True when this call deleted it, false when it was already gone. */
    async deleteEnvVar(contextId: string, name: string): Promise<boolean> {
        return this.deleteIfPresent(`/context/${enc(contextId)}/environment-variable/${enc(name)}`);
    }

    async listRestrictions(contextId: string): Promise<ContextRestriction[]> {
        const items = await this.listAll<ApiRestriction>(`/context/${enc(contextId)}/restrictions`);
        return items.map((r) => toRestriction(r, contextId));
    }

    /** Not retried, like every create: list first to see whether an earlier attempt landed. */
    async createRestriction(contextId: string, restriction: NewRestriction): Promise<ContextRestriction> {
        const body = { restriction_type: restriction.type, restriction_value: restriction.value };
        const created = await this.request<ApiRestriction>("POST", `/context/${enc(contextId)}/restrictions`, { body });
        return toRestriction(created, contextId);
    }

    /** True when this call deleted it, false when it was already gone. */
    async deleteRestriction(contextId: string, restrictionId: string): Promise<boolean> {
        return this.deleteIfPresent(`/context/${enc(contextId)}/restrictions/${enc(restrictionId)}`);
    }

    // ---- transport -------------------------------------------------------------------------------------------

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
    private async *pages<T>(path: string, query: Record<string, string | undefined> = {}, signal?: AbortSignal): AsyncGenerator<T[]> {
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

    private async listAll<T>(path: string, query: Record<string, string | undefined> = {}, signal?: AbortSignal): Promise<T[]> {
        const all: T[] = [];
        for await (const items of this.pages<T>(path, query, signal)) all.push(...items);
        return all;
    }

    private async deleteIfPresent(path: string): Promise<boolean> {
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

/**
 * The first item, in order, that passes `check`, with at most `limit` checks in flight: order decides, parallelism
 * only hides latency. Checks still running when the answer is known are aborted.
 */
async function firstInOrder<T>(
    items: readonly T[],
    limit: number,
    check: (item: T, signal: AbortSignal) => Promise<boolean>,
): Promise<{ index?: number; checked: number }> {
    const abort = new AbortController();
    const started: Array<Promise<boolean>> = [];
    const startUpTo = (count: number): void => {
        while (started.length < Math.min(count, items.length)) {
            const pending = check(items[started.length], abort.signal);
            // Awaited later, or abandoned after the answer: either way it must not become an unhandled rejection.
            pending.catch(() => undefined);
            started.push(pending);
        }
    };
    try {
        for (let i = 0; i < items.length; i++) {
            startUpTo(i + limit);
            if (await started[i]) return { index: i, checked: i + 1 };
        }
        return { checked: items.length };
    } finally {
        abort.abort();
    }
}

function enc(segment: string): string {
    return encodeURIComponent(segment);
}

/** Slugs keep their slashes: CircleCI's routes take `vcs/org/repo` as three segments. */
function encodeSlug(slug: string): string {
    return slug.split("/").map(enc).join("/");
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

function toPipeline(p: ApiPipeline): Pipeline {
    return { id: p.id, number: p.number, createdAt: p.created_at, state: p.state, branch: p.vcs?.branch, revision: p.vcs?.revision };
}

function toGreen(p: Pipeline): GreenPipeline {
    return { number: p.number, revision: p.revision!, id: p.id, createdAt: p.createdAt };
}

function toWorkflow(w: ApiWorkflow): Workflow {
    return { id: w.id, name: w.name, status: w.status, pipelineId: w.pipeline_id, pipelineNumber: w.pipeline_number };
}

function toContext(c: ApiContext): CircleCiContext {
    return { id: c.id, name: c.name, createdAt: c.created_at };
}

function toEnvVar(v: ApiEnvVar): ContextEnvVar {
    return { name: v.variable, contextId: v.context_id, createdAt: v.created_at, updatedAt: v.updated_at };
}

function toRestriction(r: ApiRestriction, contextId: string): ContextRestriction {
    const restriction = { id: r.id, contextId: r.context_id ?? contextId, type: r.restriction_type, value: r.restriction_value };
    return r.name ? { ...restriction, name: r.name } : restriction;
}
