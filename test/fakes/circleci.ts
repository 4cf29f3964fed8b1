/**
 * A loopback fake of the CircleCI API v2 endpoints conveyor uses: a real HTTP server on 127.0.0.1 that keeps
 * state (projects with pipelines and workflows; contexts with environment variables and restrictions), answers
 * in CircleCI's shapes (https://circleci.com/docs/api/v2/index.html), and lets tests inject faults.
 *
 *   const fake = await startFakeCircleCi();
 *   fake.addPipeline("gh/acme/app", { number: 7, revision: "abc", workflows: ["success"] });
 *   const circle = new CircleCi({ token: fake.token, baseUrl: fake.url });
 *   fake.fail({ method: "GET", path: /\/workflow$/ }, circleFaults.badGateway());
 *   ...
 *   await fake.close();
 *
 * Like CircleCI it never returns a context variable's value; `envValue()` lets tests see what was stored.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { JobStatus, WorkflowStatus } from "../../clients/circleci-pipelines";
import { delay, listenOnLoopback, LoopbackFake, lowerCaseKeys, readBody, type FaultResponse, type LoggedRequest } from "./loopback";
export type { Fault, FaultMatch, FaultResponse } from "./loopback";

export const FAKE_CIRCLECI_TOKEN = "fake-circle-token-0123456789";

/** CircleCI's own wording for a missing or unknown token. */
export const UNAUTHORIZED_MESSAGE = "You must log in first.";

// The fake speaks the same statuses the client knows.
export type FakeWorkflowStatus = WorkflowStatus;

export interface FakeCircleCiOptions {
    /** The only token accepted in `Circle-Token`. */
    token?: string;
    /** Delay before every answer, to surface ordering assumptions and to measure parallelism. */
    latencyMs?: number;
    /** Items per page of every list; CircleCI uses 20 for pipelines. */
    pageSize?: number;
}

/** `path` is below the API root, e.g. "/context/…/environment-variable". */
export type FakeRequest = LoggedRequest;

/** Ready-made faults in the shapes CircleCI (or its edge) answers. */
export const circleFaults = {
    badGateway(): FaultResponse {
        return { status: 502, body: "<html><body><h1>502 Bad Gateway</h1></body></html>" };
    },
    serverError(): FaultResponse {
        return { status: 500, body: { message: "Internal server error." } };
    },
    rateLimited(retryAfterSeconds = 1): FaultResponse {
        return { status: 429, headers: { "retry-after": String(retryAfterSeconds) }, body: { message: "Rate limit exceeded." } };
    },
    unavailable(retryAfterSeconds?: number): FaultResponse {
        const headers = retryAfterSeconds === undefined ? undefined : { "retry-after": String(retryAfterSeconds) };
        return { status: 503, headers, body: { message: "Service unavailable." } };
    },
};

export interface WorkflowRecord {
    readonly id: string;
    name: string;
    status: FakeWorkflowStatus;
    readonly createdAt: string;
    /** Its jobs, in the order the config lists them; none when the test did not say. */
    readonly jobs: JobRecord[];
}

/** A job's status in CircleCI API v2's Job schema: the same statuses the client knows. */
export type FakeJobStatus = JobStatus;

export interface JobRecord {
    readonly id: string;
    readonly name: string;
    status: FakeJobStatus;
    /** Absent for jobs that never started (blocked, not run) and for approvals. */
    readonly jobNumber?: number;
    readonly type: "build" | "approval";
}

export interface WorkflowSeed {
    name: string;
    status: FakeWorkflowStatus;
    jobs?: Array<{ name: string; status: FakeJobStatus; type?: "build" | "approval" }>;
}

export interface PipelineRecord {
    readonly id: string;
    readonly slug: string;
    readonly number: number;
    readonly branch: string;
    readonly revision: string;
    readonly createdAt: string;
    /** Mutable so a test can finish a running workflow between two calls. */
    readonly workflows: WorkflowRecord[];
}

export interface PipelineSeed {
    number: number;
    /** "main" when omitted. */
    branch?: string;
    /** Forty hex digits derived from the number when omitted. */
    revision?: string;
    /** Statuses, or named workflows (with their jobs); none at all models a pipeline whose config errored. */
    workflows?: Array<FakeWorkflowStatus | WorkflowSeed>;
    createdAt?: string;
}

