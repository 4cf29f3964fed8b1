// The release PR kept as the release wants it, whatever people or other runs did to it in between, over real
// HTTP against the loopback GitHub. (release.test.ts covers the release itself; these, the PR's upkeep.)
import * as assert from "node:assert/strict";
import { releaseBranch } from "../../release/pr";
import { faults, validationFailed, type Route } from "../fakes/github";
import { contentRoutes } from "../fakes/github/routes/contents";
import { pullRoutes } from "../fakes/github/routes/pulls";
import { diffLines, OWNER, prOf, release, startWorld, type World } from "../release-world";

const builtIn = (routes: Route[], method: string, path: string): Route => routes.find((r) => r.method === method && r.path === path)!;
const putContent = builtIn(contentRoutes, "PUT", "/repos/{owner}/{repo}/contents/{path}");
const createPull = builtIn(pullRoutes, "POST", "/repos/{owner}/{repo}/pulls");

/** A built-in route that lets `before` act (as another run would) the first `times` times it is called. */
function racing(route: Route, before: (ops: World["ops"], body: unknown) => void, times = 1): Route {
    let left = times;
    return {
        ...route,
        handler: (ctx) => {
            if (left-- > 0) before(ctx.state.repo(`${OWNER}/ops`), ctx.body);
            return route.handler(ctx);
        },
    };
}

const puts = (w: World) => w.github.requests.filter((r) => r.method === "PUT" && r.path.includes("/contents/")).length;

