import assert from "node:assert/strict";
import { CircleCi } from "../../clients/circleci";
import { CircleCiError, DEFAULT_CIRCLECI_API_URL, type CircleCiOptions } from "../../clients/circleci-http";
import { projectSlug } from "../../clients/circleci-pipelines";
import { backoffMs, retryAfterMs } from "../../clients/http-retry";
import {
    circleFaults,
    startFakeCircleCi,
    UNAUTHORIZED_MESSAGE,
    type FakeCircleCi,
    type FakeCircleCiOptions,
    type FakeWorkflowStatus,
} from "../fakes/circleci";

const SLUG = "gh/acme/app";
const OWNER = "2d1c9b0e-0000-4000-8000-00000000abcd";
const PIPELINES = /^\/project\/gh\/acme\/app\/pipeline$/;
const WORKFLOWS = /^\/pipeline\/[^/]+\/workflow$/;

function client(fake: FakeCircleCi, extra: Partial<CircleCiOptions> = {}): CircleCi {
    // Tiny backoff keeps retry tests fast; the retry-after test sets its own wait through the header.
    return new CircleCi({ token: fake.token, baseUrl: fake.url, retryBaseMs: 1, ...extra });
}

async function rejection(promise: Promise<unknown>): Promise<CircleCiError> {
    try {
        await promise;
    } catch (err) {
        assert.ok(err instanceof CircleCiError, `expected a CircleCiError, got ${String(err)}`);
        return err;
    }
    assert.fail("expected the call to fail");
}

/** Newest first on the fake regardless of insertion order; each entry is one pipeline's workflow statuses. */
function seed(fake: FakeCircleCi, numbersToWorkflows: Record<number, FakeWorkflowStatus[]>, branch = "main"): void {
    for (const [number, workflows] of Object.entries(numbersToWorkflows)) {
        fake.addPipeline(SLUG, { number: Number(number), branch, workflows });
    }
}

