// staging, demo and prod under the real engine: stack init, preview with the policy pack, up, a clean
// re-preview and refresh, a policy-breaking change, and a release PR merged on the fake GitHub applied as a
// stack update.
import * as assert from "node:assert/strict";
import { FAKE_CIRCLECI_TOKEN, startFakeCircleCi, type FakeCircleCi } from "../../test/fakes/circleci";
import { startFakeGitHub, type FakeGitHub, type RepoState } from "../../test/fakes/github";
import { readVersions } from "../../config/stackfile";
import { loadWorkspace } from "../../config";
import { policyEvents, preview, previewSteps, type PreviewDoc } from "./preview";
import { ProjectCopy } from "./harness";
import { assertPasswordNeverShown } from "./secrets";

const OWNER = "acme-saas";
const TOKEN = "ghs_engine-release";

describe("environment stacks under the real engine", function () {
    let p: ProjectCopy;
    before(() => {
        p = ProjectCopy.create();
    });
    after(() => p?.remove());

    for (const stack of ["staging", "demo", "prod"]) {
        describe(stack, () => {
            it("initialises like the README says: stack init, then a secret for every secure: placeholder (none here)", async () => {
                assert.deepEqual(await p.initStack(stack, () => "unused"), []);
                assert.match(p.read(`Pulumi.${stack}.yaml`), /^encryptionsalt: /m, "the passphrase provider salted the stack file");
            });

            it("previews with the policy pack: every resource to create, no mandatory violation", async () => {
                // The first preview loads the program exactly as `pulumi` does for a user, type-checking included;
                // the suite transpiles only elsewhere (tsc --noEmit in npm test checks the same types).
                const typeCheck = stack === "staging" ? { PULUMI_NODEJS_TRANSPILE_ONLY: "false" } : {};
                const { doc, events, ran } = await preview(p, stack, ["--policy-pack", "policies"], "any", typeCheck);
                assert.equal(ran.code, 0, ran.stderr);
                const creates = doc.changeSummary?.create ?? 0;
                assert.ok(creates > 40, `expected the whole environment, got ${creates} creates`);
                const mandatory = policyEvents(events).filter((e) => e.enforcementLevel === "mandatory");
                assert.deepEqual(mandatory, []);
            });

            it("applies, then previews clean with --expect-no-changes and refreshes without a change", async () => {
                await p.pulumi(["up", "--yes", "--skip-preview", "--policy-pack", "policies"], { stack });
                const again = await preview(p, stack, ["--expect-no-changes"]);
                assert.equal(again.ran.code, 0, `perpetual diff in ${stack}:\n${JSON.stringify(changed(again.doc), null, 1)}`);
                const refreshed = await p.pulumi(["refresh", "--yes", "--expect-no-changes"], { stack, expect: "any" });
                assert.equal(refreshed.code, 0, `refresh found changes in ${stack}:\n${refreshed.stdout.slice(-3000)}`);
                const outputs = JSON.parse((await p.pulumi(["stack", "output", "--json"], { stack })).stdout) as {
                    versions: Record<string, number>;
                    urls: Record<string, string>;
                };
                assert.deepEqual(
                    outputs.versions,
                    Object.fromEntries(readVersions(`Pulumi.${stack}.yaml`, p.read(`Pulumi.${stack}.yaml`))),
                );
            });

            it("keeps the real random provider's database password secret in every output, export, preview and state file", () =>
                assertPasswordNeverShown(p, stack));
        });
    }

    // In a describe of its own: mocha runs a suite's own tests before its nested suites, and this needs prod's.
    describe("a policy-breaking change", () => {
        const breaks = [
            {
                what: "a serving DNS record is no longer proxied",
                edit: (file: string) => file.replace(/^(\s+)zoneId: (\S+)(.*)$/m, "$1zoneId: $2$3\n$1proxied: false"),
                policy: "cloudflare-serving-records-proxied",
            },
            {
                what: "its services are cut to one task",
                edit: (file: string) => file.replace(/^(\s+)desiredCount: 3$/m, "$1desiredCount: 1"),
                policy: "ecs-production-redundant",
            },
        ];
        for (const { what, edit, policy } of breaks) {
            it(`fails the preview of prod, naming the policy, when ${what}`, async () => {
                const original = p.read("Pulumi.prod.yaml");
                try {
                    const broken = edit(original);
                    assert.notEqual(broken, original, "the edit applies to prod's stack file");
                    p.write("Pulumi.prod.yaml", broken);
                    const { ran, events } = await preview(p, "prod", ["--policy-pack", "policies"], [0, 1, 255]);
                    assert.notEqual(ran.code, 0, "a mandatory violation must fail the preview");
                    const names = new Set(
                        policyEvents(events)
                            .filter((e) => e.enforcementLevel === "mandatory")
                            .map((e) => e.policyName),
                    );
                    assert.deepEqual([...names], [policy]);
                } finally {
                    p.write("Pulumi.prod.yaml", original);
                }
            });
        }
    });

    describe("a release merged on the fake GitHub", () => {
        let github: FakeGitHub;
        let circle: FakeCircleCi;
        let ops: RepoState;
        before(async () => {
            github = await startFakeGitHub();
            circle = await startFakeCircleCi();
            github.state.token = TOKEN;
            ops = seedReleaseWorld(p, github, circle);
        });
        after(async () => {
            await github?.close();
            await circle?.close();
        });

        it("previews billing 873 -> 874 as its task definition replaced and its service updated, nothing else, and applies it", async () => {
            const env = {
                GITHUB_TOKEN: TOKEN,
                GITHUB_API_URL: github.url,
                CIRCLECI_TOKEN: FAKE_CIRCLECI_TOKEN,
                CIRCLECI_API_URL: circle.url,
            };
            const released = await p.conveyor(["release", "staging"], { env });
            assert.match(released.stdout + released.stderr, /release-staging/);
            const pr = ops.pulls.find((x) => x.head === "release-staging")!;
            ops.mergePull(pr.number, { method: "squash" });
            const before = p.read("Pulumi.staging.yaml");
            const merged = ops.file("main", "Pulumi.staging.yaml")!;
            const changedLines = merged.split("\n").filter((l, i) => l !== before.split("\n")[i]);
            assert.deepEqual(changedLines, ["    billing: 874"]);
            p.write("Pulumi.staging.yaml", merged);

            const { doc } = await preview(p, "staging", ["--policy-pack", "policies"]);
            assert.deepEqual(changed(doc), [
                ["update", "aws:ecs/service:Service::staging-billing"],
                ["replace", "aws:ecs/taskDefinition:TaskDefinition::staging-billing"],
            ]);
            // The service changes because the task definition's ARN does (a stand-in reports no diff reasons).
            const step = previewSteps(doc).find((s) => s.op === "update")!;
            assert.notDeepEqual(step.newState?.inputs?.taskDefinition, step.oldState?.inputs?.taskDefinition);

            await p.pulumi(["up", "--yes", "--skip-preview", "--policy-pack", "policies"], { stack: "staging" });
            const outputs = JSON.parse((await p.pulumi(["stack", "output", "versions", "--json"], { stack: "staging" })).stdout) as Record<
                string,
                number
            >;
            assert.equal(outputs.billing, 874);
            assert.equal((await preview(p, "staging", ["--expect-no-changes"])).ran.code, 0);
        });
    });
});

