// A client made by `conveyor new-env`, under the real engine: both stacks previewed with the policy pack,
// applied and re-previewed clean; then what CI does with the CLI's real output: `conveyor drift` opens and
// closes the drift issue, `conveyor preview-comment` blocks on a mandatory violation from the event log.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { DRIFT_LABEL } from "../../pipeline/drift";
import { startFakeGitHub, type FakeGitHub, type RepoState } from "../../test/fakes/github";
import { policyEvents, preview } from "./preview";
import { ProjectCopy } from "./harness";
import { assertPasswordNeverShown } from "./secrets";

const OWNER = "acme-saas";
const TOKEN = "ghs_engine-pipeline";
const STACKS = ["globex-staging", "globex-prod"];

describe("a client made by conveyor new-env, under the real engine", function () {
    let p: ProjectCopy;
    let github: FakeGitHub;
    let ops: RepoState;
    const env = () => ({ GITHUB_TOKEN: TOKEN, GITHUB_API_URL: github.url });

    before(async () => {
        github = await startFakeGitHub();
        github.state.token = TOKEN;
        ops = github.state.addRepo(`${OWNER}/ops`, { default_branch: "main" });
        p = ProjectCopy.create();
    });
    after(async () => {
        p?.remove();
        await github?.close();
    });

    it("writes both stack files with conveyor new-env", async () => {
        await p.conveyor(["new-env", "globex"]);
        for (const s of STACKS) assert.ok(fs.existsSync(p.file(`Pulumi.${s}.yaml`)), s);
    });

    for (const stack of STACKS) {
        describe(stack, () => {
            it("initialises, previews with the policy pack, applies and previews clean with --expect-no-changes", async () => {
                await p.initStack(stack, () => "unused");
                const first = await preview(p, stack, ["--policy-pack", "policies"]);
                assert.equal(first.ran.code, 0, first.ran.stderr.slice(-3000));
                assert.deepEqual(
                    policyEvents(first.events).filter((e) => e.enforcementLevel === "mandatory"),
                    [],
                );
                await p.pulumi(["up", "--yes", "--skip-preview", "--policy-pack", "policies"], { stack });
                const again = await preview(p, stack, ["--expect-no-changes"]);
                assert.equal(again.ran.code, 0, JSON.stringify(again.doc.steps?.filter((s) => s.op !== "same").map((s) => [s.op, s.urn])));
            });

            it("keeps the real random provider's database password secret in every output, export, preview and state file", () =>
                assertPasswordNeverShown(p, stack));
        });
    }

    describe("what CI does with the CLI's output", () => {
        it("conveyor drift opens the stack's drift issue from a real --expect-no-changes preview, and closes it once clean", async () => {
            const file = "Pulumi.globex-staging.yaml";
            const original = p.read(file);
            p.write(file, original.replace(/^(\s+)tier: client$/m, "$1tier: client\n$1sizing:\n$1  desiredCount: 2"));
            const drifted = await preview(p, "globex-staging", ["--expect-no-changes"]);
            assert.notEqual(drifted.ran.code, 0, "--expect-no-changes fails on changes");
            const opened = await p.conveyor(["drift", "globex-staging", "--preview", drifted.jsonFile], { env: env() });
            assert.match(opened.stdout, /globex-staging: drift; drift issue opened #\d+/);
            const issue = ops.issues.find((i) => i.title === "Drift in globex-staging")!;
            assert.deepEqual(ops.issueLabelNames(issue.number), [DRIFT_LABEL]);
            assert.match(
                issue.body ?? "",
                /\| update \| `urn:pulumi:globex-staging::conveyor::.*aws:ecs\/service:Service::globex-staging-billing` \|/,
            );

            p.write(file, original);
            const clean = await preview(p, "globex-staging", ["--expect-no-changes"]);
            assert.equal(clean.ran.code, 0);
            const closed = await p.conveyor(["drift", "globex-staging", "--preview", clean.jsonFile], { env: env() });
            assert.match(closed.stdout, /globex-staging: clean; drift issue closed/);
            assert.equal(ops.issue(issue.number)!.state, "closed");
        });

        it("conveyor preview-comment puts one comment on the PR and fails on a mandatory violation read from the event log", async () => {
            const pr = ops.addIssue("Onboard globex", {});
            const clean = await preview(p, "globex-staging", ["--policy-pack", "policies"]);
            const file = "Pulumi.globex-prod.yaml";
            const original = p.read(file);
            try {
                p.write(file, original.replace(/^(\s+)zoneId: (\S+)(.*)$/m, "$1zoneId: $2$3\n$1proxied: false"));
                const blocked = await preview(p, "globex-prod", ["--policy-pack", "policies"]);
                assert.notEqual(blocked.ran.code, 0);
                const ran = await p.conveyor(
                    [
                        "preview-comment",
                        "--pr",
                        String(pr.number),
                        `globex-staging=${clean.jsonFile}`,
                        `globex-prod=${blocked.jsonFile}`,
                        "--event-log",
                        `globex-staging=${clean.eventsFile}`,
                        "--event-log",
                        `globex-prod=${blocked.eventsFile}`,
                    ],
                    { env: env(), expect: [1] },
                );
                assert.match(ran.stderr, /globex-prod: mandatory policy violation/);
                const comments = ops.issueComments(pr.number);
                assert.equal(comments.length, 1);
                assert.match(comments[0].body, /\| `globex-staging` \| 0 \| 0 \| 0 \| 0 \| none \| no changes \|/);
                assert.match(comments[0].body, /\| `globex-prod` \|.*\| \d+ mandatory \| ❌ blocked by policy \|/);
                assert.match(comments[0].body, /- mandatory: cloudflare-serving-records-proxied: /);
            } finally {
                p.write(file, original);
            }
        });
    });
});
