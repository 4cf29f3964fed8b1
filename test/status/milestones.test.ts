// Weekly milestone progress across every managed repository, read in ONE GraphQL request from the fake GitHub.
import * as assert from "node:assert/strict";
import { parseWorkspace } from "../../config";
import { createGitHub } from "../../clients/github";
import {
    milestonesQuery,
    percentDone,
    progressOf,
    readMilestoneProgress,
    renderMilestonesHtml,
    renderMilestonesMarkdown,
    renderMilestonesText,
} from "../../status/milestones";
import { startFakeGitHub, type FakeGitHub } from "../fakes/github";
import { fixtureFiles } from "../workspace-fixture";
import { schemaErrors } from "./github-schema";

const TOKEN = "ghs_status";
const ws = parseWorkspace(fixtureFiles());
const org = ws.org!;
// Thursday of 2026-W49; W49 ends Sunday 2026-12-06.
const NOW = new Date("2026-12-03T10:00:00Z");

describe("milestone progress (pure)", () => {
    it("rounds done down, so 100% means nothing is open", () => {
        assert.equal(percentDone({ openIssues: 1, closedIssues: 199, openPulls: 0, closedPulls: 0 }), 99);
        assert.equal(percentDone({ openIssues: 0, closedIssues: 2, openPulls: 0, closedPulls: 1 }), 100);
        assert.equal(percentDone({ openIssues: 0, closedIssues: 0, openPulls: 0, closedPulls: 0 }), undefined);
    });

    it("asks for every repository and both weeks in one query, each by alias", () => {
        const q = milestonesQuery("acme", ["api", "web"], ["2026-W49", "2026-W50"]);
        assert.equal((q.match(/repository\(/g) ?? []).length, 2);
        assert.match(q, /r1: repository\(owner: "acme", name: "web"\) \{\n {4}w0: milestones\(first: 5, query: "2026-W49"\)/);
        assert.match(q, /closedPulls: pullRequests\(states: \[CLOSED, MERGED\]\) \{ totalCount \}/);
    });

    it("is overdue only past the due day with work open, and says how much", () => {
        const m = (open: number) => ({
            title: "2026-W49",
            dueOn: "2026-12-06T00:00:00Z",
            url: "https://github.com/acme/api/milestone/3",
            openIssues: { totalCount: open },
            closedIssues: { totalCount: 1 },
            openPulls: { totalCount: 0 },
            closedPulls: { totalCount: 0 },
        });
        const data = (open: number) => ({ r0: { w0: { nodes: [m(open)] } } });
        const at = (iso: string, open: number) => progressOf(["api"], ["2026-W49"], ["2026-12-06"], data(open), new Date(iso)).weeks[0];
        assert.equal(at("2026-12-06T23:59:00Z", 2).overdue, false, "still due on its Sunday");
        assert.deepEqual([at("2026-12-07T00:00:00Z", 2).overdue, at("2026-12-07T00:00:00Z", 2).overdueItems], [true, 2]);
        assert.equal(at("2026-12-08T00:00:00Z", 0).overdue, false, "nothing open, nothing overdue");
    });

    it("renders nothing a repository name could turn into markup", () => {
        const p = progressOf(["<b>x|y</b>@team"], ["2026-W49"], ["2026-12-06"], {}, NOW);
        assert.ok(!renderMilestonesHtml(p).includes("<b>x"));
        const markdown = renderMilestonesMarkdown(p);
        assert.match(
            markdown,
            /^\| &#60;b&#62;x&#124;y&#60;\/b&#62;@\u200bteam \| no milestone \| \| \| \| \|$/m,
            "one cell, no tag, no mention",
        );
    });

    it("asks a query GitHub's published schema accepts", () => {
        const q = milestonesQuery("acme", ["api", "web"], ["2026-W49", "2026-W50"]);
        assert.deepEqual(schemaErrors(q), []);
        // The check can fail: a state a milestone's issues cannot have is refused.
        assert.notDeepEqual(schemaErrors(q.replace("states: [OPEN]", "states: [MERGED]")), []);
    });
});

describe("milestone progress against the fake GitHub", function () {
    this.timeout(30_000);
    let github: FakeGitHub;
    beforeEach(async () => {
        github = await startFakeGitHub();
        github.state.token = TOKEN;
        for (const r of org.repositories) github.state.addRepo(`${org.owner}/${r.name}`, { default_branch: "main" });
    });
    afterEach(() => github.close());
    const repo = (name: string) => github.state.findRepo(org.owner, name)!;

    it("counts issues and PRs per repository and in total, for this week and next, in one request", async () => {
        const billing = repo("billing-service");
        const w49 = billing.addMilestone("2026-W49", { due_on: "2026-12-06T00:00:00Z" });
        billing.addMilestone("2026-W490", { due_on: "2026-12-06T00:00:00Z" }); // a title search also matches this one
        billing.addIssue("open one", { milestone: w49.number });
        billing.addIssue("done one", { milestone: w49.number, state: "closed" });
        billing.addIssue("done two", { milestone: w49.number, state: "closed" });
        billing.addIssue("not planned", {});
        billing.commit("main", { message: "init", files: { "README.md": "r\n" } });
        billing.commit("feature", { message: "work", files: { "a.txt": "a\n" } });
        const pr = billing.openPull({ head: "feature", title: "Feature" });
        billing.pullIssue(pr).milestone = w49.number;
        billing.mergePull(pr.number, { method: "squash" });
        const web = repo("web-frontend");
        const webW49 = web.addMilestone("2026-W49", { due_on: "2026-12-06T00:00:00Z" });
        web.addIssue("web open", { milestone: webW49.number });
        const w50 = web.addMilestone("2026-W50", { due_on: "2026-12-13T00:00:00Z" });
        web.addIssue("next", { milestone: w50.number });

        github.clearRequests();
        const gh = createGitHub({ token: TOKEN, baseUrl: github.url, throttle: false });
        const p = await readMilestoneProgress(gh, org, NOW);
        assert.equal(github.requests.length, 1, "one request for every repository");
        assert.deepEqual(
            p.weeks.map((w) => [w.title, w.role, w.dueOn]),
            [
                ["2026-W49", "current", "2026-12-06"],
                ["2026-W50", "next", "2026-12-13"],
            ],
        );
        const [current, next] = p.weeks;
        assert.equal(current.repos.length, org.repositories.length);
        const b = current.repos.find((r) => r.repo === "billing-service")!;
        assert.deepEqual(
            { ...b, url: undefined },
            { repo: "billing-service", exists: true, url: undefined, openIssues: 1, closedIssues: 2, openPulls: 0, closedPulls: 1 },
        );
        assert.match(b.url!, /\/acme-saas\/billing-service\/milestone\/\d+$/);
        assert.deepEqual(current.total, { openIssues: 2, closedIssues: 2, openPulls: 0, closedPulls: 1 });
        assert.equal(current.percentDone, 60);
        assert.equal(current.overdue, false);
        assert.equal(current.repos.filter((r) => !r.exists).length, org.repositories.length - 2, "the others have no W49 milestone");
        assert.deepEqual(next.total, { openIssues: 1, closedIssues: 0, openPulls: 0, closedPulls: 0 });
        assert.equal(next.percentDone, 0);

        const text = renderMilestonesText(p);
        assert.match(text, /^2026-W49 \(current, due 2026-12-06\): 60% done\n {2}total: issues 2\/4 closed, PRs 1\/1 closed$/m);
        assert.match(text, /^ {2}billing-service +75% {2}issues 2\/3 closed, PRs 1\/1 closed$/m);
        assert.match(text, /^ {2}ops +no milestone$/m);
        const markdown = renderMilestonesMarkdown(p);
        assert.match(markdown, /\| \*\*total\*\* \| \*\*60%\*\* \| 2 \| 2 \| 0 \| 1 \|/);
        assert.match(renderMilestonesHtml(p), /<progress max="100" value="60">60%<\/progress>/);

        const late = await readMilestoneProgress(gh, org, new Date("2026-12-07T09:00:00Z"));
        assert.equal(late.weeks[0].title, "2026-W50", "a new week: next week's milestone is now the current one");
    });
});