describe("CircleCI client", () => {
    let fake: FakeCircleCi;

    async function restart(options: FakeCircleCiOptions): Promise<void> {
        await fake.close();
        fake = await startFakeCircleCi(options);
    }

    beforeEach(async () => {
        fake = await startFakeCircleCi();
    });

    afterEach(async () => {
        await fake.close();
    });

    describe("configuration", () => {
        it("builds GitHub project slugs", () => {
            assert.equal(projectSlug("acme", "app"), "gh/acme/app");
        });

        it("defaults the API root to CIRCLECI_API_URL, else CircleCI cloud, without a trailing slash", () => {
            const saved = process.env.CIRCLECI_API_URL;
            try {
                delete process.env.CIRCLECI_API_URL;
                assert.equal(new CircleCi({ token: "t" }).baseUrl, DEFAULT_CIRCLECI_API_URL);
                process.env.CIRCLECI_API_URL = "http://127.0.0.1:9/api/v2/";
                assert.equal(new CircleCi({ token: "t" }).baseUrl, "http://127.0.0.1:9/api/v2");
            } finally {
                if (saved === undefined) delete process.env.CIRCLECI_API_URL;
                else process.env.CIRCLECI_API_URL = saved;
            }
        });

        it("refuses to start without a token, naming the variable", () => {
            assert.throws(() => new CircleCi({ token: "" }), /CIRCLECI_TOKEN is not set/);
            assert.throws(() => CircleCi.fromEnv({}), /CIRCLECI_TOKEN is not set/);
            const fromEnv = CircleCi.fromEnv({ CIRCLECI_TOKEN: "t", CIRCLECI_API_URL: "http://127.0.0.1:9/api/v2" });
            assert.equal(fromEnv.baseUrl, "http://127.0.0.1:9/api/v2");
        });
    });

    describe("latestGreenPipeline", () => {
        it("finds the newest green pipeline on the second page", async () => {
            for (let n = 6; n <= 25; n++) fake.addPipeline(SLUG, { number: n, workflows: n % 2 ? ["success", "failed"] : ["running"] });
            const green = fake.addPipeline(SLUG, { number: 5, revision: "a".repeat(40), workflows: ["success", "success"] });
            seed(fake, { 4: ["success"] });
            const found = await client(fake).latestGreenPipeline(SLUG, "main");
            assert.deepEqual(found, { number: 5, revision: "a".repeat(40), id: green.id, createdAt: green.createdAt });
            assert.equal(fake.reads(PIPELINES), 2);
            assert.ok(fake.requests.some((r) => PIPELINES.test(r.path) && r.url.includes("page-token=")));
        });

        it("skips running, failed, on-hold, canceled and workflow-less pipelines, and other branches", async () => {
            seed(fake, { 12: ["success"] }, "feature");
            seed(fake, {
                11: ["success", "running"],
                10: ["failed"],
                9: [],
                8: ["on_hold", "success"],
                7: ["canceled"],
                6: ["success", "success", "success"],
                5: ["success"],
            });
            const found = await client(fake).latestGreenPipeline(SLUG, "main");
            assert.equal(found?.number, 6);
            assert.ok(fake.requests.every((r) => !r.url.includes("branch=feature")));
        });

        it("stops at the first green pipeline: one page, and at most the concurrency window of workflow reads", async () => {
            for (let n = 1; n <= 40; n++) fake.addPipeline(SLUG, { number: n, workflows: ["success"] });
            const found = await client(fake).latestGreenPipeline(SLUG, "main");
            assert.equal(found?.number, 40);
            assert.equal(fake.reads(PIPELINES), 1);
            assert.ok(fake.reads(WORKFLOWS) <= 4, `read ${fake.reads(WORKFLOWS)} workflow lists`);
        });

        it("returns undefined when no pipeline is green, after reading every page", async () => {
            for (let n = 1; n <= 30; n++) fake.addPipeline(SLUG, { number: n, workflows: ["failed"] });
            const circle = client(fake);
            assert.equal(await circle.latestGreenPipeline(SLUG, "main"), undefined);
            const search = await circle.findGreenPipeline(SLUG, "main");
            assert.deepEqual(search, { pagesRead: 2, pipelinesChecked: 30, pageCapReached: false });
        });

        it("says when it stopped at the page cap rather than at the end of history", async () => {
            for (let n = 2; n <= 41; n++) fake.addPipeline(SLUG, { number: n, workflows: ["failed"] });
            seed(fake, { 1: ["success"] });
            const search = await client(fake).findGreenPipeline(SLUG, "main", { maxPages: 2 });
            assert.equal(search.pipeline, undefined);
            assert.equal(search.pageCapReached, true);
            assert.equal(search.pagesRead, 2);
            assert.equal(fake.reads(PIPELINES), 2);
            assert.equal((await client(fake).latestGreenPipeline(SLUG, "main", { maxPages: 3 }))?.number, 1);
        });

        it("reads every page of a pipeline's workflows before calling it green", async () => {
            await restart({ pageSize: 2 });
            seed(fake, { 3: ["success", "success", "failed"], 2: ["success", "success", "success"] });
            const circle = client(fake);
            const found = await circle.latestGreenPipeline(SLUG, "main");
            assert.equal(found?.number, 2);
            const workflows = await circle.workflows(fake.pipelines(SLUG)[0].id);
            assert.deepEqual(
                workflows.map((w) => [w.status, w.pipelineNumber]),
                [
                    ["success", 3],
                    ["success", 3],
                    ["failed", 3],
                ],
            );
        });

        it("decides in order even when an older pipeline's workflows answer first", async () => {
            seed(fake, { 3: ["success"], 2: ["success"], 1: ["success"] });
            const newest = fake.pipelines(SLUG)[0];
            // The newest pipeline's workflows come back last.
            const slowFetch: typeof fetch = async (input, init) => {
                if ((input instanceof Request ? input.url : input.toString()).includes(`/pipeline/${newest.id}/workflow`))
                    await new Promise((r) => setTimeout(r, 80));
                return fetch(input, init);
            };
            const found = await client(fake, { fetchImpl: slowFetch }).latestGreenPipeline(SLUG, "main");
            assert.equal(found?.number, 3);
        });

        it("fetches workflows in parallel under the concurrency limit when every answer is slow", async () => {
            // A fresh fake per run: requests the first run aborted may still be waiting out their latency.
            for (const concurrency of [4, 1]) {
                await restart({ latencyMs: 40 });
                for (let n = 1; n <= 12; n++) fake.addPipeline(SLUG, { number: n, workflows: n === 3 ? ["success"] : ["failed"] });
                const found = await client(fake).findGreenPipeline(SLUG, "main", { concurrency });
                assert.equal(found.pipeline?.number, 3);
                assert.equal(found.pipelinesChecked, 10);
                if (concurrency === 1) assert.equal(fake.maxInFlight, 1);
                else assert.ok(fake.maxInFlight > 1 && fake.maxInFlight <= concurrency, `max in flight ${fake.maxInFlight}`);
            }
        });

        it("reports an unknown project as a 404 CircleCiError", async () => {
            const err = await rejection(client(fake).latestGreenPipeline("gh/acme/nope", "main"));
            assert.equal(err.status, 404);
            assert.equal(err.method, "GET");
            assert.equal(err.path, "/project/gh/acme/nope/pipeline");
            assert.equal(err.apiMessage, "Project not found");
            assert.equal(fake.reads(), 1);
        });
    });

    describe("pipelineRevision", () => {
        it("maps a build number to its commit, and an unknown one to undefined", async () => {
            fake.addPipeline(SLUG, { number: 1412, revision: "0123456789abcdef0123456789abcdef01234567", workflows: ["success"] });
            assert.equal(await client(fake).pipelineRevision(SLUG, 1412), "0123456789abcdef0123456789abcdef01234567");
            assert.equal(await client(fake).pipelineRevision(SLUG, 9999), undefined);
        });
    });

    describe("workflowJobs", () => {
        it("lists every job of a workflow across pages, with the number only of jobs that ran", async () => {
            await restart({ pageSize: 2 });
            const p = fake.addPipeline("gh/acme/ops", {
                number: 9,
                workflows: [
                    {
                        name: "deploy",
                        status: "failed",
                        jobs: [
                            { name: "build", status: "success" },
                            { name: "deploy-staging", status: "failed" },
                            { name: "deploy-demo", status: "blocked" },
                        ],
                    },
                ],
            });
            const jobs = await client(fake).workflowJobs(p.workflows[0].id);
            assert.deepEqual(
                jobs.map((j) => [j.name, j.status, typeof j.jobNumber]),
                [
                    ["build", "success", "number"],
                    ["deploy-staging", "failed", "number"],
                    ["deploy-demo", "blocked", "undefined"],
                ],
            );
            assert.equal(fake.reads(/\/workflow\/[^/]+\/job$/), 2, "two pages");
            assert.equal((await rejection(client(fake).workflowJobs("no-such-workflow"))).status, 404);
        });
    });

    describe("retries", () => {
        it("retries a read after a 502 and succeeds", async () => {
            seed(fake, { 1: ["success"] });
            fake.fail({ method: "GET", path: PIPELINES }, circleFaults.badGateway(), 2);
            const found = await client(fake).latestGreenPipeline(SLUG, "main");
            assert.equal(found?.number, 1);
            assert.equal(fake.reads(PIPELINES), 3);
        });

        it("gives up on a read after the configured retries with the last status", async () => {
            fake.addProject(SLUG);
            fake.fail({ path: PIPELINES }, circleFaults.serverError(), 10);
            const err = await rejection(client(fake, { retries: 2 }).pipelinesPage(SLUG, "main"));
            assert.equal(err.status, 500);
            assert.equal(err.apiMessage, "Internal server error.");
            assert.equal(fake.reads(PIPELINES), 3);
        });

        it("honours retry-after on a 429 instead of its own backoff", async () => {
            fake.addProject(SLUG);
            fake.fail({ path: PIPELINES }, circleFaults.rateLimited(1));
            const started = Date.now();
            await client(fake).pipelinesPage(SLUG, "main");
            const elapsed = Date.now() - started;
            assert.ok(elapsed >= 950, `retried after ${elapsed} ms`);
            assert.equal(fake.reads(PIPELINES), 2);
        });

        it("fails at once when retry-after asks for longer than it will wait", async () => {
            fake.addProject(SLUG);
            fake.fail({ path: PIPELINES }, circleFaults.rateLimited(120));
            const err = await rejection(client(fake, { maxRetryAfterMs: 5_000 }).pipelinesPage(SLUG, "main"));
            assert.equal(err.status, 429);
            assert.match(err.message, /\(try again after \d{4}-\d\d-\d\dT[\d:.]+Z, in 120 s\)/);
            assert.ok(err.retryAt && Math.abs(err.retryAt.getTime() - (Date.now() + 120_000)) < 5_000, "says when to try again");
            assert.equal(fake.reads(), 1);
        });

        it("sends a POST once even after a 502: the create may have landed", async () => {
            fake.fail({ method: "POST", path: /^\/context$/ }, circleFaults.badGateway(), 5);
            const err = await rejection(client(fake).createContext(OWNER, "deploy-staging"));
            assert.equal(err.status, 502);
            assert.equal(err.method, "POST");
            assert.equal(fake.requests.length, 1);
        });

        it("sends a POST once after a network error too", async () => {
            let calls = 0;
            const broken: typeof fetch = async () => {
                calls += 1;
                throw new TypeError("fetch failed", { cause: { code: "ECONNRESET" } });
            };
            const err = await rejection(client(fake, { fetchImpl: broken }).createContext(OWNER, "x"));
            assert.equal(err.status, undefined);
            assert.match(err.message, /ECONNRESET/);
            assert.equal(calls, 1);
        });

        it("retries a read after a network error", async () => {
            fake.addProject(SLUG);
            let calls = 0;
            const flaky: typeof fetch = async (input, init) => {
                calls += 1;
                if (calls === 1) throw new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } });
                return fetch(input, init);
            };
            const page = await client(fake, { fetchImpl: flaky }).pipelinesPage(SLUG, "main");
            assert.deepEqual(page.items, []);
            assert.equal(calls, 2);
        });

        it("retries idempotent writes: PUT of a variable and DELETE", async () => {
            const context = fake.addContext({ name: "deploy", ownerId: OWNER, envVars: { OLD: "x" } });
            fake.fail({ method: "PUT" }, circleFaults.badGateway());
            fake.fail({ method: "DELETE" }, circleFaults.unavailable());
            const circle = client(fake);
            await circle.putEnvVar(context.id, "TOKEN", "v1");
            assert.equal(await circle.deleteEnvVar(context.id, "OLD"), true);
            assert.equal(fake.envValue(context.id, "TOKEN"), "v1");
            assert.equal(fake.writes(/\/TOKEN$/), 2);
            assert.equal(fake.writes(/\/OLD$/), 2);
        });

        it("never retries other 4xx answers", async () => {
            const context = fake.addContext({ name: "deploy", ownerId: OWNER });
            const err = await rejection(client(fake).putEnvVar(context.id, "1-bad", "x"));
            assert.equal(err.status, 400);
            assert.equal(await client(fake).getContext("5e3f0000-0000-4000-8000-000000000000"), undefined);
            assert.equal(fake.requests.length, 2);
        });

        it("stops retrying when the caller aborts during the backoff", async () => {
            fake.fail({ path: /^\/context$/ }, circleFaults.badGateway(), 5);
            const abort = new AbortController();
            // Abort once the first attempt has been answered, i.e. inside the 5 s backoff; a fixed delay from
            // the start raced the first request on a loaded machine.
            const until = Date.now() + 10_000;
            void (async () => {
                while (fake.requests.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
                setTimeout(() => abort.abort(), 50);
            })();
            const circle = client(fake, { retryBaseMs: 5_000 });
            const started = Date.now();
            const err = await rejection(circle.request("GET", "/context", { query: { "owner-id": OWNER }, signal: abort.signal }));
            assert.equal(err.status, undefined);
            assert.match(err.message, /aborted/);
            assert.equal(fake.requests.length, 1);
            assert.ok(Date.now() - started < 2_000, "slept out the backoff after the abort");
        });

        it("computes waits from retry-after seconds or dates, and backs off exponentially otherwise", () => {
            assert.equal(retryAfterMs(429, "2"), 2000);
            assert.equal(retryAfterMs(503, new Date(10_000).toUTCString(), 4_000), 6_000);
            assert.equal(retryAfterMs(500, "2"), undefined);
            assert.equal(retryAfterMs(429, "soon"), undefined);
            assert.equal(
                backoffMs(0, 200, () => 1),
                200,
            );
            assert.equal(
                backoffMs(3, 200, () => 0),
                800,
            );
        });
    });

    describe("authentication", () => {
        it("turns a 401 into a clear error that never carries the token", async () => {
            const secret = "secret-token-value-never-shown";
            const circle = new CircleCi({ token: secret, baseUrl: fake.url, retryBaseMs: 1 });
            const err = await rejection(circle.latestGreenPipeline(SLUG, "main"));
            assert.equal(err.status, 401);
            assert.match(err.message, /CIRCLECI_TOKEN was refused/);
            assert.ok(err.message.includes(UNAUTHORIZED_MESSAGE));
            for (const text of [err.message, String(err.stack), JSON.stringify(err), String(err)]) {
                assert.ok(!text.includes(secret), `token leaked into: ${text}`);
            }
            assert.equal(fake.requests.length, 1);
        });
    });

    describe("contexts", () => {
        it("creates, finds, reads and deletes a context; a second delete reports it already gone", async () => {
            const circle = client(fake);
            const created = await circle.createContext(OWNER, "deploy-prod");
            assert.equal(fake.contextNamed(OWNER, "deploy-prod")?.id, created.id);
            assert.deepEqual(await circle.findContext(OWNER, "deploy-prod"), created);
            assert.equal(await circle.findContext(OWNER, "missing"), undefined);
            assert.deepEqual(await circle.getContext(created.id), created);
            assert.equal(await circle.deleteContext(created.id), true);
            assert.equal(await circle.deleteContext(created.id), false);
            assert.equal(await circle.getContext(created.id), undefined);
        });

        it("lists every page of an owner's contexts", async () => {
            await restart({ pageSize: 2 });
            for (const name of ["a", "b", "c", "d", "e"]) fake.addContext({ name, ownerId: OWNER });
            const names = (await client(fake).listContexts(OWNER)).map((c) => c.name);
            assert.deepEqual(names, ["a", "b", "c", "d", "e"]);
            assert.equal(fake.reads(/^\/context$/), 3);
        });

        it("puts, lists and deletes variables without ever reading a value back", async () => {
            await restart({ pageSize: 2 });
            const context = fake.addContext({ name: "deploy", ownerId: OWNER });
            const circle = client(fake);
            for (const [name, value] of [
                ["A", "1"],
                ["B", "2"],
                ["C", "3"],
            ] as const)
                await circle.putEnvVar(context.id, name, value);
            const replaced = await circle.putEnvVar(context.id, "B", "22");
            assert.deepEqual(Object.keys(replaced).sort(), ["contextId", "createdAt", "name", "updatedAt"]);
            const vars = await circle.listEnvVars(context.id);
            assert.deepEqual(
                vars.map((v) => v.name),
                ["A", "B", "C"],
            );
            assert.ok(vars.every((v) => v.contextId === context.id && !("value" in v)));
            assert.equal(fake.envValue(context.id, "B"), "22");
            assert.equal(await circle.deleteEnvVar(context.id, "A"), true);
            assert.equal(await circle.deleteEnvVar(context.id, "A"), false);
        });

        it("creates, lists and deletes restrictions", async () => {
            const context = fake.addContext({ name: "deploy", ownerId: OWNER });
            const circle = client(fake);
            const rule = 'pipeline.git.branch == "main"';
            const created = await circle.createRestriction(context.id, { type: "expression", value: rule });
            assert.deepEqual(created, { id: created.id, contextId: context.id, type: "expression", value: rule });
            await circle.createRestriction(context.id, { type: "project", value: "9d1c1b0a-0000-4000-8000-000000000001" });
            const listed = await circle.listRestrictions(context.id);
            assert.deepEqual(
                listed.map((r) => r.type),
                ["expression", "project"],
            );
            assert.equal(await circle.deleteRestriction(context.id, created.id), true);
            assert.equal(await circle.deleteRestriction(context.id, created.id), false);
            assert.equal((await circle.listRestrictions(context.id)).length, 1);
        });

        it("sends a variable's value in the PUT body only, never in the path or an error", async () => {
            const context = fake.addContext({ name: "deploy", ownerId: OWNER });
            fake.fail({ method: "PUT" }, { status: 403, body: { message: "Permission denied" } });
            const err = await rejection(client(fake).putEnvVar(context.id, "TOKEN", "v4lue-that-must-not-leak"));
            assert.equal(err.status, 403);
            assert.ok(!err.message.includes("v4lue-that-must-not-leak"));
            assert.ok(fake.requests.every((r) => !r.url.includes("v4lue")));
        });
    });
});
