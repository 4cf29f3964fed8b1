// The CircleCI Context dynamic provider: its pure plans; its methods over real HTTP against the loopback fake
// CircleCI, the way the engine calls them (faults, partial failures and reruns included); the provider after
// Pulumi's serialisation; and the resource as a program registers it, on Pulumi's mocks.
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { Context, contextProvider } from "../../../components/circleci/context";
import {
    checkInputs,
    diffContext,
    planRestrictions,
    planVariables,
    UNKNOWN_VALUE,
    variableDigest,
    type ContextInputs,
    type ContextOutputs,
} from "../../../components/circleci/context-plan";
import { isReadMethod, sleep } from "../../../clients/http-retry";
import { circleFaults, startFakeCircleCi, type FakeCircleCi } from "../../fakes/circleci";
import { registrationsSettled, watchRegistrations } from "../../../cli/synth";
import { reviveSerialized } from "../../commonjs";

const ORG = "6f1c1d2e-0000-4000-8000-00000000cafe";
const OTHER_ORG = "6f1c1d2e-0000-4000-8000-00000000beef";
const PROJECT_A = "0b9e3c1a-0000-4000-8000-0000000000a1";
const PROJECT_B = "0b9e3c1a-0000-4000-8000-0000000000b2";
const VALUES = {
    AWS_ACCESS_KEY_ID: "AKIA-not-a-real-key-0001",
    AWS_SECRET_ACCESS_KEY: "s3cr3t-value-that-must-not-leak-0002",
    NPM_TOKEN: "npm_value_never_logged_0003",
};
const ENV_VARS = /\/environment-variable\//;

type Provider = typeof contextProvider;

const inputs = (over: Partial<ContextInputs> = {}): ContextInputs => ({
    name: "deploy-prod",
    organizationId: ORG,
    variables: { ...VALUES },
    projectRestrictions: [PROJECT_A],
    ...over,
});

/** What the engine hands `configure`: the stack config. */
function config(values: Record<string, string | undefined>): pulumi.dynamic.ConfigureRequest {
    return {
        config: {
            get: (key: string) => values[key],
            require: (key: string) => values[key] ?? assert.fail(`missing config ${key}`),
        },
    };
}

