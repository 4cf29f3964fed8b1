import * as assert from "node:assert/strict";
import {
    BODY_LIMIT,
    entriesOf,
    issuesOf,
    MARKER_PREFIX,
    parseMarker,
    pullsOf,
    releaseTitle,
    renderBody,
    renderChangelog,
    type BodyContext,
    type ComponentChanges,
    type PullRequest,
} from "../../release/changelog";
import type { ReleasePlan } from "../../release/plan";

const pr = (number: number, title: string, labels: string[], body = "", closingIssues: PullRequest["closingIssues"] = []): PullRequest => ({
    number,
    title,
    author: "alice",
    labels,
    body,
    closingIssues,
});

const billing: ComponentChanges = {
    bump: { component: "billing", repo: "billing-service", from: 860, to: 866 },
    repo: { owner: "acme", repo: "billing-service" },
    fromSha: "aaa1111",
    toSha: "bbb2222",
    commits: [
        { sha: "c1", message: "Add SEPA export (#41)" },
        { sha: "c2", message: "Merge pull request #42 from acme/fix-rounding\n\nFix rounding" },
        { sha: "c3", message: "Fix typo in README" },
        { sha: "c4", message: "Bump jackson" },
        { sha: "c5", message: "Follow-up on export (#41)" },
    ],
    associations: new Map([["c4", 43]]),
    pulls: new Map([
        [
            41,
            pr(
                41,
                "Add SEPA export for @finance (#41)",
                ["type/new-feature", "priority/P2"],
                "Closes #12 and relates to acme/erp-connector#7",
            ),
        ],
        [
            42,
            pr(42, "Fix rounding of VAT", ["type/bug"], "fixes https://github.com/acme/billing-service/issues/13", [
                { owner: "acme", repo: "billing-service", number: 13 },
            ]),
        ],
        [43, pr(43, "Bump jackson from 2.17 to 2.18", ["type/devops"])],
    ]),
};
const web: ComponentChanges = {
    bump: { component: "web", repo: "web-frontend", from: 2255, to: 2271 },
    repo: { owner: "acme", repo: "web-frontend" },
    fromSha: "ddd",
    toSha: "eee",
    commits: [{ sha: "w1", message: "Dark mode (#7)" }],
    associations: new Map(),
    pulls: new Map([[7, pr(7, "Dark mode", [], "See #12 in billing: acme/billing-service#12")]]),
};
const plan: ReleasePlan = {
    env: "prod",
    source: "demo",
    bumps: [billing.bump, web.bump],
    unchanged: ["gateway"],
    skipped: [{ component: "notifications", reason: "not in demo" }],
};
const ctx: BodyContext = {
    plan,
    changes: [billing, web],
    redirectorDomain: "go.acme.example",
    webUrl: "https://github.com",
    fullChangelogUrl: "https://github.com/acme/ops/blob/release-prod/releases/prod.md",
};

/** Billing with 600 PRs of long titles: a changelog far over GitHub's body limit. */
function manyPrs(): ComponentChanges {
    const pulls = new Map<number, PullRequest>();
    const commits = Array.from({ length: 600 }, (_, i) => {
        pulls.set(i + 100, pr(i + 100, `Change number ${i} with a long and descriptive title `.repeat(3), ["type/change-feature"]));
        return { sha: `s${i}`, message: `x (#${i + 100})` };
    });
    return { ...billing, commits, pulls };
}

