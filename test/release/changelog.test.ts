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
        { sha: "c1", message: "Add SEPA export (#41)", author: "alice" },
        { sha: "c2", message: "Merge pull request #42 from acme/fix-rounding\n\nFix rounding", author: "bob" },
        { sha: "c3", message: "Fix typo in README", author: "carol" },
        { sha: "c4", message: "Bump jackson", author: "dependabot[bot]" },
        { sha: "c5", message: "Follow-up on export (#41)", author: "alice" },
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
    commits: [{ sha: "w1", message: "Dark mode (#7)", author: "dave" }],
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

    const { body, cut } = renderBody(ctx);

    it("groups entries by type label with component, title and author", () => {
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
    });

    it("links every issue and PR through the redirector, never as #N or a github.com issue URL", () => {
        assert.doesNotMatch(body, /(?<!&)#\d/, "no bare #N");
        assert.doesNotMatch(body, /github\.com\/[^/\s]+\/[^/\s]+\/(issues|pull)\//, "no GitHub issue or PR URL");
        assert.doesNotMatch(body, /@(?!\u200b)[A-Za-z0-9]/, "no live @mention");
        assert.match(body, /\[acme\/erp-connector&#35;7\]\(https:\/\/go\.acme\.example\/acme\/erp-connector\/issues\/7\)/);
    });

    it("counts commits without a PR and ends with the versions table and what was left out", () => {
        assert.match(body, /Commits without a pull request: billing 1\./);
        assert.match(
            body,
            /\| billing \| 860 \| 866 \| \[3 PRs, 5 commits\]\(https:\/\/github\.com\/acme\/billing-service\/compare\/aaa1111\.\.\.bbb2222\) \|/,
        );
        assert.match(body, /\| web \| 2255 \| 2271 \| \[1 PRs, 1 commits\]/);
        assert.match(body, /### Not in this release\n\n- notifications: not in demo/);
    });

    it("starts with a hidden marker carrying the versions, the issues, the builds before and the commits", () => {
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
        const many = new Map<number, PullRequest>();
        const commits = Array.from({ length: 600 }, (_, i) => {
            many.set(i + 100, pr(i + 100, `Change number ${i} with a long and descriptive title `.repeat(3), ["type/change-feature"]));
            return { sha: `s${i}`, message: `x (#${i + 100})`, author: "alice" };
        });
        const huge = { ...ctx, changes: [{ ...billing, commits, pulls: many }] };
        const { body: cutBody, cut: wasCut } = renderBody(huge);
        assert.equal(wasCut, true);
        assert.ok(cutBody.length <= BODY_LIMIT);
        assert.ok(cutBody.startsWith(MARKER_PREFIX));
        assert.match(
            cutBody,
            /\[the changelog on this branch\]\(https:\/\/github\.com\/acme\/ops\/blob\/release-prod\/releases\/prod\.md\)/,
        );
        assert.match(cutBody, /\| billing \| 860 \| 866 \|/);
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
