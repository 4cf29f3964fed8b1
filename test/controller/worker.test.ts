// The release controller end to end, in-process: signed webhooks into the intake, the FIFO queue, the worker
// against the loopback fakes; the dashboard, deploy notices, the train and slash commands, and the worker's
// settings. Nothing lost or run twice by timing, replay or throttling: worker-guarantees.test.ts.
import * as assert from "node:assert/strict";
import { releaseBranch } from "../../release/pr";
import { loadRemoteWorkspace } from "../../controller/remote-workspace";
import { MissingSettingError } from "../../controller/lambda";
import { FIRST_BACKOFF_SECONDS, handler, workerDepsFromEnv } from "../../controller/worker";
import { faults } from "../fakes/github";
import { OWNER, releaseAndMerge, type World } from "../release-world";
import {
    BUILD_URL,
    circleEvent,
    command,
    deployWorkflow,
    freshContext,
    FRIDAY,
    startController,
    workflowCompleted,
    worldPerTest,
} from "../queue-world";
import { fixtureFiles } from "../workspace-fixture";
import { DASHBOARD_TITLE, refreshDashboard } from "../../status/dashboard";

describe("the release controller through its queue", function () {
    this.timeout(120_000);
    let w: World;
    const { releasePr, requests, clearRequests } = worldPerTest((world) => (w = world));
    const issuesOf = (x: World) =>
        [...x.repos.values()].flatMap((repo) =>
            repo.issues.filter((i) => !repo.pulls.some((p) => p.number === i.number)).map((i) => ({ repo, issue: i })),
        );

    describe("the release dashboard", () => {
        it("is brought up to date after the work; a dashboard that fails is logged and the work stands", async () => {
            const sha = await releaseAndMerge(w, "staging");
            const c = startController(w, { worker: { dashboard: refreshDashboard } });
            await c.intake(circleEvent(workflowCompleted({ id: "evt-dashboard", sha, happenedAt: new Date(c.clock.now) })));
            await c.drain();
            const dashboards = w.ops.issues.filter((i) => i.title === DASHBOARD_TITLE && i.state === "open");
            assert.equal(dashboards.length, 1);
            assert.match(
                dashboards[0].body!,
                new RegExp(`^\\| staging \\| ci \\| .* \\| \\[release PR ${releasePr("staging").number}\\]`, "m"),
            );
            assert.ok(c.logs.some((l) => new RegExp(`^release dashboard: issue #${dashboards[0].number} opened$`).test(l)));

            const failing = startController(w, {
                worker: { dashboard: () => Promise.reject(new Error("GitHub answered 502")) },
            });
            await failing.intake(circleEvent(workflowCompleted({ id: "evt-dashboard-2", sha, happenedAt: new Date(failing.clock.now) })));
            await failing.drain();
            assert.ok(failing.logs.some((l) => l === "release dashboard not refreshed: GitHub answered 502"));
            assert.equal(failing.queue.deadLetters.length, 0);
            assert.ok(
                failing.logs.some((l) => /: deployed/.test(l)),
                failing.logs.join("\n"),
            );
        });
    });

    describe("CircleCI workflow-completed", () => {
        it("success: the release PR is labelled deployed and every issue told; a replay does nothing", async () => {
            const sha = await releaseAndMerge(w, "staging");
            const c = startController(w);
            const event = circleEvent(workflowCompleted({ id: "evt-success", sha, happenedAt: new Date(c.clock.now) }));
            clearRequests();
            assert.equal((await c.intake(event)).statusCode, 202);
            assert.equal(requests(), 0, "the intake reads nothing");
            await c.drain();
            const pr = releasePr("staging");
            assert.ok(w.ops.issueLabelNames(pr.number).includes("deployed"));
            assert.match(
                w.ops
                    .issueComments(pr.number)
                    .map((x) => x.body)
                    .join("\n"),
                new RegExp(`Deployed to \\*\\*staging\\*\\* \\(\\[build\\]\\(${BUILD_URL.replace(/[.]/g, "\\.")}\\)\\)`),
            );
            const issues = issuesOf(w);
            assert.equal(issues.length, 18);
            for (const { repo, issue } of issues) {
                assert.equal(repo.issueComments(issue.number).length, 1, `${repo.name}#${issue.number}`);
                assert.deepEqual(repo.issueLabelNames(issue.number), ["workflow/test"]);
            }
            assert.ok(c.logs.some((l) => /deploy workflow deploy success at [0-9a-f]{7}: deployed/.test(l)));

            clearRequests();
            assert.equal((await c.intake(event)).statusCode, 202);
            await c.drain();
            assert.equal(requests(), 0, "dropped by the queue: nothing read, nothing written");
        });

        it("failure: one comment on the release PR blaming the failed job, one message to the owners", async () => {
            const sha = await releaseAndMerge(w, "staging");
            const c = startController(w);
            const wf = deployWorkflow(w, sha, "failed", { "deploy-org": "success", "deploy-staging": "failed" });
            await c.intake(
                circleEvent(
                    workflowCompleted({ sha, status: "failed", workflowId: wf.id, url: wf.url, happenedAt: new Date(c.clock.now) }),
                ),
            );
            await c.drain();
            const pr = releasePr("staging");
            const comments = w.ops.issueComments(pr.number);
            assert.equal(comments.length, 1);
            assert.match(
                comments[0].body,
                /^<!-- conveyor:deploy-failed env=staging -->\nDeploy of \*\*staging\*\* failed: job \[deploy-staging\]\(https:\/\/app\.circleci\.com\/.+\/jobs\/\d+\) \(failed\) of \[deploy\]\(https:\/\/app\.circleci\.com\/.+\)\.$/,
            );
            assert.equal(w.ops.issueLabelNames(pr.number).includes("deployed"), false);
            assert.equal(c.published.length, 1);
            assert.equal(c.published[0].subject, "conveyor: deploy of staging failed");
            assert.match(c.published[0].message, new RegExp(`${OWNER}/ops/pull/${pr.number}`));
        });

        it("ignores, on the worker's side, another branch and a commit that deploys nothing", async () => {
            const sha = await releaseAndMerge(w, "staging");
            const c = startController(w);
            const docs = w.ops.commit("main", { message: "Docs", files: { "README.md": "hi\n" } });
            clearRequests();
            await c.intake(circleEvent(workflowCompleted({ sha, branch: "release-demo", happenedAt: new Date(c.clock.now) })));
            await c.intake(circleEvent(workflowCompleted({ sha: docs, status: "failed", happenedAt: new Date(c.clock.now) })));
            await c.drain();
            assert.equal(w.github.writes(), 0);
            assert.equal(c.published.length, 0);
            assert.ok(c.logs.some((l) => /ignored \(branch release-demo is not main\)/.test(l)));
            assert.ok(c.logs.some((l) => /ignored \(commit [0-9a-f]{40} deploys nothing\)/.test(l)));
        });
    });

    describe("the scheduled train", () => {
        it("runs as of its scheduled time, not when the worker gets to it: Friday's train run on Saturday still releases staging and demo", async () => {
            const saturday = new Date(FRIDAY.getTime() + 24 * 3600_000);
            const c = startController(w, { start: saturday });
            c.scheduleTrain(FRIDAY);
            await c.drain();
            assert.ok(releasePr("staging"));
            assert.ok(releasePr("demo"));
            assert.equal(
                w.ops.pulls.some((p) => p.head === releaseBranch("prod")),
                false,
            );
            assert.deepEqual(
                c.logs
                    .filter((l) => l.startsWith("release train: "))
                    .map((l) => l.replace(/: release PR opened: .*/, ": opened").replace(/: not due: .*/, ": not due")),
                ["release train: staging: opened", "release train: demo: opened", "release train: prod: not due"],
            );
        });

        it("a retry of the same scheduled run is dropped by the queue; the next day's run is not", async () => {
            const c = startController(w, { start: FRIDAY });
            c.scheduleTrain(FRIDAY);
            c.scheduleTrain(FRIDAY);
            c.scheduleTrain(new Date(FRIDAY.getTime() + 24 * 3600_000));
            assert.equal(c.queue.depth, 2);
        });

        it("an environment that failed fails the message, which comes back after a backoff and finishes the train", async () => {
            const c = startController(w, { start: FRIDAY });
            w.github.fail({ method: "POST", path: /\/pulls$/ }, faults.badGateway());
            c.scheduleTrain(FRIDAY);
            assert.equal(await c.poll(), 1);
            assert.ok(releasePr("demo"), "demo released despite staging");
            assert.equal(c.queue.depth, 1, "the train is still on the queue");
            assert.ok(
                c.logs.some((l) =>
                    new RegExp(`failed \\(receive 1\\), retried in ${FIRST_BACKOFF_SECONDS} s: release train of .*staging failed`).test(l),
                ),
            );
            await c.drain();
            assert.ok(releasePr("staging"));
            assert.equal(c.queue.deadLetters.length, 0);
        });
    });

    describe("GitHub slash commands", () => {
        it("from a writer: the release PR, and the answer with its link", async () => {
            w.ops.setPermission("alice", "write");
            const c = startController(w);
            const issue = w.ops.addIssue("Ship the billing fix to staging");
            const res = await c.intake(command(c, "/conveyor release staging", "alice", issue.number));
            assert.equal(res.statusCode, 202);
            await c.drain();
            const pr = releasePr("staging");
            const comments = w.ops.issueComments(issue.number);
            assert.equal(comments.length, 1);
            assert.match(
                comments[0].body,
                new RegExp(
                    `^<!-- conveyor:answer comment=\\d+ -->\\n@alice: Release PR for \\*\\*staging\\*\\* opened: .*/pull/${pr.number}$`,
                ),
            );
        });

        it("from a maintainer after the same command: says the PR is up to date, in the answer to that comment", async () => {
            w.ops.setPermission("carol", "maintain");
            const c = startController(w);
            const issue = w.ops.addIssue("Release");
            await c.intake(command(c, "/conveyor release staging", "carol", issue.number, 1));
            await c.intake(command(c, "/conveyor release staging", "carol", issue.number, 2));
            await c.drain();
            const answers = w.ops.issueComments(issue.number);
            assert.equal(answers.length, 2, "one answer per command");
            assert.match(answers[1].body, /already up to date/);
        });

        it("from a reader or a stranger: one polite refusal per command, naming no one but the author, and no release", async () => {
            w.ops.setPermission("bob", "read");
            const c = startController(w);
            const issue = w.ops.addIssue("Please release");
            const event = command(c, "/conveyor release staging", "bob", issue.number, 77);
            for (let i = 0; i < 3; i++) await c.intake({ ...event, headers: { ...event.headers, "x-github-delivery": `again-${i}` } });
            await c.intake(command(c, "/conveyor rollback prod", "stranger", issue.number, 78));
            await c.drain();
            assert.equal(w.ops.pulls.length, 0);
            const [bob, stranger] = w.ops.issueComments(issue.number).map((x) => x.body);
            assert.equal(w.ops.issueComments(issue.number).length, 2);
            assert.match(bob, /Sorry @bob, `\/conveyor release staging` needs write permission on acme-saas\/ops, and yours is "read"/);
            assert.deepEqual(bob.match(/@[A-Za-z0-9-]+/g), ["@bob"]);
            assert.match(stranger, /Sorry @stranger, .* yours is "none"/);
        });

        it("an unknown environment: a comment listing the environments", async () => {
            w.ops.setPermission("alice", "admin");
            const c = startController(w);
            const issue = w.ops.addIssue("Release globex-prod");
            await c.intake(command(c, "/conveyor release globex-prod", "alice", issue.number));
            await c.drain();
            assert.match(
                w.ops.issueComments(issue.number)[0].body,
                /there is no environment "globex-prod"\. The environments are: `staging`, `demo`, `prod`\. For example: `\/conveyor release staging`/,
            );
            assert.equal(w.ops.pulls.length, 0);
        });

        it("a rollback with nothing to roll back to: the reason, as an answer", async () => {
            w.ops.setPermission("alice", "write");
            const c = startController(w);
            const issue = w.ops.addIssue("Roll back");
            await c.intake(command(c, "/conveyor rollback staging", "alice", issue.number));
            await c.drain();
            assert.match(w.ops.issueComments(issue.number)[0].body, /was refused: Pulumi\.staging\.yaml: no earlier release/);
        });

        it("a configured bot's command runs without a permission lookup", async () => {
            const c = startController(w, { intake: { commandBots: ["release-bot[bot]"] } });
            const issue = w.ops.addIssue("Release");
            await c.intake(command(c, "/conveyor release staging", "release-bot[bot]", issue.number));
            await c.drain();
            assert.ok(releasePr("staging"));
            assert.equal(
                w.github.requests.some((r) => r.path.includes("/collaborators/")),
                false,
            );
        });

        it("reads the config from the ops repository's default branch", async () => {
            w.ops.commit("main", { message: "Config", files: Object.fromEntries(fixtureFiles().map((f) => [f.name, f.text])) });
            w.ops.setPermission("alice", "write");
            const c = startController(w, { worker: { loadWorkspace: loadRemoteWorkspace } });
            const issue = w.ops.addIssue("Release demo");
            await c.intake(command(c, "/conveyor release demo", "alice", issue.number));
            await c.drain();
            assert.ok(releasePr("demo"));
        });
    });
});

