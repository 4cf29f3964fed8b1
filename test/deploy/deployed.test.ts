// After the merge: which stacks a commit deploys, and what a deploy tells the people who asked.
import * as assert from "node:assert/strict";
import { main } from "../../cli/main";
import { planIssue, runDeployed, onDeployOf } from "../../deploy/deployed";
import { releaseBranch } from "../../release/pr";
import { failureMarker } from "../../deploy/notices";
import { setVersions } from "../../config/stackfile";
import { parseWorkspace } from "../../config";
import { createGitHub } from "../../clients/github";
import { FAKE_CIRCLECI_TOKEN } from "../fakes/circleci";
import { faults } from "../fakes/github";
import { releaseAndMerge, startWorld, TOKEN, type World } from "../release-world";
import { fixtureFiles, scratchProject } from "../workspace-fixture";
import { feedbackWorkspace } from "../feedback-world";
import { slackAnnouncer } from "../../clients/slack";
import { Sentry } from "../../clients/sentry";
import { startFakeSlack } from "../fakes/slack";
import { FAKE_SENTRY_TOKEN, startFakeSentry } from "../fakes/sentry";

const ws = parseWorkspace(fixtureFiles());

describe("issue workflow on deploy (pure)", () => {
    it("staging moves ready-for-staging to test; prod closes ready issues; others only comment", () => {
        const env = (stack: string) => ws.environments.find((e) => e.stack === stack)!;
        assert.deepEqual(planIssue({ labels: ["type/bug", "workflow/ready-for-staging"], state: "open" }, onDeployOf(env("staging"))), {
            labels: ["type/bug", "workflow/test"],
            close: false,
        });
        assert.deepEqual(planIssue({ labels: ["workflow/ready"], state: "open" }, onDeployOf(env("prod"))), {
            labels: undefined,
            close: true,
        });
        assert.deepEqual(planIssue({ labels: ["workflow/ready"], state: "closed" }, onDeployOf(env("prod"))), {
            labels: undefined,
            close: false,
        });
        assert.deepEqual(planIssue({ labels: ["workflow/ready-for-staging"], state: "open" }, onDeployOf(env("demo"))), {
            labels: undefined,
            close: false,
        });
    });
    it("deploying demo only comments: an issue marked workflow/ready stays open and keeps its labels", () => {
        const demo = ws.environments.find((e) => e.stack === "demo")!;
        assert.deepEqual(planIssue({ labels: ["workflow/ready"], state: "open" }, onDeployOf(demo)), { labels: undefined, close: false });
    });
});

