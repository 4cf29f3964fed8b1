// What a failed deploy tells people (pure): which PRs hear of which environment on GitHub, what their comment
// says, and the message the release owners get by SNS (a subject SNS accepts, a body that says what failed,
// what was not deployed, where to look and who asked).
import * as assert from "node:assert/strict";
import { failureCommentText, failureMessage, pullsToTell, type DeployJob, type EnvFailure, type FailedDeploy } from "../../deploy/notices";
import type { MergedPull } from "../../deploy/targets";

const WEB = "https://github.com";
const SHA = "fedcba9876543210fedcba9876543210fedcba98";
const WF = "https://app.circleci.com/pipelines/github/acme-saas/ops/130/workflows/fda08377";
const RERUN =
    "Rerun the workflow once the cause is fixed; a release PR stays unlabelled `deployed` until a deploy succeeds, which holds the next release of that environment.";

const job = (name: string, n: number, status = "failed"): DeployJob => ({ name, status, url: `${WF}/jobs/${n}` });
const pull = (number: number, head: string, labels: string[] = []): MergedPull => ({ number, head, labels, body: "" });
const failed = (env: string, j: DeployJob): EnvFailure => ({ env, result: "failed", job: j });
const notRun = (env: string, cause?: DeployJob): EnvFailure => ({ env, result: "not-run", ...(cause ? { cause } : {}) });

/** A failed deploy workflow of acme-saas/ops at SHA. */
const failure = (envs: EnvFailure[], failedJobs: DeployJob[], pulls: MergedPull[] = []): FailedDeploy => ({
    repo: "acme-saas/ops",
    sha: SHA,
    workflow: { name: "deploy", status: "failed", url: WF },
    envs,
    failedJobs,
    pulls,
});

describe("a failed deploy: who is told on GitHub, and what", () => {
    it("tells a PR only of the environments it asked for, by its release branch or a deploy/<env> label", () => {
        const told = pullsToTell(
            failure(
                [failed("staging", job("deploy-staging", 12)), notRun("demo"), notRun("prod")],
                [],
                [pull(40, "release-staging"), pull(41, "fix-dns", ["deploy/prod", "type/bug"]), pull(42, "docs"), pull(43, "release-qa")],
            ),
        );
        assert.deepEqual(
            told.map(({ pull: p, env }) => `#${p.number} ${env}`),
            ["#40 staging", "#41 prod"],
        );
    });

    it("tells a PR its environment was not deployed, naming the job that failed before it, or only that one did", () => {
        const wf = { workflow: { name: "deploy", status: "error", url: WF } };
        assert.equal(
            failureCommentText(notRun("demo", job("deploy-staging", 12)), wf),
            `**demo** was not deployed: job [deploy-staging](${WF}/jobs/12) (failed) failed before it, in [deploy](${WF}).`,
        );
        assert.equal(failureCommentText(notRun("demo"), wf), `**demo** was not deployed: an earlier job failed, in [deploy](${WF}).`);
    });
});

