// The release dashboard issue over the loopback fakes: created once, edited in place, left alone when
// nothing changed, one issue even when two runs race, found past the first page of open issues.
import * as assert from "node:assert/strict";
import { DASHBOARD_TITLE, refreshDashboard } from "../../status/dashboard";
import { DASHBOARD_MARKER, type StatusDeps } from "../../status/read";
import { releaseBranch } from "../../release/pr";
import { cli, envOf, NOW, startStatusWorld, type StatusWorld } from "./status-world";

const openDashboards = (s: StatusWorld) =>
    s.w.ops.issues.filter((i) => i.state === "open" && !s.w.ops.pull(i.number) && (i.body ?? "").startsWith(DASHBOARD_MARKER));

describe("release dashboard issue (I/O through the fakes)", function () {
    this.timeout(120_000);
    let s: StatusWorld;
    beforeEach(async () => {
        s = await startStatusWorld();
    });
    afterEach(() => s.w.close());

    const deps = (): StatusDeps => ({ ...s.w.deps(), now: new Date(NOW) });

    it("is created once with the matrix, left alone on a rerun, and edited in place when something changes", async () => {
        const first = await refreshDashboard(deps());
        assert.equal(first.action, "opened");
        const [issue] = openDashboards(s);
        assert.equal(issue.number, first.number);
        assert.equal(issue.title, DASHBOARD_TITLE);
        assert.match(
            issue.body!,
            /^\| billing \| 877 \| \*\*877\*\* \| \*\*866\*\* · \[11 behind\]\(https:\/\/go\.acme-saas\.example\/acme-saas\/billing-service\/compare\/[0-9a-f]{40}\.\.\.[0-9a-f]{40}\) · \[→ 877 in PR \d+\]/m,
        );
        assert.match(issue.body!, /⚠ merged, not deployed · ⚠ drift \|$/m);

        s.w.github.clearRequests();
        const again = await refreshDashboard(deps());
        assert.deepEqual([again.action, again.writes, s.w.github.writes()], ["unchanged", 0, 0]);

        // The demo release is merged: its cells change, the same issue is edited.
        s.w.ops.mergePull(s.prs.demo, { method: "squash" });
        s.w.github.clearRequests();
        const edited = await refreshDashboard(deps());
        assert.deepEqual([edited.action, edited.number, edited.writes], ["updated", first.number, 1]);
        assert.deepEqual(
            s.w.github.requests.filter((r) => r.method !== "POST" || r.path !== "/graphql").map((r) => `${r.method} ${r.route}`),
            ["PATCH /repos/{owner}/{repo}/issues/{issue_number}"],
        );
        assert.equal(openDashboards(s).length, 1);
        assert.match(openDashboards(s)[0].body!, /^\| billing \| 877 \| \*\*877\*\* \| \*\*877\*\* · ⚠ merged, not deployed \|/m);
    });

    it("shows how far this week's milestone is, and follows it as issues close", async () => {
        const billing = s.w.github.state.findRepo("acme-saas", "billing-service")!;
        const w52 = billing.addMilestone("2026-W52", { due_on: "2026-12-27T00:00:00Z" });
        const open = billing.addIssue("invoice rounding", { milestone: w52.number });
        billing.addIssue("tax export", { milestone: w52.number, state: "closed" });
        const first = await refreshDashboard(deps());
        const body = () => openDashboards(s)[0].body!;
        assert.match(body(), /^### Weekly milestones\n\n#### 2026-W52 — this week, due 2026-12-27: 50% done$/m);
        assert.match(
            body(),
            /^\| \[billing-service\]\(https?:\/\/[^)\s]+\/acme-saas\/billing-service\/milestone\/\d+\) \| 50% \| 1 \| 1 \| 0 \| 0 \|$/m,
        );
        assert.match(body(), /^#### 2026-W53 — next week, due 2027-01-03: — done$/m);
        open.state = "closed";
        const after = await refreshDashboard(deps());
        assert.deepEqual([after.action, after.number], ["updated", first.number]);
        assert.match(body(), /^#### 2026-W52 — this week, due 2026-12-27: 100% done$/m);
    });

    it("two runs at once leave one open dashboard", async () => {
        await Promise.all([refreshDashboard(deps()), refreshDashboard(deps())]);
        const open = openDashboards(s);
        assert.equal(open.length, 1);
        const closed = s.w.ops.issues.filter((i) => i.title === DASHBOARD_TITLE && i.state === "closed");
        for (const c of closed) assert.equal(c.state_reason, "not_planned");
        // And the survivor is the one every later run edits.
        const later = await refreshDashboard(deps());
        assert.deepEqual([later.number, later.action], [open[0].number, "unchanged"]);
    });

    it("finds the dashboard past the first hundred open issues", async () => {
        await refreshDashboard(deps());
        // The dashboard is the oldest open issue; bury it under newer ones with the oldest-first order reversed.
        const dashboard = openDashboards(s)[0];
        dashboard.created_at = "2030-01-01T00:00:00Z";
        for (let i = 0; i < 120; i++) s.w.ops.addIssue(`question ${i}`);
        s.w.github.clearRequests();
        const again = await refreshDashboard(deps());
        assert.deepEqual([again.action, again.number], ["unchanged", dashboard.number]);
        assert.equal(s.w.github.reads(/graphql/), 3, "the status, the milestones and the recheck");
    });

    it("`conveyor status --dashboard` writes it and says so; the body names no user-typed text raw", async () => {
        const r = await cli(envOf(s.w), ["status", "--dashboard", "--now", NOW]);
        assert.equal(r.code, 0, r.err);
        assert.match(r.err, /^release dashboard: issue #\d+ opened$/m);
        assert.match(r.out, /^component +CI +staging +demo +prod$/m);
        const body = openDashboards(s)[0].body!;
        // Our links go through the redirector; no bare #N reference or @mention that would notify anyone.
        assert.doesNotMatch(body, /(^|[^&\w])#\d/m);
        assert.doesNotMatch(body, /@\w/);
        assert.ok(!body.includes(`github.com/acme-saas/ops/pull`));
        const again = await cli(envOf(s.w), ["status", "--dashboard", "--now", NOW]);
        assert.match(again.err, /already up to date/);
        assert.equal(s.w.ops.pulls.filter((p) => p.head === releaseBranch("demo")).length, 1);
    });

    it("`conveyor deployed` and `conveyor release` refresh it after their work", async () => {
        const first = await cli(envOf(s.w), ["status", "--dashboard", "--now", NOW]);
        assert.equal(first.code, 0, first.err);
        assert.match(openDashboards(s)[0].body!, /⚠ merged, not deployed/);
        const sha = s.w.ops.pull(s.prs.prod)!.merge_commit_sha!;
        const deployed = await cli(envOf(s.w), ["deployed", "prod", "--sha", sha, "--build-url", "https://circleci.example/build/1"]);
        assert.equal(deployed.code, 0, deployed.err);
        assert.match(deployed.err, /^release dashboard: issue #\d+ updated$/m);
        const body = openDashboards(s)[0].body!;
        assert.doesNotMatch(body, /merged, not deployed/);
        assert.match(body, new RegExp(`^\\| prod \\| demo \\| .* \\| \\[release PR ${s.prs.prod}\\]`, "m"));
        assert.equal(openDashboards(s).length, 1);

        const released = await cli(envOf(s.w), ["release", "demo"]);
        assert.equal(released.code, 0, released.err);
        assert.match(released.err, /^release dashboard: issue #\d+ (updated|already up to date)$/m);
        const noCi = await cli({ ...envOf(s.w), CIRCLECI_TOKEN: "" }, [
            "deployed",
            "prod",
            "--sha",
            sha,
            "--build-url",
            "https://circleci.example/build/1",
        ]);
        assert.equal(noCi.code, 0, noCi.err);
        assert.match(noCi.err, /release dashboard: not refreshed \(CIRCLECI_TOKEN is not set/);
    });
});
