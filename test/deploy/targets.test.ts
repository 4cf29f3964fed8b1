// Which stacks a commit on the ops repository's main deploys, and which PRs asked for it.
import * as assert from "node:assert/strict";
import { releaseBranch } from "../../release/pr";
import { deployTargets, targetsOf } from "../../deploy/targets";
import { parseWorkspace } from "../../config";
import { releaseAndMerge, startWorld, type World } from "../release-world";
import { runRelease } from "../../release/release";
import { fixtureFiles } from "../workspace-fixture";

const ws = parseWorkspace(fixtureFiles());

describe("deploy targets (pure)", () => {
    const pull = (head: string, labels: string[] = []) => ({ number: 7, head, labels, body: "" });
    it("names the environment of a merged release PR", () => {
        assert.deepEqual(targetsOf(ws, [pull("release-demo")], ["Pulumi.demo.yaml"]).stacks, ["demo"]);
    });
    it("adds every deploy/<env> label, and reports unknown ones", () => {
        const t = targetsOf(
            ws,
            [pull("fix-dns", ["deploy/prod", "deploy/staging", "deploy/qa", "type/bug"])],
            ["components/environment/service.ts"],
        );
        assert.deepEqual(t.stacks, ["staging", "prod"], "in train order");
        assert.deepEqual(t.notes, ['PR #7: label "deploy/qa" names no environment stack (staging, demo, prod); skipped']);
    });
    it("adds environments whose stack file changed, and org first when Pulumi.org.yaml changed", () => {
        assert.deepEqual(targetsOf(ws, [], ["Pulumi.prod.yaml", "Pulumi.org.yaml", "README.md"]).stacks, ["org", "prod"]);
    });
    it("says nothing when nothing is to deploy", () => {
        assert.deepEqual(targetsOf(ws, [pull("docs")], ["README.md", "components/config.ts"]).stacks, []);
    });
});

