// Pieces both loopback fakes (GitHub, CircleCI) share: node:http helpers, the request log and fault injection.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export function readBody(req: IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        req.on("data", (chunk: Buffer) => chunks.push(chunk));
        req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
        req.on("error", reject);
    });
}

export function delay(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

export function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

export interface FaultMatch {
    /** Case-insensitive; any method when omitted. */
    method?: string;
    /** Tested against the request path without the query string; any path when omitted. */
    path?: RegExp;
}

export interface FaultResponse {
    status: number;
    headers?: Record<string, string>;
    /** JSON-encoded unless a string (sent as is). */
    body?: unknown;
}

export interface Fault {
    readonly match: FaultMatch;
    readonly response: FaultResponse;
    /** How many more matching requests this fault will answer. */
    remaining: number;
}

/** What every fake logs of a request it answered. */
export interface LoggedRequest {
    method: string;
    /** Path without the query string. */
    path: string;
    /** Path with the query string. */
    url: string;
    status: number;
    /** True when an injected fault answered instead of the fake. */
    faulted: boolean;
}

/** Starts an HTTP server on a random loopback port; `origin` is its http://127.0.0.1:PORT. */
export async function listenOnLoopback(): Promise<{ server: Server; origin: string }> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", resolve);
    });
    const { port } = server.address() as AddressInfo;
    return { server, origin: `http://127.0.0.1:${port}` };
}

/**
 * The half both fakes share: the server's life, the log of the requests answered, and the faults a test
 * injects. A subclass answers requests (`handle`) and says which of them only read.
 */
export abstract class LoopbackFake<R extends LoggedRequest> {
    readonly requests: R[] = [];
    private readonly faultQueue: Fault[] = [];

    protected constructor(private readonly server: Server) {
        // A broken request stream must not become an unhandled rejection that kills mocha.
        server.on(
            "request",
            (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res).catch((err: Error) => res.destroy(err)),
        );
    }

    protected abstract handle(req: IncomingMessage, res: ServerResponse): Promise<void>;

    /** Whether a logged request only read. */
    protected abstract isRead(request: R): boolean;

    /** Number of reads, optionally only those whose path matches. */
    reads(path?: RegExp): number {
        return this.requests.filter((r) => this.isRead(r) && pathMatches(path, r.path)).length;
    }

    /** Number of writes (every other request), optionally only those whose path matches. */
    writes(path?: RegExp): number {
        return this.requests.filter((r) => !this.isRead(r) && pathMatches(path, r.path)).length;
    }

    clearRequests(): void {
        this.requests.length = 0;
    }

    /**
     * Answers the next `times` matching requests with `response` instead of handling them. Faults are checked
     * before authentication, like an edge proxy's would be, and queue in the order they were added.
     */
    fail(match: FaultMatch, response: FaultResponse, times = 1): Fault {
        const fault: Fault = { match, response, remaining: times };
        this.faultQueue.push(fault);
        return fault;
    }

    async close(): Promise<void> {
        // fetch keeps connections alive; without this close() would wait for them to idle out.
        this.server.closeAllConnections();
        await new Promise<void>((resolve, reject) => this.server.close((err) => (err ? reject(err) : resolve())));
    }

    /** The first queued fault matching the request, used up by one. */
    protected takeFault(method: string, path: string): Fault | undefined {
        const fault = this.faultQueue.find(
            (f) => f.remaining > 0 && (!f.match.method || f.match.method.toUpperCase() === method) && pathMatches(f.match.path, path),
        );
        if (fault) fault.remaining -= 1;
        return fault;
    }
}

/** Absent pattern matches all; resetting lastIndex keeps /g and /y patterns from alternating. */
function pathMatches(pattern: RegExp | undefined, path: string): boolean {
    if (!pattern) return true;
    pattern.lastIndex = 0;
    return pattern.test(path);
}
