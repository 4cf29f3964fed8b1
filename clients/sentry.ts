// The few Sentry API calls conveyor makes after a deploy (https://docs.sentry.io/api/releases/): make sure an
// organisation release exists, and that it has a deploy record for an environment. Each is "look, then
// create": a create is never retried blindly; after a failed attempt the next one looks again first, so a
// create whose answer was lost is found rather than made twice. Sentry answers a release that already
// exists with 208 (and some versions with 409): both mean it is there.
import { backoffMs, fetchWithRetry, isRetryableStatus, sleep, type RetryPolicy } from "./http-retry";

export interface SentryOptions {
    /** e.g. https://sentry.io (self-hosted Sentry has its own); `/api/0` is added. */
    readonly url: string;
    readonly organization: string;
    readonly token: string;
    /** Per request. Default 5 s. */
    readonly timeoutMs?: number;
    /** Attempts of a look-then-create. Default 3. */
    readonly attempts?: number;
    readonly baseMs?: number;
}

/** A repository's commits in a release: from the previous release's head to this one's. */
export interface SentryRef {
    /** Sentry's name for the repository (its integration's), e.g. `acme/billing-service`. */
    readonly repository: string;
    readonly commit: string;
    readonly previousCommit?: string;
}

export class SentryError extends Error {
    constructor(
        message: string,
        readonly status?: number,
    ) {
        super(message);
        this.name = "SentryError";
    }
}

export type Ensured = "created" | "existed";

export class Sentry {
    private readonly root: string;
    private readonly policy: RetryPolicy;
    constructor(private readonly o: SentryOptions) {
        this.root = `${o.url.replace(/\/+$/, "")}/api/0/organizations/${encodeURIComponent(o.organization)}`;
        this.policy = { retries: 2, baseMs: o.baseMs ?? 200, maxRetryAfterMs: 10_000 };
    }

    /** The release `version` exists, for these projects; with commits when `refs` are given and Sentry knows the repositories. */
    async ensureRelease(version: string, projects: readonly string[], refs: readonly SentryRef[] = []): Promise<Ensured> {
        const release = `${this.root}/releases/${encodeURIComponent(version)}/`;
        return this.lookThenCreate(
            async () => (await this.call("GET", release)).status === 200,
            async () => {
                let res = await this.call("POST", `${this.root}/releases/`, { version, projects, ...(refs.length > 0 ? { refs } : {}) });
                // Commits need the repository connected in Sentry; without it the release still matters.
                if (res.status === 400 && refs.length > 0) res = await this.call("POST", `${this.root}/releases/`, { version, projects });
                return res;
            },
        );
    }

    /** The release has a deploy to `environment` named `name` (one per deploy event). */
    async ensureDeploy(version: string, deploy: { environment: string; name: string; url?: string }): Promise<Ensured> {
        const deploys = `${this.root}/releases/${encodeURIComponent(version)}/deploys/`;
        return this.lookThenCreate(
            async () => {
                const res = await this.call("GET", deploys);
                if (res.status !== 200) throw new SentryError(`GET deploys of ${version}: ${res.status}`, res.status);
                const list = (await res.json()) as { environment?: string; name?: string | null }[];
                return list.some((d) => d.environment === deploy.environment && d.name === deploy.name);
            },
            () => this.call("POST", deploys, deploy),
        );
    }

    private async lookThenCreate(exists: () => Promise<boolean>, create: () => Promise<Response>): Promise<Ensured> {
        const attempts = this.o.attempts ?? 3;
        for (let attempt = 1; ; attempt++) {
            let failure: SentryError;
            try {
                if (await exists()) return "existed";
                const res = await create();
                if (res.status === 201 || res.status === 200) return "created";
                if (res.status === 208 || res.status === 409) return "existed";
                const detail = (await res.text().catch(() => "")).slice(0, 200).replace(/[^\x20-\x7e]/g, "?");
                failure = new SentryError(`Sentry answered ${res.status}: ${detail}`, res.status);
                if (!isRetryableStatus(res.status)) throw failure;
            } catch (e) {
                if (e instanceof SentryError && e.status !== undefined && !isRetryableStatus(e.status)) throw e;
                failure = e instanceof SentryError ? e : new SentryError(`Sentry unreachable: ${(e as Error).message}`);
            }
            if (attempt >= attempts) throw failure;
            await sleep(backoffMs(attempt - 1, this.policy.baseMs));
        }
    }

    /** GETs retry on 5xx and 429 within the request; a POST is sent once. */
    private call(method: "GET" | "POST", url: string, body?: unknown): Promise<Response> {
        return fetchWithRetry(
            () =>
                fetch(url, {
                    method,
                    headers: {
                        authorization: `Bearer ${this.o.token}`,
                        ...(body === undefined ? {} : { "content-type": "application/json" }),
                    },
                    body: body === undefined ? undefined : JSON.stringify(body),
                    signal: AbortSignal.timeout(this.o.timeoutMs ?? 5000),
                }),
            { retryable: method === "GET", policy: this.policy },
        );
    }
}
