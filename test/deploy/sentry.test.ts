// Sentry after a deploy, over real HTTP against the fake: each new build with Sentry projects becomes a
// release with its commits and a deploy record under Sentry's name for the environment; a refusal is a
// warning that names the build and the reason, and the other builds are still recorded.
import * as assert from "node:assert/strict";
import { Sentry } from "../../clients/sentry";
import { recordSentryDeploy } from "../../deploy/sentry";
import type { MarkerData } from "../../release/changelog";
import { feedbackWorkspace } from "../feedback-world";
import { FAKE_SENTRY_TOKEN, startFakeSentry, type FakeSentry } from "../fakes/sentry";

const ws = feedbackWorkspace();
const org = ws.org!;
const SHA = "abcdef0123456789abcdef0123456789abcdef01";
const BUILD = "https://circleci.example/workflow/31";
const from = "1".repeat(40);
const to = "2".repeat(40);

/** prod's release PR: billing and web have Sentry projects, gateway has none. */
const prodRelease: MarkerData = {
    env: "prod",
    source: "demo",
    versions: { billing: 42, web: 7, gateway: 19 },
    issues: {},
    previous: { billing: 41 },
    revisions: { billing: { from, to }, web: { to }, gateway: { to } },
};

describe("Sentry after a deploy, against the fake", function () {
    this.timeout(30_000);
    let fake: FakeSentry;
    let warnings: string[];
    beforeEach(async () => {
        fake = await startFakeSentry({
            projects: ["billing-api", "web-frontend", "web-ssr"],
            repositories: [`${org.owner}/billing-service`, `${org.owner}/web-frontend`],
        });
        warnings = [];
    });
    afterEach(async () => {
        assert.deepEqual(fake.unknownRoutes, []);
        await fake.close();
    });

    const record = (marker: MarkerData, env = marker.env) =>
        recordSentryDeploy(
            new Sentry({ url: fake.origin, organization: org.sentry!.organization, token: FAKE_SENTRY_TOKEN, baseMs: 1 }),
            org.sentry!,
            ws.catalog,
            org.owner,
            { env, sha: SHA, buildUrl: BUILD, marker },
            (l) => warnings.push(l),
        );

    it("a prod deploy makes each build with Sentry projects a release with its commits, deployed to Sentry's production", async () => {
        const out = await record(prodRelease);
        assert.deepEqual([...fake.releases.keys()].sort(), ["billing@42", "web@7"], "gateway has no Sentry project");
        assert.deepEqual(fake.releases.get("billing@42")!.refs, [
            { repository: "acme-saas/billing-service", commit: to, previousCommit: from },
        ]);
        assert.deepEqual(fake.releases.get("web@7")!.refs, [{ repository: "acme-saas/web-frontend", commit: to }]);
        assert.deepEqual(fake.deployLines().sort(), ["billing@42 -> production (prod abcdef0)", "web@7 -> production (prod abcdef0)"]);
        assert.equal(fake.releases.get("web@7")!.deploys[0].url, BUILD);
        // What the deploy's log counts ("2 releases, 2 deploys"): one entry per release and per deploy record made.
        assert.deepEqual(out, {
            releases: ["billing@42", "web@7"],
            deploys: ["billing@42 -> production", "web@7 -> production"],
            failed: [],
        });
        assert.deepEqual(warnings, []);
    });

    it("a release Sentry refuses is a warning naming the build and Sentry's reason; the other builds are still recorded", async () => {
        await fake.close();
        // billing's project was renamed in Sentry: the configured slug is no longer known there.
        fake = await startFakeSentry({ projects: ["web-frontend", "web-ssr"], repositories: [`${org.owner}/web-frontend`] });
        const out = await record(prodRelease);
        assert.deepEqual(out.releases, ["web@7"]);
        assert.deepEqual(out.deploys, ["web@7 -> production"]);
        assert.equal(out.failed.length, 1);
        assert.match(out.failed[0], /^billing@42: Sentry answered 400: .*Invalid project ids or slugs: billing-api/);
        assert.deepEqual(warnings, [`sentry: ${out.failed[0]}`]);
        assert.deepEqual(fake.deployLines(), ["web@7 -> production (prod abcdef0)"]);
    });
});
