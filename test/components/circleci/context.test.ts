// The CircleCI Context dynamic provider: its methods over real HTTP against the loopback fake CircleCI, the way
// the engine calls them (faults, partial failures and reruns included), and the provider after Pulumi's
// serialisation. Its pure plans: context-plan.test.ts; the resource on Pulumi's mocks: context-resource.test.ts.
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { contextProvider } from "../../../components/circleci/context";
import type { ContextInputs, ContextOutputs } from "../../../components/circleci/context-plan";
import { isReadMethod, sleep } from "../../../clients/http-retry";
import { circleFaults, startFakeCircleCi, type FakeCircleCi } from "../../fakes/circleci";
import { reviveSerialized } from "../../commonjs";
import { assertNoValue, inputs, ORG, OTHER_ORG, PROJECT_A, PROJECT_B, VALUES } from "./context-fixture";

const ENV_VARS = /\/environment-variable\//;

type Provider = typeof contextProvider;

/** What the engine hands `configure`: the stack config. */
function config(values: Record<string, string | undefined>): pulumi.dynamic.ConfigureRequest {
    return {
        config: {
            get: (key: string) => values[key],
            require: (key: string) => values[key] ?? assert.fail(`missing config ${key}`),
        },
    };
}

async function rejection(promise: Promise<unknown>): Promise<Error & { id?: string; properties?: ContextOutputs; reasons?: string[] }> {
    try {
        await promise;
    } catch (err) {
        assert.ok(err instanceof Error, `expected an Error, got ${String(err)}`);
        return err;
    }
    return assert.fail("expected the call to fail");
}