export interface EnvVarRecord {
    value: string;
    readonly createdAt: string;
    updatedAt: string;
}

export interface RestrictionRecord {
    readonly id: string;
    readonly type: string;
    readonly value: string;
    readonly name: string | null;
}

export interface ContextRecord {
    readonly id: string;
    name: string;
    readonly ownerId: string;
    readonly ownerType: "organization" | "account";
    readonly createdAt: string;
    readonly envVars: Map<string, EnvVarRecord>;
    readonly restrictions: RestrictionRecord[];
}

export interface ContextSeed {
    name: string;
    ownerId: string;
    ownerType?: "organization" | "account";
    envVars?: Record<string, string>;
}

/** Thrown by handlers to answer with CircleCI's error body, `{ message }`. */
export class FakeHttpError extends Error {
    constructor(
        readonly status: number,
        message: string,
    ) {
        super(message);
    }
}

interface Reply {
    status: number;
    body?: unknown;
    headers?: Record<string, string>;
}

interface RouteContext {
    readonly params: string[];
    readonly query: URLSearchParams;
    readonly body: unknown;
}

interface Route {
    readonly method: string;
    readonly pattern: RegExp;
    readonly handler: (ctx: RouteContext) => Reply;
}

const API_ROOT = "/api/v2";
const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESTRICTION_TYPES = new Set(["project", "expression", "group"]);

export class FakeCircleCi extends LoopbackFake<FakeRequest> {
    /** API root to hand to the client, e.g. http://127.0.0.1:PORT/api/v2. */
    readonly url: string;
    readonly token: string;
    latencyMs: number;
    pageSize: number;
    readonly contexts = new Map<string, ContextRecord>();
    /** Most requests the fake was answering at once since the last clearRequests(). */
    maxInFlight = 0;
    private inFlight = 0;
    private readonly projects = new Map<string, PipelineRecord[]>();
    private jobCounter = 0;
    private readonly routes: Route[];

    constructor(server: Server, origin: string, options: FakeCircleCiOptions) {
        super(server);
        this.url = origin + API_ROOT;
        this.token = options.token ?? FAKE_CIRCLECI_TOKEN;
        this.latencyMs = options.latencyMs ?? 0;
        this.pageSize = options.pageSize ?? 20;
        this.routes = this.buildRoutes();
    }

    // ---- seeding and inspection ------------------------------------------------------------------------------

    /** Adds a pipeline (creating the project on first use); pipelines list newest number first. */
    addPipeline(slug: string, seed: PipelineSeed): PipelineRecord {
        const createdAt = seed.createdAt ?? syntheticTime(seed.number);
        const pipeline: PipelineRecord = {
            id: randomUUID(),
            slug,
            number: seed.number,
            branch: seed.branch ?? "main",
            revision: seed.revision ?? syntheticRevision(seed.number),
            createdAt,
            workflows: (seed.workflows ?? []).map((w, i) => toWorkflowRecord(w, i, createdAt, () => ++this.jobCounter)),
        };
        const list = this.projects.get(slug) ?? [];
        list.push(pipeline);
        list.sort((a, b) => b.number - a.number);
        this.projects.set(slug, list);
        return pipeline;
    }

    /** A project with no pipelines yet, so its listing answers 200 rather than 404. */
    addProject(slug: string): void {
        if (!this.projects.has(slug)) this.projects.set(slug, []);
    }

    pipelines(slug: string): readonly PipelineRecord[] {
        return this.projects.get(slug) ?? [];
    }

    /** The workflow with this id, in any project. */
    workflow(id: string): { workflow: WorkflowRecord; pipeline: PipelineRecord } | undefined {
        for (const list of this.projects.values()) {
            for (const pipeline of list) {
                const workflow = pipeline.workflows.find((w) => w.id === id);
                if (workflow) return { workflow, pipeline };
            }
        }
        return undefined;
    }

    addContext(seed: ContextSeed): ContextRecord {
        const now = new Date().toISOString();
        const context: ContextRecord = {
            id: randomUUID(),
            name: seed.name,
            ownerId: seed.ownerId,
            ownerType: seed.ownerType ?? "organization",
            createdAt: now,
            envVars: new Map(Object.entries(seed.envVars ?? {}).map(([k, value]) => [k, { value, createdAt: now, updatedAt: now }])),
            restrictions: [],
        };
        this.contexts.set(context.id, context);
        return context;
    }