describe("release PR upkeep against the fakes", function () {
    this.timeout(60_000);
    let w: World | undefined;
    afterEach(async () => {
        await w?.close();
        w = undefined;
    });

    it("tells each step: the branch it created, the PR it opened, then the PR it refreshed", async () => {
        w = await startWorld();
        const progress: string[] = [];
        await release(w, "staging", progress);
        const pr = prOf(w, "staging");
        assert.ok(progress.includes(`created branch release-staging at ${w.ops.head("main").slice(0, 7)}`), progress.join("\n"));
        assert.ok(progress.includes(`opened PR #${pr.number}: https://github.com/${OWNER}/ops/pull/${pr.number}`), progress.join("\n"));
        const branchReads = w.github.requests.filter((r) => r.method === "GET" && r.url.includes("ref=release-staging"));
        assert.deepEqual(branchReads, [], "a new branch is main: it is written to without reading it first");
        w.ops.pullIssue(w.ops.pull(pr.number)!).title = "Release staging (renamed by hand)";
        progress.length = 0;
        await release(w, "staging", progress);
        assert.ok(progress.includes(`refreshed PR #${pr.number}: https://github.com/${OWNER}/ops/pull/${pr.number}`), progress.join("\n"));
    });

    it("a rerun puts back a title someone edited, and a release label someone removed, saying it updated the PR", async () => {
        w = await startWorld();
        await release(w, "staging");
        const { number, title, body } = prOf(w, "staging");
        w.ops.pullIssue(w.ops.pull(number)!).title = "Release staging (renamed by hand)";
        assert.equal((await release(w, "staging")).status, "updated");
        assert.deepEqual([prOf(w, "staging").title, prOf(w, "staging").body], [title, body]);

        w.ops.setIssueLabels(w.ops.issue(number)!, []);
        assert.equal((await release(w, "staging")).status, "updated");
        assert.deepEqual(prOf(w, "staging").labels, ["release"]);
        assert.equal((await release(w, "staging")).status, "unchanged");
    });

    it("a rerun puts back the stack file someone edited on the release branch, saying it updated the PR", async () => {
        w = await startWorld();
        await release(w, "staging");
        const want = diffLines(w, "staging");
        const file = w.ops.file(releaseBranch("staging"), "Pulumi.staging.yaml")!;
        w.ops.commit(releaseBranch("staging"), {
            message: "pin billing",
            files: { "Pulumi.staging.yaml": file.replace(/billing: \d+/, "billing: 1") },
        });
        assert.equal((await release(w, "staging")).status, "updated");
        assert.deepEqual(diffLines(w, "staging"), want);
    });

    it("a release PR closed by hand is opened again from its branch as it is, without writing the branch", async () => {
        w = await startWorld();
        await release(w, "staging");
        const closed = prOf(w, "staging");
        w.ops.closePull(w.ops.pull(closed.number)!);
        w.github.clearRequests();
        assert.equal((await release(w, "staging")).status, "opened");
        const again = prOf(w, "staging");
        assert.notEqual(again.number, closed.number);
        assert.equal(again.body, closed.body);
        assert.equal(puts(w), 0, "the branch already holds the release");
        assert.equal(w.github.requests.filter((r) => r.method === "PATCH" && r.path.includes("/git/refs/")).length, 0, "nor is it reset");
    });

    it("a release PR closed by hand, then a newer build: the branch starts again from main, and says so", async () => {
        w = await startWorld();
        await release(w, "staging");
        w.ops.closePull(w.ops.pull(prOf(w, "staging").number)!);
        const web = w.repos.get("web")!;
        w.circle.addPipeline(`gh/${OWNER}/${web.name}`, { number: 9000, revision: web.head("main"), workflows: ["success"] });
        const progress: string[] = [];
        assert.equal((await release(w, "staging", progress)).status, "opened");
        assert.ok(progress.includes(`reset branch release-staging to ${w.ops.head("main").slice(0, 7)}`), progress.join("\n"));
        assert.ok(diffLines(w, "staging").includes("    web: 9000"));
        assert.equal(w.ops.commitRecord(w.ops.head(releaseBranch("staging"))).parents[0], w.ops.head("main"), "one commit on main");
    });

    it("refreshes the open release PR even while the last merged one is not deployed yet", async () => {
        w = await startWorld();
        await release(w, "staging");
        w.ops.mergePull(prOf(w, "staging").number, { method: "squash" });
        w.ops.createBranch(releaseBranch("staging"));
        const byHand = w.ops.openPull({ head: releaseBranch("staging"), title: "Release staging by hand", body: "" });
        const web = w.repos.get("web")!;
        w.circle.addPipeline(`gh/${OWNER}/${web.name}`, { number: 9000, revision: web.head("main"), workflows: ["success"] });
        assert.equal((await release(w, "staging")).status, "updated");
        assert.equal(prOf(w, "staging").number, byHand.number);
        assert.equal(prOf(w, "staging").title, "Release staging: 1 component");
    });

    it("a branch GitHub refuses to create fails the run with GitHub's answer, and nothing else is tried", async () => {
        w = await startWorld();
        w.github.fail(
            { method: "POST", path: /\/git\/refs$/ },
            { status: 403, body: { message: "Resource not accessible by integration" } },
            1,
        );
        await assert.rejects(release(w, "staging"), (e: Error & { status?: number }) => e.status === 403);
        assert.equal(w.github.writes(), 1, "the refused creation only");
    });

    it("a rerun puts back the stack file someone deleted from the release branch", async () => {
        w = await startWorld();
        await release(w, "staging");
        const want = diffLines(w, "staging");
        w.ops.commit(releaseBranch("staging"), { message: "remove", files: { "Pulumi.staging.yaml": null } });
        assert.equal((await release(w, "staging")).status, "updated");
        assert.deepEqual(diffLines(w, "staging"), want);
    });

    it("each environment's run keeps to its own release PR", async () => {
        w = await startWorld();
        await release(w, "staging");
        const staging = prOf(w, "staging");
        assert.equal((await release(w, "prod")).status, "opened");
        assert.equal(prOf(w, "prod").title, "Release prod: 6 components");
        assert.deepEqual(prOf(w, "staging"), staging, "staging's PR untouched by prod's run");
    });

    it("a stack file another run wrote between the branch and our write is read again and overwritten within the run", async () => {
        const other = (ops: World["ops"]) => {
            const text = ops.file(releaseBranch("staging"), "Pulumi.staging.yaml")!;
            ops.commit(releaseBranch("staging"), { message: "other run", files: { "Pulumi.staging.yaml": `${text}# other run\n` } });
        };
        w = await startWorld({ routes: [racing(putContent, other)] });
        const outcome = await release(w, "staging");
        assert.equal(outcome.status, "opened", "the first run opened the PR");
        assert.equal(diffLines(w, "staging").length, 6);
        assert.doesNotMatch(w.ops.file(releaseBranch("staging"), "Pulumi.staging.yaml")!, /other run/);
        assert.equal(puts(w), 2, "one refused write, one after reading the file again");
    });

    it("a stack file another run already wrote as this one wants it is left as it is", async () => {
        const same = (ops: World["ops"], body: unknown) => {
            const text = Buffer.from((body as { content: string }).content, "base64").toString("utf8");
            ops.commit(releaseBranch("staging"), { message: "other run", files: { "Pulumi.staging.yaml": text } });
        };
        w = await startWorld({ routes: [racing(putContent, same)] });
        assert.equal((await release(w, "staging")).status, "opened");
        assert.equal(diffLines(w, "staging").length, 6);
        assert.equal(puts(w), 1, "no second write of the same text");
    });

    it("gives up after three refused writes of the same file, with GitHub's answer", async () => {
        w = await startWorld();
        w.github.fail({ method: "PUT", path: /\/contents\// }, faults.conflict("Pulumi.staging.yaml does not match 0000000"), 5);
        await assert.rejects(
            release(w, "staging"),
            (e: Error & { status?: number }) => e.status === 409 && /does not match/.test(e.message),
        );
        assert.equal(puts(w), 3);
        assert.equal(w.ops.pulls.length, 0, "no PR for a branch without the release");
    });

    it("a stack file write GitHub refuses for another reason than a stale sha fails the run at once, with GitHub's answer", async () => {
        w = await startWorld();
        w.github.fail({ method: "PUT", path: /\/contents\// }, faults.validationFailed([], "content is not valid Base64"), 1);
        await assert.rejects(release(w, "staging"), (e: Error & { status?: number }) => e.status === 422 && /Base64/.test(e.message));
        assert.equal(puts(w), 1, "not retried: only a stale sha is read again");
        assert.equal(w.ops.pulls.length, 0);
    });

    it("a branch another run reset before the PR was opened is committed to again, and the PR opened, within the run", async () => {
        const reset = (ops: World["ops"]) => ops.branches.set(releaseBranch("staging"), ops.head("main"));
        w = await startWorld({ routes: [racing(createPull, reset)] });
        assert.equal((await release(w, "staging")).status, "opened", "the first run opened the PR");
        assert.equal(diffLines(w, "staging").length, 6);
        assert.equal(w.github.requests.filter((r) => r.method === "POST" && r.path.endsWith("/pulls")).length, 2);
    });

    it("stops asking after three 'No commits between' answers, with GitHub's answer", async () => {
        const reset = (ops: World["ops"]) => ops.branches.set(releaseBranch("staging"), ops.head("main"));
        w = await startWorld({ routes: [racing(createPull, reset, 10)] });
        await assert.rejects(
            release(w, "staging"),
            (e: Error & { status?: number }) => e.status === 422 && /No commits between/.test(e.message),
        );
        assert.equal(w.github.requests.filter((r) => r.method === "POST" && r.path.endsWith("/pulls")).length, 3);
    });

    it("adopts as it is the PR another run opened with the same content, without rewriting it", async () => {
        const twin: Route = {
            ...createPull,
            handler: (ctx) => {
                const want = ctx.body as { head: string; base: string; title: string; body: string };
                ctx.state.repo(`${OWNER}/ops`).openPull({ head: want.head, base: want.base, title: want.title, body: want.body });
                throw validationFailed({
                    resource: "PullRequest",
                    code: "custom",
                    message: `A pull request already exists for ${OWNER}:${want.head}.`,
                });
            },
        };
        w = await startWorld({ routes: [twin] });
        const outcome = await release(w, "staging");
        assert.ok(outcome.status === "opened" && outcome.pr.number === prOf(w, "staging").number);
        assert.equal(w.github.requests.filter((r) => r.method === "PATCH").length, 0);
    });

    it("an 'already exists' for a PR that is gone by the time it is listed fails the run with GitHub's answer", async () => {
        const gone: Route = {
            ...createPull,
            handler: () => {
                throw validationFailed({
                    resource: "PullRequest",
                    code: "custom",
                    message: "A pull request already exists for acme-saas:release-staging.",
                });
            },
        };
        w = await startWorld({ routes: [gone] });
        await assert.rejects(
            release(w, "staging"),
            (e: Error & { status?: number }) => e.status === 422 && /already exists/.test(e.message),
        );
    });
});
