/**
 * A loopback fake of GitHub's REST API for tests: a real HTTP server on
 * 127.0.0.1 that keeps state (what a test creates is there on the next call),
 * answers in the shapes of GitHub's OpenAPI description (checked by
 * github.test.ts), and lets tests inject faults.
 *
 *   const fake = await startFakeGitHub();
 *   fake.state.addRepo("acme/app").addLabel("release");
 *   const octokit = new Octokit({ auth: "t", baseUrl: fake.url });
 *   fake.fail({ method: "POST", path: /\/labels$/ }, faults.badGateway());
 *   ...
 *   await fake.close();
 *
 * Repositories hold git data too, seeded through RepoState:
 *
 *   const repo = fake.state.addRepo("acme/ops");
 *   repo.commit("main", { message: "init", files: { "Pulumi.prod.yaml": "..." } });
 *   repo.commit("feature", { message: "bump", author: "dev", files: { ... } });
 *   const pr = repo.openPull({ head: "feature", title: "Bump", labels: ["type/bug"] });
 *   repo.mergePull(pr.number, { method: "squash" }); // "Bump (#1)" on main
 *
 * Routes live in ./github/routes as a table of {method, path, docs, handler};
 * see ./github/routes/index.ts to add one. POST /graphql is one of them
 * (./github/graphql.ts parses and runs the queries).
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { compileRoute, DOCS_ROOT, errorBody, HttpError, matchRoute, type CompiledRoute, type Reply, type Route } from "./github/http";
import { routes as builtInRoutes } from "./github/routes";
import { GitHubState } from "./github/state";
import { delay, listenOnLoopback, LoopbackFake, lowerCaseKeys, readBody, type FaultResponse, type LoggedRequest } from "./loopback";
export type { Fault, FaultMatch, FaultResponse } from "./loopback";

export { GitHubState, noreplyEmail, RepoState, timestamp } from "./github/state";
export type {
    AuthorInit,
    CommentRecord,
    CommitOptions,
    IssueRecord,
    LabelRecord,
    MergeMethod,
    MergeOptions,
    MilestoneRecord,
    PullInit,
    PullRecord,
    RepoInit,
    RepoRole,
    StateReason,
    UserRecord,
} from "./github/state";
export { EMPTY_TREE_SHA, gitBlobSha, gitCommitSha, gitTreeShas } from "./github/git";
export type { CommitRecord, GitSignature } from "./github/git";
export { HttpError, notFound, paginate, validationFailed } from "./github/http";
export type { FieldError, Handler, Reply, Route, RouteContext } from "./github/http";

export interface FakeGitHubOptions {
    /** Delay before every answer, to surface ordering assumptions and timeouts. */
    latencyMs?: number;
    /** Extra routes for one test; they win over built-in ones with the same path. */
    routes?: Route[];
}

/** `path` is e.g. "/repos/acme/app/labels". */
export interface FakeRequest extends LoggedRequest {
    /** The OpenAPI template that served it; undefined for faults, 401s and unknown routes. */
    route?: string;
    /** When it arrived (Date.now()): what GitHub's secondary limits count, unlike when the client saw the answer. */
    at: number;
    /** The document of a GraphQL request: what a client asked for, and how often. */
    graphqlQuery?: string;
}

/** Ready-made faults in the shapes GitHub (or its edge) really answers. */
export const faults = {
    badGateway(): FaultResponse {
        return { status: 502, body: { message: "Server Error" } };
    },
    /**
     * Octokit's throttling plugin recognises a secondary limit by the words
     * "secondary rate" in the message, so the wording matters.
     */
    secondaryRateLimit(retryAfterSeconds = 1): FaultResponse {
        return {
            status: 403,
            headers: { "retry-after": String(retryAfterSeconds) },
            body: errorBody(
                403,
                "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID FAKE:0000.",
                "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
            ),
        };
    },
    /** The primary rate limit: no request left until `resetEpochSeconds`, as GitHub answers it (403). */
    rateLimited(resetEpochSeconds: number): FaultResponse {
        return {
            status: 403,
            headers: {
                "x-ratelimit-limit": "5000",
                "x-ratelimit-remaining": "0",
                "x-ratelimit-used": "5000",
                "x-ratelimit-reset": String(resetEpochSeconds),
                "x-ratelimit-resource": "core",
            },
            body: errorBody(
                403,
                "API rate limit exceeded for installation ID 1. If you reach out to GitHub Support for help, please include the request ID FAKE:0001.",
                "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
            ),
        };
    },
    conflict(message = "Conflict"): FaultResponse {
        return { status: 409, body: errorBody(409, message, DOCS_ROOT) };
    },
    validationFailed(errors: Array<Record<string, unknown>>, message = "Validation Failed"): FaultResponse {
        return { status: 422, body: errorBody(422, message, DOCS_ROOT, { errors }) };
    },
};

export class FakeGitHub extends LoopbackFake<FakeRequest> {
    readonly state = new GitHubState();
    private readonly table: CompiledRoute[];
    private requestCounter = 0;