/** `[op, "<type>::<name>"]` of every step that changes something, sorted. */
function changed(doc: PreviewDoc): Array<[string, string]> {
    return previewSteps(doc)
        .filter((s) => !["same", "read", "refresh"].includes(s.op))
        .map((s): [string, string] => [s.op, s.urn.split("$").pop()!])
        .sort((a, b) => a[1].localeCompare(b[1]) || a[0].localeCompare(b[0]));
}

/**
 * The ops repository with the copy's stack files on main, every service's repository with the commit its
 * running build came from, and one newer green build for billing only (one merged PR fixing one issue).
 */
function seedReleaseWorld(p: ProjectCopy, github: FakeGitHub, circle: FakeCircleCi): RepoState {
    const ws = loadWorkspace(p.dir);
    const ops = github.state.addRepo(`${OWNER}/ops`, { default_branch: "main" });
    const files = Object.fromEntries(["Pulumi.staging.yaml", "Pulumi.demo.yaml", "Pulumi.prod.yaml"].map((f) => [f, p.read(f)]));
    ops.commit("main", { message: "Environments", files });
    const staging = new Map(readVersions("Pulumi.staging.yaml", files["Pulumi.staging.yaml"]));
    for (const c of ws.catalog.filter((x) => x.port !== undefined)) {
        const repo = github.state.addRepo(`${OWNER}/${c.repo}`, { default_branch: "main" });
        const running = staging.get(c.name)!;
        const sha = repo.commit("main", { message: `Build ${running}`, files: { VERSION: `${running}\n` }, author: "builder" });
        circle.addPipeline(`gh/${OWNER}/${c.repo}`, { number: running, revision: sha, workflows: ["success"] });
        if (c.name !== "billing") continue;
        const issue = repo.addIssue("VAT rounding", { labels: ["workflow/ready-for-staging", "type/bug"] });
        repo.commit("fix-vat", { message: "Fix VAT rounding", files: { "src/vat.kt": "fixed\n" }, author: "alice" });
        const pr = repo.openPull({
            head: "fix-vat",
            title: "Fix VAT rounding",
            body: `Fixes #${issue.number}`,
            labels: ["type/bug"],
            user: "alice",
        });
        repo.mergePull(pr.number, { method: "squash" });
        circle.addPipeline(`gh/${OWNER}/${c.repo}`, { number: running + 1, revision: repo.head("main"), workflows: ["success"] });
    }
    return ops;
}
