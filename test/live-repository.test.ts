// The repository's own config files are data: release PRs edit their build numbers every weekday and
// `conveyor new-env` adds stacks. This is the ONLY test file that reads them (every other test reads the
// frozen copies in test/fixtures/workspace), and it pins nothing in them: it asserts that they are valid,
// and that the release PRs the product would open from them today pass the checks CI runs on a PR.
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import Ajv2020 from "ajv/dist/2020";
import { parse } from "yaml";
import { synthesize, type SynthResult } from "../cli/synth";
import { loadWorkspace, parseWorkspace, stackFileName, type SourceFile, type Workspace } from "../config";
import { releaseBranch } from "../release/pr";
import { changelogPath, runRelease } from "../release/release";
import { readVersions } from "../config/stackfile";
import { deployTargets } from "../deploy/targets";
import { assertContextsDeclared, assertEveryStackCovered, pipelineOf } from "./pipeline-checks";
import { packProblems } from "./policy-harness";
import { startWorld, type World } from "./release-world";
import { configFilesIn, REPO_ROOT, scratchProject } from "./workspace-fixture";

const live: readonly SourceFile[] = configFilesIn(REPO_ROOT);
const liveCi = fs.readFileSync(path.join(REPO_ROOT, ".circleci", "config.yml"), "utf8");
const NOW = new Date("2026-11-30T08:00:00Z");

/** The environment stacks, by their file names alone: the list must not depend on the files being valid. */
const envStacks = live.map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f.name)?.[1]).filter((s): s is string => s !== undefined && s !== "org");

describe("the repository's live config files", function () {
    this.timeout(120_000);

    it("are valid: every file loads with its cross-file checks, Pulumi.yaml is a pulumi project, the pipeline covers every stack", () => {
        const ws = parseWorkspace(live); // throws a ConfigError naming every problem of every file
        assert.deepEqual(ws.environments.map((e) => e.stack).sort(), [...envStacks].sort());
        // The release's own reader is stricter (a block map of build numbers it can edit line by line).
        for (const e of ws.environments) readVersions(stackFileName(e.stack), live.find((f) => f.name === stackFileName(e.stack))!.text);
        const validate = new Ajv2020({ strict: false }).compile(require("./schemas/pulumi-project.json"));
        const project = parse(live.find((f) => f.name === "Pulumi.yaml")!.text) as { runtime: { name: string } };
        assert.ok(validate(project), JSON.stringify(validate.errors));
        assert.equal(project.runtime.name, "nodejs");
        const pipeline = pipelineOf(liveCi);
        assertContextsDeclared(pipeline, ws);
        assertEveryStackCovered(pipeline, ws);
    });

    describe("the release PR the product would open today for each environment passes the checks CI runs", () => {
        let w: World;
        let ws: Workspace;
        beforeEach(async () => {
            ws = parseWorkspace(live);
            // The ops repository holds a copy of the live stack files on main; CircleCI's newest green build of
            // each component is 4 above the newest any stack runs (3 merged PRs, then the build).
            const stackFiles = Object.fromEntries(
                live.filter((f) => envStacks.some((s) => f.name === stackFileName(s))).map((f) => [f.name, f.text]),
            );
            w = await startWorld({ workspace: ws, stackFiles, prsPerComponent: 3 });
        });
        afterEach(() => w.close());

        /** The project as CI checks it out on the PR's branch: main's config files with the branch's. */
        const checkout = (branch: string): string =>
            scratchProject(live.map((f) => ({ name: f.name, text: w.ops.file(branch, f.name) ?? f.text })));

        for (const env of envStacks) {
            it(`release-${env}: one line per bumped component, every stack still loads, the synth passes the policy pack, merging deploys ${env}`, async () => {
                const outcome = await runRelease(w.deps(), { env, mode: "release", dryRun: false });
                if (outcome.status === "nothing-to-release") {
                    // The product opens no PR: the environment already runs its source's builds.
                    assert.notEqual(
                        ws.environments.find((e) => e.stack === env)!.release.source,
                        "ci",
                        "CI always has a newer build in this world",
                    );
                    return;
                }
                assert.equal(outcome.status, "opened");
                const file = stackFileName(env);
                const branch = releaseBranch(env);

                // What the PR changes: the stack file's bumped lines, and at most the full changelog.
                const [mainTree, branchTree] = ["main", branch].map((b) => w.ops.commitRecord(w.ops.head(b)).tree);
                const changed = Object.keys({ ...mainTree, ...branchTree }).filter((p) => mainTree[p] !== branchTree[p]);
                assert.deepEqual(
                    changed.filter((p) => p !== changelogPath(env)),
                    [file],
                );
                const [before, after] = [w.ops.file("main", file)!, w.ops.file(branch, file)!];
                const [beforeLines, afterLines] = [before.split("\n"), after.split("\n")];
                assert.equal(afterLines.length, beforeLines.length, "no line added or removed");
                const bumps = outcome.plan.bumps;
                assert.ok(bumps.length > 0);
                assert.equal(afterLines.filter((l, i) => l !== beforeLines[i]).length, bumps.length, "one line per bumped component");
                const expected = {
                    ...Object.fromEntries(readVersions(file, before)),
                    ...Object.fromEntries(bumps.map((b) => [b.component, b.to])),
                };
                assert.deepEqual(Object.fromEntries(readVersions(file, after)), expected);

                // CI on the PR: `npm test` (the other tests read frozen copies), then every stack's config is
                // validated and the affected stack is previewed with the policy pack.
                const dir = checkout(branch);
                const onBranch = loadWorkspace(dir);
                const versions = onBranch.environments.find((e) => e.stack === env)!.versions;
                for (const b of bumps) assert.equal(versions.get(b.component), b.to);
                const [mainSynth, branchSynth] = [
                    await synthesize({ dir: checkout("main"), stack: env, now: NOW }),
                    await synthesize({ dir, stack: env, now: NOW }),
                ];
                assert.deepEqual(await packProblems(branchSynth, dir), []);
                // The preview a reviewer reads: exactly the bumped components' task definitions change.
                assert.deepEqual(
                    changedResources(mainSynth, branchSynth),
                    bumps.map((b) => `aws:ecs/taskDefinition:TaskDefinition::${env}-${b.component}`).sort(),
                );

                // On merge, `conveyor targets` deploys exactly this environment.
                const sha = w.ops.mergePull(w.ops.pulls.find((p) => p.head === branch)!.number, { method: "squash" });
                assert.deepEqual((await deployTargets(w.deps().gh, ws, sha)).stacks, [env]);
            });
        }
    });
});

function changedResources(a: SynthResult, b: SynthResult): string[] {
    const key = (r: SynthResult["resources"][number]) => `${r.type}::${r.name}`;
    const before = new Map(a.resources.map((r) => [key(r), JSON.stringify(r)]));
    assert.equal(b.resources.length, a.resources.length, "no resource added or removed");
    return b.resources
        .filter((r) => before.get(key(r)) !== JSON.stringify(r))
        .map(key)
        .sort();
}
