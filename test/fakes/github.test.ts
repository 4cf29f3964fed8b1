import assert from "node:assert/strict";
import { Octokit, RequestError } from "octokit";
import { faults, startFakeGitHub, type FakeGitHub, type RepoState } from "./github";
import { routes } from "./github/routes";
import { assertMatchesOpenApi, assertMatchesSchemaTitled, documentsStatus, openApiDocument, operation } from "./openapi";

type OctokitOptions = NonNullable<ConstructorParameters<typeof Octokit>[0]>;

/**
 * An octokit endpoint method: callable, and it knows its own method + template
 * (which is the OpenAPI template, so shape checks need no hand-written paths).
 * `any` params: each endpoint has its own parameter type.
 */
type EndpointMethod = ((params?: any) => Promise<{ status: number; data: unknown }>) & {
  endpoint: { DEFAULTS: { method: string; url?: string } };
};

const quietLog = { debug() {}, info() {}, warn() {}, error() {} };

/** Routes whose answers were checked against the OpenAPI schema, to prove every route was. */
const checked = new Set<string>();

function client(fake: FakeGitHub, extra: OctokitOptions = {}): Octokit {
  // Retries and throttling are off by default so each call is one request;
  // the fault tests switch them on to exercise octokit's own handling.
  return new Octokit({
    auth: "test-token",
    baseUrl: fake.url,
    log: quietLog,
    retry: { enabled: false },
    throttle: { enabled: false },
    ...extra,
  });
}

function templateOf(fn: { endpoint: { DEFAULTS: { method: string; url?: string } } }): [string, string] {
  const { method, url } = fn.endpoint.DEFAULTS;
  return [method, url ?? ""];
}

/** Calls an endpoint, asserts the status, and checks the body against GitHub's schema. */
async function call<F extends EndpointMethod>(fn: F, params: Parameters<F>[0], status: number): Promise<Awaited<ReturnType<F>>> {
  const [method, template] = templateOf(fn);
  const res = (await fn(params)) as Awaited<ReturnType<F>>;
  assert.equal(res.status, status, `${method} ${template}`);
  assertMatchesOpenApi(method, template, res.status, res.data);
  checked.add(`${method} ${template}`);
  return res;
}

/** Calls an endpoint expecting a GitHub error; checks the error body's shape too. */
async function callError<F extends EndpointMethod>(fn: F, params: Parameters<F>[0], status: number): Promise<RequestError> {
  const [method, template] = templateOf(fn);
  try {
    await fn(params);
  } catch (err) {
    assert.ok(err instanceof RequestError, String(err));
    assert.equal(err.status, status);
    assertErrorShape(method, template, status, err.response?.data);
    return err;
  }
  assert.fail(`${method} ${template} should have failed with ${status}`);
}