describe("targets and deployed against the fakes", function () {
    this.timeout(60_000);
    let w: World;
    beforeEach(async () => {
        w = await startWorld();
    });
    afterEach(() => w.close());

    it("deployed on staging: PR labelled, every issue commented once and moved to test; a rerun writes nothing", async () => {
        const sha = await releaseAndMerge(w, "staging");
        const gh = w.deps().gh;
        const first = await runDeployed(
            gh,
            w.workspace,
            { env: "staging", sha, buildUrl: "https://circleci.com/gh/acme-saas/ops/101" },
            () => undefined,
        );
        assert.equal(first.issues.length, 18, "3 issues in each of 6 components");
        const pr = w.ops.pulls.find((p) => p.head === releaseBranch("staging"))!;
        assert.ok(w.ops.issueLabelNames(pr.number).includes("deployed"));
        assert.match(
            w.ops
                .issueComments(pr.number)
                .map((c) => c.body)
                .join("\n"),
            /Deployed to \*\*staging\*\* \(\[build\]\(https:\/\/circleci\.com\/gh\/acme-saas\/ops\/101\)\)/,
        );
        for (const repo of w.repos.values()) {
            for (const issue of repo.issues.filter((i) => !repo.pulls.some((p) => p.number === i.number))) {
                const comments = repo.issueComments(issue.number);
                assert.equal(comments.length, 1, `${repo.name}#${issue.number} commented once`);
                assert.match(comments[0].body, /^<!-- conveyor:released env=staging -->\nReleased to \*\*staging\*\*/);
                assert.deepEqual(repo.issueLabelNames(issue.number), ["workflow/test"]);
            }
        }
        assert.ok(first.writes / first.issues.length <= 3, `${first.writes} writes for ${first.issues.length} issues`);
        w.github.clearRequests();
        const again = await runDeployed(
            gh,
            w.workspace,
            { env: "staging", sha, buildUrl: "https://circleci.com/gh/acme-saas/ops/101" },
            () => undefined,
        );
        assert.equal(again.writes, 0);
        assert.equal(w.github.writes(), 0);
    });

    it("a rerun with another build link edits the comments instead of adding new ones", async () => {
        const sha = await releaseAndMerge(w, "staging");
        const gh = w.deps().gh;
        await runDeployed(gh, w.workspace, { env: "staging", sha, buildUrl: "https://ci.example/1" }, () => undefined);
        await runDeployed(gh, w.workspace, { env: "staging", sha, buildUrl: "https://ci.example/2" }, () => undefined);
        const repo = w.repos.get("billing")!;
        const comments = repo.issueComments(1);
        assert.equal(comments.length, 1);
        assert.match(comments[0].body, /ci\.example\/2/);
    });

    it("deployed on prod closes the released issues labelled workflow/ready, as completed, and leaves one already closed as not planned alone", async () => {
        for (const repo of w.repos.values())
            for (const i of repo.issues) if (i.title.endsWith("request 1")) repo.addIssueLabels(i, ["workflow/ready"]);
        // Someone closed one of them as not planned before the release reached prod: it stays as they left it.
        const billing = w.repos.get("billing")!;
        const dropped = billing.issues.find((i) => i.title.endsWith("request 1"))!;
        Object.assign(dropped, { state: "closed", state_reason: "not_planned" });
        // Demo already runs the newest builds, so prod's release from demo carries every PR and its issue.
        const demoText = w.ops.file("main", "Pulumi.demo.yaml")!;
        w.ops.commit("main", {
            message: "Release demo",
            files: { "Pulumi.demo.yaml": setVersions("Pulumi.demo.yaml", demoText, w.latest) },
        });
        const sha = await releaseAndMerge(w, "prod");
        w.github.clearRequests();
        const out = await runDeployed(w.deps().gh, w.workspace, { env: "prod", sha, buildUrl: "https://ci.example/9" }, () => undefined);
        assert.equal(out.issues.length, 18);
        assert.equal(out.writes, w.github.writes(), "the writes it reports are the writes GitHub received");
        let closed = 0;
        for (const ref of out.issues) {
            const [full, n] = ref.split("#");
            const repo = w.github.state.repo(full);
            const issue = repo.issue(Number(n))!;
            const ready = repo.issueLabelNames(issue.number).includes("workflow/ready");
            assert.equal(issue.state, ready ? "closed" : "open", ref);
            if (ready) {
                assert.equal(issue.state_reason, issue === dropped ? "not_planned" : "completed", ref);
                closed++;
            }
        }
        assert.equal(closed, 6, "one ready issue per component");
    });

    it("comments on a deploy/<env> PR, through the CLI", async () => {
        w.ops.commit("fix-alarm", { message: "Tune alarm", files: { "components/alarm.ts": "x\n" } });
        const pr = w.ops.openPull({ head: "fix-alarm", title: "Tune the alarm", labels: ["deploy/demo"] });
        const sha = w.ops.mergePull(pr.number, { method: "squash" });
        const env = {
            GITHUB_TOKEN: TOKEN,
            GITHUB_API_URL: w.github.url,
            // The fakes have no secondary limit to stay under.
            GITHUB_WRITE_DELAY_MS: "0",
            CIRCLECI_TOKEN: FAKE_CIRCLECI_TOKEN,
            CIRCLECI_API_URL: w.circle.url,
        };
        let out = "";
        const io = { cwd: scratchProject(fixtureFiles()), env, out: (s: string) => (out += `${s}\n`), err: () => undefined };
        assert.equal(await main(["targets", "--sha", sha], io), 0);
        assert.equal(out, "demo\n");
        out = "";
        assert.equal(await main(["deployed", "demo", "--sha", sha, "--build-url", "https://ci.example/5"], io), 0);
        assert.match(out, /demo: no release PR in this commit, deploy PRs #\d+/);
        assert.match(w.ops.issueComments(pr.number)[0].body, /Deployed to \*\*demo\*\*/);
        assert.equal(await main(["deployed", "demo", "--sha", "nope", "--build-url", "https://ci.example/5"], io), 2);
        assert.equal(await main(["targets"], io), 2);
    });

    it("a deploy PR told earlier that its deploy failed sees that notice marked resolved in place, and both writes are counted", async () => {
        w.ops.commit("fix-alarm", { message: "Tune alarm", files: { "components/alarm.ts": "x\n" } });
        const pr = w.ops.openPull({ head: "fix-alarm", title: "Tune the alarm", labels: ["deploy/demo"] });
        const sha = w.ops.mergePull(pr.number, { method: "squash" });
        const notice = w.ops.addComment(pr.number, `${failureMarker("demo")}\nA deploy of **demo** failed.`);
        w.github.clearRequests();
        const out = await runDeployed(w.deps().gh, w.workspace, { env: "demo", sha, buildUrl: "https://ci.example/7" }, () => undefined);
        assert.deepEqual(out.deployPrs, [pr.number]);
        const bodies = w.ops.issueComments(pr.number).map((c) => c.body);
        assert.equal(bodies.length, 2, bodies.join("\n"));
        assert.match(
            w.ops.comment(notice.id)!.body,
            /Resolved: \*\*demo\*\* deployed at [0-9a-f]{7} \(\[build\]\(https:\/\/ci\.example\/7\)\)/,
        );
        assert.ok(bodies.some((b) => b.includes("Deployed to **demo**")));
        assert.equal(out.writes, 2);
        assert.equal(w.github.writes(), 2);
    });

    /** Every comment, label and state the fakes hold, without ids or times: two runs that end alike compare equal. */
    const snapshot = (x: World): string =>
        JSON.stringify(
            [...x.github.state.repos.values()].map((repo) => ({
                repo: repo.fullName,
                issues: repo.issues.map((i) => ({
                    n: i.number,
                    state: i.state,
                    reason: i.state_reason ?? null,
                    labels: repo.issueLabelNames(i.number),
                    comments: repo.issueComments(i.number).map((c) => c.body),
                })),
            })),
        );

    /** A client that dies right after its n-th write has landed, as a worker killed mid-run would. */
    const crashingAfter = (x: World, n: number) => {
        const gh = createGitHub({ token: TOKEN, baseUrl: x.github.url, throttle: false, retryAfterBaseMs: 10 });
        let writes = 0;
        gh.hook.after("request", (_res, options) => {
            if (options.method !== "GET" && !String(options.url).endsWith("/graphql") && ++writes === n)
                throw new Error(`crashed after write ${n}`);
        });
        return gh;
    };

    it("tells every issue before the release PR is labelled deployed: a failure part-way leaves it unlabelled, and the rerun finishes", async () => {
        const sha = await releaseAndMerge(w, "staging");
        const pr = w.ops.pulls.find((p) => p.head === releaseBranch("staging"))!;
        // The first issue comment fails with a 502 (a POST is never retried blindly), after nothing else was written.
        w.github.fail({ method: "POST", path: /\/issues\/\d+\/comments$/ }, faults.badGateway(), 1);
        await assert.rejects(
            runDeployed(w.deps().gh, w.workspace, { env: "staging", sha, buildUrl: "https://ci.example/1" }, () => undefined),
            /Server Error/,
        );
        assert.equal(w.ops.issueLabelNames(pr.number).includes("deployed"), false, "not labelled while issues are untold");
        const again = await runDeployed(
            w.deps().gh,
            w.workspace,
            { env: "staging", sha, buildUrl: "https://ci.example/1" },
            () => undefined,
        );
        assert.equal(again.issues.length, 18);
        assert.ok(w.ops.issueLabelNames(pr.number).includes("deployed"));
        for (const repo of w.repos.values())
            for (const issue of repo.issues.filter((i) => !repo.pulls.some((p) => p.number === i.number)))
                assert.equal(repo.issueComments(issue.number).length, 1);
    });

    it("a run that crashes after any one of its writes ends, on the next run, exactly as an uninterrupted one", async function () {
        this.timeout(300_000);
        const small = { prsPerComponent: 1 };
        const reference = await startWorld(small);
        let total: number;
        let expected: string;
        try {
            const sha = await releaseAndMerge(reference, "staging");
            reference.github.clearRequests();
            const out = await runDeployed(
                reference.deps().gh,
                reference.workspace,
                { env: "staging", sha, buildUrl: "https://ci.example/1" },
                () => undefined,
            );
            total = out.writes;
            assert.equal(total, reference.github.writes());
            expected = snapshot(reference);
        } finally {
            await reference.close();
        }
        assert.ok(total >= 10, `${total} writes`);
        for (let n = 1; n <= total; n++) {
            const x = await startWorld(small);
            try {
                const sha = await releaseAndMerge(x, "staging");
                await assert.rejects(
                    runDeployed(
                        crashingAfter(x, n),
                        x.workspace,
                        { env: "staging", sha, buildUrl: "https://ci.example/1" },
                        () => undefined,
                    ),
                    new RegExp(`crashed after write ${n}$`),
                );
                const labelled = x.ops
                    .issueLabelNames(x.ops.pulls.find((p) => p.head === releaseBranch("staging"))!.number)
                    .includes("deployed");
                assert.equal(labelled, n === total, `labelled deployed only by the last write (crash after ${n})`);
                x.github.clearRequests();
                const resumed = await runDeployed(
                    x.deps().gh,
                    x.workspace,
                    { env: "staging", sha, buildUrl: "https://ci.example/1" },
                    () => undefined,
                );
                assert.equal(resumed.writes, total - n, `the rerun after write ${n} makes only the writes left`);
                assert.equal(snapshot(x), expected, `crash after write ${n} of ${total}`);
            } finally {
                await x.close();
            }
        }
    });
});

describe("what a deploy tells, with Slack and Sentry on", function () {
    this.timeout(60_000);
    it("logs each issue, each deploy PR, the label, Sentry's count with its failures and Slack's announcement; only PRs that asked for the environment are told", async () => {
        const w = await startWorld({ workspace: feedbackWorkspace(), prsPerComponent: 1 });
        const slack = await startFakeSlack(["releases", "prod-releases", "billing"]);
        const sentry = await startFakeSentry({ projects: ["billing-api", "web-frontend", "web-ssr"] });
        try {
            const sha = await releaseAndMerge(w, "staging");
            const release = w.ops.pulls.find((p) => p.head === releaseBranch("staging"))!;
            w.ops.addIssueLabels(w.ops.issue(release.number)!, ["deploy/staging"]);
            const merged = (head: string, title: string, label: string) => {
                w.ops.commit(head, { message: title, files: { [`components/${head}.ts`]: "x\n" } });
                const pr = w.ops.openPull({ head, title, labels: [label] });
                w.ops.mergePull(pr.number, { method: "squash" });
                w.ops.associate(sha, pr.number);
                return pr.number;
            };
            const alarm = merged("fix-alarm", "Tune the alarm", "deploy/staging");
            const demo = merged("demo-keys", "Rotate the demo keys", "deploy/demo");
            const warnings: string[] = [];
            const feedback = {
                announcer: slackAnnouncer({ urls: slack.urls, warn: (l) => warnings.push(l), baseMs: 1 }),
                sentry: new Sentry({ url: sentry.origin, organization: "acme-saas", token: FAKE_SENTRY_TOKEN, baseMs: 1 }),
                warn: (l: string) => warnings.push(l),
            };
            const deployed = async () => {
                const log: string[] = [];
                const out = await runDeployed(
                    w.deps().gh,
                    w.workspace,
                    { env: "staging", sha, buildUrl: "https://ci.example/3" },
                    (l) => log.push(l),
                    feedback,
                );
                return { out, log };
            };
            slack.fail({ method: "POST" }, { status: 503, body: "down" }, 6);
            const sentryDown = sentry.fail({}, { status: 500, body: { detail: "down" } }, 1000);
            const first = await deployed();
            const told = [`PR #${alarm}: deployed to staging`, `release PR #${release.number}: labelled deployed`];
            assert.deepEqual(first.log, [
                ...first.out.issues.map((i) => `${i}: released to staging`),
                ...told,
                "sentry: 0 releases, 0 deploys, 2 failed",
            ]);
            assert.equal(first.out.issues.length, 6);
            assert.equal(first.out.announced, "not-sent", "no 'announced' line while Slack is down");
            assert.deepEqual(first.out.deployPrs, [alarm], "the release PR is the release, not a deploy PR too");
            assert.deepEqual(w.ops.issueComments(demo), [], "a PR that asked for demo hears nothing of staging");
            assert.equal(w.ops.issueComments(release.number).filter((c) => c.body.includes("Deployed to **staging**")).length, 1);

            sentryDown.remaining = 0;
            const again = await deployed();
            const [tellsAgain, labelAgain, sentryLine, announcedLine] = again.log.slice(-4);
            assert.deepEqual([tellsAgain, labelAgain, announcedLine], [...told, "staging: deploy announced on Slack"]);
            assert.match(sentryLine, /^sentry: 2 releases, 2 deploys: billing@\d+ -> staging, web@\d+ -> staging$/);
            const lines = slack
                .messages("releases")[0]
                .blocks.flatMap((b) => (b.type === "section" && b.text ? b.text.text.split("\n") : []))
                .filter((l) => l.includes("/ops/issues/"));
            assert.deepEqual(lines, [`• <https://go.acme-saas.example/acme-saas/ops/issues/${alarm}|Tune the alarm>`], "deployed with it");
        } finally {
            await Promise.all([w.close(), slack.close(), sentry.close()]);
        }
    });
});