describe("changelog", () => {
    it("finds each commit's PR: squash suffix, merge commit, then GitHub's association", () => {
        assert.deepEqual(pullsOf(billing), { numbers: [41, 42, 43], withoutPr: 1 });
    });

    it("collects each PR's issues: closing references, mentions, cross-repository, URLs", () => {
        const [sepa, rounding] = entriesOf(billing);
        assert.deepEqual(
            sepa.issues.map((i) => `${i.repo}#${i.number}`),
            ["billing-service#12", "erp-connector#7"],
            "a PR's own (#41) is not an issue",
        );
        assert.deepEqual(
            rounding.issues.map((i) => `${i.repo}#${i.number}`),
            ["billing-service#13"],
        );
        // "#12" in web's PR means web-frontend#12, as on GitHub; the full reference is billing's #12.
        assert.deepEqual(
            issuesOf([billing, web]).map((i) => `${i.repo}#${i.number}`),
            ["billing-service#12", "erp-connector#7", "billing-service#13", "web-frontend#12"],
        );
    });

    /** Rendered inside each test, so that a test's verdict is about what it ran. */
    const rendered = () => renderBody(ctx);

    it("groups entries by type label with component, title and author", () => {
        const { body, cut } = rendered();
        assert.equal(cut, false);
        const section = (title: string) => body.split(`### ${title}\n\n`)[1].split("\n\n")[0].split("\n");
        assert.equal(section("New features").length, 1);
        assert.match(
            section("New features")[0],
            /^- \*\*billing\*\*: Add SEPA export for @\u200bfinance \(&#35;41\) \(`alice`, \[acme\/billing-service&#35;41\]\(https:\/\/go\.acme\.example\/acme\/billing-service\/issues\/41\)\)/,
        );
        assert.match(section("Bug fixes")[0], /Fix rounding of VAT/);
        assert.match(section("DevOps and dependencies")[0], /Bump jackson/);
        assert.match(section("Other changes")[0], /^- \*\*web\*\*: Dark mode/);
        assert.ok(body.indexOf("### New features") < body.indexOf("### Bug fixes"));
        assert.equal(
            section("New features")[0],
            "- **billing**: Add SEPA export for @\u200bfinance (&#35;41) (`alice`, [acme/billing-service&#35;41](https://go.acme.example/acme/billing-service/issues/41))" +
                " — [acme/billing-service&#35;12](https://go.acme.example/acme/billing-service/issues/12), [acme/erp-connector&#35;7](https://go.acme.example/acme/erp-connector/issues/7)",
            "the PR, then its issues, comma-separated",
        );
        assert.equal(
            section("DevOps and dependencies")[0],
            "- **billing**: Bump jackson from 2.17 to 2.18 (`alice`, [acme/billing-service&#35;43](https://go.acme.example/acme/billing-service/issues/43))",
            "a PR without issues ends with its own link",
        );
        assert.deepEqual(
            body.match(/^### .*/gm),
            [
                "### New features",
                "### Bug fixes",
                "### DevOps and dependencies",
                "### Other changes",
                "### Versions",
                "### Not in this release",
            ],
            "no heading for a kind of change the release does not have",
        );
        assert.doesNotMatch(body, /No merged pull request|Changes not listed/);
    });

    it("a PR's own number in another repository is an issue like any other", () => {
        const own = pr(41, "Port the export", [], "Ports acme/erp-connector#41 to billing (#41)");
        const [entry] = entriesOf({ ...billing, commits: [billing.commits[0]], pulls: new Map([[41, own]]) });
        assert.deepEqual(
            entry.issues.map((i) => `${i.repo}#${i.number}`),
            ["erp-connector#41"],
        );
    });

    it("leaves out a PR whose details GitHub did not return, listing the others", () => {
        const pulls = new Map(billing.pulls);
        pulls.delete(42);
        assert.deepEqual(
            entriesOf({ ...billing, pulls }).map((e) => e.pull.number),
            [41, 43],
        );
    });

    it("links every issue and PR through the redirector, never as #N or a github.com issue URL", () => {
        const { body } = rendered();
        assert.doesNotMatch(body, /(?<!&)#\d/, "no bare #N");
        assert.doesNotMatch(body, /github\.com\/[^/\s]+\/[^/\s]+\/(issues|pull)\//, "no GitHub issue or PR URL");
        assert.doesNotMatch(body, /@(?!\u200b)[A-Za-z0-9]/, "no live @mention");
        assert.match(body, /\[acme\/erp-connector&#35;7\]\(https:\/\/go\.acme\.example\/acme\/erp-connector\/issues\/7\)/);
    });

    it("counts commits without a PR and ends with the versions table and what was left out", () => {
        const { body } = rendered();
        assert.match(body, /Commits without a pull request: billing 1\./);
        assert.match(
            body,
            /\| billing \| 860 \| 866 \| \[3 PRs, 5 commits\]\(https:\/\/github\.com\/acme\/billing-service\/compare\/aaa1111\.\.\.bbb2222\) \|/,
        );
        assert.match(body, /\| web \| 2255 \| 2271 \| \[1 PRs, 1 commits\]/);
        assert.match(body, /### Not in this release\n\n- notifications: not in demo/);
        assert.match(body, /### Versions\n\n\| component \| running \| new \| changes \|\n\|---\|---:\|---:\|---\|\n\| billing \|/);
    });

    it("counts commits without a PR per component, and says nothing of what a release without gaps leaves out", () => {
        const direct = { sha: "w2", message: "Hotfix straight on main" };
        const { body } = renderBody({
            ...ctx,
            plan: { ...plan, skipped: [] },
            changes: [billing, { ...web, commits: [...web.commits, direct] }],
        });
        assert.match(body, /Commits without a pull request: billing 1, web 1\./);
        assert.doesNotMatch(body, /Not in this release/);
        const { body: complete } = renderBody({ ...ctx, changes: [web] });
        assert.doesNotMatch(complete, /Commits without a pull request/);
    });

    it("shows a component new to the environment as new, and one without known commits without a compare link", () => {
        const search: ComponentChanges = {
            bump: { component: "search", repo: "search-service", to: 5 },
            repo: { owner: "acme", repo: "search-service" },
            toSha: "fff",
            commits: [],
            associations: new Map(),
            pulls: new Map(),
            note: "first release of this component to the environment",
        };
        const lost: ComponentChanges = {
            ...web,
            toSha: undefined,
            commits: [],
            pulls: new Map(),
            note: "build 2271 has no revision in CircleCI",
        };
        const newPlan: ReleasePlan = { ...plan, source: "ci", bumps: [search.bump, lost.bump], skipped: [] };
        const { body } = renderBody({ ...ctx, plan: newPlan, changes: [search, lost] });
        assert.match(body, /\| search \| new \| 5 \| — \|/);
        assert.match(body, /\| web \| 2255 \| 2271 \| — \|/, "no compare link without the new build's commit");
        assert.match(
            body,
            /Changes not listed:\n\n- search: first release of this component to the environment\n- web: build 2271 has no revision in CircleCI\n/,
        );
        assert.match(body, /^Promotes prod to the latest green CI build of each component\. Merging this PR deploys it\.$/m);
        const marker = parseMarker(body)!;
        assert.deepEqual(marker.previous, { web: 2255 }, "no build before for the new one");
        assert.deepEqual(marker.revisions, { search: { to: "fff" } }, "no commits where the new build's is unknown");
        assert.equal(releaseTitle(newPlan), "Release prod: 2 components");
        assert.equal(releaseTitle({ ...newPlan, bumps: [search.bump] }), "Release prod: 1 component");
    });

    it("finds the marker wherever someone left it in the body, and nothing in a body without it", () => {
        const { body } = rendered();
        assert.equal(parseMarker(`Please deploy after 18:00.\n\n${body}`)?.versions.billing, 866);
        assert.equal(parseMarker("Set the billing build 873."), undefined);
        assert.equal(parseMarker(null), undefined);
        assert.equal(parseMarker(undefined), undefined);
    });

    it("starts with a hidden marker carrying the versions, the issues, the builds before and the commits", () => {
        const { body } = rendered();
        assert.ok(body.startsWith(MARKER_PREFIX));
        assert.deepEqual(parseMarker(body), {
            env: "prod",
            source: "demo",
            versions: { billing: 866, web: 2271 },
            issues: { "acme/billing-service": [12, 13], "acme/erp-connector": [7], "acme/web-frontend": [12] },
            // What the post-deploy steps need: "860 -> 866" in the announcement, the commits of the Sentry release.
            previous: { billing: 860, web: 2255 },
            revisions: { billing: { from: "aaa1111", to: "bbb2222" }, web: { from: "ddd", to: "eee" } },
        });
        assert.equal(releaseTitle(plan), "Release prod: 2 components");
        assert.equal(parseMarker("a body someone wrote"), undefined);
    });

    it("cuts a body over GitHub's limit, keeping the marker and versions, linking the full changelog", () => {
        const huge = { ...ctx, changes: [manyPrs()] };
        const { body: cutBody, cut: wasCut } = renderBody(huge);
        assert.equal(wasCut, true);
        assert.ok(cutBody.length <= BODY_LIMIT);
        assert.ok(cutBody.startsWith(MARKER_PREFIX));
        assert.match(
            cutBody,
            /\[the changelog on this branch\]\(https:\/\/github\.com\/acme\/ops\/blob\/release-prod\/releases\/prod\.md\)/,
        );
        assert.match(cutBody, /\| billing \| 860 \| 866 \|/);
        assert.match(
            cutBody,
            /\n## Release prod: 2 components\n\nPromotes prod to \*\*demo\*\*\. Merging this PR deploys it\.\n\nThe changelog is too long[^\n]*\n\n### Versions\n/,
        );
        assert.ok(cutBody.endsWith("### Not in this release\n\n- notifications: not in demo\n"), "short enough to keep whole: no cut mark");
    });

    it("keeps a cut body whose short form is exactly the limit whole", () => {
        const huge = (reason: string) => ({
            ...ctx,
            plan: { ...plan, skipped: [{ component: "notifications", reason }] },
            changes: [manyPrs()],
        });
        const short = renderBody(huge("x")).body.length;
        const { body, cut } = renderBody(huge("x".repeat(1 + BODY_LIMIT - short)));
        assert.equal(cut, true);
        assert.equal(body.length, BODY_LIMIT);
        assert.ok(body.endsWith(`- notifications: ${"x".repeat(1 + BODY_LIMIT - short)}\n`), "no cut mark, nothing lost");
    });

    it("cuts even the short body at the limit when its versions and left-out components alone pass it", () => {
        const skipped = Array.from({ length: 1500 }, (_, i) => ({
            component: `svc-${i}`,
            reason: "no green pipeline on main in the pipelines read",
        }));
        const { body, cut } = renderBody({ ...ctx, plan: { ...plan, skipped } });
        assert.equal(cut, true);
        assert.ok(body.length <= BODY_LIMIT, `${body.length} characters`);
        assert.ok(body.length > BODY_LIMIT - 100, "cut at the limit, not before");
        assert.ok(body.endsWith("\n\n… (cut; see the changelog)"));
        assert.ok(body.startsWith(MARKER_PREFIX));
    });

    it("keeps a body of exactly the limit whole", () => {
        const base = renderBody(ctx).body.length;
        const title = billing.pulls.get(43)!.title;
        const padded = pr(43, title + "x".repeat(BODY_LIMIT - base), ["type/devops"]);
        const exact = { ...ctx, changes: [{ ...billing, pulls: new Map([...billing.pulls, [43, padded]]) }, web] };
        const { body, cut } = renderBody(exact);
        assert.equal(body.length, BODY_LIMIT);
        assert.equal(cut, false);
    });

    it("lays the changelog out as title, what it promotes, changes, versions and what is left out, one blank line apart", () => {
        const direct: ComponentChanges = {
            ...web,
            commits: [{ sha: "w2", message: "Hotfix straight on main" }],
            pulls: new Map(),
            note: "12 more commits than GitHub's compare lists",
        };
        const small = { ...ctx, plan: { ...plan, bumps: [web.bump] }, changes: [direct] };
        const expected = [
            "## Release prod: 1 component",
            "",
            "Promotes prod to **demo**. Merging this PR deploys it.",
            "",
            "No merged pull request in this release.",
            "",
            "Commits without a pull request: web 1.",
            "",
            "Changes not listed:",
            "",
            "- web: 12 more commits than GitHub's compare lists",
            "",
            "### Versions",
            "",
            "| component | running | new | changes |",
            "|---|---:|---:|---|",
            "| web | 2255 | 2271 | [0 PRs, 1 commits](https://github.com/acme/web-frontend/compare/ddd...eee) |",
            "",
            "### Not in this release",
            "",
            "- notifications: not in demo",
            "",
        ].join("\n");
        assert.equal(renderChangelog(small), expected);
        const { body } = renderBody(small);
        assert.equal(body.slice(body.indexOf(" -->\n") + " -->\n".length), expected, "the body is the marker, then the changelog");
        const { body: complete } = renderBody({ ...small, plan: { ...small.plan, skipped: [] } });
        assert.ok(
            complete.endsWith("| web | 2255 | 2271 | [0 PRs, 1 commits](https://github.com/acme/web-frontend/compare/ddd...eee) |\n"),
            complete,
        );
    });

    it("says so when a component's commits could not be listed", () => {
        const { body: b } = renderBody({
            ...ctx,
            changes: [{ ...web, commits: [], pulls: new Map(), note: "build 2255 has no revision in CircleCI" }],
        });
        assert.match(b, /No merged pull request in this release\./);
        assert.match(b, /Changes not listed:\n\n- web: build 2255 has no revision in CircleCI/);
    });
});
