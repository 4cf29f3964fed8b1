// After a deploy: Slack hears of it once and Sentry gets a release per new build with a deploy record,
// over real HTTP against the fakes; reruns add nothing, and neither can fail the deploy.
import * as assert from "node:assert/strict";
import { slackAnnouncer } from "../../clients/slack";
import { Sentry } from "../../clients/sentry";
import { announceDeployed, announceFailure, type DeployedEvent } from "../../deploy/announce";
import { commentMarker, runDeployed, type DeployFeedback } from "../../deploy/deployed";
import { requireOrg } from "../../release/release";
import { failedDeploy, failedEnv, feedbackWorkspace, notRunEnv, prodOnly } from "../feedback-world";
import { faults } from "../fakes/github";
import { startFakeSlack, type FakeSlack } from "../fakes/slack";
import { FAKE_SENTRY_TOKEN, startFakeSentry, type FakeSentry } from "../fakes/sentry";
import { releaseAndMerge, startWorld, OWNER, type World } from "../release-world";

describe("deploy feedback against the fakes", function () {
    this.timeout(60_000);
    let w: World;
    let slack: FakeSlack;
    let sentryFake: FakeSentry;
    const warnings: string[] = [];
    beforeEach(async () => {
        w = await startWorld({ workspace: feedbackWorkspace(), prsPerComponent: 1 });
        slack = await startFakeSlack(["releases", "prod-releases", "billing"]);
        sentryFake = await startFakeSentry({
            projects: ["billing-api", "web-frontend", "web-ssr"],
            repositories: [`${OWNER}/billing-service`, `${OWNER}/web-frontend`],
        });
        warnings.length = 0;
    });
    afterEach(async () => {
        assert.deepEqual(sentryFake.unknownRoutes, []);
        assert.deepEqual(slack.refusals, []);
        await Promise.all([w.close(), slack.close(), sentryFake.close()]);
    });
    const feedback = (): DeployFeedback => ({
        announcer: slackAnnouncer({ urls: slack.urls, warn: (l) => warnings.push(l), baseMs: 1 }),
        sentry: new Sentry({ url: sentryFake.origin, organization: "acme-saas", token: FAKE_SENTRY_TOKEN, baseMs: 1 }),
        warn: (l) => warnings.push(l),
    });
    let log: string[] = [];
    const deployed = (sha: string) => {
        log = [];
        return runDeployed(
            w.deps().gh,
            w.workspace,
            { env: "staging", sha, buildUrl: "https://circleci.example/workflow/5" },
            (line) => log.push(line),
            feedback(),
        );
    };

    it("tells the channel once and makes each new build a Sentry release with a staging deploy; a rerun adds nothing", async () => {
        const sha = await releaseAndMerge(w, "staging");
        const out = await deployed(sha);
        assert.equal(out.announced, "sent");
        assert.equal(slack.messages("releases").length, 1);
        assert.equal(slack.messages("billing").length, 1);
        const text = slack.messages("releases")[0].text;
        assert.match(
            text,
            new RegExp(`^Deployed to staging at ${sha.slice(0, 7)}: .*billing from build \\d+ to ${w.latest.get("billing")}`),
        );
        assert.ok(
            JSON.stringify(slack.messages("releases")[0].blocks).includes("https://go.acme-saas.example/acme-saas/billing-service/issues/"),
        );

        const billing = `billing@${w.latest.get("billing")}`;
        const web = `web@${w.latest.get("web")}`;
        assert.deepEqual([...sentryFake.releases.keys()].sort(), [billing, web]);
        assert.deepEqual(
            sentryFake.releases.get(web)!.projects.map((p) => p.slug),
            ["web-frontend", "web-ssr"],
        );
        const refs = sentryFake.releases.get(billing)!.refs;
        assert.equal(refs.length, 1);
        assert.equal(refs[0].repository, `${OWNER}/billing-service`);
        assert.match(refs[0].commit, /^[0-9a-f]{40}$/);
        assert.match(refs[0].previousCommit ?? "", /^[0-9a-f]{40}$/, "the commits range: from the running build's revision");
        assert.deepEqual(sentryFake.deployLines().sort(), [
            `${billing} -> staging (staging ${sha.slice(0, 7)})`,
            `${web} -> staging (staging ${sha.slice(0, 7)})`,
        ]);
        assert.ok(log.includes(`sentry: 2 releases, 2 deploys: ${billing} -> staging, ${web} -> staging`), log.join("\n"));

        const sentryWrites = sentryFake.writes();
        const again = await deployed(sha);
        assert.equal(again.announced, "already-sent");
        assert.equal(slack.total, 2, "a rerun sends nothing new");
        assert.equal(sentryFake.writes(), sentryWrites, "a rerun creates no release or deploy");
        assert.deepEqual(warnings, []);
    });

    it("completes the deploy when Slack and Sentry are down, and makes up for them on the rerun", async () => {
        const sha = await releaseAndMerge(w, "staging");
        slack.fail({ method: "POST" }, { status: 503, body: "down" }, 6);
        const sentryDown = sentryFake.fail({}, { status: 500, body: { detail: "down" } }, 1000);
        const out = await deployed(sha);
        assert.ok(out.releasePr);
        assert.ok(w.ops.issueLabelNames(out.releasePr).includes("deployed"), "the deploy is done whatever they said");
        assert.equal(out.announced, "not-sent");
        assert.equal(out.sentry?.failed.length, 2);
        assert.ok(log.includes("sentry: 0 releases, 0 deploys, 2 failed"), log.join("\n"));
        assert.equal(slack.total, 0);
        assert.ok(
            warnings.some((l) => l.startsWith("sentry: billing@")),
            warnings.join("\n"),
        );
        sentryDown.remaining = 0;
        const again = await deployed(sha);
        assert.equal(again.announced, "sent");
        assert.equal(slack.messages("releases").length, 1);
        assert.equal(again.sentry?.releases.length, 2);
        assert.equal(sentryFake.deployLines().length, 2);
    });

    it("announces a deploy of a commit pushed without a PR, and warns that a rerun would announce it again", async () => {
        const sha = w.ops.commit("main", { message: "Rotate the DNS key", files: { "README.md": "rotated\n" } });
        const out = await deployed(sha);
        assert.equal(out.announced, "sent");
        assert.deepEqual(
            slack.messages("releases").map((m) => m.text),
            [`Deployed to staging at ${sha.slice(0, 7)}: see the build.`],
        );
        assert.deepEqual(warnings, ["deployed staging: announced, with no PR comment to record it on; a rerun announces again"]);
    });

    it("tells no channel of an environment no webhook hears of, and says so", async () => {
        const sha = await releaseAndMerge(w, "staging");
        const out = await runDeployed(
            w.deps().gh,
            prodOnly(),
            { env: "staging", sha, buildUrl: "https://circleci.example/workflow/5" },
            () => undefined,
            feedback(),
        );
        assert.equal(out.announced, "nowhere");
        assert.equal(slack.total, 0);
        assert.deepEqual(warnings, []);
    });

    it("records each deployed commit on the PR's comment: another commit of the same PR is announced, the same one never twice", async () => {
        const sha = await releaseAndMerge(w, "staging");
        const first = await deployed(sha);
        assert.equal(first.announced, "sent");
        const org = requireOrg(w.workspace);
        const event = (at: string): DeployedEvent => ({
            env: "staging",
            sha: at,
            buildUrl: "https://circleci.example/workflow/6",
            redirectorDomain: org.releaseController.redirectorDomain,
            issues: [],
            deployPrs: [],
        });
        const recordOn = { target: { owner: OWNER, repo: "ops", number: first.releasePr! }, marker: commentMarker("deployed", "staging") };
        const announce = (at: string) =>
            announceDeployed(w.deps().gh, org, feedback().announcer!, event(at), recordOn, (l) => warnings.push(l));
        assert.equal(await announce(sha), "already-sent");
        const other = w.ops.commit("main", { message: "Redeploy", files: { "README.md": "again\n" } });
        assert.equal(await announce(other), "sent");
        assert.equal(await announce(other), "already-sent");
        assert.equal(slack.messages("releases").length, 2);
        assert.deepEqual(warnings, []);
    });

    it("a GitHub failure while recording the announcement leaves the deploy done and warns; the rerun announces again rather than never", async () => {
        const sha = await releaseAndMerge(w, "staging");
        w.github.fail({ method: "PATCH", path: /\/issues\/comments\/\d+$/ }, faults.badGateway(), 4);
        const out = await deployed(sha);
        assert.ok(w.ops.issueLabelNames(out.releasePr!).includes("deployed"));
        assert.equal(out.announced, "not-sent");
        assert.equal(warnings.length, 1, warnings.join("\n"));
        assert.match(warnings[0], /^deployed staging: announcement: \S/);
        const again = await deployed(sha);
        assert.equal(again.announced, "sent");
        assert.equal(slack.messages("releases").length, 2, "told twice rather than never");
        assert.equal((await deployed(sha)).announced, "already-sent");
    });

    it("a failed deploy is announced once in each channel its environments go to, and nowhere when no webhook hears of them", async () => {
        const announcer = feedback().announcer!;
        const took = await announceFailure(
            requireOrg(w.workspace),
            announcer,
            failedDeploy([failedEnv("staging"), notRunEnv("demo"), notRunEnv("prod")]),
        );
        assert.deepEqual(took, ["releases", "prod-releases"]);
        assert.equal(slack.messages("releases").length, 1, "staging and demo share the channel: one message");
        assert.match(slack.messages("prod-releases")[0].text, /^Deploy of staging failed at fedcba9\./);
        assert.deepEqual(await announceFailure(requireOrg(prodOnly()), announcer, failedDeploy([failedEnv("staging")])), []);
        assert.equal(slack.total, 2);
        assert.deepEqual(warnings, []);
    });
});