    contextNamed(ownerId: string, name: string): ContextRecord | undefined {
        return [...this.contexts.values()].find((c) => c.ownerId === ownerId && c.name === name);
    }

    /** What a variable holds: the API itself never says. */
    envValue(contextId: string, name: string): string | undefined {
        return this.contexts.get(contextId)?.envVars.get(name)?.value;
    }

    // ---- request log and faults ------------------------------------------------------------------------------

    /** Every GET only reads; every other method writes. */
    protected isRead(request: FakeRequest): boolean {
        return request.method === "GET";
    }

    override clearRequests(): void {
        super.clearRequests();
        this.maxInFlight = this.inFlight;
    }

    // ---- HTTP ------------------------------------------------------------------------------------------------

    protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
        this.inFlight += 1;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        try {
            const method = (req.method ?? "GET").toUpperCase();
            const url = new URL(req.url ?? "/", "http://fake");
            const raw = await readBody(req);
            if (this.latencyMs > 0) await delay(this.latencyMs);
            const path = url.pathname.startsWith(API_ROOT) ? url.pathname.slice(API_ROOT.length) : url.pathname;
            const entry: FakeRequest = { method, path, url: path + url.search, status: 0, faulted: false };
            const fault = this.takeFault(method, path);
            entry.faulted = fault !== undefined;
            const reply = fault?.response ?? this.answer(method, url, path, raw, header(req, "circle-token"));
            entry.status = reply.status;
            this.requests.push(entry);
            send(res, reply);
        } finally {
            this.inFlight -= 1;
        }
    }

    private answer(method: string, url: URL, path: string, raw: string, token: string | undefined): Reply {
        if (token !== this.token) return { status: 401, body: { message: UNAUTHORIZED_MESSAGE } };
        if (!url.pathname.startsWith(API_ROOT + "/")) return errorReply(new FakeHttpError(404, "Not found"));
        try {
            for (const route of this.routes) {
                if (route.method !== method) continue;
                const match = route.pattern.exec(path);
                if (match) return route.handler({ params: decodeAll(match.slice(1)), query: url.searchParams, body: parseJson(raw) });
            }
            return errorReply(new FakeHttpError(404, "Not found"));
        } catch (err) {
            if (err instanceof FakeHttpError) return errorReply(err);
            // A handler bug: answer loudly rather than hang the client.
            return { status: 500, body: { message: `fake CircleCI handler failed: ${(err as Error).stack ?? String(err)}` } };
        }
    }

    private buildRoutes(): Route[] {
        const seg = "([^/]+)";
        return [
            { method: "GET", pattern: new RegExp(`^/project/${seg}/${seg}/${seg}/pipeline$`), handler: (c) => this.listPipelines(c) },
            { method: "GET", pattern: new RegExp(`^/pipeline/${seg}/workflow$`), handler: (c) => this.listWorkflows(c) },
            {
                method: "GET",
                pattern: new RegExp(`^/project/${seg}/${seg}/${seg}/pipeline/(\\d+)$`),
                handler: (c) => this.pipelineByNumber(c),
            },
            { method: "GET", pattern: new RegExp(`^/workflow/${seg}/job$`), handler: (c) => this.listJobs(c) },
            { method: "GET", pattern: /^\/context$/, handler: (c) => this.listContexts(c) },
            { method: "POST", pattern: /^\/context$/, handler: (c) => this.createContext(c) },
            { method: "GET", pattern: new RegExp(`^/context/${seg}$`), handler: (c) => ok(contextJson(this.contextOr404(c.params[0]))) },
            { method: "DELETE", pattern: new RegExp(`^/context/${seg}$`), handler: (c) => this.deleteContext(c) },
            { method: "GET", pattern: new RegExp(`^/context/${seg}/environment-variable$`), handler: (c) => this.listEnvVars(c) },
            { method: "PUT", pattern: new RegExp(`^/context/${seg}/environment-variable/${seg}$`), handler: (c) => this.putEnvVar(c) },
            {
                method: "DELETE",
                pattern: new RegExp(`^/context/${seg}/environment-variable/${seg}$`),
                handler: (c) => this.deleteEnvVar(c),
            },
            { method: "GET", pattern: new RegExp(`^/context/${seg}/restrictions$`), handler: (c) => this.listRestrictions(c) },
            { method: "POST", pattern: new RegExp(`^/context/${seg}/restrictions$`), handler: (c) => this.createRestriction(c) },
            { method: "DELETE", pattern: new RegExp(`^/context/${seg}/restrictions/${seg}$`), handler: (c) => this.deleteRestriction(c) },
        ];
    }

    // ---- pipelines -------------------------------------------------------------------------------------------

    private listPipelines({ params, query }: RouteContext): Reply {
        const slug = params.join("/");
        const all = this.projects.get(slug);
        if (!all) throw new FakeHttpError(404, "Project not found");
        const branch = query.get("branch");
        const matching = branch === null ? all : all.filter((p) => p.branch === branch);
        return ok(this.page(matching, (p) => p.id, query, pipelineJson));
    }

    private pipelineByNumber({ params }: RouteContext): Reply {
        const number = Number(params[3]);
        const pipeline = this.projects.get(params.slice(0, 3).join("/"))?.find((p) => p.number === number);
        if (!pipeline) throw new FakeHttpError(404, "Pipeline not found");
        return ok(pipelineJson(pipeline));
    }

    private listWorkflows({ params, query }: RouteContext): Reply {
        const pipeline = this.findPipeline(params[0]);
        if (!pipeline) throw new FakeHttpError(404, "Pipeline not found");
        return ok(
            this.page(
                pipeline.workflows,
                (w) => w.id,
                query,
                (w) => workflowJson(w, pipeline),
            ),
        );
    }

    private listJobs({ params, query }: RouteContext): Reply {
        const found = this.workflow(params[0]);
        if (!found) throw new FakeHttpError(404, "Workflow not found");
        return ok(
            this.page(
                found.workflow.jobs,
                (j) => j.id,
                query,
                (j) => jobJson(j, found.pipeline),
            ),
        );
    }

    private findPipeline(id: string): PipelineRecord | undefined {
        for (const list of this.projects.values()) {
            const found = list.find((p) => p.id === id);
            if (found) return found;
        }
        return undefined;
    }

    // ---- contexts --------------------------------------------------------------------------------------------

    private listContexts({ query }: RouteContext): Reply {
        const ownerId = query.get("owner-id");
        if (!ownerId) throw new FakeHttpError(400, "Must provide owner-id (the fake does not resolve owner-slug)");
        const ownerType = query.get("owner-type") ?? "organization";
        const owned = [...this.contexts.values()].filter((c) => c.ownerId === ownerId && c.ownerType === ownerType);
        return ok(this.page(owned, (c) => c.id, query, contextJson));
    }

    private createContext({ body }: RouteContext): Reply {
        const { name, owner } = (body ?? {}) as { name?: unknown; owner?: { id?: unknown; type?: unknown } };
        if (typeof name !== "string" || name === "") throw new FakeHttpError(400, "name is required");
        if (typeof owner?.id !== "string") throw new FakeHttpError(400, "owner.id is required");
        const ownerType = owner.type ?? "organization";
        if (ownerType !== "organization" && ownerType !== "account") throw new FakeHttpError(400, "owner.type is invalid");
        if (this.contextNamed(owner.id, name)) throw new FakeHttpError(409, `A context named ${name} already exists`);
        return ok(contextJson(this.addContext({ name, ownerId: owner.id, ownerType })));
    }

    private deleteContext({ params }: RouteContext): Reply {
        const context = this.contextOr404(params[0]);
        this.contexts.delete(context.id);
        return ok({ message: "Context deleted." });
    }

    private listEnvVars({ params, query }: RouteContext): Reply {
        const context = this.contextOr404(params[0]);
        const names = [...context.envVars.keys()].sort();
        return ok(
            this.page(
                names,
                (n) => n,
                query,
                (n) => envVarJson(context, n),
            ),
        );
    }

    private putEnvVar({ params, body }: RouteContext): Reply {
        const context = this.contextOr404(params[0]);
        const name = params[1];
        const value = (body as { value?: unknown } | undefined)?.value;
        if (!ENV_VAR_NAME.test(name)) throw new FakeHttpError(400, "Invalid environment variable name");
        if (typeof value !== "string") throw new FakeHttpError(400, "value is required");
        const now = new Date().toISOString();
        const existing = context.envVars.get(name);
        context.envVars.set(name, { value, createdAt: existing?.createdAt ?? now, updatedAt: now });
        return ok(envVarJson(context, name));
    }

    private deleteEnvVar({ params }: RouteContext): Reply {
        const context = this.contextOr404(params[0]);
        if (!context.envVars.delete(params[1])) throw new FakeHttpError(404, "Environment variable not found");
        return ok({ message: "Environment variable deleted." });
    }

    private listRestrictions({ params, query }: RouteContext): Reply {
        const context = this.contextOr404(params[0]);
        return ok(
            this.page(
                context.restrictions,
                (r) => r.id,
                query,
                (r) => ({ ...restrictionJson(r), context_id: context.id }),
            ),
        );
    }

    private createRestriction({ params, body }: RouteContext): Reply {
        const context = this.contextOr404(params[0]);
        const { type, value } = restrictionFrom(body);
        if (context.restrictions.some((r) => r.type === type && r.value === value)) {
            throw new FakeHttpError(409, "Restriction already exists");
        }
        const restriction: RestrictionRecord = { id: randomUUID(), type, value, name: null };
        context.restrictions.push(restriction);
        return { status: 201, body: restrictionJson(restriction) };
    }

    private deleteRestriction({ params }: RouteContext): Reply {
        const context = this.contextOr404(params[0]);
        const index = context.restrictions.findIndex((r) => r.id === params[1]);
        if (index < 0) throw new FakeHttpError(404, "Restriction not found");
        context.restrictions.splice(index, 1);
        return ok({ message: "Context restriction deleted." });
    }

    private contextOr404(id: string): ContextRecord {
        const context = this.contexts.get(id);
        if (!context) throw new FakeHttpError(404, "Context not found");
        return context;
    }

    /**
     * CircleCI's cursor pagination: the token names the last item served, so items added meanwhile at the head
     * do not shift later pages; the last page has a null token.
     */
    private page<T>(items: readonly T[], keyOf: (item: T) => string, query: URLSearchParams, toJson: (item: T) => unknown) {
        const token = query.get("page-token");
        let start = 0;
        if (token) {
            const last = Buffer.from(token, "base64url").toString("utf8");
            const index = items.findIndex((item) => keyOf(item) === last);
            if (index < 0) throw new FakeHttpError(400, "Invalid page-token");
            start = index + 1;
        }
        const slice = items.slice(start, start + this.pageSize);
        const more = start + slice.length < items.length;
        const next = more ? Buffer.from(keyOf(slice[slice.length - 1]), "utf8").toString("base64url") : null;
        return { items: slice.map(toJson), next_page_token: next };
    }
}

