/**
 * A loopback fake of the Sentry release endpoints conveyor uses (https://docs.sentry.io/api/releases/), keeping
 * releases and their deploys, answering in the documented shapes:
 *
 *   GET  /api/0/organizations/{org}/releases/{version}/          200 release | 404 {"detail": ...}
 *   POST /api/0/organizations/{org}/releases/                    201 release | 208 release (exists) | 400
 *   GET  /api/0/organizations/{org}/releases/{version}/deploys/  200 [deploy]
 *   POST /api/0/organizations/{org}/releases/{version}/deploys/  201 deploy | 400
 *
 * Any other route is answered 404 and kept in `unknownRoutes`, which a test asserts is empty: a client that
 * calls something the fake does not know fails loudly rather than passing by accident.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { listenOnLoopback, LoopbackFake, readBody, type LoggedRequest } from "./loopback";

export const FAKE_SENTRY_TOKEN = "sntrys_fake-conveyor-0123456789";

export interface FakeRelease {
    id: number;
    version: string;
    shortVersion: string;
    dateCreated: string;
    dateReleased: string | null;
    projects: { id: string; name: string; slug: string }[];
    ref: string | null;
    url: string | null;
    commitCount: number;
    deployCount: number;
    lastCommit: { id: string; repository: { name: string } } | null;
    /** Not in Sentry's answer: the refs as sent, for tests. */
    refs: { repository: string; commit: string; previousCommit?: string }[];
    deploys: FakeDeploy[];
}

export interface FakeDeploy {
    id: string;
    environment: string;
    name: string | null;
    url: string | null;
    dateStarted: string | null;
    dateFinished: string;
}

interface Reply {
    status: number;
    body: unknown;
}

export class FakeSentry extends LoopbackFake<LoggedRequest> {
    readonly releases = new Map<string, FakeRelease>();
    readonly unknownRoutes: string[] = [];
    private nextId = 1000;

    constructor(
        server: Server,
        readonly origin: string,
        readonly organization: string,
        readonly projects: readonly string[],
        /** Repository names connected to Sentry (refs to others are refused, as Sentry refuses them). */
        readonly repositories: readonly string[],
    ) {
        super(server);
    }

    protected isRead(r: LoggedRequest): boolean {
        return r.method === "GET";
    }

    /** Every deploy of every release, as `<version> -> <environment> (<name>)`. */
    deployLines(): string[] {
        return [...this.releases.values()].flatMap((r) => r.deploys.map((d) => `${r.version} -> ${d.environment} (${d.name})`));
    }

    protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
        const raw = await readBody(req);
        const method = req.method ?? "GET";
        const url = new URL(req.url ?? "/", this.origin);
        const entry: LoggedRequest = { method, path: url.pathname, url: url.pathname + url.search, status: 0, faulted: false };
        const fault = this.takeFault(method, url.pathname);
        let reply: Reply;
        if (fault) reply = { status: fault.response.status, body: fault.response.body ?? { detail: "fault" } };
        else if (req.headers.authorization !== `Bearer ${FAKE_SENTRY_TOKEN}`) reply = { status: 401, body: { detail: "Invalid token" } };
        else reply = this.answer(method, url.pathname, raw);
        entry.faulted = fault !== undefined;
        entry.status = reply.status;
        this.requests.push(entry);
        res.writeHead(reply.status, { "content-type": "application/json", ...(fault?.response.headers ?? {}) });
        res.end(typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body));
    }

    private answer(method: string, path: string, raw: string): Reply {
        const root = `/api/0/organizations/${this.organization}/releases/`;
        const notFound: Reply = { status: 404, body: { detail: "The requested resource does not exist" } };
        if (!path.startsWith(root)) return this.unknown(method, path);
        const rest = path.slice(root.length);
        if (rest === "" && method === "POST") return this.createRelease(raw);
        const m = /^([^/]+)\/(deploys\/)?$/.exec(rest);
        if (!m) return this.unknown(method, path);
        const version = decodeURIComponent(m[1]);
        const release = this.releases.get(version);
        if (!m[2] && method === "GET") return release ? { status: 200, body: this.shape(release) } : notFound;
        if (m[2] && method === "GET") return release ? { status: 200, body: release.deploys } : notFound;
        if (m[2] && method === "POST") return release ? this.createDeploy(release, raw) : notFound;
        return this.unknown(method, path);
    }

    private unknown(method: string, path: string): Reply {
        this.unknownRoutes.push(`${method} ${path}`);
        return { status: 404, body: { detail: `fake Sentry: no route ${method} ${path}` } };
    }

    private shape(r: FakeRelease): Omit<FakeRelease, "refs" | "deploys"> {
        const { refs: _refs, deploys: _deploys, ...rest } = r;
        return { ...rest, deployCount: r.deploys.length };
    }

    private createRelease(raw: string): Reply {
        const body = JSON.parse(raw || "{}") as { version?: unknown; projects?: unknown; refs?: unknown };
        if (typeof body.version !== "string" || body.version === "" || /[\n/\\]/.test(body.version) || body.version.length > 200)
            return { status: 400, body: { version: ["This field is required."] } };
        if (!Array.isArray(body.projects) || body.projects.length === 0)
            return { status: 400, body: { projects: ["This field is required."] } };
        const unknownProjects = (body.projects as unknown[]).filter((p) => typeof p !== "string" || !this.projects.includes(p));
        if (unknownProjects.length > 0)
            return { status: 400, body: { projects: [`Invalid project ids or slugs: ${unknownProjects.join(", ")}`] } };
        const refs = (body.refs ?? []) as FakeRelease["refs"];
        if (!Array.isArray(refs) || refs.some((r) => typeof r?.repository !== "string" || typeof r.commit !== "string"))
            return { status: 400, body: { refs: ["Each ref needs repository and commit."] } };
        const badRepos = refs.filter((r) => !this.repositories.includes(r.repository)).map((r) => r.repository);
        if (badRepos.length > 0) return { status: 400, body: { refs: [`Invalid repository names: ${badRepos.join(",")}`] } };
        const existing = this.releases.get(body.version);
        if (existing) return { status: 208, body: this.shape(existing) };
        const now = new Date().toISOString();
        const release: FakeRelease = {
            id: this.nextId++,
            version: body.version,
            shortVersion: body.version,
            dateCreated: now,
            dateReleased: null,
            projects: (body.projects as string[]).map((slug, i) => ({ id: String(100 + i), name: slug, slug })),
            ref: null,
            url: null,
            commitCount: refs.length,
            deployCount: 0,
            lastCommit: refs[0] ? { id: refs[0].commit, repository: { name: refs[0].repository } } : null,
            refs,
            deploys: [],
        };
        this.releases.set(release.version, release);
        return { status: 201, body: this.shape(release) };
    }

    private createDeploy(release: FakeRelease, raw: string): Reply {
        const body = JSON.parse(raw || "{}") as { environment?: unknown; name?: unknown; url?: unknown };
        if (typeof body.environment !== "string" || !/^[^\n/]{1,64}$/.test(body.environment))
            return { status: 400, body: { environment: ["This field is required."] } };
        const deploy: FakeDeploy = {
            id: String(this.nextId++),
            environment: body.environment,
            name: typeof body.name === "string" ? body.name : null,
            url: typeof body.url === "string" ? body.url : null,
            dateStarted: null,
            dateFinished: new Date().toISOString(),
        };
        release.deploys.push(deploy);
        return { status: 201, body: deploy };
    }
}

export async function startFakeSentry(
    o: { organization?: string; projects?: readonly string[]; repositories?: readonly string[] } = {},
): Promise<FakeSentry> {
    const { server, origin } = await listenOnLoopback();
    return new FakeSentry(server, origin, o.organization ?? "acme-saas", o.projects ?? [], o.repositories ?? []);
}