describe("CircleCI context: provider against the fake CircleCI", function () {
    this.timeout(30_000);
    let fake: FakeCircleCi;
    const saved = { token: process.env.CIRCLECI_TOKEN, url: process.env.CIRCLECI_API_URL };
    const configured = () => config({ "circleci:token": fake.token, "circleci:apiUrl": fake.url });
    const writes = () =>
        fake.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path.replace(/\/context\/[^/]+/, "/context/:id")}`);

    beforeEach(async () => {
        delete process.env.CIRCLECI_TOKEN;
        delete process.env.CIRCLECI_API_URL;
        fake = await startFakeCircleCi();
        await contextProvider.configure!(configured());
    });

    afterEach(async () => {
        await fake.close();
        restoreEnv("CIRCLECI_TOKEN", saved.token);
        restoreEnv("CIRCLECI_API_URL", saved.url);
    });

    async function created(provider: Provider = contextProvider, over: Partial<ContextInputs> = {}) {
        const res = await provider.create(inputs(over));
        return { id: res.id, outs: res.outs! };
    }

    it("creates the context with its variables and restriction; outputs hold names and digests, no value", async () => {
        const { id, outs } = await created();
        const context = fake.contexts.get(id)!;
        assert.equal(context.name, "deploy-prod");
        assert.equal(context.ownerId, ORG);
        for (const [name, value] of Object.entries(VALUES)) assert.equal(fake.envValue(id, name), value);
        assert.deepEqual(
            context.restrictions.map((r) => [r.type, r.value]),
            [["project", PROJECT_A]],
        );
        assert.equal(outs.contextId, id);
        assert.deepEqual(outs.variableNames, Object.keys(VALUES).sort());
        assert.deepEqual(Object.keys(outs.variableDigests).sort(), Object.keys(VALUES).sort());
        assert.deepEqual(outs.projectRestrictions, [PROJECT_A]);
        assertNoValue(JSON.stringify(outs), "the outputs");
        assert.deepEqual(writes(), [
            "POST /context",
            "PUT /context/:id/environment-variable/AWS_ACCESS_KEY_ID",
            "PUT /context/:id/environment-variable/AWS_SECRET_ACCESS_KEY",
            "PUT /context/:id/environment-variable/NPM_TOKEN",
            "POST /context/:id/restrictions",
        ]);
    });

    it("adopts a context of that name instead of duplicating it, and makes it hold exactly what is declared", async () => {
        const existing = fake.addContext({ name: "deploy-prod", ownerId: ORG, envVars: { NPM_TOKEN: "stale", LEFT_BY_HAND: "x" } });
        fake.addContext({ name: "deploy-prod", ownerId: OTHER_ORG });
        const { id, outs } = await created();
        assert.equal(id, existing.id);
        assert.equal([...fake.contexts.values()].filter((c) => c.ownerId === ORG).length, 1);
        assert.equal(fake.envValue(id, "NPM_TOKEN"), VALUES.NPM_TOKEN);
        assert.equal(fake.envValue(id, "LEFT_BY_HAND"), undefined);
        assert.deepEqual(outs.variableNames, Object.keys(VALUES).sort());
        assert.ok(!writes().includes("POST /context"));
    });

    it("updates one variable with exactly one PUT, leaving the others untouched", async () => {
        const { id, outs } = await created();
        const news = inputs({ variables: { ...VALUES, AWS_SECRET_ACCESS_KEY: "rotated-secret-0004" } });
        assert.deepEqual(await contextProvider.diff!(id, outs, news), { changes: true, replaces: [], deleteBeforeReplace: false });
        fake.clearRequests();
        const updated = await contextProvider.update!(id, outs, news);
        assert.deepEqual(writes(), ["PUT /context/:id/environment-variable/AWS_SECRET_ACCESS_KEY"]);
        assert.equal(fake.envValue(id, "AWS_SECRET_ACCESS_KEY"), "rotated-secret-0004");
        assert.equal(fake.envValue(id, "NPM_TOKEN"), VALUES.NPM_TOKEN);
        assert.notEqual(updated.outs!.variableDigests.AWS_SECRET_ACCESS_KEY, outs.variableDigests.AWS_SECRET_ACCESS_KEY);
        assert.equal(updated.outs!.variableDigests.NPM_TOKEN, outs.variableDigests.NPM_TOKEN);
        assert.equal((await contextProvider.diff!(id, updated.outs!, news)).changes, false, "converged");
    });

    it("removes a variable with a DELETE", async () => {
        const { id, outs } = await created();
        const { NPM_TOKEN: _removed, ...rest } = VALUES;
        const news = inputs({ variables: rest });
        assert.equal((await contextProvider.diff!(id, outs, news)).changes, true);
        fake.clearRequests();
        const updated = await contextProvider.update!(id, outs, news);
        assert.deepEqual(writes(), ["DELETE /context/:id/environment-variable/NPM_TOKEN"]);
        assert.equal(fake.envValue(id, "NPM_TOKEN"), undefined);
        assert.deepEqual(updated.outs!.variableNames, ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]);
        assert.deepEqual(Object.keys(updated.outs!.variableDigests), ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]);
    });

    it("moves restrictions through the union, never through unrestricted, and leaves other kinds alone", async () => {
        const { id, outs } = await created();
        fake.contexts.get(id)!.restrictions.push({ id: "expr-1", type: "expression", value: 'pipeline.git.branch == "main"', name: null });
        fake.clearRequests();
        const updated = await contextProvider.update!(id, outs, inputs({ projectRestrictions: [PROJECT_B] }));
        const [first, second, ...more] = writes();
        assert.equal(first, "POST /context/:id/restrictions");
        assert.match(second ?? "", /^DELETE \/context\/:id\/restrictions\/[^/]+$/);
        assert.deepEqual(more, []);
        assert.deepEqual(
            fake.contexts
                .get(id)!
                .restrictions.map((r) => r.value)
                .sort(),
            [PROJECT_B, 'pipeline.git.branch == "main"'].sort(),
        );
        assert.deepEqual(updated.outs!.projectRestrictions, [PROJECT_B]);
        await contextProvider.update!(id, updated.outs!, inputs({ projectRestrictions: [] }));
        assert.deepEqual(
            fake.contexts.get(id)!.restrictions.map((r) => r.type),
            ["expression"],
        );
    });

    it("writes nothing when nothing changed", async () => {
        const { id, outs } = await created();
        fake.clearRequests();
        assert.equal((await contextProvider.diff!(id, outs, inputs())).changes, false);
        await contextProvider.update!(id, outs, inputs());
        assert.deepEqual(writes(), []);
    });

    it("replaces on rename: the old context is deleted, the new one created, no duplicate name", async () => {
        const { id, outs } = await created();
        const news = inputs({ name: "deploy-production" });
        const diff = await contextProvider.diff!(id, outs, news);
        assert.deepEqual(diff, { changes: true, replaces: ["name"], deleteBeforeReplace: true });
        // The engine's order for deleteBeforeReplace.
        await contextProvider.delete!(id, outs);
        const replacement = await contextProvider.create(news);
        assert.notEqual(replacement.id, id);
        assert.deepEqual(
            [...fake.contexts.values()].map((c) => c.name),
            ["deploy-production"],
        );
        assert.equal(fake.envValue(replacement.id, "NPM_TOKEN"), VALUES.NPM_TOKEN);
    });

    it("deletes, and a second delete is a no-op through CircleCI's 404", async () => {
        const { id, outs } = await created();
        fake.clearRequests();
        await contextProvider.delete!(id, outs);
        await contextProvider.delete!(id, outs);
        assert.equal(fake.contexts.size, 0);
        assert.deepEqual(
            fake.requests.map((r) => [r.method, r.status]),
            [
                ["DELETE", 200],
                ["DELETE", 404],
            ],
        );
    });

    it("refresh: names and restrictions as CircleCI has them, digests kept for names still there; gone when deleted", async () => {
        const { id, outs } = await created();
        const context = fake.contexts.get(id)!;
        context.envVars.delete("NPM_TOKEN");
        context.envVars.set("ADDED_BY_HAND", { value: "x", createdAt: "", updatedAt: "" });
        context.restrictions.length = 0;
        const read = await contextProvider.read!(id, outs);
        assert.equal(read.id, id);
        const props = read.props!;
        assert.deepEqual(props.variableNames, ["ADDED_BY_HAND", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]);
        assert.deepEqual(Object.keys(props.variableDigests).sort(), ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]);
        assert.deepEqual(props.projectRestrictions, []);
        assert.equal(props.organizationId, ORG);
        assert.equal((await contextProvider.diff!(id, props, inputs())).changes, true, "drift shows up in the next diff");
        fake.clearRequests();
        await contextProvider.update!(id, props, inputs());
        assert.deepEqual(writes(), [
            "PUT /context/:id/environment-variable/NPM_TOKEN",
            "DELETE /context/:id/environment-variable/ADDED_BY_HAND",
            "POST /context/:id/restrictions",
        ]);
        fake.contexts.delete(id);
        const gone = await contextProvider.read!(id, props);
        assert.ok(!gone.id, "no id tells the engine the context is gone");
    });

    it("says to refresh when updating a context deleted by hand", async () => {
        const { id, outs } = await created();
        fake.contexts.delete(id);
        const err = await rejection(contextProvider.update!(id, outs, inputs({ variables: { ...VALUES, NPM_TOKEN: "new" } })));
        assert.match(err.message, /no longer exists on CircleCI.*pulumi refresh/);
    });

    it("without a token: a clear message, nothing sent", async () => {
        await contextProvider.configure!(config({ "circleci:apiUrl": fake.url }));
        const err = await rejection(contextProvider.create(inputs()));
        assert.match(err.message, /circleci:token is not set.*pulumi config set --secret circleci:token.*CIRCLECI_TOKEN/);
        assert.equal(fake.requests.length, 0);
    });

    it("falls back to CIRCLECI_TOKEN and CIRCLECI_API_URL", async () => {
        await contextProvider.configure!(config({}));
        process.env.CIRCLECI_TOKEN = fake.token;
        process.env.CIRCLECI_API_URL = fake.url;
        const { id } = await created();
        assert.ok(fake.contexts.has(id));
    });

    it("a refused token: CircleCI's 401 explained, with neither the token nor a value in the message", async () => {
        const wrong = "wrong-token-5f0e9c2b7a";
        await contextProvider.configure!(config({ "circleci:token": wrong, "circleci:apiUrl": fake.url }));
        const err = await rejection(contextProvider.create(inputs()));
        assert.match(
            err.message,
            /^CircleCI context "deploy-prod": finding or creating it: CircleCI refused the token \(401 on GET \/context\)/,
        );
        assert.match(err.message, /pulumi config set --secret circleci:token/);
        assert.ok(!err.message.includes(wrong));
        assertNoValue(err.message, "the error");
        assert.deepEqual(writes(), []);
    });

    it("retries reads that fail with 5xx and converges", async () => {
        fake.fail({ method: "GET", path: /^\/context$/ }, circleFaults.badGateway());
        fake.fail({ method: "GET", path: /\/environment-variable$/ }, circleFaults.serverError(), 2);
        fake.fail({ method: "GET", path: /\/restrictions$/ }, circleFaults.unavailable(0));
        const { id } = await created();
        assert.equal(fake.requests.filter((r) => r.faulted).length, 4);
        assert.equal(fake.envValue(id, "AWS_SECRET_ACCESS_KEY"), VALUES.AWS_SECRET_ACCESS_KEY);
        assert.equal(fake.contexts.get(id)!.restrictions.length, 1);
        fake.fail({ method: "GET", path: /^\/context\/[^/]+$/ }, circleFaults.badGateway());
        assert.equal((await contextProvider.read!(id, (await contextProvider.read!(id)).props)).id, id);
    });

    it("a failure halfway through create leaves the context in state and the next update converges", async () => {
        // Every attempt at one PUT fails: the first try and the client's three retries.
        fake.fail({ method: "PUT", path: /\/environment-variable\/AWS_SECRET_ACCESS_KEY$/ }, circleFaults.serverError(), 4);
        const provider = "exports.handler = () => ({})";
        const err = await rejection(contextProvider.create({ ...inputs(), __provider: provider }));
        const id = [...fake.contexts.keys()][0];
        assert.match(
            err.message,
            /^CircleCI context "deploy-prod": setting it up: CircleCI answered 500 on PUT \/context\/.*AWS_SECRET_ACCESS_KEY/,
        );
        assertNoValue(err.message, "the error");
        // What the engine records for a resource that was created but failed to initialise.
        assert.equal(err.id, id);
        const partial = err.properties!;
        assert.equal(partial.__provider, provider, "a destroy can still find the provider");
        assert.deepEqual(partial.variableNames, ["AWS_ACCESS_KEY_ID"]);
        assert.deepEqual(partial.variableDigests, {}, "no digest in state written on the failure path");
        assert.deepEqual(partial.projectRestrictions, []);
        assertNoValue(JSON.stringify(partial), "the partial state");

        assert.deepEqual(await contextProvider.diff!(id, partial, inputs()), { changes: true, replaces: [], deleteBeforeReplace: false });
        const updated = await contextProvider.update!(id, partial, inputs());
        assert.equal(fake.contexts.size, 1);
        for (const [name, value] of Object.entries(VALUES)) assert.equal(fake.envValue(id, name), value);
        assert.deepEqual(
            fake.contexts.get(id)!.restrictions.map((r) => r.value),
            [PROJECT_A],
        );
        assert.equal((await contextProvider.diff!(id, updated.outs!, inputs())).changes, false);
    });

    it("a create rerun after a failure adopts what the first run made", async () => {
        fake.fail({ method: "POST", path: /\/restrictions$/ }, circleFaults.serverError());
        const err = await rejection(contextProvider.create(inputs()));
        const { id } = await created();
        assert.equal(id, err.id);
        assert.equal(fake.contexts.size, 1);
        assert.equal(fake.contexts.get(id)!.restrictions.length, 1);
    });

    it("a failed update records what landed, so reverting a value still rewrites it", async () => {
        const { id, outs } = await created();
        fake.fail({ method: "PUT", path: /\/environment-variable\/NPM_TOKEN$/ }, circleFaults.serverError(), 4);
        const changed = inputs({ variables: { ...VALUES, AWS_ACCESS_KEY_ID: "AKIA-rotated-0005", NPM_TOKEN: "npm_rotated_0006" } });
        const err = await rejection(contextProvider.update!(id, outs, changed));
        assert.equal(err.id, id);
        assert.equal(fake.envValue(id, "AWS_ACCESS_KEY_ID"), "AKIA-rotated-0005");
        // The change is abandoned: config goes back to the old values, and the half-written one is put back.
        assert.equal((await contextProvider.diff!(id, err.properties!, inputs())).changes, true);
        await contextProvider.update!(id, err.properties!, inputs());
        for (const [name, value] of Object.entries(VALUES)) assert.equal(fake.envValue(id, name), value);
    });

    it("still works after Pulumi serialises it, and the serialised text holds no token or value", async () => {
        // Configured first, as a test run would have it: the settings must still not be captured.
        await contextProvider.configure!(configured());
        const { text } = await pulumi.runtime.serializeFunction(() => contextProvider, { allowSecrets: true });
        assert.ok(!text.includes(fake.token), "no token in the serialised provider");
        assertNoValue(text, "the serialised provider");
        const revived = reviveSerialized<Provider>(text);
        await revived.configure!(configured());
        // Retries go through the serialised client's own backoff and read/write rules.
        fake.fail({ method: "GET", path: /\/environment-variable$/ }, circleFaults.badGateway());
        fake.fail({ method: "PUT", path: ENV_VARS }, circleFaults.serverError());
        const { id, outs } = await created(revived);
        for (const [name, value] of Object.entries(VALUES)) assert.equal(fake.envValue(id, name), value);
        const news = inputs({ variables: { ...VALUES, NPM_TOKEN: "npm_rotated_0007" } });
        assert.equal((await revived.diff!(id, outs, news)).changes, true);
        await revived.update!(id, outs, news);
        assert.equal(fake.envValue(id, "NPM_TOKEN"), "npm_rotated_0007");
        await revived.delete!(id, outs);
        await revived.delete!(id, outs);
        assert.equal(fake.contexts.size, 0);
    });

    it("serialises http-retry's sleep and read-method check as they behave in the program", async () => {
        const { text } = await pulumi.runtime.serializeFunction(() => ({ sleep, isReadMethod }), {});
        const revived = reviveSerialized<{ sleep: typeof sleep; isReadMethod: typeof isReadMethod }>(text);
        for (const method of ["GET", "get", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"]) {
            assert.equal(revived.isReadMethod(method), isReadMethod(method), method);
        }
        const abort = new AbortController();
        const started = Date.now();
        const slept = revived.sleep(10_000, abort.signal);
        abort.abort();
        await slept;
        assert.ok(Date.now() - started < 1_000, "wakes when aborted");
    });
});

function restoreEnv(name: string, value: string | undefined): void {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
}
