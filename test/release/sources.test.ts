// Where a release's builds come from (CI, another stack file, the environment's own history), over real HTTP
// against the loopback GitHub and CircleCI. (release.test.ts covers the release end to end.)
import * as assert from "node:assert/strict";
import { parseWorkspace } from "../../config";
import { readVersions } from "../../config/stackfile";
import { releaseBranch } from "../../release/pr";
import { opsRefOf } from "../../release/release";
import { diffLines, OWNER, prOf, release, startWorld, type World } from "../release-world";
import { fixtureFiles } from "../workspace-fixture";

/** The frozen workspace with Pulumi.org.yaml bent by `edit`. */
const workspaceWith = (edit: (org: string) => string) =>
    parseWorkspace(fixtureFiles().map((f) => (f.name === "Pulumi.org.yaml" ? { ...f, text: edit(f.text) } : f)));

/** Merges the open release PR of `env` and labels it deployed, as the deploy would. */
function mergeDeployed(w: World, env: string): void {
    const n = prOf(w, env).number;
    w.ops.mergePull(n, { method: "squash" });
    w.ops.addIssueLabels(w.ops.issue(n)!, ["deployed"]);
}

describe("release sources against the fakes", function () {
    this.timeout(60_000);
    let w: World | undefined;
    afterEach(async () => {
        await w?.close();
        w = undefined;
    });

    it("looks for each component's green build on its repository's own default branch", async () => {
        w = await startWorld({
            workspace: workspaceWith((org) => org.replace("    web-frontend:\n", "    web-frontend:\n      defaultBranch: develop\n")),
        });
        const web = w.repos.get("web")!;
        w.circle.addPipeline(`gh/${OWNER}/${web.name}`, {
            number: 9000,
            branch: "develop",
            revision: web.head("main"),
            workflows: ["success"],
        });
        const progress: string[] = [];
        await release(w, "staging", progress);
        assert.ok(progress.includes("web: latest green build on develop is 9000"), progress.join("\n"));
        assert.ok(progress.includes(`billing: latest green build on main is ${w.latest.get("billing")}`), progress.join("\n"));
        assert.ok(diffLines(w, "staging").includes("    web: 9000"));
    });

    it("says a component has no green build on its branch, and leaves it out", async () => {
        w = await startWorld({
            workspace: workspaceWith((org) => org.replace("    web-frontend:\n", "    web-frontend:\n      defaultBranch: develop\n")),
        });
        const progress: string[] = [];
        await release(w, "staging", progress);
        assert.ok(progress.includes("web: no green pipeline on develop"), progress.join("\n"));
        assert.match(prOf(w, "staging").body, /### Not in this release\n\n- web: .*no green pipeline on develop\n/);
        assert.ok(!diffLines(w, "staging").some((l) => l.includes("web:")));
    });

    it("says a component has no green build in the pipelines it read, and leaves it out", async () => {
        w = await startWorld();
        const top = w.latest.get("gateway")!;
        for (let n = top + 2; n < top + 2 + 220; n++) w.circle.addPipeline(`gh/${OWNER}/api-gateway`, { number: n, workflows: ["failed"] });
        const progress: string[] = [];
        await release(w, "staging", progress);
        assert.ok(progress.includes("gateway: no green pipeline on main in the pipelines read"), progress.join("\n"));
        assert.match(prOf(w, "staging").body, /### Not in this release\n\n- gateway: .*no green pipeline on main in the pipelines read/);
        assert.ok(!diffLines(w, "staging").some((l) => l.includes("gateway")));
    });

    it("rolls back only the last release, when it changed one component, past edits that changed no build", async () => {
        w = await startWorld();
        await release(w, "prod");
        mergeDeployed(w, "prod");
        const afterFirst = readVersions("Pulumi.prod.yaml", w.ops.file("main", "Pulumi.prod.yaml")!);
        const demo = w.ops.file("main", "Pulumi.demo.yaml")!;
        w.ops.commit("main", { message: "demo takes web 2290", files: { "Pulumi.demo.yaml": demo.replace(/web: \d+/, "web: 2290") } });
        await release(w, "prod");
        assert.equal(prOf(w, "prod").title, "Release prod: 1 component");
        mergeDeployed(w, "prod");
        const prod = w.ops.file("main", "Pulumi.prod.yaml")!;
        w.ops.commit("main", { message: "a comment", files: { "Pulumi.prod.yaml": `# prod: customers' data\n${prod}` } });

        await release(w, "prod", undefined, "rollback");
        assert.equal(prOf(w, "prod").title, "Release prod: 1 component", "web back to the first release's build, nothing else");
        const rolled = readVersions("Pulumi.prod.yaml", w.ops.file(releaseBranch("prod"), "Pulumi.prod.yaml")!);
        assert.deepEqual([...rolled], [...afterFirst]);
    });

    it("rolls back a release that only added a component to the release before it, not further", async () => {
        w = await startWorld();
        const prod = w.ops.file("main", "Pulumi.prod.yaml")!;
        const without = prod.replace(/\n {4}notifications: \d+/, "");
        w.ops.commit("main", { message: "prod: web 2255", files: { "Pulumi.prod.yaml": without } });
        const before = w.ops.commit("main", {
            message: "prod: web 2260",
            files: { "Pulumi.prod.yaml": without.replace("web: 2255", "web: 2260") },
        });
        w.ops.commit("main", { message: "prod: notifications new", files: { "Pulumi.prod.yaml": prod.replace("web: 2255", "web: 2260") } });

        const progress: string[] = [];
        const outcome = await release(w, "prod", progress, "rollback");
        assert.ok(progress.includes(`prod: rolling back to the versions of ${before.slice(0, 7)}`), progress.join("\n"));
        assert.equal(outcome.status, "nothing-to-release", "web stays at 2260: the release before only added notifications");
    });
});

describe("release sources: the ops repository's branch", () => {
    it("is the ops repository's own default branch, or main", () => {
        const trunk = workspaceWith((org) => org.replace("    ops:\n", "    ops:\n      defaultBranch: trunk\n"));
        assert.deepEqual(opsRefOf(trunk.org!), { owner: "acme-saas", repo: "ops", branch: "trunk" });
        const org = trunk.org!;
        assert.equal(opsRefOf({ ...org, repositories: org.repositories.filter((r) => r.name !== "ops") }).branch, "main");
    });
});
