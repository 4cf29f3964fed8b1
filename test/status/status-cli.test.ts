// `conveyor status` over the loopback fakes: the matrix of a world with an open release PR, a merged release
// PR not deployed, a frozen prod and a drift issue; what it costs in requests; --json, --html, --offline.
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { statusQuery } from "../../status/read";
import { schemaErrors } from "./github-schema";
import { cli, envOf, NOW, startStatusWorld, type StatusWorld } from "./status-world";

interface JsonCell {
    env: string;
    running: number | null;
    behind: number;
    pending: { build: number; pr: number; url: string } | null;
    notDeployed: boolean;
    drift: boolean;
}
interface JsonStatus {
    schema: string;
    offline: boolean;
    environments: { name: string; nextTrain: { date: string } | null; frozen: { to: string } | null; lastDeploy: { pr: number } | null }[];
    components: { name: string; ci: number | null; cells: JsonCell[] }[];
}

const ESC = String.fromCharCode(27);
const redirect = (n: number) => `https://go.acme-saas.example/acme-saas/ops/issues/${n}`;

describe("conveyor status (I/O through the fakes)", function () {
    this.timeout(120_000);
    let s: StatusWorld;
    before(async () => {
        s = await startStatusWorld();
    });
    after(() => s.w.close());

    async function status(...argv: string[]) {
        s.w.github.clearRequests();
        s.w.circle.clearRequests();
        return cli(envOf(s.w), ["status", "--now", NOW, ...argv]);
    }

    it("--json: CI first, each stack file's build, what waits and the marks, in one GitHub request", async () => {
        const r = await status("--json");
        assert.equal(r.code, 0, r.err);
        const m = JSON.parse(r.out) as JsonStatus;
        assert.equal(m.schema, "conveyor.status/v1");
        assert.deepEqual(
            m.environments.map((e) => e.name),
            ["staging", "demo", "prod"],
        );
        for (const c of m.components) {
            const latest = s.w.latest.get(c.name)!;
            const [staging, demo, prod] = c.cells;
            assert.equal(c.ci, latest, c.name);
            // Staging runs the release it deployed; demo has an open PR bringing it.
            assert.deepEqual(
                [staging.running, staging.behind, staging.pending, staging.notDeployed, staging.drift],
                [latest, 0, null, false, false],
            );
            assert.deepEqual(demo.pending, { build: latest, pr: s.prs.demo, url: redirect(s.prs.demo) });
            assert.equal(demo.behind, latest - demo.running!);
            // Prod's stack file names what the merged release brought, not deployed yet; and prod has drifted.
            assert.deepEqual([prod.running, prod.notDeployed, prod.drift], [demo.running, true, true]);
        }
        const [staging, demo, prod] = m.environments;
        assert.equal(staging.lastDeploy?.pr, s.prs.staging);
        assert.equal(demo.lastDeploy, null);
        assert.deepEqual([prod.nextTrain?.date, prod.frozen?.to], ["2027-01-11", "2027-01-07"]);
        assert.deepEqual(
            s.w.github.requests.map((q) => `${q.method} ${q.path}`),
            ["POST /graphql"],
        );
        assert.equal(s.w.github.writes(), 0);
        // Compare links from each service's page of recent pipelines: no lookup per build.
        const billing = m.components.find((c) => c.name === "billing")!.cells[1] as JsonCell & { compareUrl: string | null };
        assert.match(
            billing.compareUrl ?? "",
            /^https:\/\/go\.acme-saas\.example\/acme-saas\/billing-service\/compare\/[0-9a-f]{40}\.\.\.[0-9a-f]{40}$/,
        );
        assert.deepEqual(
            s.w.circle.requests.filter((q) => /\/pipeline\/\d+$/.test(q.path)).map((q) => q.path),
            [],
        );
    });

    it("prints the matrix for people: one line per component, the trains and the links under it", async () => {
        const r = await status();
        assert.equal(r.code, 0, r.err);
        assert.match(r.out, /^component +CI +staging +demo +prod$/m);
        const billing = s.w.latest.get("billing")!;
        assert.match(r.out, new RegExp(`^billing +${billing} +${billing} +866-${billing - 866}>${billing} +866!~$`, "m"));
        assert.match(r.out, /^prod {5}next train Mon 2027-01-11$/m);
        assert.match(r.out, new RegExp(`! #${s.prs.prod} merged, not deployed ${redirect(s.prs.prod)}`));
        assert.match(r.out, new RegExp(`~ drift issue #${s.drift} ${redirect(s.drift)}`));
        assert.ok(!r.out.includes(ESC));
        const tty = await cli(envOf(s.w), ["status", "--now", NOW], { terminal: { columns: 120 } });
        assert.ok(tty.out.includes(`${ESC}[31m`));
        const noColor = await cli({ ...envOf(s.w), NO_COLOR: "1" }, ["status", "--now", NOW], { terminal: { columns: 120 } });
        assert.ok(!noColor.out.includes(ESC));
    });

    it("--html writes the page with the same builds and the PR links through the redirector", async () => {
        const r = await status("--html", "out/status.html");
        assert.equal(r.code, 0, r.err);
        assert.equal(r.out, "");
        const html = fs.readFileSync(path.join(r.cwd, "out/status.html"), "utf8");
        assert.ok(html.includes(`<a href="${redirect(s.prs.demo)}">→ ${s.w.latest.get("web")} in PR ${s.prs.demo}</a>`));
        assert.ok(html.includes(`<a href="${redirect(s.drift)}">drift issue ${s.drift}</a>`));
        assert.match(html, /<th scope="row">notifications<\/th>/);
    });

    it("--milestones adds this week's and next week's milestones to the text, --json and the page, in one more request", async () => {
        const billing = s.w.github.state.findRepo("acme-saas", "billing-service")!;
        const w52 = billing.addMilestone("2026-W52", { due_on: "2026-12-27T00:00:00Z" });
        billing.addIssue("invoice rounding", { milestone: w52.number });
        billing.addIssue("tax export", { milestone: w52.number, state: "closed" });
        try {
            const json = await status("--milestones", "--json");
            assert.equal(json.code, 0, json.err);
            const weeks = (JSON.parse(json.out) as { milestones: { weeks: { title: string; percentDone?: number }[] } }).milestones.weeks;
            assert.deepEqual(
                weeks.map((w) => [w.title, w.percentDone]),
                [
                    ["2026-W52", 50],
                    ["2026-W53", undefined],
                ],
            );
            assert.deepEqual(
                s.w.github.requests.map((q) => `${q.method} ${q.path}`),
                ["POST /graphql", "POST /graphql"],
            );
            const text = await status("--milestones");
            assert.match(text.out, /^Weekly milestones\n2026-W52 \(current, due 2026-12-27\): 50% done$/m);
            assert.match(text.out, /^ {2}billing-service +50% {2}issues 1\/2 closed, PRs 0\/0 closed$/m);
            const page = await status("--milestones", "--html", "status.html");
            const html = fs.readFileSync(path.join(page.cwd, "status.html"), "utf8");
            assert.match(html, /<section id="milestones"[^>]*><h2 id="milestones-title">Weekly milestones<\/h2>/);
            assert.ok(html.includes('<progress max="100" value="50">50%</progress>'));
            const without = await status();
            assert.doesNotMatch(without.out, /Weekly milestones/);
            const offline = await cli({}, ["status", "--offline", "--milestones"]);
            assert.equal(offline.code, 2);
            assert.match(offline.err, /--milestones reads GitHub/);
        } finally {
            billing.deleteMilestone(w52);
        }
    });

    it("--offline reads nothing but the checkout's stack files, and needs no token", async () => {
        const r = await cli({}, ["status", "--offline", "--json", "--now", NOW]);
        assert.equal(r.code, 0, r.err);
        const m = JSON.parse(r.out) as JsonStatus;
        assert.equal(m.offline, true);
        const billing = m.components.find((c) => c.name === "billing")!;
        assert.deepEqual(
            billing.cells.map((c) => c.running),
            [873, 866, 860],
        );
        assert.equal(billing.ci, null);
    });

    it("without a token, or with bad options: exit 2 and a clear message, not one request", async () => {
        s.w.github.clearRequests();
        const noToken = await cli({ CIRCLECI_TOKEN: "x" }, ["status"]);
        assert.equal(noToken.code, 2);
        assert.match(noToken.err, /GITHUB_TOKEN is not set.*--offline/);
        const both = await cli(envOf(s.w), ["status", "--offline", "--dashboard"]);
        assert.equal(both.code, 2);
        assert.match(both.err, /--dashboard writes to GitHub/);
        const badNow = await cli(envOf(s.w), ["status", "--now", "tomorrow"]);
        assert.equal(badNow.code, 2);
        assert.equal(s.w.github.requests.length, 0);
    });

    it("asks GitHub a query its published schema accepts, pages included", () => {
        const ops = { owner: "acme-saas", repo: "ops", branch: "main" };
        const envs = ["staging", "demo", "prod", "globex-staging", "globex-prod"];
        for (const q of [statusQuery(ops, envs), statusQuery(ops, envs, "Y3Vyc29yOnYyOjk5")]) {
            assert.deepEqual(schemaErrors(q), []);
        }
        // The check can fail: a field GitHub does not have is refused.
        assert.notDeepEqual(schemaErrors(statusQuery(ops, envs).replace("mergedAt", "mergedOn")), []);
    });
});