/** Documented error statuses use the operation's schema; others (401 anywhere) GitHub's Basic Error. */
function assertErrorShape(method: string, template: string, status: number, body: unknown): void {
  if (documentsStatus(method, template, status)) assertMatchesOpenApi(method, template, status, body);
  else assertMatchesSchemaTitled(status === 422 ? "Validation Error" : "Basic Error", body);
  const error = body as { message?: unknown; documentation_url?: unknown; status?: unknown };
  assert.equal(typeof error.message, "string");
  assert.match(String(error.documentation_url), /^https:\/\/docs\.github\.com\//);
  assert.equal(error.status, String(status));
}

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
      assert.deepEqual(err.response?.data, { message: "Bad credentials", documentation_url: "https://docs.github.com/rest", status: "401" });
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
      for (const route of routes) {
        assert.equal(operation(route.method, route.path).externalDocs?.url, route.docs, `${route.method} ${route.path}`);
      }
    });
  });

  describe("labels", function () {
    it("creates, reads, updates and deletes a label", async function () {
      const created = await call(gh.rest.issues.createLabel, { ...at, name: "type: bug", color: "d73a4a", description: "Broken" }, 201);
      assert.equal(created.data.name, "type: bug");
      assert.equal(created.data.description, "Broken");
      await call(gh.rest.issues.getLabel, { ...at, name: "TYPE: BUG" }, 200);
      const updated = await call(gh.rest.issues.updateLabel, { ...at, name: "type: bug", color: "ff0000", description: "Still broken" }, 200);
      assert.equal(updated.data.color, "ff0000");
      const listed = await call(gh.rest.issues.listLabelsForRepo, at, 200);
      assert.deepEqual(pluck(listed.data, "name"), ["type: bug"]);
      await call(gh.rest.issues.deleteLabel, { ...at, name: "type: bug" }, 204);
      await callError(gh.rest.issues.getLabel, { ...at, name: "type: bug" }, 404);
    });

    it("keeps a slash inside a label name in one path segment", async function () {
      repo.addLabel("area/ci");
      const { data } = await call(gh.rest.issues.getLabel, { ...at, name: "area/ci" }, 200);
      assert.equal(data.name, "area/ci");
    });

    it("rejects a duplicate name case-insensitively with 422 already_exists", async function () {
      repo.addLabel("release");
      const err = await callError(gh.rest.issues.createLabel, { ...at, name: "Release" }, 422);
      assert.deepEqual((err.response?.data as { errors: unknown }).errors, [{ resource: "Label", code: "already_exists", field: "name" }]);
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
      const created = await call(gh.rest.issues.createMilestone, { ...at, title: "v1.0", due_on: "2030-01-02T00:00:00Z", description: "first" }, 201);
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
      assert.deepEqual((err.response?.data as { errors: unknown }).errors, [{ resource: "Milestone", code: "already_exists", field: "title" }]);
    });

    it("counts open and closed issues and sorts by completeness", async function () {
      const half = repo.addMilestone("half");
      const done = repo.addMilestone("done");
      repo.addIssue("a", { milestone: half.number });
      repo.addIssue("b", { milestone: half.number, state: "closed" });
      repo.addIssue("c", { milestone: done.number, state: "closed" });
      const { data } = await gh.rest.issues.listMilestones({ ...at, sort: "completeness", direction: "desc" });
      const counts = (data as Array<{ title: string; open_issues: number; closed_issues: number }>).map((m) => [m.title, m.open_issues, m.closed_issues]);
      assert.deepEqual(counts, [["done", 0, 1], ["half", 1, 1]]);
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
      const created = await call(gh.rest.issues.create, { ...at, title: "Broken", body: "details", labels: ["BUG", "new-one"], milestone: m.number }, 201);
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
      assert.deepEqual((err.response?.data as { errors: unknown }).errors, [{ resource: "Issue", code: "missing_field", field: "title" }]);
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
      assert.deepEqual(repo.issueComments(issue.number).map((c) => c.body), ["second"]);
    });
  });

  describe("fault injection", function () {
    it("answers an injected 502 once; octokit's retry then succeeds", async function () {
      repo.addLabel("x");
      const fault = fake.fail({ method: "GET", path: /\/labels$/ }, faults.badGateway());
      const retrying = client(fake, { retry: { enabled: true, retryAfterBaseValue: 10 } });
      const { data } = await retrying.rest.issues.listLabelsForRepo(at);
      assert.deepEqual(pluck(data, "name"), ["x"]);
      assert.deepEqual(fake.requests.map((r) => [r.status, r.faulted]), [[502, true], [200, false]]);
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
      fake.fail({ method: "POST" }, faults.validationFailed([{ resource: "PullRequest", code: "custom", message: "A pull request already exists for acme:feature." }]));
      repo.addLabel("x");
      const conflict = await callError(gh.rest.issues.updateLabel, { ...at, name: "x", color: "000000" }, 409);
      assert.equal((conflict.response?.data as { message: string }).message, "Reference update failed");
      const invalid = await callError(gh.rest.issues.createLabel, { ...at, name: "y" }, 422);
      assert.match(JSON.stringify(invalid.response?.data), /already exists for acme:feature/);
      assert.equal(repo.label("x")?.color, "ededed");
    });
  });

  describe("coverage", function () {
    it("the shape check itself rejects a body GitHub would never send", function () {
      const label = { id: 1, node_id: "LA_x", url: `${fake.url}/repos/acme/app/labels/x`, name: "x", color: "ededed", default: false, description: null };
      assertMatchesOpenApi("GET", "/repos/{owner}/{repo}/labels/{name}", 200, label);
      const { node_id: _dropped, ...withoutNodeId } = label;
      assert.throws(() => assertMatchesOpenApi("GET", "/repos/{owner}/{repo}/labels/{name}", 200, withoutNodeId), /node_id/);
      assert.throws(() => assertMatchesOpenApi("GET", "/repos/{owner}/{repo}/labels/{name}", 200, { ...label, url: "nope" }), /format "uri"/);
      assert.throws(() => assertMatchesOpenApi("PATCH", "/repos/{owner}/{repo}/labels/{name}", 404, {}), /documents no 404/);
    });

    it("checked every route's answer against the OpenAPI schema", function () {
      // Only meaningful when the whole suite ran and passed (not under --grep).
      const suite = this.test?.parent?.parent;
      if (!suite || !everyOtherTestPassed(suite, this.test)) this.skip();
      const missing = routes.map((r) => `${r.method} ${r.path}`).filter((key) => !checked.has(key));
      assert.deepEqual(missing, []);
    });
  });
});
