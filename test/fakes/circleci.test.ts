import assert from "node:assert/strict";
import { circleFaults, startFakeCircleCi, UNAUTHORIZED_MESSAGE, type FakeCircleCi, type FakeCircleCiOptions } from "./circleci";

// The fake is exercised with bare fetch, not conveyor's client, so a bug in one cannot hide a bug in the other.

interface Answer {
    status: number;
    headers: Headers;
    text: string;
    body: any;
}

async function call(fake: FakeCircleCi, method: string, path: string, body?: unknown, token: string | null = fake.token): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (token !== null) headers["Circle-Token"] = token;
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(fake.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let parsed: unknown;
    try {
        parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
        parsed = undefined;
    }
    return { status: res.status, headers: res.headers, text, body: parsed };
}

async function ok(fake: FakeCircleCi, method: string, path: string, body?: unknown): Promise<any> {
    const answer = await call(fake, method, path, body);
    assert.ok(answer.status === 200 || answer.status === 201, `${method} ${path} answered ${answer.status}: ${answer.text}`);
    return answer.body;
}

/** Exactly these keys, so the fake neither drops a field the client reads nor grows ones CircleCI lacks. */
function assertKeys(value: Record<string, unknown>, required: string[], optional: string[] = []): void {
    for (const key of required) assert.ok(key in value, `missing ${key} in ${JSON.stringify(value)}`);
    const allowed = new Set([...required, ...optional]);
    for (const key of Object.keys(value)) assert.ok(allowed.has(key), `unexpected ${key} in ${JSON.stringify(value)}`);
}

const PIPELINE_KEYS = ["id", "errors", "project_slug", "updated_at", "number", "state", "created_at", "trigger", "vcs"];
const WORKFLOW_KEYS = ["pipeline_id", "id", "name", "project_slug", "status", "started_by", "pipeline_number", "created_at", "stopped_at"];
const ENV_VAR_KEYS = ["variable", "context_id", "created_at", "updated_at"];

