// A finished deploy workflow against the fakes: only the environment whose job failed is blamed (CircleCI
// is asked which job that was), and a later successful deploy resolves the failure notice.
import * as assert from "node:assert/strict";
import { CircleCi } from "../../clients/circleci";
import type { JobStatus, WorkflowJob } from "../../clients/circleci-pipelines";
import { envOutcomes, handleDeployFinished, type DeployEventContext } from "../../controller/deploy-events";
import { FAKE_CIRCLECI_TOKEN, type FakeJobStatus } from "../fakes/circleci";
import { OWNER, startWorld, type World } from "../release-world";
import { slackAnnouncer } from "../../clients/slack";
import { feedbackWorkspace, prodOnly } from "../feedback-world";
import type { Workspace } from "../../config";
import { startFakeSlack } from "../fakes/slack";
import { faults } from "../fakes/github";

const WORKFLOW_URL = "https://app.circleci.com/pipelines/github/acme-saas/ops/130/workflows/fda08377";

describe("deploy outcomes by job (pure)", () => {
    it("blames the environment whose deploy job failed, and says the ones after it did not run", () => {
        const out = envOutcomes(
            ["staging", "demo", "prod"],
            [
                { name: "build", status: "success", jobNumber: 1 },
                { name: "deploy-org", status: "success", jobNumber: 2 },
                { name: "deploy-staging", status: "success", jobNumber: 3 },
                { name: "deployed-staging", status: "failed", jobNumber: 4 },
                { name: "deploy-demo", status: "failed", jobNumber: 5 },
                { name: "deploy-prod", status: "blocked" },
            ],
            WORKFLOW_URL,
        );
        assert.deepEqual(out.deployed, ["staging"], "a failed post-deploy job does not undo the deploy");
        const demoJob = { name: "deploy-demo", status: "failed", url: `${WORKFLOW_URL}/jobs/5` };
        assert.deepEqual(out.failures, [
            { env: "demo", result: "failed", job: demoJob },
            { env: "prod", result: "not-run", cause: { name: "deployed-staging", status: "failed", url: `${WORKFLOW_URL}/jobs/4` } },
        ]);
        assert.deepEqual(
            out.failedJobs.map((j) => j.name),
            ["deployed-staging", "deploy-demo"],
        );
    });

    it("blames no environment when a job before every deploy failed", () => {
        const out = envOutcomes(
            ["staging"],
            [
                { name: "build", status: "failed", jobNumber: 1 },
                { name: "deploy-staging", status: "not_run" },
            ],
            WORKFLOW_URL,
        );
        assert.deepEqual(out.failures, [
            { env: "staging", result: "not-run", cause: { name: "build", status: "failed", url: `${WORKFLOW_URL}/jobs/1` } },
        ]);
    });

    it("blames an environment whose deploy job ended any way but success, and links the workflow for a job that never got a number", () => {
        const ended: [JobStatus, string][] = [
            ["infrastructure_fail", "staging"],
            ["timedout", "demo"],
            ["terminated-unknown", "prod"],
            ["canceled", "eu"],
            ["unauthorized", "us"],
        ];
        const jobs: WorkflowJob[] = ended.map(([status, env], i) => ({ name: `deploy-${env}`, status, jobNumber: 10 + i }));
        const out = envOutcomes(
            ended.map(([, env]) => env),
            [...jobs, { name: "deploy-asia", status: "unauthorized" }],
            WORKFLOW_URL,
        );
        assert.deepEqual(out.deployed, []);
        assert.deepEqual(
            out.failures.map((f) => [f.env, f.result, f.result === "failed" ? f.job.status : undefined]),
            ended.map(([status, env]) => [env, "failed", status]),
        );
        assert.deepEqual(
            out.failedJobs.map((j) => j.url),
            [...jobs.map((j) => `${WORKFLOW_URL}/jobs/${j.jobNumber}`), WORKFLOW_URL],
            "a job CircleCI refused before it ran has no page of its own: its link is the workflow's",
        );
    });
});

