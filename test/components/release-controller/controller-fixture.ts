// The ReleaseController's arguments over the fixture handler (test/fixtures/lambda-entry.ts), and its bundles
// read back from what the engine would receive.
import * as assert from "node:assert/strict";
import { isBuiltin } from "module";
import * as path from "path";
import * as vm from "vm";
import * as pulumi from "@pulumi/pulumi";
import type { ReleaseControllerArgs } from "../../../components/release-controller/args";
import type { Recorded } from "../on-mocks";

export const FIXTURE_ENTRY = path.join(__dirname, "..", "..", "fixtures", "lambda-entry.ts");
export const FIXTURE_MARKER = "conveyor-lambda-fixture-5f2c";
export const SECRET_VALUES = {
    githubToken: "ghp_releaseControllerToken0123456789",
    circleciToken: "CCIPAT_releaseControllerToken0123",
    githubWebhookSecret: "gh-webhook-secret-value-9f8e7d",
    circleciWebhookSecret: "circleci-webhook-secret-value-1a2b3c",
};

// Pulumi's wire format markers for assets (sdk/nodejs/runtime/rpc.ts).
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";

export const baseArgs = (over: Partial<ReleaseControllerArgs> = {}): ReleaseControllerArgs => ({
    intakeEntry: FIXTURE_ENTRY,
    workerEntry: FIXTURE_ENTRY,
    schedule: { timezone: "Europe/Paris", hour: 7 },
    owners: ["release-owners@acme-saas.example", "cto@acme-saas.example"],
    githubToken: pulumi.secret(SECRET_VALUES.githubToken),
    // A plain value on purpose: the component must make it secret itself.
    circleciToken: SECRET_VALUES.circleciToken,
    githubWebhookSecret: pulumi.secret(SECRET_VALUES.githubWebhookSecret),
    circleciWebhookSecret: pulumi.secret(SECRET_VALUES.circleciWebhookSecret),
    opsRepository: { owner: "acme-saas", repo: "ops" },
    environment: { GITHUB_API_URL: "https://api.github.com", CIRCLECI_API_URL: "https://circleci.com/api/v2" },
    ...over,
});

/**
 * The CommonJS bundle evaluated as Lambda would load it: in a realm of its own (Lambda gives it a process of its
 * own), with the host globals Node gives every module and `stubs` standing in for runtime-provided modules. Its
 * own realm also keeps it apart from the test's: nothing it sets on globalThis leaks into other tests, and a
 * mutation tool's switches on the test's globalThis do not reach the copy of the sources it bundled.
 */
export function loadBundle(code: string, stubs: Record<string, unknown>): Record<string, unknown> {
    const mod = { exports: {} as Record<string, unknown> };
    const host = { console, process, Buffer, setTimeout, clearTimeout, setImmediate, queueMicrotask, structuredClone, performance };
    const web = { URL, URLSearchParams, TextEncoder, TextDecoder, fetch, Headers, Request, Response, AbortController, AbortSignal };
    const context = vm.createContext({ ...host, ...web, crypto: globalThis.crypto });
    const load = vm.runInContext(`(function (module, exports, require) {${code}\n})`, context, { filename: "index.js" }) as (
        m: typeof mod,
        e: Record<string, unknown>,
        r: (id: string) => unknown,
    ) => void;
    load(mod, mod.exports, (id) => {
        if (id in stubs) return stubs[id];
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- a Node built-in, as Lambda's runtime provides it
        if (isBuiltin(id)) return require(id);
        throw new Error(`the bundle required ${id}, which is neither bundled nor provided by the runtime`);
    });
    return mod.exports;
}

export function archiveText(fn: Recorded): string {
    const code = fn.raw.code as Record<string, any>;
    assert.equal(code[SIG_KEY], ARCHIVE_SIG, "code is an archive");
    assert.deepEqual(Object.keys(code.assets), ["index.js"]);
    const asset = code.assets["index.js"];
    assert.equal(asset[SIG_KEY], ASSET_SIG, "index.js is a string asset");
    return asset.text as string;
}