    constructor(
        server: Server,
        readonly url: string,
        private readonly options: FakeGitHubOptions,
    ) {
        super(server);
        this.table = orderBySpecificity([...(options.routes ?? []), ...builtInRoutes].map(compileRoute));
    }

    /** GETs, and GraphQL POSTs: the fake answers queries only, so a POST to /graphql never changes state. */
    protected isRead(request: FakeRequest): boolean {
        return request.method === "GET" || request.method === "HEAD" || request.path === "/graphql";
    }

    protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
        const at = Date.now();
        const method = (req.method ?? "GET").toUpperCase();
        const url = new URL(enterprisePath(req.url ?? "/"), this.url);
        const raw = await readBody(req);
        if (this.options.latencyMs) await delay(this.options.latencyMs);
        const entry: FakeRequest = { method, path: url.pathname, url: url.pathname + url.search, status: 0, faulted: false, at };
        const fault = this.takeFault(method, url.pathname);
        let reply: Reply;
        if (fault) {
            entry.faulted = true;
            reply = fault.response;
        } else {
            reply = this.answer(method, url, raw, tokenFrom(req.headers.authorization), entry);
        }
        entry.status = reply.status;
        this.requests.push(entry);
        this.send(res, reply);
    }

    private answer(method: string, url: URL, raw: string, token: string | undefined, entry: FakeRequest): Reply {
        if (!this.authorized(token)) return errorReply(new HttpError(401, "Bad credentials"), DOCS_ROOT);
        // URL.pathname keeps percent-encoding, which matchRoute needs (see there).
        const match = matchRoute(this.table, method, url.pathname);
        if (!match) return errorReply(new HttpError(404, "Not Found"), DOCS_ROOT);
        entry.route = match.route.path;
        try {
            const body = parseJson(raw);
            if (entry.route === "/graphql") entry.graphqlQuery = graphqlDocument(body);
            return match.route.handler({ state: this.state, params: match.params, query: url.searchParams, body, baseUrl: this.url, url });
        } catch (err) {
            if (err instanceof HttpError) return errorReply(err, match.route.docs);
            // A handler bug: answer loudly rather than hang the client.
            return { status: 500, body: { message: `fake GitHub handler failed: ${(err as Error).stack ?? String(err)}` } };
        }
    }

    private authorized(token: string | undefined): boolean {
        if (!token) return false;
        return this.state.token === undefined || this.state.token === token;
    }

    private send(res: ServerResponse, reply: Reply): void {
        this.requestCounter += 1;
        const headers: Record<string, string> = {
            "x-github-request-id": `FAKE:${this.requestCounter}`,
            "x-github-media-type": "github.v3; format=json",
            "x-ratelimit-limit": "5000",
            "x-ratelimit-remaining": "4999",
            "x-ratelimit-used": "1",
            "x-ratelimit-resource": "core",
            "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
            ...lowerCaseKeys(reply.headers ?? {}),
        };
        const bodyless = reply.status === 204 || reply.status === 304 || reply.body === undefined;
        if (bodyless) {
            res.writeHead(reply.status, headers).end();
            return;
        }
        const text = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
        const type = typeof reply.body === "string" ? "text/plain; charset=utf-8" : "application/json; charset=utf-8";
        res.writeHead(reply.status, { "content-type": type, ...headers }).end(text);
    }
}

/** Starts the fake on a random loopback port. */
export async function startFakeGitHub(opts: FakeGitHubOptions = {}): Promise<FakeGitHub> {
    const { server, origin } = await listenOnLoopback();
    return new FakeGitHub(server, origin, opts);
}

/**
 * The fake answers at GitHub Enterprise Server's API roots too (`/api/v3/...` and `/api/graphql`), where
 * clients that take a non-github.com base URL for an Enterprise Server (Terraform's github provider) send
 * their requests; requests are logged and routed by their github.com path.
 */
function enterprisePath(raw: string): string {
    if (raw.startsWith("/api/v3/")) return raw.slice("/api/v3".length);
    if (raw === "/api/graphql" || raw.startsWith("/api/graphql?")) return raw.slice("/api".length);
    return raw;
}

/** GitHub accepts `token X` (classic) and `Bearer X` (apps, fine-grained) alike. */
export function tokenFrom(header: string | undefined): string | undefined {
    const match = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(header ?? "");
    return match?.[1];
}

function orderBySpecificity(table: CompiledRoute[]): CompiledRoute[] {
    // Fewer parameters first, so "/issues/comments" is never swallowed by
    // "/issues/{issue_number}"; the sort is stable, so table order breaks ties.
    return [...table].sort((a, b) => a.names.length - b.names.length);
}

function errorReply(err: HttpError, docs: string): Reply {
    return { status: err.status, body: errorBody(err.status, err.message, err.docs ?? docs, err.extra) };
}

function graphqlDocument(body: unknown): string | undefined {
    const query = (body as { query?: unknown } | undefined)?.query;
    return typeof query === "string" ? query : undefined;
}

function parseJson(raw: string): unknown {
    if (raw.trim() === "") return undefined;
    try {
        return JSON.parse(raw);
    } catch {
        throw new HttpError(400, "Problems parsing JSON");
    }
}