/** Starts the fake on a random loopback port. */
export async function startFakeCircleCi(options: FakeCircleCiOptions = {}): Promise<FakeCircleCi> {
    const { server, origin } = await listenOnLoopback();
    return new FakeCircleCi(server, origin, options);
}

// ---- CircleCI's JSON shapes ----------------------------------------------------------------------------------

function pipelineJson(p: PipelineRecord): Record<string, unknown> {
    const repoUrl = `https://github.com/${p.slug.split("/").slice(1).join("/")}`;
    return {
        id: p.id,
        errors: [],
        project_slug: p.slug,
        updated_at: p.createdAt,
        number: p.number,
        state: "created",
        created_at: p.createdAt,
        trigger: { type: "webhook", received_at: p.createdAt, actor: { login: "conveyor-bot", avatar_url: null } },
        vcs: {
            provider_name: "GitHub",
            target_repository_url: repoUrl,
            origin_repository_url: repoUrl,
            branch: p.branch,
            revision: p.revision,
            commit: { subject: `Build ${p.number}`, body: "" },
        },
    };
}

const UNFINISHED = new Set<FakeWorkflowStatus>(["running", "on_hold", "not_run", "failing"]);

function workflowJson(w: WorkflowRecord, p: PipelineRecord): Record<string, unknown> {
    return {
        pipeline_id: p.id,
        id: w.id,
        name: w.name,
        project_slug: p.slug,
        status: w.status,
        started_by: "00000000-0000-4000-8000-000000000001",
        pipeline_number: p.number,
        created_at: w.createdAt,
        stopped_at: UNFINISHED.has(w.status) ? null : w.createdAt,
        ...(w.status === "canceled" ? { canceled_by: "00000000-0000-4000-8000-000000000001" } : {}),
    };
}