/** No plaintext value, anywhere in `text`. */
function assertNoValue(text: string, what: string): void {
    for (const value of Object.values(VALUES)) assert.ok(!text.includes(value), `${what} holds a variable value`);
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

describe("CircleCI context: plans", () => {
    const olds: ContextOutputs = {
        contextId: "ctx-1",
        name: "deploy-prod",
        organizationId: ORG,
        projectRestrictions: [PROJECT_A],
        variableNames: Object.keys(VALUES).sort(),
        variableDigests: Object.fromEntries(Object.entries(VALUES).map(([n, v]) => [n, variableDigest("ctx-1", n, v)])),
    };

    it("sees no change when names, values and restrictions match", () => {
        assert.deepEqual(diffContext(olds, inputs()), { changes: false, replaces: [], deleteBeforeReplace: false });
        assert.equal(diffContext(olds, inputs({ organizationId: ORG.toUpperCase() })).changes, false, "UUIDs compare without case");
        assert.equal(diffContext({ ...olds, organizationId: "" }, inputs()).changes, false, "an organisation a read could not learn");
    });

    it("replaces on a new name or organisation, deleting first", () => {
        assert.deepEqual(diffContext(olds, inputs({ name: "deploy-production" })), {
            changes: true,
            replaces: ["name"],
            deleteBeforeReplace: true,
        });
        assert.deepEqual(diffContext(olds, inputs({ organizationId: OTHER_ORG })).replaces, ["organizationId"]);
    });

    it("updates in place for a changed, added or removed variable, or changed restrictions", () => {
        const cases: Array<Partial<ContextInputs>> = [
            { variables: { ...VALUES, NPM_TOKEN: "npm_rotated" } },
            { variables: { ...VALUES, EXTRA: "x" } },
            { variables: { AWS_ACCESS_KEY_ID: VALUES.AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: VALUES.AWS_SECRET_ACCESS_KEY } },
            { projectRestrictions: [PROJECT_A, PROJECT_B] },
            { projectRestrictions: undefined },
            { variables: { ...VALUES, NPM_TOKEN: UNKNOWN_VALUE } },
        ];
        for (const c of cases)
            assert.deepEqual(
                diffContext(olds, inputs(c)),
                { changes: true, replaces: [], deleteBeforeReplace: false },
                JSON.stringify(Object.keys(c)),
            );
        assert.equal(
            diffContext(
                { ...olds, projectRestrictions: [PROJECT_B, PROJECT_A] },
                inputs({ projectRestrictions: [PROJECT_A, PROJECT_B.toUpperCase()] }),
            ).changes,
            false,
        );
    });

    it("salts digests with the context id and the name", () => {
        assert.notEqual(variableDigest("ctx-1", "A", "v"), variableDigest("ctx-2", "A", "v"));
        assert.notEqual(variableDigest("ctx-1", "A", "v"), variableDigest("ctx-1", "B", "v"));
        assert.match(variableDigest("ctx-1", "A", "v"), /^[0-9a-f]{64}$/);
    });

    it("writes what is new, changed or missing on CircleCI, removes what is undeclared, leaves the rest", () => {
        const digestOf = (n: string, v: string) => `${n}=${v}`;
        const plan = planVariables({ A: "1", B: "2", C: "3" }, ["A", "B", "Z"], { A: "A=1", B: "B=old", C: "C=3" }, digestOf);
        assert.deepEqual(plan, { put: ["B", "C"], remove: ["Z"] });
    });

    it("owns only project restrictions, and each project once", () => {
        const live = [
            { id: "r1", type: "project", value: PROJECT_A },
            { id: "r2", type: "project", value: PROJECT_A.toUpperCase() },
            { id: "r3", type: "expression", value: 'pipeline.git.branch == "main"' },
            { id: "r4", type: "project", value: PROJECT_B },
        ];
        assert.deepEqual(planRestrictions(live, [PROJECT_A, "0b9e3c1a-0000-4000-8000-0000000000c3"]), {
            create: ["0b9e3c1a-0000-4000-8000-0000000000c3"],
            remove: ["r2", "r4"],
        });
    });

    it("checks names and ids in preview, never echoing a value, and lets unknowns through", () => {
        const failures = checkInputs(
            inputs({ organizationId: "acme", variables: { "1BAD": VALUES.NPM_TOKEN, OK: UNKNOWN_VALUE }, projectRestrictions: ["nope"] }),
        );
        assert.deepEqual(
            failures.map((f) => f.property),
            ["organizationId", "variables", "projectRestrictions"],
        );
        assertNoValue(JSON.stringify(failures), "a check failure");
        assert.deepEqual(checkInputs(inputs()), []);
        assert.deepEqual(
            checkInputs(inputs({ name: UNKNOWN_VALUE, organizationId: UNKNOWN_VALUE, variables: UNKNOWN_VALUE as never })),
            [],
        );
    });
});

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

describe("CircleCI context: the resource on Pulumi mocks", () => {
    // Pulumi's wire markers (sdk/nodejs/runtime/rpc.ts).
    const SIG_KEY = "4dabf18193072939515e22adb298388d";
    const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

    interface Registration {
        type: string;
        inputs: Record<string, unknown>;
        additionalSecretOutputs: string[];
        deleteBeforeReplace: boolean;
    }

    it("registers pulumi-nodejs:dynamic/circleci:Context with its variables secret and digests as secret outputs", async () => {
        await pulumi.runtime.setMocks(
            {
                newResource: (a) => ({ id: `${a.name}-id`, state: { ...a.inputs, contextId: "ctx-id", variableNames: ["NPM_TOKEN"] } }),
                call: (a) => a.inputs,
            },
            "conveyor",
            "org",
            false,
        );
        const seen = recordRegistrations();
        let context: Context | undefined;
        await pulumi.runtime.runInPulumiStack(async () => {
            context = new Context("releases", {
                name: "releases",
                organizationId: ORG,
                variables: { NPM_TOKEN: VALUES.NPM_TOKEN, GITHUB_TOKEN: pulumi.output("ghp_mock_value_0008") },
                projectRestrictions: [PROJECT_A],
            });
            return {};
        });
        await registrationsSettled();
        const registered = seen.find((r) => r.type === "pulumi-nodejs:dynamic/circleci:Context");
        assert.ok(registered, `registered: ${seen.map((r) => r.type).join(", ")}`);
        const variables = registered.inputs.variables as Record<string, unknown>;
        assert.equal(variables[SIG_KEY], SECRET_SIG, "variables travel as a secret");
        assert.equal(registered.inputs.name, "releases");
        assert.deepEqual(registered.additionalSecretOutputs, ["variableDigests"]);
        assert.equal(registered.deleteBeforeReplace, true);
        assert.ok(
            typeof registered.inputs.__provider === "string" && registered.inputs.__provider.length > 0,
            "the provider was serialised",
        );
        assertNoValue(String(registered.inputs.__provider), "the serialised provider");
        assert.equal(await new Promise((resolve) => context!.contextId.apply(resolve)), "ctx-id");
    });

    /** Every registration as the engine receives it, recorded the way cli/synth.ts records a synth. */
    function recordRegistrations(): Registration[] {
        const into: Registration[] = [];
        watchRegistrations((req) =>
            into.push({
                type: req.getType(),
                inputs: req.getObject()?.toJavaScript() ?? {},
                additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
                deleteBeforeReplace: req.getDeletebeforereplace(),
            }),
        );
        return into;
    }
});

function restoreEnv(name: string, value: string | undefined): void {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
}