describe("a finished deploy workflow against the fakes", function () {
    this.timeout(60_000);
    let w: World;
    let published: { subject: string; message: string }[];
    let logs: { level: "info" | "warn" | "error"; message: string; env?: unknown }[];
    beforeEach(async () => {
        w = await startWorld({ prsPerComponent: 1 });
        published = [];
        logs = [];
    });
    afterEach(() => w.close());

    const ctx = (): DeployEventContext => ({
        gh: w.deps().gh,
        ci: new CircleCi({ token: FAKE_CIRCLECI_TOKEN, baseUrl: w.circle.url, retryBaseMs: 1 }),
        ops: { owner: OWNER, repo: "ops" },
        workspace: async () => w.workspace,
        publish: async (subject, message) => void published.push({ subject, message }),
        gitHubApiUrl: w.github.url,
        log: {
            info: (message, fields) => void logs.push({ level: "info", message, ...fields }),
            warn: (message, fields) => void logs.push({ level: "warn", message, ...fields }),
            error: (message, fields) => void logs.push({ level: "error", message, ...fields }),
        },
    });
    const logged = (level: "info" | "warn" | "error") =>
        logs.filter((l) => l.level === level).map(({ message, env }) => ({ message, env }));

    /** A PR labelled for two environments, merged; returns its number and the merge commit. */
    const mergedForTwo = (): { pr: number; sha: string } => {
        w.ops.commit("fix-dns", { message: "Fix DNS", files: { "components/dns.ts": "x\n" } });
        const pr = w.ops.openPull({ head: "fix-dns", title: "Fix DNS", labels: ["deploy/staging", "deploy/demo"] });
        return { pr: pr.number, sha: w.ops.mergePull(pr.number, { method: "squash" }) };
    };

    const workflow = (sha: string, status: "success" | "failed", jobs: Record<string, FakeJobStatus>) => {
        const slug = `gh/${OWNER}/ops`;
        const p = w.circle.addPipeline(slug, {
            number: 200 + w.circle.pipelines(slug).length,
            revision: sha,
            workflows: [{ name: "deploy", status, jobs: Object.entries(jobs).map(([name, s]) => ({ name, status: s })) }],
        });
        return { id: p.workflows[0].id, name: "deploy", status, url: `${WORKFLOW_URL}-${p.number}` };
    };

    const commentsOn = (pr: number) => w.ops.issueComments(pr).map((c) => c.body);

    it("staging deployed and demo failed: demo alone is blamed, staging is told it deployed", async () => {
        const { pr, sha } = mergedForTwo();
        const wf = workflow(sha, "failed", { "deploy-org": "success", "deploy-staging": "success", "deploy-demo": "failed" });
        const out = await handleDeployFinished(ctx(), { workflow: wf, sha, branch: "main" });
        assert.deepEqual(out, { status: "failure-reported", deployed: ["staging"], failed: ["demo"], notRun: [], pulls: [pr] });
        const bodies = commentsOn(pr);
        assert.equal(bodies.length, 2);
        assert.ok(bodies.some((b) => /^<!-- conveyor:deployed env=staging -->\nDeployed to \*\*staging\*\*/.test(b)));
        assert.ok(
            bodies.some((b) => /^<!-- conveyor:deploy-failed env=demo -->\nDeploy of \*\*demo\*\* failed: job \[deploy-demo\]/.test(b)),
        );
        assert.equal(
            bodies.some((b) => b.includes("deploy-failed env=staging")),
            false,
            "staging is not blamed",
        );
        assert.equal(published.length, 1);
        assert.equal(published[0].subject, "conveyor: deploy of demo failed");
        assert.match(published[0].message, /Failed: demo\./);
        assert.doesNotMatch(published[0].message, /staging/);
    });

    it("the team channel hears of the deploy and of the failure once each, the owners named; a replay sends nothing", async () => {
        const slack = await startFakeSlack(["releases", "prod-releases", "billing"]);
        try {
            const withSlack = (): DeployEventContext => ({
                ...ctx(),
                workspace: async () => feedbackWorkspace(),
                feedback: async () => ({ announcer: slackAnnouncer({ urls: slack.urls, warn: (l) => assert.fail(l), baseMs: 1 }) }),
            });
            const { sha } = mergedForTwo();
            const wf = workflow(sha, "failed", { "deploy-org": "success", "deploy-staging": "success", "deploy-demo": "failed" });
            await handleDeployFinished(withSlack(), { workflow: wf, sha, branch: "main" });
            const texts = slack.messages("releases").map((m) => m.text);
            assert.equal(texts.length, 2, texts.join("\n"));
            assert.match(texts[0], new RegExp(`^Deployed to staging at ${sha.slice(0, 7)}: see the build\\.$`));
            assert.match(
                texts[1],
                /^Deploy of demo failed at [0-9a-f]{7}\. Release owners: release-owners@acme-saas\.example, cto@acme-saas\.example\. Failed job: .+\/jobs\/\d+$/,
            );
            assert.ok(JSON.stringify(slack.messages("releases")[0].blocks).includes("https://go.acme-saas.example/acme-saas/ops/issues/"));
            await handleDeployFinished(withSlack(), { workflow: wf, sha, branch: "main" });
            assert.equal(slack.total, 2, "a replayed event sends nothing new");
            assert.deepEqual(slack.refusals, []);
        } finally {
            await slack.close();
        }
    });

    it("staging failed: staging is blamed, demo is told it was not deployed because of it", async () => {
        const { pr, sha } = mergedForTwo();
        const wf = workflow(sha, "failed", { "deploy-org": "success", "deploy-staging": "failed", "deploy-demo": "blocked" });
        const out = await handleDeployFinished(ctx(), { workflow: wf, sha, branch: "main" });
        assert.deepEqual(out, { status: "failure-reported", deployed: [], failed: ["staging"], notRun: ["demo"], pulls: [pr] });
        const demo = commentsOn(pr).find((b) => b.includes("env=demo"))!;
        assert.match(
            demo,
            /^<!-- conveyor:deploy-failed env=demo -->\n\*\*demo\*\* was not deployed: job \[deploy-staging\]\(.+\/jobs\/\d+\) \(failed\) failed before it/,
        );
        assert.equal(published[0].subject, "conveyor: deploy of staging failed");
        assert.match(published[0].message, /Not deployed \(an earlier job failed\): demo\./);
    });

    it("a later successful deploy marks the failure notice resolved, in the same comment", async () => {
        const { pr, sha } = mergedForTwo();
        await handleDeployFinished(ctx(), {
            workflow: workflow(sha, "failed", { "deploy-staging": "failed", "deploy-demo": "blocked" }),
            sha,
            branch: "main",
        });
        assert.equal(commentsOn(pr).length, 2);
        const rerun = workflow(sha, "success", { "deploy-staging": "success", "deploy-demo": "success" });
        assert.deepEqual(await handleDeployFinished(ctx(), { workflow: rerun, sha, branch: "main" }), {
            status: "deployed",
            environments: ["staging", "demo"],
        });
        const bodies = commentsOn(pr);
        assert.equal(bodies.length, 4, "two failure notices, now resolved, and two deploy notices");
        for (const env of ["staging", "demo"]) {
            const notice = bodies.find((b) => b.startsWith(`<!-- conveyor:deploy-failed env=${env} -->`))!;
            assert.match(
                notice,
                new RegExp(
                    `^<!-- conveyor:deploy-failed env=${env} -->\\n~~A deploy of \\*\\*${env}\\*\\* failed\\.~~ Resolved: \\*\\*${env}\\*\\* deployed at ${sha.slice(0, 7)} \\(\\[build\\]\\(${rerun.url.replace(/[./]/g, "\\$&")}\\)\\)\\.$`,
                ),
            );
        }
    });

    it("a replayed failure writes nothing and tells the owners nothing more", async () => {
        const { sha } = mergedForTwo();
        const wf = workflow(sha, "failed", { "deploy-staging": "failed", "deploy-demo": "blocked" });
        await handleDeployFinished(ctx(), { workflow: wf, sha, branch: "main" });
        w.github.clearRequests();
        await handleDeployFinished(ctx(), { workflow: wf, sha, branch: "main" });
        assert.equal(w.github.writes(), 0);
        assert.equal(published.length, 1);
    });

    it("ignores a workflow that has not ended, and one of no branch, saying why; nothing is read, written or told", async () => {
        const { sha } = mergedForTwo();
        const held = workflow(sha, "success", { "deploy-staging": "success", "deploy-demo": "success" });
        w.github.clearRequests();
        assert.deepEqual(await handleDeployFinished(ctx(), { workflow: { ...held, status: "on_hold" }, sha, branch: "main" }), {
            status: "ignored",
            reason: "workflow status on_hold is not a deploy's end",
        });
        assert.deepEqual(await handleDeployFinished(ctx(), { workflow: held, sha }), {
            status: "ignored",
            reason: "branch (none) is not main",
        });
        assert.equal(w.github.reads() + w.github.writes(), 0);
        assert.equal(w.circle.reads() + w.circle.writes(), 0);
        assert.deepEqual(published, []);
    });

    it("logs each environment's deploy under its name, and tells the owners nothing of a success", async () => {
        const { pr, sha } = mergedForTwo();
        const wf = workflow(sha, "success", { "deploy-staging": "success", "deploy-demo": "success" });
        await handleDeployFinished(ctx(), { workflow: wf, sha, branch: "main" });
        const at = sha.slice(0, 7);
        assert.deepEqual(logged("info"), [
            { message: `PR #${pr}: deployed to staging`, env: "staging" },
            { message: `deployed staging at ${at}: release PR none, 0 issues, 1 writes`, env: "staging" },
            { message: `PR #${pr}: deployed to demo`, env: "demo" },
            { message: `deployed demo at ${at}: release PR none, 0 issues, 1 writes`, env: "demo" },
        ]);
        assert.deepEqual(
            logs.filter((l) => l.level !== "info"),
            [],
        );
        assert.deepEqual(published, []);
    });

    it("a Slack announcement GitHub could not record is a warning under its environment; the deploy stands", async () => {
        const slack = await startFakeSlack(["releases", "prod-releases", "billing"]);
        try {
            const withSlack: DeployEventContext = {
                ...ctx(),
                workspace: async () => feedbackWorkspace(),
                feedback: async () => ({ announcer: slackAnnouncer({ urls: slack.urls, warn: (l) => assert.fail(l), baseMs: 1 }) }),
            };
            const { sha } = mergedForTwo();
            w.github.fail({ method: "PATCH", path: /\/issues\/comments\/\d+$/ }, faults.badGateway(), 2);
            const wf = workflow(sha, "success", { "deploy-staging": "success", "deploy-demo": "success" });
            assert.deepEqual(await handleDeployFinished(withSlack, { workflow: wf, sha, branch: "main" }), {
                status: "deployed",
                environments: ["staging", "demo"],
            });
            assert.equal(slack.messages("releases").length, 2, "both deploys announced");
            assert.deepEqual(logged("warn"), [
                { message: "deployed staging: announcement: Server Error", env: "staging" },
                { message: "deployed demo: announcement: Server Error", env: "demo" },
            ]);
        } finally {
            await slack.close();
        }
    });

    it("a GitHub outage while telling the PRs fails the work for the queue to retry, naming each environment and why; the retry completes", async () => {
        const { pr, sha } = mergedForTwo();
        const outage = w.github.fail({ method: "POST", path: /\/issues\/\d+\/comments$/ }, faults.badGateway(), 100);
        const wf = workflow(sha, "success", { "deploy-staging": "success", "deploy-demo": "success" });
        await assert.rejects(handleDeployFinished(ctx(), { workflow: wf, sha, branch: "main" }), {
            message: "post-deploy actions failed: staging: Server Error; demo: Server Error",
        });
        const at = sha.slice(0, 7);
        assert.deepEqual(logged("error"), [
            { message: `deployed staging at ${at} failed: Server Error`, env: "staging" },
            { message: `deployed demo at ${at} failed: Server Error`, env: "demo" },
        ]);
        outage.remaining = 0;
        assert.deepEqual(await handleDeployFinished(ctx(), { workflow: wf, sha, branch: "main" }), {
            status: "deployed",
            environments: ["staging", "demo"],
        });
        assert.equal(commentsOn(pr).filter((b) => b.startsWith("<!-- conveyor:deployed env=")).length, 2);
    });

    it("a commit that also changes the org stack: org is no environment, so none of its jobs is blamed on a PR; its failure holds staging back", async () => {
        w.ops.commit("org-dns", { message: "Org DNS", files: { "Pulumi.org.yaml": "config: {}\n" } });
        const pr = w.ops.openPull({ head: "org-dns", title: "Org DNS", labels: ["deploy/staging"] }).number;
        const sha = w.ops.mergePull(pr, { method: "squash" });
        const failed = workflow(sha, "failed", { "deploy-org": "failed", "deploy-staging": "blocked" });
        assert.deepEqual(await handleDeployFinished(ctx(), { workflow: failed, sha, branch: "main" }), {
            status: "failure-reported",
            deployed: [],
            failed: [],
            notRun: ["staging"],
            pulls: [pr],
        });
        assert.equal(published[0].subject, "conveyor: deploy workflow failed at deploy-org");
        assert.deepEqual(
            commentsOn(pr).map((b) => b.split("\n")[0]),
            ["<!-- conveyor:deploy-failed env=staging -->"],
        );
        const rerun = workflow(sha, "success", { "deploy-org": "success", "deploy-staging": "success" });
        assert.deepEqual(await handleDeployFinished(ctx(), { workflow: rerun, sha, branch: "main" }), {
            status: "deployed",
            environments: ["staging"],
        });
    });

    it("a failed deploy of the org stack alone tells the owners, and the log names the failed job", async () => {
        w.ops.commit("org-only", { message: "Org teams", files: { "Pulumi.org.yaml": "config: {}\n" } });
        const pr = w.ops.openPull({ head: "org-only", title: "Org teams" }).number;
        const sha = w.ops.mergePull(pr, { method: "squash" });
        const failed = workflow(sha, "failed", { "deploy-org": "failed" });
        assert.deepEqual(await handleDeployFinished(ctx(), { workflow: failed, sha, branch: "main" }), {
            status: "failure-reported",
            deployed: [],
            failed: [],
            notRun: [],
            pulls: [],
        });
        assert.deepEqual(
            published.map((p) => p.subject),
            ["conveyor: deploy workflow failed at deploy-org"],
        );
        assert.deepEqual(logged("warn"), [
            { message: `deploy at ${sha.slice(0, 7)} failed: deploy-org failed; told PRs none`, env: undefined },
        ]);
    });

    it("an org-only deploy's log lists every failed job, and says no job failed when the workflow errored before any ran", async () => {
        const orgOnly = (branch: string) => {
            w.ops.commit(branch, { message: `Org ${branch}`, files: { "Pulumi.org.yaml": `config: {} # ${branch}\n` } });
            return w.ops.mergePull(w.ops.openPull({ head: branch, title: `Org ${branch}` }).number, { method: "squash" });
        };
        const twoJobs = orgOnly("two-jobs");
        const failedTwice = workflow(twoJobs, "failed", { "deploy-org": "failed", "deploy-dns": "timedout" });
        await handleDeployFinished(ctx(), { workflow: failedTwice, sha: twoJobs, branch: "main" });
        const noJob = orgOnly("no-job");
        const slug = `gh/${OWNER}/ops`;
        const p = w.circle.addPipeline(slug, { number: 300, revision: noJob, workflows: [{ name: "deploy", status: "error", jobs: [] }] });
        const errored = { id: p.workflows[0].id, name: "deploy", status: "error", url: `${WORKFLOW_URL}-300` };
        assert.equal((await handleDeployFinished(ctx(), { workflow: errored, sha: noJob, branch: "main" })).status, "failure-reported");
        assert.deepEqual(logged("warn"), [
            { message: `deploy at ${twoJobs.slice(0, 7)} failed: deploy-org failed, deploy-dns timedout; told PRs none`, env: undefined },
            { message: `deploy at ${noJob.slice(0, 7)} error: no job failed; told PRs none`, env: undefined },
        ]);
    });

    it("a failed deploy of a commit pushed without a PR still tells the owners, and the log says no PR was told", async () => {
        const sha = w.ops.commit("main", { message: "Stack edit", files: { "Pulumi.staging.yaml": "config: {}\n" } });
        const failed = workflow(sha, "failed", { "deploy-staging": "failed" });
        assert.deepEqual(await handleDeployFinished(ctx(), { workflow: failed, sha, branch: "main" }), {
            status: "failure-reported",
            deployed: [],
            failed: ["staging"],
            notRun: [],
            pulls: [],
        });
        assert.deepEqual(
            published.map((p) => p.subject),
            ["conveyor: deploy of staging failed"],
        );
        assert.deepEqual(logged("warn"), [
            { message: `deploy at ${sha.slice(0, 7)} failed: staging failed; told PRs none`, env: undefined },
        ]);
    });

    it("logs a failure once: the commit, each environment's outcome and every PR told", async () => {
        w.ops.commit("fix-demo", { message: "Fix demo", files: { "components/demo.ts": "x\n" } });
        const earlier = w.ops.openPull({ head: "fix-demo", title: "Fix demo", labels: ["deploy/demo"] }).number;
        w.ops.mergePull(earlier, { method: "squash" });
        const { pr, sha } = mergedForTwo();
        w.ops.associate(sha, earlier); // GitHub lists both PRs for the commit
        const failed = workflow(sha, "failed", { "deploy-staging": "failed", "deploy-demo": "blocked" });
        assert.deepEqual((await handleDeployFinished(ctx(), { workflow: failed, sha, branch: "main" })).status, "failure-reported");
        assert.deepEqual(logged("warn"), [
            { message: `deploy at ${sha.slice(0, 7)} failed: staging failed, demo not-run; told PRs ${earlier}, ${pr}`, env: undefined },
        ]);
        assert.deepEqual(
            logs.filter((l) => l.level !== "warn"),
            [],
        );
    });

    it("logs in which Slack channels a failure was announced, and nothing of Slack when no webhook hears of it", async () => {
        const slack = await startFakeSlack(["releases", "prod-releases", "billing"]);
        try {
            const withSlack = (workspace: Workspace): DeployEventContext => ({
                ...ctx(),
                workspace: async () => workspace,
                feedback: async () => ({ announcer: slackAnnouncer({ urls: slack.urls, warn: (l) => assert.fail(l), baseMs: 1 }) }),
            });
            w.ops.commit("fix-all", { message: "Fix all", files: { "components/dns.ts": "y\n" } });
            const pr = w.ops.openPull({ head: "fix-all", title: "Fix all", labels: ["deploy/staging", "deploy/prod"] }).number;
            const sha = w.ops.mergePull(pr, { method: "squash" });
            const wf = workflow(sha, "failed", { "deploy-staging": "failed", "deploy-prod": "blocked" });
            await handleDeployFinished(withSlack(feedbackWorkspace()), { workflow: wf, sha, branch: "main" });
            assert.deepEqual(logged("info"), [{ message: "deploy failure announced on Slack (releases, prod-releases)", env: undefined }]);

            logs = [];
            const other = mergedForTwo();
            const unheard = workflow(other.sha, "failed", { "deploy-staging": "failed", "deploy-demo": "blocked" });
            await handleDeployFinished(withSlack(prodOnly()), { workflow: unheard, sha: other.sha, branch: "main" });
            assert.equal(published.length, 2, "the owners are told of both failures");
            assert.deepEqual(logged("info"), [], "a failure of staging and demo is announced in no channel when only prod has one");
            assert.equal(slack.total, 2);
        } finally {
            await slack.close();
        }
    });
});
