import assert from "node:assert/strict";
import { Octokit, type RequestError } from "octokit";
import { EMPTY_TREE_SHA, faults, gitBlobSha, startFakeGitHub, type FakeGitHub, type RepoState } from "./github";
import { call, callError, checked, client, quietLog } from "./github-calls";
import { adminRoutes, restRoutes, routes } from "./github/routes";
import { assertMatchesOpenApi, openApiDocument, operation } from "./openapi";

/** One field of each item; octokit's plugin types resolve to `any` under this repo's node10 resolution. */
function pluck(list: unknown, key: string): unknown[] {
    return (list as Array<Record<string, unknown>>).map((item) => item[key]);
}

/** Issue labels may be strings or objects in GitHub's schema. */
function labelNamesOf(labels: unknown): string[] {
    return (labels as Array<string | { name: string }>).map((l) => (typeof l === "string" ? l : l.name));
}

function everyOtherTestPassed(suite: Mocha.Suite, self: Mocha.Runnable | undefined): boolean {
    return suite.tests.every((t) => t === self || t.state === "passed") && suite.suites.every((s) => everyOtherTestPassed(s, self));
}

const OWNER = "acme";
const REPO = "app";
const at = { owner: OWNER, repo: REPO };

describe("fake GitHub", function () {
    let fake: FakeGitHub;
    let gh: Octokit;
    let repo: RepoState;

    before(function () {
        // Parsing the 70 MB description once up front keeps per-test timings honest.
        openApiDocument();
    });

    beforeEach(async function () {
        fake = await startFakeGitHub();
        repo = fake.state.addRepo(`${OWNER}/${REPO}`, { default_branch: "trunk" });
        gh = client(fake);
    });

    afterEach(async function () {
        await fake.close();
    });

    describe("routing and auth", function () {
        it("serves a seeded repository and 404s an unknown one", async function () {
            const { data } = await call(gh.rest.repos.get, at, 200);
            assert.equal(data.full_name, "acme/app");
            assert.equal(data.default_branch, "trunk");
            assert.equal(data.url, `${fake.url}/repos/acme/app`);
            const err = await callError(gh.rest.repos.get, { owner: OWNER, repo: "nope" }, 404);
            assert.deepEqual(err.response?.data, {
                message: "Not Found",
                documentation_url: "https://docs.github.com/rest/repos/repos#get-a-repository",
                status: "404",
            });
        });

        it("resolves owner and repo case-insensitively, like GitHub", async function () {
            const { data } = await call(gh.rest.repos.get, { owner: "ACME", repo: "App" }, 200);
            assert.equal(data.full_name, "acme/app");
        });

        it("answers 401 Bad credentials without a token", async function () {
            const anonymous = new Octokit({ baseUrl: fake.url, log: quietLog, retry: { enabled: false }, throttle: { enabled: false } });
            const err = await callError(anonymous.rest.repos.get, at, 401);
            assert.deepEqual(err.response?.data, {
                message: "Bad credentials",
                documentation_url: "https://docs.github.com/rest",
                status: "401",
            });
            assert.equal(fake.requests[0]?.status, 401);
        });

        it("requires the exact token once state.token is set, as token or Bearer", async function () {
            fake.state.token = "s3cret";
            await callError(gh.rest.repos.get, at, 401);
            await call(client(fake, { auth: "s3cret" }).rest.repos.get, at, 200);
            const res = await fetch(`${fake.url}/repos/acme/app`, { headers: { authorization: "Bearer s3cret" } });
            assert.equal(res.status, 200);
        });

        it("404s unknown routes with GitHub's body", async function () {
            const res = await fetch(`${fake.url}/no/such/thing`, { headers: { authorization: "token t" } });
            assert.equal(res.status, 404);
            assert.deepEqual(await res.json(), { message: "Not Found", documentation_url: "https://docs.github.com/rest", status: "404" });
        });

        it("answers 400 Problems parsing JSON for a malformed body", async function () {
            const res = await fetch(`${fake.url}/repos/acme/app/labels`, {
                method: "POST",
                headers: { authorization: "token t", "content-type": "application/json" },
                body: "{nope",
            });
            assert.equal(res.status, 400);
            assert.equal(((await res.json()) as { message: string }).message, "Problems parsing JSON");
        });

        it("logs requests and counts reads and writes", async function () {
            await gh.rest.issues.listLabelsForRepo(at);
            await gh.rest.issues.createLabel({ ...at, name: "x" });
            await gh.rest.issues.getLabel({ ...at, name: "x" });
            assert.equal(fake.reads(), 2);
            assert.equal(fake.writes(), 1);
            assert.equal(fake.reads(/\/labels\/x$/), 1);
            assert.deepEqual(
                fake.requests.map((r) => [r.method, r.path, r.status, r.route]),
                [
                    ["GET", "/repos/acme/app/labels", 200, "/repos/{owner}/{repo}/labels"],
                    ["POST", "/repos/acme/app/labels", 201, "/repos/{owner}/{repo}/labels"],
                    ["GET", "/repos/acme/app/labels/x", 200, "/repos/{owner}/{repo}/labels/{name}"],
                ],
            );
            fake.clearRequests();
            assert.equal(fake.requests.length, 0);
        });

        it("delays answers by latencyMs", async function () {
            const slow = await startFakeGitHub({ latencyMs: 80 });
            try {
                slow.state.addRepo("acme/app");
                const started = Date.now();
                await client(slow).rest.repos.get(at);
                assert.ok(Date.now() - started >= 75, "answered too fast");
            } finally {
                await slow.close();
            }
        });

        it("names each route's documentation_url as the OpenAPI description does", function () {
            for (const route of restRoutes) {
                assert.equal(operation(route.method, route.path).externalDocs?.url, route.docs, `${route.method} ${route.path}`);
            }
        });
    });

    describe("labels", function () {
        it("creates, reads, updates and deletes a label", async function () {
            const created = await call(
                gh.rest.issues.createLabel,
                { ...at, name: "type: bug", color: "d73a4a", description: "Broken" },
                201,
            );
            assert.equal(created.data.name, "type: bug");
            assert.equal(created.data.description, "Broken");
            await call(gh.rest.issues.getLabel, { ...at, name: "TYPE: BUG" }, 200);
            const updated = await call(
                gh.rest.issues.updateLabel,
                { ...at, name: "type: bug", color: "ff0000", description: "Still broken" },
                200,
            );
            assert.equal(updated.data.color, "ff0000");
            const listed = await call(gh.rest.issues.listLabelsForRepo, at, 200);
            assert.deepEqual(pluck(listed.data, "name"), ["type: bug"]);
            await call(gh.rest.issues.deleteLabel, { ...at, name: "type: bug" }, 204);
            await callError(gh.rest.issues.getLabel, { ...at, name: "type: bug" }, 404);
        });

        it("keeps a slash inside a label name in one path segment, encoded or not, as GitHub does", async function () {
            repo.addLabel("area/ci");
            const { data } = await call(gh.rest.issues.getLabel, { ...at, name: "area/ci" }, 200);
            assert.equal(data.name, "area/ci");
            const auth = { authorization: "token t" };
            const raw = await fetch(`${fake.url}/repos/acme/app/labels/area/ci`, {
                method: "PATCH",
                headers: auth,
                body: JSON.stringify({ color: "00ff00" }),
            });
            assert.equal(raw.status, 200);
            assert.equal(repo.label("area/ci")?.color, "00ff00");
            assert.equal((await fetch(`${fake.url}/repos/acme/app/labels/area/ci`, { method: "DELETE", headers: auth })).status, 204);
            assert.equal(repo.label("area/ci"), undefined);
        });

        it("rejects a duplicate name case-insensitively with 422 already_exists", async function () {
            repo.addLabel("release");
            const err = await callError(gh.rest.issues.createLabel, { ...at, name: "Release" }, 422);
            assert.deepEqual((err.response?.data as { errors: unknown }).errors, [
                { resource: "Label", code: "already_exists", field: "name" },
            ]);
            assert.equal((err.response?.data as { message: string }).message, "Validation Failed");
            assert.equal(repo.labels.length, 1);
        });

        it("rejects a colour that is not six hex digits", async function () {
            const err = await callError(gh.rest.issues.createLabel, { ...at, name: "x", color: "#fff" }, 422);
            assert.deepEqual((err.response?.data as { errors: unknown }).errors, [{ resource: "Label", code: "invalid", field: "color" }]);
        });

        it("paginates 250 labels with Link next/last", async function () {
            for (let i = 0; i < 250; i++) repo.addLabel(`label-${String(i).padStart(3, "0")}`);
            const first = await call(gh.rest.issues.listLabelsForRepo, { ...at, per_page: 100 }, 200);
            assert.equal(first.data.length, 100);
            const base = `${fake.url}/repos/acme/app/labels?per_page=100`;
            assert.equal(first.headers.link, `<${base}&page=2>; rel="next", <${base}&page=3>; rel="last"`);
            const middle = await gh.rest.issues.listLabelsForRepo({ ...at, per_page: 100, page: 2 });
            assert.equal(
                middle.headers.link,
                `<${base}&page=1>; rel="prev", <${base}&page=3>; rel="next", <${base}&page=3>; rel="last", <${base}&page=1>; rel="first"`,
            );
            const last = await gh.rest.issues.listLabelsForRepo({ ...at, per_page: 100, page: 3 });
            assert.equal(last.data.length, 50);
            assert.doesNotMatch(last.headers.link ?? "", /rel="next"/);

            fake.clearRequests();
            const all = await gh.paginate(gh.rest.issues.listLabelsForRepo, { ...at, per_page: 100 });
            assert.equal(all.length, 250);
            assert.equal(new Set(pluck(all, "name")).size, 250);
            assert.equal(fake.reads(), 3);
        });

        it("defaults to 30 per page and caps per_page at 100", async function () {
            for (let i = 0; i < 150; i++) repo.addLabel(`l${i}`);
            assert.equal((await gh.rest.issues.listLabelsForRepo(at)).data.length, 30);
            assert.equal((await gh.rest.issues.listLabelsForRepo({ ...at, per_page: 500 })).data.length, 100);
        });

        it("keeps a renamed label on every issue that carries it", async function () {
            const one = repo.addIssue("one", { labels: ["needs-release", "bug"] });
            const two = repo.addIssue("two", { labels: ["needs-release"] });
            const renamed = await call(gh.rest.issues.updateLabel, { ...at, name: "needs-release", new_name: "release: pending" }, 200);
            assert.equal(renamed.data.name, "release: pending");
            assert.equal(renamed.data.url, `${fake.url}/repos/acme/app/labels/release%3A%20pending`);
            for (const issue of [one, two]) {
                const { data } = await call(gh.rest.issues.get, { ...at, issue_number: issue.number }, 200);
                assert.ok(labelNamesOf(data.labels).includes("release: pending"), `#${issue.number}`);
            }
            assert.deepEqual(repo.issueLabelNames(one.number), ["release: pending", "bug"]);
            await callError(gh.rest.issues.getLabel, { ...at, name: "needs-release" }, 404);
            const filtered = await gh.rest.issues.listForRepo({ ...at, labels: "release: pending" });
            assert.deepEqual(pluck(filtered.data, "number").sort(), [one.number, two.number].sort());
        });

        it("refuses to rename onto another label's name but allows a case change", async function () {
            repo.addLabel("a");
            repo.addLabel("b");
            await callError(gh.rest.issues.updateLabel, { ...at, name: "a", new_name: "B" }, 422);
            const { data } = await gh.rest.issues.updateLabel({ ...at, name: "a", new_name: "A" });
            assert.equal(data.name, "A");
        });

        it("removes a deleted label from issues", async function () {
            const issue = repo.addIssue("i", { labels: ["doomed", "kept"] });
            await gh.rest.issues.deleteLabel({ ...at, name: "doomed" });
            assert.deepEqual(repo.issueLabelNames(issue.number), ["kept"]);
        });
    });

    describe("milestones", function () {
        it("creates, lists, reads, updates and deletes milestones", async function () {
            const created = await call(
                gh.rest.issues.createMilestone,
                { ...at, title: "v1.0", due_on: "2030-01-02T00:00:00Z", description: "first" },
                201,
            );
            assert.equal(created.data.number, 1);
            assert.equal(created.data.state, "open");
            await call(gh.rest.issues.createMilestone, { ...at, title: "v0.9", due_on: "2029-01-01T00:00:00Z" }, 201);
            await call(gh.rest.issues.createMilestone, { ...at, title: "someday" }, 201);

            const open = await call(gh.rest.issues.listMilestones, at, 200);
            assert.deepEqual(pluck(open.data, "title"), ["v0.9", "v1.0", "someday"]);
            const desc = await gh.rest.issues.listMilestones({ ...at, direction: "desc" });
            assert.deepEqual(pluck(desc.data, "title"), ["someday", "v1.0", "v0.9"]);

            const closed = await call(gh.rest.issues.updateMilestone, { ...at, milestone_number: 1, state: "closed" }, 200);
            assert.equal(closed.data.state, "closed");
            assert.ok(closed.data.closed_at);
            assert.deepEqual(pluck((await gh.rest.issues.listMilestones(at)).data, "title"), ["v0.9", "someday"]);
            assert.deepEqual(pluck((await gh.rest.issues.listMilestones({ ...at, state: "closed" })).data, "title"), ["v1.0"]);
            assert.equal((await gh.rest.issues.listMilestones({ ...at, state: "all" })).data.length, 3);

            await call(gh.rest.issues.getMilestone, { ...at, milestone_number: 1 }, 200);
            await call(gh.rest.issues.deleteMilestone, { ...at, milestone_number: 1 }, 204);
            await callError(gh.rest.issues.getMilestone, { ...at, milestone_number: 1 }, 404);
        });

        it("rejects a duplicate title with 422 already_exists", async function () {
            repo.addMilestone("v1");
            const err = await callError(gh.rest.issues.createMilestone, { ...at, title: "v1" }, 422);
            assert.deepEqual((err.response?.data as { errors: unknown }).errors, [
                { resource: "Milestone", code: "already_exists", field: "title" },
            ]);
        });

        it("counts open and closed issues and sorts by completeness", async function () {
            const half = repo.addMilestone("half");
            const done = repo.addMilestone("done");
            repo.addIssue("a", { milestone: half.number });
            repo.addIssue("b", { milestone: half.number, state: "closed" });
            repo.addIssue("c", { milestone: done.number, state: "closed" });
            const { data } = await gh.rest.issues.listMilestones({ ...at, sort: "completeness", direction: "desc" });
            const counts = (data as Array<{ title: string; open_issues: number; closed_issues: number }>).map((m) => [
                m.title,
                m.open_issues,
                m.closed_issues,
            ]);
            assert.deepEqual(counts, [
                ["done", 0, 1],
                ["half", 1, 1],
            ]);
        });

        it("clears a deleted milestone from its issues", async function () {
            const m = repo.addMilestone("gone");
            const issue = repo.addIssue("i", { milestone: m.number });
            await gh.rest.issues.deleteMilestone({ ...at, milestone_number: m.number });
            assert.equal((await gh.rest.issues.get({ ...at, issue_number: issue.number })).data.milestone, null);
        });
    });

    describe("issues", function () {
        it("creates an issue with labels and a milestone, then reads it", async function () {
            repo.addLabel("bug", "d73a4a");
            const m = repo.addMilestone("v1");
            const created = await call(
                gh.rest.issues.create,
                { ...at, title: "Broken", body: "details", labels: ["BUG", "new-one"], milestone: m.number },
                201,
            );
            assert.equal(created.data.number, 1);
            assert.equal(created.data.state, "open");
            assert.equal(created.data.milestone?.title, "v1");
            // Existing labels match case-insensitively; unknown ones are created.
            assert.deepEqual(labelNamesOf(created.data.labels), ["bug", "new-one"]);
            assert.equal(repo.label("new-one")?.color, "ededed");
            const got = await call(gh.rest.issues.get, { ...at, issue_number: 1 }, 200);
            assert.equal(got.data.body, "details");
            await callError(gh.rest.issues.get, { ...at, issue_number: 99 }, 404);
        });

        it("rejects an issue without a title or with an unknown milestone", async function () {
            const err = await callError(gh.rest.issues.create, { ...at, title: "" }, 422);
            assert.deepEqual((err.response?.data as { errors: unknown }).errors, [
                { resource: "Issue", code: "missing_field", field: "title" },
            ]);
            await callError(gh.rest.issues.create, { ...at, title: "x", milestone: 42 }, 422);
        });

        it("closes with a reason and reopens", async function () {
            const issue = repo.addIssue("i", { labels: ["a"] });
            const closed = await call(gh.rest.issues.update, { ...at, issue_number: issue.number, state: "closed" }, 200);
            assert.equal(closed.data.state, "closed");
            assert.equal(closed.data.state_reason, "completed");
            assert.ok(closed.data.closed_at);
            assert.equal(closed.data.closed_by?.login, fake.state.user.login);
            const reason = await gh.rest.issues.update({ ...at, issue_number: issue.number, state: "closed", state_reason: "not_planned" });
            assert.equal(reason.data.state_reason, "not_planned");
            const reopened = await gh.rest.issues.update({ ...at, issue_number: issue.number, state: "open" });
            assert.equal(reopened.data.state, "open");
            assert.equal(reopened.data.state_reason, "reopened");
            assert.equal(reopened.data.closed_at, null);
            const relabelled = await gh.rest.issues.update({ ...at, issue_number: issue.number, labels: ["b", "c"], title: "renamed" });
            assert.deepEqual(repo.issueLabelNames(issue.number), ["b", "c"]);
            assert.equal(relabelled.data.title, "renamed");
            await callError(gh.rest.issues.update, { ...at, issue_number: issue.number, state: "weird" as "open" }, 422);
        });

        it("lists issues newest first, filtered by state, labels and milestone", async function () {
            const m = repo.addMilestone("v1");
            repo.addIssue("one", { labels: ["x"] });
            repo.addIssue("two", { labels: ["x", "y"], milestone: m.number });
            repo.addIssue("three", { state: "closed" });
            const open = await call(gh.rest.issues.listForRepo, at, 200);
            assert.deepEqual(pluck(open.data, "title"), ["two", "one"]);
            const all = await gh.rest.issues.listForRepo({ ...at, state: "all", direction: "asc" });
            assert.deepEqual(pluck(all.data, "title"), ["one", "two", "three"]);
            assert.deepEqual(pluck((await gh.rest.issues.listForRepo({ ...at, labels: "x,Y" })).data, "title"), ["two"]);
            assert.deepEqual(pluck((await gh.rest.issues.listForRepo({ ...at, milestone: "none" })).data, "title"), ["one"]);
            assert.deepEqual(pluck((await gh.rest.issues.listForRepo({ ...at, milestone: String(m.number) })).data, "title"), ["two"]);
        });

        it("adds, sets, lists and removes labels on an issue", async function () {
            const issue = repo.addIssue("i", { labels: ["a"] });
            const n = { ...at, issue_number: issue.number };
            const added = await call(gh.rest.issues.addLabels, { ...n, labels: ["b", "A"] }, 200);
            assert.deepEqual(pluck(added.data, "name"), ["a", "b"]);
            const listed = await call(gh.rest.issues.listLabelsOnIssue, n, 200);
            assert.deepEqual(pluck(listed.data, "name"), ["a", "b"]);
            const removed = await call(gh.rest.issues.removeLabel, { ...n, name: "a" }, 200);
            assert.deepEqual(pluck(removed.data, "name"), ["b"]);
            const err = await callError(gh.rest.issues.removeLabel, { ...n, name: "a" }, 404);
            assert.equal((err.response?.data as { message: string }).message, "Label does not exist");
            const set = await call(gh.rest.issues.setLabels, { ...n, labels: ["c", "d"] }, 200);
            assert.deepEqual(pluck(set.data, "name"), ["c", "d"]);
            await call(gh.rest.issues.removeAllLabels, n, 204);
            assert.deepEqual(repo.issueLabelNames(issue.number), []);
            // Removing from the issue never deletes the repository's label.
            assert.ok(repo.label("a"));
        });

        it("comments: create, list, read, edit, delete", async function () {
            const issue = repo.addIssue("i");
            const n = { ...at, issue_number: issue.number };
            const created = await call(gh.rest.issues.createComment, { ...n, body: "first" }, 201);
            await call(gh.rest.issues.createComment, { ...n, body: "second" }, 201);
            const listed = await call(gh.rest.issues.listComments, n, 200);
            assert.deepEqual(pluck(listed.data, "body"), ["first", "second"]);
            assert.equal((await gh.rest.issues.get(n)).data.comments, 2);
            const id = { ...at, comment_id: created.data.id };
            await call(gh.rest.issues.getComment, id, 200);
            const edited = await call(gh.rest.issues.updateComment, { ...id, body: "edited" }, 200);
            assert.equal(edited.data.body, "edited");
            await call(gh.rest.issues.deleteComment, id, 204);
            await callError(gh.rest.issues.getComment, id, 404);
            await callError(gh.rest.issues.createComment, { ...n, body: "" }, 422);
            assert.deepEqual(
                repo.issueComments(issue.number).map((c) => c.body),
                ["second"],
            );
        });
    });

    describe("git data and seeding", function () {
        it("hashes blobs, trees and commits exactly as git does", function () {
            assert.equal(gitBlobSha("hello\n"), "ce013625030ba8dba906f756967f9e9ca394464a");
            const root = repo.commit("trunk", { message: "root" });
            assert.equal(repo.commitRecord(root).treeSha, EMPTY_TREE_SHA);
            // `git commit` with these files, author and date prints the same shas.
            const sha = repo.commit("trunk", {
                message: "init",
                author: { name: "A U", email: "a@example.com" },
                date: "2026-01-02T03:04:05Z",
                files: { "README.md": "hi\n", "dir/sub/x.yaml": "a: 1\n", "dir/y": "y\n", "dir.txt": "z" },
            });
            assert.equal(repo.commitRecord(sha).treeSha, "1cc2d05486ef695303a9673ecc78374c69f5bf1d");
            const fresh = fake.state.addRepo("acme/fresh");
            const first = fresh.commit("main", {
                message: "init",
                author: { name: "A U", email: "a@example.com" },
                date: "2026-01-02T03:04:05Z",
                files: { "README.md": "hi\n", "dir/sub/x.yaml": "a: 1\n", "dir/y": "y\n", "dir.txt": "z" },
            });
            assert.equal(first, "0de31c712b6cf37459d9d31618c24dfb528a3d82");
            assert.equal(fresh.commitRecord(first).tree["dir/sub/x.yaml"], gitBlobSha("a: 1\n"));
            assert.equal(fresh.file("main", "dir/y"), "y\n");
            const second = fresh.commit("main", { message: "drop y", files: { "dir/y": null } });
            assert.deepEqual(fresh.commitRecord(second).parents, [first]);
            assert.equal(fresh.file("main", "dir/y"), undefined);
            assert.equal(fresh.file(first, "dir/y"), "y\n");
        });

        it("starts a new branch from the default branch, or from `from`", function () {
            const base = repo.commit("trunk", { message: "base", files: { "a.txt": "a" } });
            const next = repo.commit("trunk", { message: "next", files: { "a.txt": "b" } });
            const feature = repo.commit("feature", { message: "f", files: { "f.txt": "f" } });
            assert.deepEqual(repo.commitRecord(feature).parents, [next]);
            const old = repo.commit("old", { message: "o", from: base, files: {} });
            assert.deepEqual(repo.commitRecord(old).parents, [base]);
            assert.throws(() => repo.openPull({ head: "missing", title: "x" }), /no branch missing/);
        });

        it("squash and merge seeding write GitHub's commits and record the associations", async function () {
            const root = repo.commit("trunk", { message: "init", files: { "a.txt": "a\n" } });
            const c1 = repo.commit("feat-1", { message: "one", author: "alice", files: { "a.txt": "a\nb\n" } });
            const c2 = repo.commit("feat-1", { message: "two", author: "alice", files: { "b.txt": "b\n" } });
            const squashed = repo.openPull({
                head: "feat-1",
                title: "Add b",
                user: "alice",
                labels: ["type/new-feature"],
                body: "Fixes #99",
            });
            const squash = repo.mergePull(squashed.number, { method: "squash" });
            const squashCommit = repo.commitRecord(squash);
            assert.equal(squashCommit.message, `Add b (#${squashed.number})`);
            assert.deepEqual(squashCommit.parents, [root]);
            assert.equal(squashCommit.authorLogin, "alice");
            assert.deepEqual([squashCommit.committer.name, squashCommit.committerLogin], ["GitHub", "web-flow"]);
            assert.equal(repo.file("trunk", "a.txt"), "a\nb\n");
            assert.equal(repo.file("trunk", "b.txt"), "b\n");
            assert.equal(repo.branches.has("feat-1"), false, "delete_branch_on_merge");

            const c3 = repo.commit("feat-2", { message: "three", author: "bob", files: { "c.txt": "c\n" } });
            const merged = repo.openPull({ head: "feat-2", title: "Add c", user: "bob" });
            const merge = repo.mergePull(merged.number, { method: "merge", deleteBranch: false, by: "carol" });
            const mergeCommit = repo.commitRecord(merge);
            assert.equal(mergeCommit.message, `Merge pull request #${merged.number} from acme/feat-2\n\nAdd c`);
            assert.deepEqual(mergeCommit.parents, [squash, c3]);
            assert.equal(mergeCommit.authorLogin, "carol");
            assert.ok(repo.branches.has("feat-2"));

            // Merged elsewhere: only marked merged against an existing commit, nothing written.
            const hotfix = repo.commit("trunk", { message: "Hotfix (#3)", files: { "h.txt": "h\n" } });
            const seeded = repo.openPull({ head: "hotfix", title: "Hotfix", merged: true, mergeCommitSha: hotfix });
            assert.equal(repo.head("trunk"), hotfix);

            const wip = repo.commit("feat-3", { message: "wip", files: { "d.txt": "d\n" } });
            const open = repo.openPull({ head: "feat-3", title: "WIP" });

            const pullsOf = async (sha: string) =>
                pluck((await call(gh.rest.repos.listPullRequestsAssociatedWithCommit, { ...at, commit_sha: sha }, 200)).data, "number");
            assert.deepEqual(await pullsOf(squash), [squashed.number]);
            assert.deepEqual(await pullsOf(c1), [squashed.number]);
            assert.deepEqual(await pullsOf(c2), [squashed.number]);
            assert.deepEqual(await pullsOf(merge), [merged.number]);
            assert.deepEqual(await pullsOf(c3), [merged.number]);
            assert.deepEqual(await pullsOf(hotfix), [seeded.number]);
            assert.deepEqual(await pullsOf(wip), [open.number]);
            assert.deepEqual(await pullsOf(root), []);

            const got = await call(gh.rest.pulls.get, { ...at, pull_number: squashed.number }, 200);
            assert.equal(got.data.merged, true);
            assert.equal(got.data.state, "closed");
            assert.equal(got.data.merge_commit_sha, squash);
            assert.ok(got.data.merged_at);
            assert.equal(got.data.closed_at, got.data.merged_at);
            assert.equal(got.data.head.sha, c2);
            assert.equal(got.data.base.sha, root);
            assert.equal(got.data.commits, 2);
            assert.equal(got.data.user.login, "alice");
            assert.deepEqual(labelNamesOf(got.data.labels), ["type/new-feature"]);
            const byCarol = await gh.rest.pulls.get({ ...at, pull_number: merged.number });
            assert.equal(byCarol.data.merged_by?.login, "carol");
            const stillOpen = await gh.rest.pulls.get({ ...at, pull_number: open.number });
            assert.deepEqual([stillOpen.data.merged, stillOpen.data.merged_at, stillOpen.data.merge_commit_sha], [false, null, null]);
            assert.equal(stillOpen.data.mergeable, true);
        });
    });

    describe("git refs and branches", function () {
        let main: string;

        beforeEach(function () {
            main = repo.commit("trunk", { message: "init", files: { "a.txt": "a\n" } });
        });

        it("reads a ref and a branch, and 404s unknown ones", async function () {
            const ref = await call(gh.rest.git.getRef, { ...at, ref: "heads/trunk" }, 200);
            assert.equal(ref.data.ref, "refs/heads/trunk");
            assert.deepEqual(ref.data.object, { sha: main, type: "commit", url: `${fake.url}/repos/acme/app/git/commits/${main}` });
            await callError(gh.rest.git.getRef, { ...at, ref: "heads/nope" }, 404);
            const branch = await call(gh.rest.repos.getBranch, { ...at, branch: "trunk" }, 200);
            assert.equal(branch.data.commit.sha, main);
            assert.equal(branch.data.protected, false);
            const err = await callError(gh.rest.repos.getBranch, { ...at, branch: "nope" }, 404);
            assert.equal((err.response?.data as { message: string }).message, "Branch not found");
        });

        it("creates a ref once: 422 Reference already exists, 422 Object does not exist", async function () {
            const created = await call(gh.rest.git.createRef, { ...at, ref: "refs/heads/release/staging", sha: main }, 201);
            assert.equal(created.data.ref, "refs/heads/release/staging");
            assert.equal(created.headers.location, created.data.url);
            assert.equal(repo.head("release/staging"), main);
            const again = await callError(gh.rest.git.createRef, { ...at, ref: "refs/heads/release/staging", sha: main }, 422);
            assert.equal((again.response?.data as { message: string }).message, "Reference already exists");
            const missing = await callError(gh.rest.git.createRef, { ...at, ref: "refs/heads/x", sha: "0".repeat(40) }, 422);
            assert.equal((missing.response?.data as { message: string }).message, "Object does not exist");
            assert.equal(repo.branches.has("x"), false);
            // Slashes inside the ref: octokit encodes them, other clients may not, GitHub takes both.
            await call(gh.rest.git.getRef, { ...at, ref: "heads/release/staging" }, 200);
            for (const path of ["git/ref/heads/release/staging", "branches/release/staging"]) {
                const res = await fetch(`${fake.url}/repos/acme/app/${path}`, { headers: { authorization: "token t" } });
                assert.equal(res.status, 200, path);
            }
        });

        it("moves a ref forward, refuses a non-fast-forward unless forced, and deletes it", async function () {
            const ahead = repo.commit("ahead", { message: "ahead", files: { "b.txt": "b\n" } });
            const elsewhere = repo.commit("elsewhere", { message: "elsewhere", files: { "c.txt": "c\n" } });
            await call(gh.rest.git.createRef, { ...at, ref: "refs/heads/release-prod", sha: main }, 201);
            const moved = await call(gh.rest.git.updateRef, { ...at, ref: "heads/release-prod", sha: ahead }, 200);
            assert.equal(moved.data.object.sha, ahead);
            const refused = await callError(gh.rest.git.updateRef, { ...at, ref: "heads/release-prod", sha: elsewhere }, 422);
            assert.equal((refused.response?.data as { message: string }).message, "Update is not a fast forward");
            assert.equal(repo.head("release-prod"), ahead);
            await call(gh.rest.git.updateRef, { ...at, ref: "heads/release-prod", sha: elsewhere, force: true }, 200);
            assert.equal(repo.head("release-prod"), elsewhere);
            await call(gh.rest.git.deleteRef, { ...at, ref: "heads/release-prod" }, 204);
            const gone = await callError(gh.rest.git.deleteRef, { ...at, ref: "heads/release-prod" }, 422);
            assert.equal((gone.response?.data as { message: string }).message, "Reference does not exist");
            await callError(gh.rest.git.updateRef, { ...at, ref: "heads/release-prod", sha: main }, 422);
        });

        it("closes the open PRs of a deleted branch", async function () {
            repo.commit("doomed", { message: "d", files: { "d.txt": "d" } });
            const pull = repo.openPull({ head: "doomed", title: "Doomed" });
            await gh.rest.git.deleteRef({ ...at, ref: "heads/doomed" });
            const { data } = await gh.rest.pulls.get({ ...at, pull_number: pull.number });
            assert.equal(data.state, "closed");
            assert.equal(data.merged, false);
        });

        it("answers 409 Git Repository is empty before the first commit", async function () {
            fake.state.addRepo("acme/empty");
            const err = await callError(gh.rest.git.getRef, { owner: OWNER, repo: "empty", ref: "heads/main" }, 409);
            assert.equal((err.response?.data as { message: string }).message, "Git Repository is empty.");
        });
    });

    describe("contents", function () {
        const STACK = "Pulumi.prod.yaml";
        const V1 = "conveyor:versions:\n  api: 41 # pinned\n  web: 7\n";
        const V2 = "conveyor:versions:\n  api: 42 # pinned\n  web: 7\n";
        const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
        const putAt = (extra: Record<string, unknown>) => ({ ...at, path: STACK, message: "Bump api", content: b64(V2), ...extra });

        beforeEach(function () {
            repo.commit("trunk", { message: "init", files: { [STACK]: V1, "docs/readme.md": "hi\n", "docs/deep/x.md": "x\n" } });
        });

        it("reads a file (base64, blob sha) and a directory; 404s absent paths and refs", async function () {
            const { data } = await call(gh.rest.repos.getContent, { ...at, path: STACK }, 200);
            const file = data as { type: string; encoding: string; content: string; sha: string; size: number; path: string };
            assert.deepEqual([file.type, file.encoding, file.path, file.size], ["file", "base64", STACK, Buffer.byteLength(V1)]);
            assert.equal(Buffer.from(file.content, "base64").toString("utf8"), V1);
            assert.equal(file.sha, gitBlobSha(V1));
            const dir = await call(gh.rest.repos.getContent, { ...at, path: "docs" }, 200);
            assert.deepEqual(
                (dir.data as Array<{ name: string; type: string }>).map((e) => [e.name, e.type]),
                [
                    ["deep", "dir"],
                    ["readme.md", "file"],
                ],
            );
            repo.commit("release-prod", { message: "bump", files: { [STACK]: V2 } });
            const onBranch = await call(gh.rest.repos.getContent, { ...at, path: STACK, ref: "release-prod" }, 200);
            assert.equal((onBranch.data as { sha: string }).sha, gitBlobSha(V2));
            const absent = await callError(gh.rest.repos.getContent, { ...at, path: "Pulumi.nope.yaml" }, 404);
            assert.equal((absent.response?.data as { message: string }).message, "Not Found");
            const badRef = await callError(gh.rest.repos.getContent, { ...at, path: STACK, ref: "nope" }, 404);
            assert.equal((badRef.response?.data as { message: string }).message, "No commit found for the ref nope");
            const raw = await fetch(`${fake.url}/repos/acme/app/contents/docs/deep/x.md`, { headers: { authorization: "token t" } });
            assert.equal(((await raw.json()) as { sha: string }).sha, gitBlobSha("x\n"));
        });

        it("deletes a file with a commit, given its current blob sha; 409 when stale, 404 when absent", async function () {
            const trunk = repo.head("trunk");
            await callError(gh.rest.repos.deleteFile, { ...at, path: STACK, message: "Drop", sha: gitBlobSha(V2) }, 409);
            assert.equal(repo.head("trunk"), trunk);
            const { data } = await call(
                gh.rest.repos.deleteFile,
                { ...at, path: STACK, message: "Drop the stack", sha: gitBlobSha(V1) },
                200,
            );
            assert.equal(data.commit.message, "Drop the stack");
            assert.deepEqual(pluck(data.commit.parents, "sha"), [trunk]);
            assert.equal(repo.file("trunk", STACK), undefined);
            assert.equal(repo.file("trunk", "docs/readme.md"), "hi\n");
            await callError(gh.rest.repos.deleteFile, { ...at, path: STACK, message: "Again", sha: gitBlobSha(V1) }, 404);
        });

        it("creates a file (201) and updates one (200) with a commit on the branch", async function () {
            const trunk = repo.head("trunk");
            repo.createBranch("release-prod");
            const created = await call(
                gh.rest.repos.createOrUpdateFileContents,
                { ...at, path: "CHANGELOG.md", message: "Add changelog", content: b64("# Changes\n"), branch: "release-prod" },
                201,
            );
            assert.equal(created.data.content?.sha, gitBlobSha("# Changes\n"));
            assert.deepEqual(pluck(created.data.commit.parents, "sha"), [trunk]);
            assert.equal(repo.head("release-prod"), created.data.commit.sha);
            assert.equal(repo.head("trunk"), trunk);
            const updated = await call(
                gh.rest.repos.createOrUpdateFileContents,
                putAt({ sha: gitBlobSha(V1), branch: "release-prod" }),
                200,
            );
            assert.equal(updated.data.content?.sha, gitBlobSha(V2));
            assert.equal(updated.data.commit.message, "Bump api");
            assert.equal(repo.file("release-prod", STACK), V2);
            assert.equal(repo.file("trunk", STACK), V1);
            const commit = repo.commitRecord(updated.data.commit.sha!);
            assert.equal(commit.authorLogin, fake.state.user.login);
            const authored = await gh.rest.repos.createOrUpdateFileContents({
                ...putAt({ sha: gitBlobSha(V2), content: b64(V1), branch: "release-prod" }),
                author: { name: "Release Bot", email: "release@example.com" },
            });
            assert.deepEqual(repo.commitRecord(authored.data.commit.sha!).author.name, "Release Bot");
        });

        it("is a compare-and-swap on the blob sha: 409 when stale, 422 when missing", async function () {
            await call(gh.rest.repos.createOrUpdateFileContents, putAt({ sha: gitBlobSha(V1) }), 200);
            const stale = await callError(gh.rest.repos.createOrUpdateFileContents, putAt({ sha: gitBlobSha(V1), content: b64("x") }), 409);
            assert.deepEqual(stale.response?.data, {
                message: `${STACK} does not match ${gitBlobSha(V1)}`,
                documentation_url: "https://docs.github.com/rest/repos/contents#create-or-update-file-contents",
                status: "409",
            });
            const missing = await callError(gh.rest.repos.createOrUpdateFileContents, putAt({ content: b64("x") }), 422);
            assert.equal((missing.response?.data as { message: string }).message, 'Invalid request.\n\n"sha" wasn\'t supplied.');
            assert.equal(repo.file("trunk", STACK), V2);
            // GitHub ignores a sha sent for a file that does not exist yet.
            await call(gh.rest.repos.createOrUpdateFileContents, putAt({ path: "Pulumi.demo.yaml", sha: gitBlobSha(V1) }), 201);
            const noBranch = await callError(gh.rest.repos.createOrUpdateFileContents, putAt({ sha: gitBlobSha(V2), branch: "nope" }), 404);
            assert.equal((noBranch.response?.data as { message: string }).message, "Branch nope not found");
        });

        it("lets one of two racing writers with the same sha win; the other gets 409", async function () {
            const slow = await startFakeGitHub({ latencyMs: 30 });
            try {
                const slowRepo = slow.state.addRepo("acme/app");
                slowRepo.commit("main", { message: "init", files: { [STACK]: V1 } });
                const octo = client(slow);
                const results = await Promise.allSettled(
                    ["a", "b"].map((x) => octo.rest.repos.createOrUpdateFileContents(putAt({ sha: gitBlobSha(V1), content: b64(x) }))),
                );
                const statuses = results.map((r) => (r.status === "fulfilled" ? r.value.status : (r.reason as RequestError).status)).sort();
                assert.deepEqual(statuses, [200, 409]);
                assert.equal(slowRepo.git.history(slowRepo.head("main")).length, 2);
            } finally {
                await slow.close();
            }
        });
    });

    describe("commits and compare", function () {
        it("lists history newest first, by branch and by path, paginated", async function () {
            const shas = [repo.commit("trunk", { message: "c0", files: { "a.txt": "0" } })];
            for (let i = 1; i <= 4; i++)
                shas.push(repo.commit("trunk", { message: `c${i}`, files: i % 2 === 0 ? { "a.txt": `${i}` } : { "b.txt": `${i}` } }));
            const side = repo.commit("side", { message: "side", files: { "a.txt": "side" } });
            const page = await call(gh.rest.repos.listCommits, { ...at, per_page: 2 }, 200);
            assert.deepEqual(pluck(page.data, "sha"), [shas[4], shas[3]]);
            const base = `${fake.url}/repos/acme/app/commits?per_page=2`;
            assert.equal(page.headers.link, `<${base}&page=2>; rel="next", <${base}&page=3>; rel="last"`);
            const all = await gh.paginate(gh.rest.repos.listCommits, { ...at, per_page: 2 });
            assert.deepEqual(pluck(all, "sha"), [...shas].reverse());
            const onA = await gh.rest.repos.listCommits({ ...at, path: "a.txt" });
            assert.deepEqual(pluck(onA.data, "sha"), [shas[4], shas[2], shas[0]]);
            const onSide = await gh.rest.repos.listCommits({ ...at, sha: "side", per_page: 1 });
            assert.deepEqual(pluck(onSide.data, "sha"), [side]);
            const err = await callError(gh.rest.repos.listCommits, { ...at, sha: "nope" }, 404);
            assert.equal((err.response?.data as { message: string }).message, "No commit found for SHA: nope");
        });

        it("gets one commit with its files and stats; 422 for an unknown ref", async function () {
            repo.commit("trunk", { message: "init", files: { "Pulumi.prod.yaml": "a: 1\nb: 2\nc: 3\n", "old.txt": "x\n" } });
            const sha = repo.commit("trunk", {
                message: "bump",
                author: "alice",
                files: { "Pulumi.prod.yaml": "a: 1\nb: 9\nc: 3\n", "old.txt": null, "new.txt": "n\nm\n" },
            });
            const { data } = await call(gh.rest.repos.getCommit, { ...at, ref: sha }, 200);
            assert.equal(data.commit.message, "bump");
            assert.equal(data.author?.login, "alice");
            assert.deepEqual(
                (data.files ?? []).map((f) => [f.filename, f.status, f.additions, f.deletions]),
                // git's order: bytewise by path, so capitals first.
                [
                    ["Pulumi.prod.yaml", "modified", 1, 1],
                    ["new.txt", "added", 2, 0],
                    ["old.txt", "removed", 0, 1],
                ],
            );
            assert.deepEqual(data.stats, { additions: 3, deletions: 2, total: 5 });
            assert.equal((await gh.rest.repos.getCommit({ ...at, ref: "trunk" })).data.sha, sha);
            assert.equal((await gh.rest.repos.getCommit({ ...at, ref: sha.slice(0, 7) })).data.sha, sha);
            const err = await callError(gh.rest.repos.getCommit, { ...at, ref: "nope" }, 422);
            assert.equal((err.response?.data as { message: string }).message, "No commit found for SHA: nope");
        });

        it("pages a commit's files with Link: 300 a page by default, per_page up to 100, the commit on every page, 3000 files at most", async function () {
            repo.commit("trunk", { message: "init", files: { "README.md": "r\n" } });
            const names = Array.from({ length: 3001 }, (_, i) => `f/${String(i).padStart(4, "0")}.txt`);
            const sha = repo.commit("trunk", { message: "bulk", files: Object.fromEntries(names.map((n) => [n, "x\n"])) });
            const url = `${fake.url}/repos/acme/app/commits/${sha}`;
            const first = await call(gh.rest.repos.getCommit, { ...at, ref: sha }, 200);
            assert.deepEqual(pluck(first.data.files, "filename"), names.slice(0, 300));
            assert.equal(first.headers.link, `<${url}?page=2>; rel="next", <${url}?page=10>; rel="last"`);
            assert.deepEqual(first.data.stats, { additions: 3001, deletions: 0, total: 3001 }, "stats are the whole commit's");

            const walked: unknown[] = [];
            for (let page = 1; page <= 31; page++) {
                const { data, headers } = await call(gh.rest.repos.getCommit, { ...at, ref: sha, per_page: 100, page }, 200);
                assert.deepEqual([data.sha, data.commit.message], [sha, "bulk"], `page ${page} repeats the commit`);
                walked.push(...pluck(data.files, "filename"));
                if (page === 30) assert.doesNotMatch(headers.link ?? "", /rel="next"/);
            }
            assert.deepEqual(walked, names.slice(0, 3000), "GitHub lists the first 3000 files only; page 31 has none");
            assert.equal((await gh.rest.repos.getCommit({ ...at, ref: sha, per_page: 500 })).data.files?.length, 100);
        });

        it("compares base...head: ahead, behind, diverged, identical; 404 for unknown refs", async function () {
            const root = repo.commit("trunk", { message: "root", files: { "v.txt": "0\n" } });
            const one = repo.commit("feature", { message: "one", files: { "v.txt": "1\n" } });
            const two = repo.commit("feature", { message: "two", files: { "w.txt": "w\n" } });
            const ahead = await call(gh.rest.repos.compareCommitsWithBasehead, { ...at, basehead: "trunk...feature" }, 200);
            assert.deepEqual([ahead.data.status, ahead.data.ahead_by, ahead.data.behind_by, ahead.data.total_commits], ["ahead", 2, 0, 2]);
            assert.deepEqual(pluck(ahead.data.commits, "sha"), [one, two]);
            assert.equal(ahead.data.merge_base_commit.sha, root);
            assert.deepEqual(
                (ahead.data.files ?? []).map((f) => [f.filename, f.status]),
                [
                    ["v.txt", "modified"],
                    ["w.txt", "added"],
                ],
            );
            const behind = await gh.rest.repos.compareCommitsWithBasehead({ ...at, basehead: "feature...trunk" });
            assert.deepEqual([behind.data.status, behind.data.ahead_by, behind.data.behind_by], ["behind", 0, 2]);
            repo.commit("trunk", { message: "elsewhere", files: { "x.txt": "x" } });
            const diverged = await gh.rest.repos.compareCommitsWithBasehead({ ...at, basehead: `${root.slice(0, 7)}...acme:feature` });
            assert.equal(diverged.data.status, "ahead");
            const both = await gh.rest.repos.compareCommitsWithBasehead({ ...at, basehead: "trunk...feature" });
            assert.deepEqual([both.data.status, both.data.ahead_by, both.data.behind_by], ["diverged", 2, 1]);
            const same = await gh.rest.repos.compareCommitsWithBasehead({ ...at, basehead: `${two}...feature` });
            assert.deepEqual([same.data.status, same.data.total_commits, same.data.files], ["identical", 0, []]);
            const raw = await fetch(`${fake.url}/repos/acme/app/compare/trunk...acme:feature`, { headers: { authorization: "token t" } });
            assert.equal(((await raw.json()) as { ahead_by: number }).ahead_by, 2);
            await callError(gh.rest.repos.compareCommitsWithBasehead, { ...at, basehead: "trunk...nope" }, 404);
            await callError(gh.rest.repos.compareCommitsWithBasehead, { ...at, basehead: `trunk...${"f".repeat(40)}` }, 404);
            await callError(gh.rest.repos.compareCommitsWithBasehead, { ...at, basehead: "other:trunk...feature" }, 404);
        });

        it("pages a 300-commit comparison oldest first with Link; files on the first page only", async function () {
            repo.commit("trunk", { message: "base", files: { "Pulumi.prod.yaml": "v: 0\n" } });
            const made: string[] = [];
            for (let i = 1; i <= 300; i++)
                made.push(repo.commit("release", { message: `change ${i}`, files: { "Pulumi.prod.yaml": `v: ${i}\n` } }));
            const basehead = "trunk...release";
            const first = await call(gh.rest.repos.compareCommitsWithBasehead, { ...at, basehead, per_page: 100 }, 200);
            assert.deepEqual([first.data.status, first.data.total_commits, first.data.ahead_by], ["ahead", 300, 300]);
            assert.deepEqual(pluck(first.data.commits, "sha"), made.slice(0, 100));
            assert.deepEqual(
                (first.data.files ?? []).map((f) => f.filename),
                ["Pulumi.prod.yaml"],
            );
            const url = `${fake.url}/repos/acme/app/compare/trunk...release?per_page=100`;
            assert.equal(first.headers.link, `<${url}&page=2>; rel="next", <${url}&page=3>; rel="last"`);
            const last = await call(gh.rest.repos.compareCommitsWithBasehead, { ...at, basehead, per_page: 100, page: 3 }, 200);
            assert.deepEqual(pluck(last.data.commits, "sha"), made.slice(200));
            assert.equal(last.data.files, undefined);
            assert.doesNotMatch(last.headers.link ?? "", /rel="next"/);

            fake.clearRequests();
            const all = await gh.paginate(
                gh.rest.repos.compareCommitsWithBasehead,
                { ...at, basehead, per_page: 100 },
                (res) => (res.data as unknown as { commits: unknown[] }).commits,
            );
            assert.deepEqual(pluck(all, "sha"), made);
            assert.equal(fake.reads(), 3);

            // Without page or per_page GitHub answers the newest 250, no Link.
            const unpaged = await gh.request("GET /repos/{owner}/{repo}/compare/{basehead}", { ...at, basehead });
            assert.deepEqual(pluck(unpaged.data.commits, "sha"), made.slice(50));
            assert.equal(unpaged.headers.link, undefined);
        });
    });

    describe("pull requests", function () {
        beforeEach(function () {
            repo.commit("trunk", { message: "init", files: { "Pulumi.staging.yaml": "v: 1\n" } });
            repo.commit("release-staging", { message: "bump", files: { "Pulumi.staging.yaml": "v: 2\n" } });
        });

        it("opens, reads, lists and edits a pull request", async function () {
            const created = await call(
                gh.rest.pulls.create,
                { ...at, head: "release-staging", base: "trunk", title: "Release staging: 1 components", body: "<!-- conveyor -->" },
                201,
            );
            const number = created.data.number;
            assert.equal(created.headers.location, `${fake.url}/repos/acme/app/pulls/${number}`);
            assert.deepEqual(
                [created.data.state, created.data.merged, created.data.head.ref, created.data.base.ref],
                ["open", false, "release-staging", "trunk"],
            );
            assert.equal(created.data.head.label, "acme:release-staging");
            assert.equal(created.data.user.login, fake.state.user.login);
            assert.equal(created.data.commits, 1);
            await call(gh.rest.pulls.get, { ...at, pull_number: number }, 200);
            await callError(gh.rest.pulls.get, { ...at, pull_number: 999 }, 404);

            // A PR is an issue: labels and comments go through the issues routes.
            await gh.rest.issues.addLabels({ ...at, issue_number: number, labels: ["release"] });
            await gh.rest.issues.createComment({ ...at, issue_number: number, body: "deployed" });
            const listed = await call(gh.rest.pulls.list, { ...at, head: "acme:release-staging" }, 200);
            assert.deepEqual(pluck(listed.data, "number"), [number]);
            assert.deepEqual(labelNamesOf((listed.data[0] as { labels: unknown }).labels), ["release"]);
            const asIssue = await call(gh.rest.issues.get, { ...at, issue_number: number }, 200);
            assert.equal(asIssue.data.pull_request?.url, `${fake.url}/repos/acme/app/pulls/${number}`);
            assert.equal((await gh.rest.pulls.get({ ...at, pull_number: number })).data.comments, 1);

            assert.deepEqual(pluck((await gh.rest.pulls.list({ ...at, head: "acme:other" })).data, "number"), []);
            // GitHub ignores a head filter without the owner: prefix.
            assert.deepEqual(pluck((await gh.rest.pulls.list({ ...at, head: "other" })).data, "number"), [number]);
            assert.deepEqual(pluck((await gh.rest.pulls.list({ ...at, base: "other" })).data, "number"), []);

            const edited = await call(
                gh.rest.pulls.update,
                { ...at, pull_number: number, title: "Release staging: 2 components", body: "new" },
                200,
            );
            assert.deepEqual([edited.data.title, edited.data.body], ["Release staging: 2 components", "new"]);
            const closed = await gh.rest.pulls.update({ ...at, pull_number: number, state: "closed" });
            assert.equal(closed.data.state, "closed");
            assert.deepEqual(pluck((await gh.rest.pulls.list(at)).data, "number"), []);
            assert.deepEqual(pluck((await gh.rest.pulls.list({ ...at, state: "closed" })).data, "number"), [number]);
            const reopened = await gh.rest.pulls.update({ ...at, pull_number: number, state: "open" });
            assert.equal(reopened.data.state, "open");
        });

        it("refuses a second open PR for the same head and base with GitHub's 422 wording", async function () {
            await gh.rest.pulls.create({ ...at, head: "release-staging", base: "trunk", title: "one" });
            const err = await callError(gh.rest.pulls.create, { ...at, head: "acme:release-staging", base: "trunk", title: "two" }, 422);
            assert.deepEqual(err.response?.data, {
                message: "Validation Failed",
                errors: [{ resource: "PullRequest", code: "custom", message: "A pull request already exists for acme:release-staging." }],
                documentation_url: "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
                status: "422",
            });
            assert.equal(repo.pulls.length, 1);
        });

        it("refuses unknown branches, no commits, and a missing title", async function () {
            const head = await callError(gh.rest.pulls.create, { ...at, head: "nope", base: "trunk", title: "x" }, 422);
            assert.deepEqual((head.response?.data as { errors: unknown }).errors, [
                { resource: "PullRequest", code: "invalid", field: "head" },
            ]);
            const base = await callError(gh.rest.pulls.create, { ...at, head: "release-staging", base: "nope", title: "x" }, 422);
            assert.deepEqual((base.response?.data as { errors: unknown }).errors, [
                { resource: "PullRequest", code: "invalid", field: "base" },
            ]);
            repo.createBranch("empty");
            const empty = await callError(gh.rest.pulls.create, { ...at, head: "empty", base: "trunk", title: "x" }, 422);
            assert.deepEqual((empty.response?.data as { errors: unknown }).errors, [
                { resource: "PullRequest", code: "custom", message: "No commits between trunk and empty" },
            ]);
            await callError(gh.rest.pulls.create, { ...at, head: "release-staging", base: "trunk", title: "" }, 422);
            assert.equal(repo.pulls.length, 0);
        });
    });

    describe("collaborators", function () {
        it("reports permission and role_name per user; 404 for unknown users", async function () {
            repo.setPermission("alice", "maintain");
            repo.setPermission("bob", "triage");
            fake.state.account("carol");
            const expect = [
                [fake.state.user.login, "admin", "admin"],
                ["alice", "write", "maintain"],
                ["bob", "read", "triage"],
                ["carol", "none", "none"],
            ];
            for (const [username, permission, role] of expect) {
                const { data } = await call(gh.rest.repos.getCollaboratorPermissionLevel, { ...at, username: username }, 200);
                assert.deepEqual([data.permission, data.role_name, data.user?.login], [permission, role, username]);
            }
            await callError(gh.rest.repos.getCollaboratorPermissionLevel, { ...at, username: "nobody" }, 404);
        });
    });

    describe("graphql", function () {
        const QUERY = `
      query Changelog {
        app: repository(owner: "acme", name: "app") {
          pr1: pullRequest(number: 1) { ...Entry }
          pr2: pullRequest(number: 2) { ...Entry }
          missing: pullRequest(number: 99) { number }
        }
        api: repository(owner: "acme", name: "api") {
          pr1: pullRequest(number: 1) { number title author { login } }
        }
      }
      fragment Entry on PullRequest {
        number title url mergedAt
        author { login }
        labels(first: 20) { nodes { name } }
        body
        closingIssuesReferences(first: 20) { nodes { number repository { nameWithOwner } } }
      }`;

        beforeEach(function () {
            repo.commit("trunk", { message: "init", files: { "a.txt": "a" } });
            const api = fake.state.addRepo("acme/api");
            api.commit("main", { message: "init", files: { "b.txt": "b" } });
            api.commit("fix", { message: "fix", author: "bob", files: { "b.txt": "c" } });
            api.openPull({ head: "fix", title: "API fix", user: "bob" });
        });

        it("answers aliased repository -> pullRequest fields, null + NOT_FOUND for a missing PR", async function () {
            repo.commit("one", { message: "one", files: { "a.txt": "1" } });
            const bug = repo.addIssue("Broken");
            const otherIssue = fake.state.repo("acme/api").addIssue("Upstream");
            const first = repo.openPull({
                head: "one",
                title: "Fix the thing",
                user: "alice",
                labels: ["type/bug"],
                body: `Fixes #${bug.number}, closes acme/api#${otherIssue.number}, refs #1`,
                merged: true,
            });
            assert.equal(first.number, 2);
            fake.clearRequests();
            let error: unknown;
            try {
                await gh.graphql(QUERY);
            } catch (err) {
                error = err;
            }
            assert.ok(error instanceof Error && error.name === "GraphqlResponseError", String(error));
            const { data, errors } = error as unknown as { data: Record<string, any>; errors: Array<Record<string, unknown>> };
            assert.equal(data.app.pr1, null, "#1 is an issue, not a PR");
            assert.equal(data.app.missing, null);
            assert.deepEqual(data.app.pr2, {
                number: 2,
                title: "Fix the thing",
                url: "https://github.com/acme/app/pull/2",
                mergedAt: repo.pull(2)!.merged_at,
                author: { login: "alice" },
                labels: { nodes: [{ name: "type/bug" }] },
                body: `Fixes #${bug.number}, closes acme/api#${otherIssue.number}, refs #1`,
                closingIssuesReferences: {
                    nodes: [
                        { number: bug.number, repository: { nameWithOwner: "acme/app" } },
                        { number: otherIssue.number, repository: { nameWithOwner: "acme/api" } },
                    ],
                },
            });
            assert.deepEqual(data.api, { pr1: { number: 1, title: "API fix", author: { login: "bob" } } });
            assert.deepEqual(
                errors.map((e) => [e.type, e.path, e.message]),
                [
                    ["NOT_FOUND", ["app", "pr1"], "Could not resolve to a PullRequest with the number of 1."],
                    ["NOT_FOUND", ["app", "missing"], "Could not resolve to a PullRequest with the number of 99."],
                ],
            );
            assert.ok(Array.isArray(errors[0].locations));
            assert.deepEqual([fake.reads(), fake.writes(), fake.requests[0]?.route], [1, 0, "/graphql"]);
        });

        it("shows a deleted author as GitHub does: the ghost user in REST, a null author in GraphQL", async function () {
            fake.state.deleteAccount("bob");
            const { data: pull } = await call(gh.rest.pulls.get, { owner: "acme", repo: "api", pull_number: 1 }, 200);
            assert.deepEqual([pull.user?.login, pull.user?.id], ["ghost", 10137]);
            const query = '{ repository(owner: "acme", name: "api") { pullRequest(number: 1) { title author { login } } } }';
            const answer = await gh.graphql<{ repository: Record<string, any> }>(query);
            assert.deepEqual(answer.repository.pullRequest, { title: "API fix", author: null });
            assert.equal(fake.requests.at(-1)?.graphqlQuery, query, "the document is recorded for the test to read");
            assert.equal(fake.state.findAccount("bob"), undefined, "the login is free again");
        });

        it("takes variables, answers issues and states, and refuses unknown fields without data", async function () {
            const { repository } = await gh.graphql<{ repository: Record<string, any> }>(
                `query($owner: String!, $name: String!, $n: Int = 1) {
          repository(owner: $owner, name: $name) {
            nameWithOwner
            pr: pullRequest(number: $n) { state merged mergeCommit { oid } headRefName labels(first: 5) { totalCount } }
            either: issueOrPullRequest(number: 1) { __typename ... on PullRequest { number } }
          }
        }`,
                { owner: "acme", name: "api" },
            );
            assert.deepEqual(repository, {
                nameWithOwner: "acme/api",
                pr: { state: "OPEN", merged: false, mergeCommit: null, headRefName: "fix", labels: { totalCount: 0 } },
                either: { __typename: "PullRequest", number: 1 },
            });
            const res = await fetch(`${fake.url}/graphql`, {
                method: "POST",
                headers: { authorization: "bearer t", "content-type": "application/json" },
                body: JSON.stringify({
                    query: '{ repository(owner: "acme", name: "api") { pullRequest(number: 1) { nope labels { nodes { name } } } } }',
                }),
            });
            assert.equal(res.status, 200);
            const body = (await res.json()) as { data?: unknown; errors: Array<{ message: string }> };
            assert.equal(body.data, undefined);
            assert.deepEqual(
                body.errors.map((e) => e.message),
                [
                    "Field 'nope' doesn't exist on type 'PullRequest'",
                    "You must provide a `first` or `last` value to properly paginate the `labels` connection.",
                ],
            );
            const syntax = (await (
                await fetch(`${fake.url}/graphql`, {
                    method: "POST",
                    headers: { authorization: "bearer t" },
                    body: JSON.stringify({ query: "{ repository(" }),
                })
            ).json()) as { errors: Array<{ message: string }> };
            assert.match(syntax.errors[0].message, /^Parse error on "end of file"/);
            const repoMissing = (await (
                await fetch(`${fake.url}/graphql`, {
                    method: "POST",
                    headers: { authorization: "bearer t" },
                    body: JSON.stringify({ query: '{ r: repository(owner: "acme", name: "nope") { name } }' }),
                })
            ).json()) as { data: unknown; errors: Array<{ type: string; message: string }> };
            assert.deepEqual(repoMissing.data, { r: null });
            assert.deepEqual(
                repoMissing.errors.map((e) => [e.type, e.message]),
                [["NOT_FOUND", "Could not resolve to a Repository with the name 'acme/nope'."]],
            );
        });
    });

    describe("concurrency", function () {
        it("serves concurrent requests concurrently at 100 ms latency", async function () {
            const slow = await startFakeGitHub({ latencyMs: 100 });
            try {
                const slowRepo = slow.state.addRepo("acme/app");
                slowRepo.commit("main", { message: "init", files: { "a.txt": "a" } });
                const octo = client(slow);
                const started = Date.now();
                await Promise.all(
                    Array.from({ length: 20 }, (_, i) =>
                        i % 2 === 0
                            ? octo.rest.repos.getContent({ ...at, path: "a.txt" })
                            : octo.graphql('{ repository(owner: "acme", name: "app") { name } }'),
                    ),
                );
                const elapsed = Date.now() - started;
                assert.ok(elapsed < 600, `20 parallel requests took ${elapsed} ms`);
                assert.equal(slow.reads(), 20);
            } finally {
                await slow.close();
            }
        });
    });

    describe("fault injection", function () {
        it("answers an injected 502 once; octokit's retry then succeeds", async function () {
            repo.addLabel("x");
            const fault = fake.fail({ method: "GET", path: /\/labels$/ }, faults.badGateway());
            const retrying = client(fake, { retry: { enabled: true, retryAfterBaseValue: 10 } });
            const { data } = await retrying.rest.issues.listLabelsForRepo(at);
            assert.deepEqual(pluck(data, "name"), ["x"]);
            assert.deepEqual(
                fake.requests.map((r) => [r.status, r.faulted]),
                [
                    [502, true],
                    [200, false],
                ],
            );
            assert.equal(fault.remaining, 0);
        });

        it("answers `times` matching requests and leaves others alone", async function () {
            fake.fail({ method: "post", path: /\/labels$/ }, faults.badGateway(), 2);
            await gh.rest.repos.get(at);
            await assert.rejects(gh.rest.issues.createLabel({ ...at, name: "x" }), { status: 502 });
            await assert.rejects(gh.rest.issues.createLabel({ ...at, name: "x" }), { status: 502 });
            await gh.rest.issues.createLabel({ ...at, name: "x" });
            assert.deepEqual(pluck(fake.requests, "status"), [200, 502, 502, 201]);
            assert.equal(repo.labels.length, 1);
        });

        it("403 secondary rate limit with retry-after: octokit waits and retries", async function () {
            fake.fail({ method: "GET" }, faults.secondaryRateLimit(1));
            const seen: number[] = [];
            const throttled = client(fake, {
                throttle: {
                    onRateLimit: () => false,
                    onSecondaryRateLimit: (retryAfter: number) => {
                        seen.push(retryAfter);
                        return true;
                    },
                },
            });
            const started = Date.now();
            const { data } = await throttled.rest.repos.get(at);
            assert.equal(data.name, "app");
            assert.deepEqual(seen, [1]);
            assert.ok(Date.now() - started >= 900, "retried before retry-after elapsed");
            assert.deepEqual(pluck(fake.requests, "status"), [403, 200]);
        });

        it("surfaces the secondary limit to callers that do not retry", async function () {
            fake.fail({}, faults.secondaryRateLimit(7));
            const err = await callError(gh.rest.repos.get, at, 403);
            assert.equal(err.response?.headers["retry-after"], "7");
            assert.match(err.message, /secondary rate limit/);
        });

        it("injects a 409 and a 422 with GitHub's bodies", async function () {
            fake.fail({ method: "PATCH" }, faults.conflict("Reference update failed"));
            fake.fail(
                { method: "POST" },
                faults.validationFailed([
                    { resource: "PullRequest", code: "custom", message: "A pull request already exists for acme:feature." },
                ]),
            );
            repo.addLabel("x");
            const conflict = await callError(gh.rest.issues.updateLabel, { ...at, name: "x", color: "000000" }, 409);
            assert.equal((conflict.response?.data as { message: string }).message, "Reference update failed");
            const invalid = await callError(gh.rest.issues.createLabel, { ...at, name: "y" }, 422);
            assert.match(JSON.stringify(invalid.response?.data), /already exists for acme:feature/);
            assert.equal(repo.label("x")?.color, "ededed");
        });

        it("injects faults into the release controller's routes", async function () {
            repo.commit("trunk", { message: "init", files: { "Pulumi.prod.yaml": "v: 1\n" } });
            repo.commit("release-prod", { message: "bump", files: { "Pulumi.prod.yaml": "v: 2\n" } });
            fake.fail({ method: "PUT", path: /\/contents\// }, faults.conflict("Pulumi.prod.yaml does not match 0000000"));
            const conflict = await callError(
                gh.rest.repos.createOrUpdateFileContents,
                { ...at, path: "Pulumi.prod.yaml", message: "m", content: "eA==", sha: gitBlobSha("v: 2\n"), branch: "release-prod" },
                409,
            );
            assert.match((conflict.response?.data as { message: string }).message, /does not match/);
            assert.equal(repo.file("release-prod", "Pulumi.prod.yaml"), "v: 2\n");
            fake.fail(
                { method: "POST", path: /\/pulls$/ },
                faults.validationFailed([
                    { resource: "PullRequest", code: "custom", message: "A pull request already exists for acme:release-prod." },
                ]),
            );
            await callError(gh.rest.pulls.create, { ...at, head: "release-prod", base: "trunk", title: "t" }, 422);
            assert.equal(repo.pulls.length, 0);

            const retrying = client(fake, { retry: { enabled: true, retryAfterBaseValue: 10 } });
            fake.fail({ method: "GET", path: /\/compare\// }, faults.badGateway());
            const compared = await retrying.rest.repos.compareCommitsWithBasehead({
                ...at,
                basehead: "trunk...release-prod",
                per_page: 100,
            });
            assert.equal(compared.data.total_commits, 1);

            fake.clearRequests();
            fake.fail({ path: /^\/graphql$/ }, faults.secondaryRateLimit(1));
            const waits: number[] = [];
            const throttled = client(fake, {
                throttle: {
                    onRateLimit: () => false,
                    onSecondaryRateLimit: (retryAfter: number) => {
                        waits.push(retryAfter);
                        return true;
                    },
                },
            });
            const result = await throttled.graphql<{ repository: { name: string } }>('{ repository(owner: "acme", name: "app") { name } }');
            assert.equal(result.repository.name, "app");
            assert.deepEqual(waits, [1]);
            assert.deepEqual(pluck(fake.requests, "status"), [403, 200]);
            assert.equal(fake.reads(/graphql/), 2);
        });
    });

    describe("coverage", function () {
        it("the shape check itself rejects a body GitHub would never send", function () {
            const label = {
                id: 1,
                node_id: "LA_x",
                url: `${fake.url}/repos/acme/app/labels/x`,
                name: "x",
                color: "ededed",
                default: false,
                description: null,
            };
            assertMatchesOpenApi("GET", "/repos/{owner}/{repo}/labels/{name}", 200, label);
            const { node_id: _dropped, ...withoutNodeId } = label;
            assert.throws(() => assertMatchesOpenApi("GET", "/repos/{owner}/{repo}/labels/{name}", 200, withoutNodeId), /node_id/);
            assert.throws(
                () => assertMatchesOpenApi("GET", "/repos/{owner}/{repo}/labels/{name}", 200, { ...label, url: "nope" }),
                /format "uri"/,
            );
            assert.throws(() => assertMatchesOpenApi("PATCH", "/repos/{owner}/{repo}/labels/{name}", 404, {}), /documents no 404/);
        });

        it("checked every route's answer against the OpenAPI schema", function () {
            // Only meaningful when the whole suite ran and passed (not under --grep).
            const suite = this.test?.parent?.parent;
            if (!suite || !everyOtherTestPassed(suite, this.test)) this.skip();
            // The administrator's routes are checked in github-admin.test.ts (a worker of its own).
            const missing = restRoutes
                .filter((r) => !adminRoutes.includes(r))
                .map((r) => `${r.method} ${r.path}`)
                .filter((key) => !checked.has(key));
            assert.deepEqual(missing, []);
            assert.deepEqual(
                routes.filter((r) => !restRoutes.includes(r)).map((r) => `${r.method} ${r.path}`),
                ["POST /graphql"],
                "every route but GraphQL is in the OpenAPI description",
            );
        });
    });
});
