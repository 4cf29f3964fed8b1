// The release controller's handlers as the component deploys them: bundled from source by esbuild, runnable,
// deterministic, and refused with the reason when they cannot be bundled or would bundle the Pulumi program.
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { bundleHandler, PROJECT_FILES } from "../../../components/release-controller/bundle";
import { ReleaseController } from "../../../components/release-controller/release-controller";
import { onMocks, T, type Recorded } from "../on-mocks";
import { archiveText, baseArgs, FIXTURE_ENTRY, FIXTURE_MARKER, loadBundle } from "./controller-fixture";

describe("release controller: the handlers' bundles", function () {
    this.timeout(60_000);
    let resources: Recorded[];
    const one = (type: string, name: string): Recorded => {
        const found = resources.find((r) => r.type === type && r.name === name);
        assert.ok(found, `${type} ${name}`);
        return found;
    };

    before(async () => {
        resources = (await onMocks(() => ({ worker: new ReleaseController("release-controller", baseArgs()).workerFunctionName })))
            .resources;
    });

    it("deploys each handler bundled from source: runnable CommonJS with the fixture's code, the SDK left to the runtime", async () => {
        for (const fn of ["intake", "worker"]) {
            const code = archiveText(one(T.fn, `release-controller-${fn}`));
            assert.ok(code.includes(FIXTURE_MARKER), "the helper module is bundled");
            assert.ok(!code.includes("conveyor-fixture-unused-export"), "exports other than handler are dropped");
            assert.match(code, /require\("@aws-sdk\/client-sns"\)/, "@aws-sdk stays external");
            const exports = loadBundle(code, { "@aws-sdk/client-sns": { name: "runtime-sdk" } });
            assert.equal(typeof exports.handler, "function");
            const answer = await (exports.handler as (e: unknown) => Promise<{ statusCode: number; body: string }>)({
                source: "conveyor.test",
            });
            // Lambda answers with the handler's result as JSON (which also leaves the bundle's realm behind).
            assert.deepEqual(JSON.parse(JSON.stringify(answer)), {
                statusCode: 200,
                body: `${FIXTURE_MARKER}:conveyor.test sdk=runtime-sdk`,
            });
        }
    });

    it("bundles the real intake small, with no GitHub client, and both real handlers as loadable modules", () => {
        const intake = bundleHandler(path.join(__dirname, "..", "..", "..", "controller", "intake.ts"));
        assert.ok(intake.bytes < 100_000, `${intake.bytes} bytes`);
        assert.deepEqual(
            Object.keys(intake.bytesByPackage).filter((p) => p.includes("octokit") || p === "yaml"),
            [],
            "no octokit, no YAML parser",
        );
        assert.deepEqual(intake.externalImports, ["@aws-sdk/client-secrets-manager", "@aws-sdk/client-sqs"]);
        const worker = bundleHandler(path.join(__dirname, "..", "..", "..", "controller", "worker.ts"));
        assert.ok(worker.bytes < 1_000_000, `${worker.bytes} bytes`);
        assert.deepEqual(worker.externalImports, ["@aws-sdk/client-secrets-manager", "@aws-sdk/client-sns", "@aws-sdk/client-sqs"]);
        for (const b of [intake, worker]) {
            assert.deepEqual(b.warnings, []);
            assert.equal(typeof loadBundle(b.code, {}).handler, "function", "loads without touching the SDK");
        }
    });

    it("bundles deterministically: same bytes on a second run and from another checkout directory", async () => {
        const first = archiveText(one(T.fn, "release-controller-worker"));
        const again = await onMocks(() => ({ name: new ReleaseController("release-controller", baseArgs()).workerFunctionName }));
        assert.equal(archiveText(again.resources.find((r) => r.type === T.fn && r.name === "release-controller-worker")!), first);

        const direct = bundleHandler(FIXTURE_ENTRY);
        assert.equal(direct.code, first);
        const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "conveyor-bundle-"));
        try {
            for (const f of ["lambda-entry.ts", "lambda-helper.ts"])
                fs.copyFileSync(path.join(__dirname, "..", "..", "fixtures", f), path.join(elsewhere, f));
            const moved = bundleHandler(path.join(elsewhere, "lambda-entry.ts"));
            assert.equal(moved.sha256, direct.sha256);
        } finally {
            fs.rmSync(elsewhere, { recursive: true, force: true });
        }
        assert.equal(direct.bytes, Buffer.byteLength(first));
        assert.deepEqual(direct.externalImports, ["@aws-sdk/client-sns"]);
        assert.deepEqual(Object.keys(direct.bytesByPackage), [PROJECT_FILES]);
        assert.deepEqual(direct.warnings, []);
    });

    it("refuses a handler module without a handler export, one that imports the Pulumi program, and a missing file", () => {
        assert.throws(
            () => bundleHandler(path.join(__dirname, "..", "..", "fixtures", "lambda-no-handler.ts")),
            /does not bundle:\n.*lambda-no-handler\.ts.*No matching export .* for import "handler"/,
        );
        assert.throws(
            () => bundleHandler(path.join(__dirname, "..", "..", "fixtures", "lambda-imports-pulumi.ts")),
            /must not bundle the Pulumi program or build tooling:\n[\s\S]*^components\/release-controller\/release-controller\.ts imports @pulumi\/pulumi$/m,
        );
        assert.throws(() => bundleHandler(path.join(__dirname, "..", "..", "fixtures", "no-such-entry.ts")), /file not found/);
    });

    it("fails at construction when a handler does not bundle, so preview and synth stop with the reason", async () => {
        for (const entry of ["intakeEntry", "workerEntry"] as const) {
            let message = "";
            await onMocks(() => {
                try {
                    new ReleaseController(
                        "rc",
                        baseArgs({ [entry]: path.join(__dirname, "..", "..", "fixtures", "lambda-no-handler.ts") }),
                    );
                } catch (e) {
                    message = (e as Error).message;
                }
                return {};
            });
            assert.match(message, /lambda-no-handler\.ts does not bundle/, entry);
        }
    });
});