describe("a failed deploy: the release owners' message", () => {
    it("says which environments failed and which were not deployed, links the build, each failed job, the commit and the PRs that asked", () => {
        const staging = job("deploy-staging", 12);
        const globex = job("deploy-globex-staging", 13, "timedout");
        const m = failureMessage(
            failure(
                [failed("staging", staging), failed("globex-staging", globex), notRun("demo", staging), notRun("prod", staging)],
                [staging, globex],
                [
                    pull(40, "release-staging"),
                    pull(41, "fix-dns", ["deploy/prod", "type/bug"]),
                    pull(42, "docs"),
                    pull(43, "fix-alarm", ["deploy/demo"]),
                ],
            ),
            WEB,
        );
        assert.equal(m.subject, "conveyor: deploy of staging, globex-staging failed");
        assert.equal(
            m.message,
            [
                "The deploy workflow from acme-saas/ops@fedcba987654 did not succeed.",
                "Failed: staging, globex-staging.",
                "Not deployed (an earlier job failed): demo, prod.",
                "",
                "Workflow: deploy (failed)",
                `Build: ${WF}`,
                `Failed job: deploy-staging (failed) ${WF}/jobs/12`,
                `Failed job: deploy-globex-staging (timedout) ${WF}/jobs/13`,
                `Commit: ${WEB}/acme-saas/ops/commit/${SHA}`,
                "",
                "Asked for by:",
                `- staging: ${WEB}/acme-saas/ops/pull/40`,
                `- prod: ${WEB}/acme-saas/ops/pull/41`,
                `- demo: ${WEB}/acme-saas/ops/pull/43`,
                "",
                RERUN,
            ].join("\n"),
        );
    });

    it("one environment failing on its own is blamed alone, with nothing said of environments not deployed", () => {
        const prod = job("deploy-prod", 21);
        const m = failureMessage(failure([failed("prod", prod)], [prod], [pull(50, "release-prod")]), WEB);
        assert.equal(m.subject, "conveyor: deploy of prod failed");
        assert.equal(
            m.message,
            [
                "The deploy workflow from acme-saas/ops@fedcba987654 did not succeed.",
                "Failed: prod.",
                "",
                "Workflow: deploy (failed)",
                `Build: ${WF}`,
                `Failed job: deploy-prod (failed) ${WF}/jobs/21`,
                `Commit: ${WEB}/acme-saas/ops/commit/${SHA}`,
                "",
                "Asked for by:",
                `- prod: ${WEB}/acme-saas/ops/pull/50`,
                "",
                RERUN,
            ].join("\n"),
        );
    });

    it("blames no environment when a job before every deploy failed: the subject names that job, and no one asked is listed", () => {
        const build = job("build", 1);
        const m = failureMessage(failure([notRun("staging", build)], [build], [pull(44, "docs")]), WEB);
        assert.equal(m.subject, "conveyor: deploy workflow failed at build");
        assert.equal(
            m.message,
            [
                "The deploy workflow from acme-saas/ops@fedcba987654 did not succeed.",
                "Not deployed (an earlier job failed): staging.",
                "",
                "Workflow: deploy (failed)",
                `Build: ${WF}`,
                `Failed job: build (failed) ${WF}/jobs/1`,
                `Commit: ${WEB}/acme-saas/ops/commit/${SHA}`,
                "",
                RERUN,
            ].join("\n"),
        );
    });

    it("names no job in the subject when none failed (a workflow that errored before its jobs ran)", () => {
        assert.equal(failureMessage(failure([notRun("staging")], []), WEB).subject, "conveyor: deploy workflow failed");
    });

    it("writes the subject in printable ASCII on one line, whatever a job's name holds", () => {
        const odd = job("tests — node 20\narm64", 3);
        assert.equal(
            failureMessage(failure([notRun("staging", odd)], [odd]), WEB).subject,
            "conveyor: deploy workflow failed at tests ? node 20?arm64",
        );
    });

    it("keeps the subject within SNS's 100 characters: one of exactly 100 is sent whole, a longer one is cut with ...", () => {
        const subjectOf = (envs: string[]) =>
            failureMessage(
                failure(
                    envs.map((e) => failed(e, job(`deploy-${e}`, 7))),
                    [],
                ),
                WEB,
            ).subject;
        const hundred = "conveyor: deploy of acme-staging, globex-staging, initech-staging, vandelay-qa, hooli-staging failed";
        assert.equal(hundred.length, 100);
        assert.equal(subjectOf(["acme-staging", "globex-staging", "initech-staging", "vandelay-qa", "hooli-staging"]), hundred);
        const cut = subjectOf(["acme-staging", "globex-staging", "initech-staging", "vandelay-qa", "hooli-staging", "wayne-staging"]);
        assert.equal(cut, "conveyor: deploy of acme-staging, globex-staging, initech-staging, vandelay-qa, hooli-staging, wa...");
        assert.equal(cut.length, 100);
    });
});
