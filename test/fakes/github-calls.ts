/**
 * Octokit against the fake GitHub with each answer checked against GitHub's OpenAPI description: the
 * helpers of the fake's own tests (github.test.ts, github-admin.test.ts).
 */
import assert from "node:assert/strict";
import { Octokit, RequestError } from "octokit";
import type { FakeGitHub } from "./github";
import { assertMatchesOpenApi, assertMatchesSchemaTitled, documentsStatus, responseSchema } from "./openapi";

export type OctokitOptions = NonNullable<ConstructorParameters<typeof Octokit>[0]>;

/**
 * An octokit endpoint method: callable, and it knows its own method + template
 * (which is the OpenAPI template, so shape checks need no hand-written paths).
 * `any` params: each endpoint has its own parameter type.
 */
export type EndpointMethod = ((params?: any) => Promise<{ status: number; data: unknown }>) & {
    endpoint: { DEFAULTS: { method: string; url?: string } };
};

export const quietLog = { debug() {}, info() {}, warn() {}, error() {} };

/** Routes whose answers were checked against the OpenAPI schema (in this process), to prove every route was. */
export const checked = new Set<string>();

export function client(fake: FakeGitHub, extra: OctokitOptions = {}): Octokit {
    // Retries and throttling are off by default so each call is one request;
    // the fault tests switch them on to exercise octokit's own handling.
    return new Octokit({
        auth: "test-token",
        baseUrl: fake.url,
        log: quietLog,
        retry: { enabled: false },
        throttle: { enabled: false },
        ...extra,
    });
}

function templateOf(fn: { endpoint: { DEFAULTS: { method: string; url?: string } } }): [string, string] {
    const { method, url } = fn.endpoint.DEFAULTS;
    return [method, url ?? ""];
}

/** Calls an endpoint, asserts the status, and checks the body against GitHub's schema. */
export async function call<F extends EndpointMethod>(fn: F, params: Parameters<F>[0], status: number): Promise<Awaited<ReturnType<F>>> {
    const [method, template] = templateOf(fn);
    const res = (await fn(params)) as Awaited<ReturnType<F>>;
    assert.equal(res.status, status, `${method} ${template}`);
    assertMatchesOpenApi(method, template, res.status, res.data);
    checked.add(`${method} ${template}`);
    return res;
}

/** Calls an endpoint expecting a GitHub error; checks the error body's shape too. */
export async function callError<F extends EndpointMethod>(fn: F, params: Parameters<F>[0], status: number): Promise<RequestError> {
    const [method, template] = templateOf(fn);
    try {
        await fn(params);
    } catch (err) {
        assert.ok(err instanceof RequestError, String(err));
        assert.equal(err.status, status);
        assertErrorShape(method, template, status, err.response?.data);
        return err;
    }
    assert.fail(`${method} ${template} should have failed with ${status}`);
}

/**
 * Documented error statuses use the operation's schema; others (401 anywhere)
 * and those documented without a body (a 422 on DELETE git/refs, which GitHub
 * still answers with a message) GitHub's Basic Error or Validation Error.
 */
function assertErrorShape(method: string, template: string, status: number, body: unknown): void {
    if (documentsStatus(method, template, status) && responseSchema(method, template, status))
        assertMatchesOpenApi(method, template, status, body);
    else assertMatchesSchemaTitled(status === 422 ? "Validation Error" : "Basic Error", body);
    const error = body as { message?: unknown; documentation_url?: unknown; status?: unknown };
    assert.equal(typeof error.message, "string");
    assert.match(String(error.documentation_url), /^https:\/\/docs\.github\.com\//);
    assert.equal(error.status, String(status));
}