describe("the worker's settings", () => {
    const env = {
        GITHUB_TOKEN_SECRET_ARN: "arn:aws:secretsmanager:eu-west-3:123456789012:secret:github-token",
        CIRCLECI_TOKEN_SECRET_ARN: "arn:aws:secretsmanager:eu-west-3:123456789012:secret:circleci-token",
        RELEASE_OWNERS_TOPIC_ARN: "arn:aws:sns:eu-west-3:123456789012:owners",
        WORK_QUEUE_URL: "https://sqs.eu-west-3.amazonaws.com/123456789012/release-controller-queue.fifo",
        OPS_OWNER: OWNER,
        OPS_REPO: "ops",
        GITHUB_API_URL: "https://github.acme.example/api/v3",
    };

    it("come from the environment, without touching AWS until a message needs a secret", () => {
        const deps = workerDepsFromEnv(env);
        assert.deepEqual(deps.ops, { owner: OWNER, repo: "ops" });
        assert.equal(deps.gitHubApiUrl, "https://github.acme.example/api/v3");
        assert.equal(
            Object.keys(require.cache).some((k) => k.includes("@aws-sdk")),
            false,
        );
    });

    it("name the missing variable, and the entry point refuses a batch with it", async () => {
        const { RELEASE_OWNERS_TOPIC_ARN: _dropped, ...partial } = env;
        assert.throws(
            () => workerDepsFromEnv(partial),
            (e: Error) => e instanceof MissingSettingError && /RELEASE_OWNERS_TOPIC_ARN is not set/.test(e.message),
        );
        const saved = { ...process.env };
        try {
            for (const k of Object.keys(env)) delete process.env[k];
            await assert.rejects(handler({ Records: [] }, freshContext()), /is not set/);
        } finally {
            Object.assign(process.env, saved);
        }
    });
});