describe("fake CircleCI", () => {
    let fake: FakeCircleCi;

    async function restart(options: FakeCircleCiOptions = {}): Promise<void> {
        await fake.close();
        fake = await startFakeCircleCi(options);
    }

    beforeEach(async () => {
        fake = await startFakeCircleCi();
    });

    afterEach(async () => {
        await fake.close();
    });

    describe("authentication", () => {
        it("answers 401 with CircleCI's message without a token or with a wrong one", async () => {
            fake.addProject("gh/acme/app");
            for (const token of [null, "wrong-token"]) {
                const answer = await call(fake, "GET", "/project/gh/acme/app/pipeline", undefined, token);
                assert.equal(answer.status, 401);
                assert.deepEqual(answer.body, { message: UNAUTHORIZED_MESSAGE });
            }
            assert.equal((await call(fake, "GET", "/project/gh/acme/app/pipeline")).status, 200);
        });

        it("answers unknown routes with 404 and a message", async () => {
            const answer = await call(fake, "GET", "/nowhere");
            assert.equal(answer.status, 404);
            assert.equal(typeof answer.body.message, "string");
        });
    });

    describe("pipelines", () => {
        it("lists a branch's pipelines newest first in CircleCI's shape", async () => {
            fake.addPipeline("gh/acme/app", { number: 1, workflows: ["success"] });
            fake.addPipeline("gh/acme/app", { number: 3, revision: "c".repeat(40), workflows: ["running"] });
            fake.addPipeline("gh/acme/app", { number: 2, branch: "feature", workflows: ["failed"] });
            const page = await ok(fake, "GET", "/project/gh/acme/app/pipeline?branch=main");
            assert.deepEqual(
                page.items.map((p: any) => p.number),
                [3, 1],
            );
            assert.equal(page.next_page_token, null);
            assertKeys(page.items[0], PIPELINE_KEYS);
            assert.equal(page.items[0].vcs.revision, "c".repeat(40));
            assert.equal(page.items[0].vcs.branch, "main");
            assert.equal(page.items[0].project_slug, "gh/acme/app");
            const all = await ok(fake, "GET", "/project/gh/acme/app/pipeline");
            assert.deepEqual(
                all.items.map((p: any) => p.number),
                [3, 2, 1],
            );
        });

        it("pages by 20 with next_page_token, and a pipeline added meanwhile does not shift later pages", async () => {
            for (let n = 1; n <= 45; n++) fake.addPipeline("gh/acme/app", { number: n, workflows: ["success"] });
            const first = await ok(fake, "GET", "/project/gh/acme/app/pipeline?branch=main");
            assert.equal(first.items.length, 20);
            assert.equal(first.items[0].number, 45);
            assert.equal(typeof first.next_page_token, "string");
            fake.addPipeline("gh/acme/app", { number: 46, workflows: ["success"] });
            const second = await ok(fake, "GET", `/project/gh/acme/app/pipeline?branch=main&page-token=${first.next_page_token}`);
            assert.deepEqual([second.items[0].number, second.items.at(-1).number], [25, 6]);
            const third = await ok(fake, "GET", `/project/gh/acme/app/pipeline?branch=main&page-token=${second.next_page_token}`);
            assert.deepEqual(
                third.items.map((p: any) => p.number),
                [5, 4, 3, 2, 1],
            );
            assert.equal(third.next_page_token, null);
        });

        it("answers 404 for an unknown project, 200 for a known empty one, 400 for a bad page token", async () => {
            assert.equal((await call(fake, "GET", "/project/gh/acme/nope/pipeline")).status, 404);
            fake.addProject("gh/acme/empty");
            assert.deepEqual(await ok(fake, "GET", "/project/gh/acme/empty/pipeline"), { items: [], next_page_token: null });
            fake.addPipeline("gh/acme/app", { number: 1 });
            assert.equal((await call(fake, "GET", "/project/gh/acme/app/pipeline?page-token=bm9wZQ")).status, 400);
        });

        it("lists a pipeline's workflows, paginated, with stopped_at null while unfinished", async () => {
            await restart({ pageSize: 2 });
            const pipeline = fake.addPipeline("gh/acme/app", {
                number: 9,
                workflows: ["success", { name: "deploy", status: "on_hold" }, "failed"],
            });
            const first = await ok(fake, "GET", `/pipeline/${pipeline.id}/workflow`);
            assert.deepEqual(
                first.items.map((w: any) => w.status),
                ["success", "on_hold"],
            );
            for (const w of first.items) assertKeys(w, WORKFLOW_KEYS);
            assert.equal(first.items[1].name, "deploy");
            assert.equal(first.items[1].stopped_at, null);
            assert.equal(first.items[0].pipeline_number, 9);
            const second = await ok(fake, "GET", `/pipeline/${pipeline.id}/workflow?page-token=${first.next_page_token}`);
            assert.deepEqual(
                second.items.map((w: any) => w.status),
                ["failed"],
            );
            assert.equal(second.next_page_token, null);
            assert.equal((await call(fake, "GET", "/pipeline/00000000-0000-4000-8000-000000000000/workflow")).status, 404);
        });

        it("lets a test change a workflow's status between calls", async () => {
            const pipeline = fake.addPipeline("gh/acme/app", { number: 1, workflows: ["running"] });
            pipeline.workflows[0].status = "success";
            const page = await ok(fake, "GET", `/pipeline/${pipeline.id}/workflow`);
            assert.equal(page.items[0].status, "success");
        });
    });

    describe("contexts", () => {
        const owner = "5f1f8f4e-0000-4000-8000-000000000001";

        it("creates, lists by owner, gets and deletes contexts", async () => {
            const created = await ok(fake, "POST", "/context", { name: "deploy-staging", owner: { id: owner, type: "organization" } });
            assertKeys(created, ["id", "name", "created_at"]);
            assert.equal(created.name, "deploy-staging");
            fake.addContext({ name: "other-org", ownerId: "someone-else" });
            const list = await ok(fake, "GET", `/context?owner-id=${owner}`);
            assert.deepEqual(
                list.items.map((c: any) => c.name),
                ["deploy-staging"],
            );
            assert.deepEqual(await ok(fake, "GET", `/context/${created.id}`), created);
            assert.equal(typeof (await ok(fake, "DELETE", `/context/${created.id}`)).message, "string");
            assert.equal((await call(fake, "GET", `/context/${created.id}`)).status, 404);
            assert.equal((await call(fake, "DELETE", `/context/${created.id}`)).status, 404);
        });

        it("refuses a duplicate name for the same owner and a body without owner", async () => {
            await ok(fake, "POST", "/context", { name: "release", owner: { id: owner } });
            assert.equal((await call(fake, "POST", "/context", { name: "release", owner: { id: owner } })).status, 409);
            assert.equal((await call(fake, "POST", "/context", { name: "x" })).status, 400);
            assert.equal((await call(fake, "GET", "/context")).status, 400);
        });

        it("pages the contexts of an owner", async () => {
            await restart({ pageSize: 2 });
            for (const name of ["a", "b", "c"]) fake.addContext({ name, ownerId: owner });
            const first = await ok(fake, "GET", `/context?owner-id=${owner}`);
            const second = await ok(fake, "GET", `/context?owner-id=${owner}&page-token=${first.next_page_token}`);
            assert.deepEqual(
                [...first.items, ...second.items].map((c: any) => c.name),
                ["a", "b", "c"],
            );
            assert.equal(second.next_page_token, null);
        });
    });

    describe("context environment variables", () => {
        it("stores values but never returns them", async () => {
            const context = fake.addContext({ name: "deploy", ownerId: "org" });
            const put = await ok(fake, "PUT", `/context/${context.id}/environment-variable/AWS_KEY`, { value: "s3cret" });
            assertKeys(put, ENV_VAR_KEYS);
            assert.equal(put.variable, "AWS_KEY");
            assert.equal(put.context_id, context.id);
            const list = await call(fake, "GET", `/context/${context.id}/environment-variable`);
            assert.equal(list.status, 200);
            for (const item of list.body.items) assertKeys(item, ENV_VAR_KEYS);
            assert.ok(!list.text.includes("s3cret"));
            assert.equal(fake.envValue(context.id, "AWS_KEY"), "s3cret");
        });

        it("replaces a value in place, keeping created_at", async () => {
            const context = fake.addContext({ name: "deploy", ownerId: "org" });
            const first = await ok(fake, "PUT", `/context/${context.id}/environment-variable/TOKEN`, { value: "one" });
            await new Promise((resolve) => setTimeout(resolve, 5));
            const second = await ok(fake, "PUT", `/context/${context.id}/environment-variable/TOKEN`, { value: "two" });
            assert.equal(second.created_at, first.created_at);
            assert.ok(second.updated_at > first.updated_at);
            assert.equal(fake.envValue(context.id, "TOKEN"), "two");
        });

        it("deletes a variable, then answers 404 for it; refuses bad names and bodies", async () => {
            const context = fake.addContext({ name: "deploy", ownerId: "org", envVars: { A: "1", B: "2" } });
            await ok(fake, "DELETE", `/context/${context.id}/environment-variable/A`);
            assert.equal((await call(fake, "DELETE", `/context/${context.id}/environment-variable/A`)).status, 404);
            const list = await ok(fake, "GET", `/context/${context.id}/environment-variable`);
            assert.deepEqual(
                list.items.map((v: any) => v.variable),
                ["B"],
            );
            assert.equal((await call(fake, "PUT", `/context/${context.id}/environment-variable/1BAD`, { value: "x" })).status, 400);
            assert.equal((await call(fake, "PUT", `/context/${context.id}/environment-variable/OK`, {})).status, 400);
            assert.equal((await call(fake, "PUT", "/context/missing/environment-variable/OK", { value: "x" })).status, 404);
        });
    });

    describe("context restrictions", () => {
        it("creates, lists and deletes restrictions", async () => {
            const context = fake.addContext({ name: "deploy", ownerId: "org" });
            const created = await call(fake, "POST", `/context/${context.id}/restrictions`, {
                restriction_type: "expression",
                restriction_value: 'pipeline.git.branch == "main"',
            });
            assert.equal(created.status, 201);
            assertKeys(created.body, ["id", "project_id", "name", "restriction_type", "restriction_value"]);
            const legacy = await ok(fake, "POST", `/context/${context.id}/restrictions`, { project_id: "proj-uuid" });
            assert.deepEqual([legacy.restriction_type, legacy.restriction_value, legacy.project_id], ["project", "proj-uuid", "proj-uuid"]);
            const list = await ok(fake, "GET", `/context/${context.id}/restrictions`);
            assert.deepEqual(
                list.items.map((r: any) => r.restriction_type),
                ["expression", "project"],
            );
            assert.equal(list.items[0].context_id, context.id);
            await ok(fake, "DELETE", `/context/${context.id}/restrictions/${created.body.id}`);
            assert.equal((await call(fake, "DELETE", `/context/${context.id}/restrictions/${created.body.id}`)).status, 404);
        });

        it("refuses duplicates and unknown types", async () => {
            const context = fake.addContext({ name: "deploy", ownerId: "org" });
            const body = { restriction_type: "project", restriction_value: "p1" };
            await ok(fake, "POST", `/context/${context.id}/restrictions`, body);
            assert.equal((await call(fake, "POST", `/context/${context.id}/restrictions`, body)).status, 409);
            const bad = { restriction_type: "branch", restriction_value: "main" };
            assert.equal((await call(fake, "POST", `/context/${context.id}/restrictions`, bad)).status, 400);
        });
    });

    describe("request log and faults", () => {
        it("logs every request with read and write counts", async () => {
            const context = fake.addContext({ name: "deploy", ownerId: "org" });
            await ok(fake, "GET", `/context/${context.id}/environment-variable?page-token=`);
            await ok(fake, "PUT", `/context/${context.id}/environment-variable/A`, { value: "1" });
            await call(fake, "GET", "/context/missing");
            assert.equal(fake.reads(), 2);
            assert.equal(fake.writes(), 1);
            assert.equal(fake.reads(/environment-variable$/), 1);
            assert.equal(fake.requests[0].path, `/context/${context.id}/environment-variable`);
            assert.equal(fake.requests[0].url, `/context/${context.id}/environment-variable?page-token=`);
            assert.deepEqual(
                fake.requests.map((r) => r.status),
                [200, 200, 404],
            );
            fake.clearRequests();
            assert.equal(fake.requests.length, 0);
        });

        it("answers matching requests with the fault the given number of times, before authentication", async () => {
            fake.addProject("gh/acme/app");
            fake.fail({ method: "get", path: /\/pipeline$/ }, circleFaults.rateLimited(7), 2);
            const first = await call(fake, "GET", "/project/gh/acme/app/pipeline", undefined, null);
            assert.equal(first.status, 429);
            assert.equal(first.headers.get("retry-after"), "7");
            assert.equal((await call(fake, "POST", "/project/gh/acme/app/pipeline", {})).status, 404);
            assert.equal((await call(fake, "GET", "/project/gh/acme/app/pipeline")).status, 429);
            assert.equal((await call(fake, "GET", "/project/gh/acme/app/pipeline")).status, 200);
            assert.deepEqual(
                fake.requests.map((r) => r.faulted),
                [true, false, true, false],
            );
        });

        it("sends string bodies as they are, like a proxy's error page", async () => {
            fake.fail({}, circleFaults.badGateway());
            const answer = await call(fake, "GET", "/context?owner-id=x");
            assert.equal(answer.status, 502);
            assert.match(answer.text, /Bad Gateway/);
            assert.equal(answer.body, undefined);
        });

        it("delays every answer by latencyMs and serves requests in parallel", async () => {
            await restart({ latencyMs: 60 });
            fake.addProject("gh/acme/app");
            const started = Date.now();
            await Promise.all([1, 2, 3].map(() => ok(fake, "GET", "/project/gh/acme/app/pipeline")));
            const elapsed = Date.now() - started;
            // Timers may fire a millisecond early; the in-flight count, not wall time, proves the overlap.
            assert.ok(elapsed >= 55, `answered after ${elapsed} ms`);
            assert.equal(fake.maxInFlight, 3);
        });
    });
});