/** An item of GET /workflow/{id}/job: `job_number` and the times only once the job has started. */
function jobJson(j: JobRecord, p: PipelineRecord): Record<string, unknown> {
    const started = !["not_run", "blocked", "queued", "not_running", "on_hold"].includes(j.status);
    return {
        dependencies: [],
        id: j.id,
        name: j.name,
        project_slug: p.slug,
        status: j.status,
        type: j.type,
        started_at: started ? p.createdAt : null,
        ...(j.jobNumber === undefined ? {} : { job_number: j.jobNumber }),
        ...(started && j.status !== "running" ? { stopped_at: p.createdAt } : {}),
    };
}

function contextJson(c: ContextRecord): Record<string, unknown> {
    return { id: c.id, name: c.name, created_at: c.createdAt };
}

/** No `value`: CircleCI never returns it. */
function envVarJson(c: ContextRecord, name: string): Record<string, unknown> {
    const v = c.envVars.get(name)!;
    return { variable: name, context_id: c.id, created_at: v.createdAt, updated_at: v.updatedAt };
}

function restrictionJson(r: RestrictionRecord): Record<string, unknown> {
    return {
        id: r.id,
        project_id: r.type === "project" ? r.value : null,
        name: r.name,
        restriction_type: r.type,
        restriction_value: r.value,
    };
}