describe("deploy targets against the fakes", function () {
    this.timeout(60_000);
    let w: World;
    beforeEach(async () => {
        w = await startWorld();
    });
    afterEach(() => w.close());

    it("targets a merged release PR's environment, and a commit that edits Pulumi.org.yaml", async () => {
        const sha = await releaseAndMerge(w, "staging");
        assert.deepEqual((await deployTargets(w.deps().gh, w.workspace, sha)).stacks, ["staging"]);
        const direct = w.ops.commit("main", { message: "Rotate", files: { "Pulumi.org.yaml": "config: {}\n" } });
        assert.deepEqual((await deployTargets(w.deps().gh, w.workspace, direct)).stacks, ["org"]);
    });

    it("deploys a merged release PR's environment even when main already had its builds and the merge changes no file", async () => {
        const outcome = await runRelease(w.deps(), { env: "staging", mode: "release", dryRun: false });
        assert.equal(outcome.status, "opened");
        const pr = w.ops.pulls.find((p) => p.head === releaseBranch("staging"))!;
        // Someone pushed the same builds to main by hand while the PR was open.
        w.ops.commit("main", { message: "Bump staging", files: { "Pulumi.staging.yaml": w.ops.file(pr.head, "Pulumi.staging.yaml")! } });
        const sha = w.ops.mergePull(pr.number, { method: "squash" });
        const targets = await deployTargets(w.deps().gh, w.workspace, sha);
        assert.deepEqual(targets.stacks, ["staging"], "the release PR waits for its deployed label: staging must deploy");
        assert.deepEqual(
            targets.pulls.map((p) => p.number),
            [pr.number],
        );
    });

    // GitHub lists a commit's files bytewise by path, a page at a time, and at most 3000 of them: the migrations sort
    // before the stack file, so it is on the last page each time. A page costs one request of the API budget.
    for (const { count, pages } of [
        { count: 150, pages: 2 },
        { count: 3000, pages: 30 },
    ]) {
        it(`deploys prod when a merge commit changes ${count} files and Pulumi.prod.yaml is the last of them, in ${pages} requests`, async () => {
            const files: Record<string, string> = { "Pulumi.prod.yaml": `${w.ops.file("main", "Pulumi.prod.yaml")!}# tuned\n` };
            for (let i = 1; i < count; i++) files[`Migrations/${String(i).padStart(4, "0")}.sql`] = `select ${i};\n`;
            w.ops.commit("bulk", { message: "Migrations and prod tuning", files });
            const pr = w.ops.openPull({ head: "bulk", title: "Schema migrations" });
            const sha = w.ops.mergePull(pr.number, { method: "merge" });
            const before = w.github.requests.length;
            const targets = await deployTargets(w.deps().gh, w.workspace, sha);
            assert.deepEqual(targets.stacks, ["prod"]);
            assert.deepEqual(
                targets.pulls.map((p) => p.number),
                [pr.number],
            );
            const commitReads = w.github.requests.slice(before).filter((r) => r.method === "GET" && r.path.endsWith(`/commits/${sha}`));
            assert.equal(commitReads.length, pages);
        });
    }

    it("deploys org and prod when a commit changes more files than GitHub lists and their stack files are past the 3000th, and says so", async () => {
        // Staging's file changed in the commit before: asked by name, it is not this commit's.
        w.ops.commit("main", { message: "Staging tuning", files: { "Pulumi.staging.yaml": "config: {}\n" } });
        const files: Record<string, string> = {
            "Pulumi.org.yaml": `${w.ops.file("main", "Pulumi.org.yaml")!}# tuned\n`,
            "Pulumi.prod.yaml": `${w.ops.file("main", "Pulumi.prod.yaml")!}# tuned\n`,
        };
        for (let i = 1; i <= 3000; i++) files[`Migrations/${String(i).padStart(4, "0")}.sql`] = `select ${i};\n`;
        const sha = w.ops.commit("main", { message: "Migrations and prod tuning", files });
        const targets = await deployTargets(w.deps().gh, w.workspace, sha);
        assert.deepEqual(targets.stacks, ["org", "prod"]);
        assert.deepEqual(targets.notes, [
            `commit ${sha.slice(0, 7)} changes more than the 3000 files GitHub lists: its stack files were asked for one by one`,
        ]);
    });

    it("only PRs merged into main ask for a deploy: an open PR or one merged into another branch that GitHub lists too asks for nothing", async () => {
        w.ops.commit("fix-alarm", { message: "Tune alarm", files: { "components/alarm.ts": "x\n" } });
        const merged = w.ops.openPull({ head: "fix-alarm", title: "Tune the alarm", labels: ["deploy/demo"] });
        const sha = w.ops.mergePull(merged.number, { method: "squash" });
        w.ops.commit("wip", { message: "Work in progress", files: { "components/wip.ts": "x\n" } });
        const open = w.ops.openPull({ head: "wip", title: "Not ready", labels: ["deploy/prod"] });
        w.ops.commit("feature", { message: "Feature base", files: { "components/feature.ts": "x\n" } });
        w.ops.commit("feature-part", { from: "feature", message: "Part", files: { "components/part.ts": "x\n" } });
        const stacked = w.ops.openPull({ head: "feature-part", base: "feature", title: "Part of the feature", labels: ["deploy/staging"] });
        w.ops.mergePull(stacked.number, { method: "squash" });
        // GitHub may list more PRs for a commit than the one that merged it: open ones (when the deploy branch is not
        // the default branch) and ones merged into another branch that carry it.
        w.ops.associate(sha, open.number);
        w.ops.associate(sha, stacked.number);
        const targets = await deployTargets(w.deps().gh, w.workspace, sha);
        assert.deepEqual(targets.stacks, ["demo"]);
        assert.deepEqual(
            targets.pulls.map((p) => p.number),
            [merged.number],
        );
    });
});
