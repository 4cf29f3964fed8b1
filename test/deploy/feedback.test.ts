// After a deploy: Slack hears of it once and Sentry gets a release per new build with a deploy record,
// over real HTTP against the fakes; reruns add nothing, and neither can fail the deploy.
import * as assert from "node:assert/strict";
import { slackAnnouncer } from "../../clients/slack";
import { Sentry } from "../../clients/sentry";
import { deployedMessage, deployFailedMessage } from "../../deploy/announce";
import { runDeployed, type DeployFeedback } from "../../deploy/deployed";
import { feedbackWorkspace } from "../feedback-world";
import { blockProblems, startFakeSlack, type FakeSlack } from "../fakes/slack";
import { FAKE_SENTRY_TOKEN, startFakeSentry, type FakeSentry } from "../fakes/sentry";
import { releaseAndMerge, startWorld, OWNER, type World } from "../release-world";

describe("deploy announcements: the messages", () => {
    const ref = (repo: string, number: number) => ({ owner: "acme", repo, number });
    it("say what changed in plain words, every link through the redirector, nothing typed left raw", () => {
        const m = deployedMessage({
            env: "staging",
            sha: "0123456789abcdef0123456789abcdef01234567",
            buildUrl: "https://circleci.example/workflow/1",
            redirectorDomain: "go.acme.example",
            release: {
                ref: ref("ops", 40),
                marker: { env: "staging", source: "ci", versions: { billing: 42, web: 7 }, issues: {}, previous: { billing: 41 } },
            },
            issues: [{ ref: ref("billing-service", 3), title: "Totals <wrong> & <!channel>" }],
            deployPrs: [],
        });
        assert.equal(blockProblems(m), undefined);
        assert.equal(m.text, "Deployed to staging at 0123456: billing from build 41 to 42, web now at build 7.");
        const all = JSON.stringify(m.blocks);
        assert.ok(all.includes("*staging* now runs billing from build 41 to 42, web now at build 7."), all);
        assert.ok(all.includes("<https://go.acme.example/acme/billing-service/issues/3|Totals &lt;wrong&gt; &amp; &lt;!channel&gt;>"), all);
        assert.ok(all.includes("<https://go.acme.example/acme/ops/issues/40|release PR 40>"), all);
        assert.ok(!all.includes("github.com") && !all.includes("<!channel>"));
    });

    it("name the failed job and the release owners", () => {
        const m = deployFailedMessage(
            {
                repo: "acme/ops",
                sha: "fedcba9876543210fedcba9876543210fedcba98",
                workflow: { name: "deploy", status: "failed", url: "https://circleci.example/workflow/9" },
                envs: [
                    {
                        env: "prod",
                        result: "failed",
                        job: { name: "deploy-prod", status: "failed", url: "https://circleci.example/workflow/9/jobs/12" },
                    },
                    { env: "demo", result: "not-run" },
                ],
                failedJobs: [{ name: "deploy-prod", status: "failed", url: "https://circleci.example/workflow/9/jobs/12" }],
                pulls: [{ number: 41, head: "release-prod", labels: [], body: "", title: "Release prod <b>" }],
            },
            ["release-owners@acme.example", "cto@acme.example"],
            "go.acme.example",
        );
        assert.equal(blockProblems(m), undefined);
        const all = JSON.stringify(m.blocks);
        assert.match(
            m.text,
            /^Deploy of prod failed at fedcba9\. Release owners: release-owners@acme\.example, cto@acme\.example\. Failed job: https:\/\/circleci\.example\/workflow\/9\/jobs\/12$/,
        );
        assert.ok(all.includes("job <https://circleci.example/workflow/9/jobs/12|deploy-prod> (failed)"), all);
        assert.ok(all.includes("*Release owners:* release-owners@acme.example, cto@acme.example"));
        assert.ok(all.includes("Not deployed (an earlier job failed): demo."));
        assert.ok(all.includes("<https://go.acme.example/acme/ops/issues/41|Release prod &lt;b&gt;>"), all);
    });
});

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
});