/** Accepts the current `restriction_type`/`restriction_value` body and the deprecated `project_id` one. */
function restrictionFrom(body: unknown): { type: string; value: string } {
    const b = (body ?? {}) as { restriction_type?: unknown; restriction_value?: unknown; project_id?: unknown };
    if (typeof b.project_id === "string" && b.restriction_type === undefined) return { type: "project", value: b.project_id };
    if (typeof b.restriction_type !== "string" || !RESTRICTION_TYPES.has(b.restriction_type)) {
        throw new FakeHttpError(400, "restriction_type must be one of project, expression, group");
    }
    if (typeof b.restriction_value !== "string" || b.restriction_value === "")
        throw new FakeHttpError(400, "restriction_value is required");
    return { type: b.restriction_type, value: b.restriction_value };
}

// ---- helpers -------------------------------------------------------------------------------------------------

function toWorkflowRecord(w: FakeWorkflowStatus | WorkflowSeed, i: number, createdAt: string, nextJobNumber: () => number): WorkflowRecord {
    const seed: WorkflowSeed = typeof w === "string" ? { name: `workflow-${i + 1}`, status: w } : w;
    const jobs = (seed.jobs ?? []).map((j): JobRecord => {
        const type = j.type ?? "build";
        const started = type === "build" && !["not_run", "blocked", "queued", "not_running", "on_hold"].includes(j.status);
        return { id: randomUUID(), name: j.name, status: j.status, type, ...(started ? { jobNumber: nextJobNumber() } : {}) };
    });
    return { id: randomUUID(), name: seed.name, status: seed.status, createdAt, jobs };
}

/** Later numbers are later in time, as on CircleCI, without tests having to say when. */
function syntheticTime(number: number): string {
    return new Date(Date.UTC(2026, 0, 1) + number * 60_000).toISOString();
}

function syntheticRevision(number: number): string {
    return number.toString(16).padStart(40, "0");
}

function ok(body: unknown): Reply {
    return { status: 200, body };
}

function errorReply(err: FakeHttpError): Reply {
    return { status: err.status, body: { message: err.message } };
}

function send(res: ServerResponse, reply: Reply): void {
    const headers = lowerCaseKeys(reply.headers ?? {});
    if (reply.body === undefined) {
        res.writeHead(reply.status, headers).end();
        return;
    }
    const text = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
    const type = typeof reply.body === "string" ? "text/html; charset=utf-8" : "application/json;charset=utf-8";
    res.writeHead(reply.status, { "content-type": type, ...headers }).end(text);
}

function header(req: IncomingMessage, name: string): string | undefined {
    const value = req.headers[name];
    return Array.isArray(value) ? value[0] : value;
}

/** Malformed percent-encoding is a client bug; answer it the way a router would. */
function decodeAll(values: string[]): string[] {
    try {
        return values.map((v) => decodeURIComponent(v));
    } catch {
        throw new FakeHttpError(400, "Malformed path");
    }
}

function parseJson(raw: string): unknown {
    if (raw.trim() === "") return undefined;
    try {
        return JSON.parse(raw);
    } catch {
        throw new FakeHttpError(400, "Request body is not valid JSON");
    }
}
