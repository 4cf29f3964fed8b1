// The release controller end to end, in-process: signed webhooks into the intake, the FIFO queue, the worker
// against the loopback fakes. What the issue asks: nothing lost or run twice by timing, replay or throttling.
import * as assert from "node:assert/strict";
import type { Octokit } from "octokit";
import { createGitHub, RateLimitError } from "../../clients/github";
import { releaseBranch } from "../../release/pr";
import { loadRemoteWorkspace } from "../../controller/remote-workspace";
import { MissingSettingError } from "../../controller/lambda";
import {
    createWorker,
    FIRST_BACKOFF_SECONDS,
    handler,
    retryDelaySeconds,
    workerDepsFromEnv,
    type WorkerDeps,
} from "../../controller/worker";
import { BadWorkItemError } from "../../controller/work-items";
import { faults } from "../fakes/github";
import { DEDUPLICATION_WINDOW_MS } from "../fakes/fifo-queue";
import { OWNER, releaseAndMerge, startWorld, TOKEN, type World } from "../release-world";
import {
    bodyOf,
    BUILD_URL,
    circleEvent,
    commentPayload,
    deployWorkflow,
    freshContext,
    gitHubEvent,
    MAX_RECEIVE_COUNT,
    startController,
    workflowCompleted,
    type Controller,
} from "../queue-world";
import { fixtureFiles } from "../workspace-fixture";
import { DASHBOARD_TITLE, refreshDashboard } from "../../status/dashboard";

/** A Friday at the train's hour in the org's time zone (Europe/Paris): staging and demo are due. */
const FRIDAY = new Date("2026-12-04T07:00:00+01:00");

describe("the release controller through its queue", function () {
    this.timeout(120_000);
    let w: World;
    beforeEach(async () => {
        w = await startWorld();
    });
    afterEach(() => w.close());

    const releasePr = (env: string) => w.ops.pulls.find((p) => p.head === releaseBranch(env))!;
    const requests = () => w.github.requests.length + w.circle.requests.length;
    const clearRequests = () => {
        w.github.clearRequests();
        w.circle.clearRequests();
    };
    const command = (c: Controller, body: string, login: string, issue: number, commentId?: number) =>
        gitHubEvent(commentPayload({ body, login, issue, commentId, createdAt: new Date(c.clock.now - 1_000) }));
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

    describe("nothing lost, nothing run twice", () => {
        it("20 commands arriving while the worker is busy are all answered at once, then done exactly once each, in order", async () => {
            w.ops.setPermission("alice", "write");
            // The train is being worked on (it waits on its workspace) while the comments arrive.
            let release!: () => void;
            const gate = new Promise<void>((resolve) => (release = resolve));
            const c = startController(w, { start: FRIDAY, worker: { loadWorkspace: async () => (await gate, w.workspace) } });
            c.scheduleTrain(FRIDAY);
            const busy = c.poll();
            const issues = Array.from({ length: 20 }, (_, i) => w.ops.addIssue(`Request ${i + 1}`));
            const answers = [];
            for (const [i, issue] of issues.entries()) {
                const env = ["staging", "demo", "prod"][i % 3];
                answers.push(await c.intake(command(c, `/conveyor release ${env}`, "alice", issue.number, 9000 + i)));
                // Some of them delivered twice, with a new delivery header.
                if (i % 4 === 0) await c.intake(command(c, `/conveyor release ${env}`, "alice", issue.number, 9000 + i));
            }
            assert.deepEqual(
                answers.map((a) => a.statusCode),
                Array(20).fill(202),
                "every webhook answered while the worker was busy",
            );
            assert.equal(c.queue.depth, 21, "the train and 20 commands, the redeliveries dropped");
            assert.ok(c.queue.messages[0].inFlight, "the train still running");
            release();
            assert.equal(await busy, 1);
            await c.drain();
            // Each command answered once, in the order the comments were made.
            const answered = issues.map((issue) => w.ops.issueComments(issue.number));
            for (const [i, comments] of answered.entries()) assert.equal(comments.length, 1, `request ${i + 1}`);
            const order = answered.map((comments) => comments[0].id);
            assert.deepEqual(
                order,
                [...order].sort((a, b) => a - b),
                "answers in the order of the commands",
            );
            const done = c.logs.filter((l) => l.startsWith("/conveyor release "));
            assert.equal(done.length, 20);
            assert.deepEqual(
                done.map((l) => l.split(" ")[2]),
                issues.map((_, i) => ["staging", "demo", "prod"][i % 3]),
            );
        });

        it("a replayed body with a new delivery header does nothing, within the queue's window and after it", async () => {
            w.ops.setPermission("alice", "write");
            const c = startController(w);
            const issue = w.ops.addIssue("Release");
            const event = command(c, "/conveyor release staging", "alice", issue.number);
            await c.intake(event);
            await c.drain();
            const pr = releasePr("staging");
            clearRequests();
            const replay = () => c.intake({ ...event, headers: { ...event.headers, "x-github-delivery": `replay-${c.clock.now}` } });
            assert.equal((await replay()).statusCode, 202);
            await c.drain();
            assert.equal(requests(), 0, "dropped by the queue");
            c.clock.now += DEDUPLICATION_WINDOW_MS + 1_000;
            const late = await replay();
            assert.equal(bodyOf(late).status, "refused", "too old to be a command: refused by the intake");
            assert.equal(c.queue.depth, 0);
            assert.equal(requests(), 0);
            assert.equal(w.ops.issueComments(issue.number).length, 1);
            assert.equal(w.ops.pulls.filter((p) => p.head === releaseBranch("staging")).length, 1);
            assert.equal(releasePr("staging").number, pr.number);
        });

        it("a worker that crashes after any one of its writes converges on redelivery, as if it had run once", async function () {
            this.timeout(600_000);
            const small = await startWorld({ prsPerComponent: 1 });
            let total: number;
            let expected: string;
            try {
                const sha = await releaseAndMerge(small, "staging");
                const c = startController(small);
                small.github.clearRequests();
                await c.intake(circleEvent(workflowCompleted({ id: "evt", sha, happenedAt: new Date(c.clock.now) })));
                await c.drain();
                total = small.github.writes();
                expected = snapshot(small);
            } finally {
                await small.close();
            }
            assert.ok(total >= 10, `${total} writes`);
            for (let n = 1; n <= total; n++) {
                const x = await startWorld({ prsPerComponent: 1 });
                try {
                    const sha = await releaseAndMerge(x, "staging");
                    let crashes = 0;
                    const crashing = (token: string, maxWaitMs: () => number): Octokit => {
                        const gh = createGitHub({ token, baseUrl: x.github.url, throttle: false, retryAfterBaseMs: 10, maxWaitMs });
                        let writes = 0;
                        gh.hook.after("request", (_res, options) => {
                            if (crashes === 0 && options.method !== "GET" && !String(options.url).endsWith("/graphql") && ++writes === n) {
                                crashes++;
                                throw new Error(`crashed after write ${n}`);
                            }
                        });
                        return gh;
                    };
                    const c = startController(x, { worker: { gitHub: crashing } });
                    x.github.clearRequests();
                    await c.intake(circleEvent(workflowCompleted({ id: "evt", sha, happenedAt: new Date(c.clock.now) })));
                    await c.drain();
                    assert.equal(crashes, 1);
                    assert.ok(c.logs.some((l) => l.includes(`crashed after write ${n}`)));
                    assert.equal(x.github.writes(), total, `crash after write ${n}: every write made once, none repeated`);
                    assert.equal(snapshot(x), expected, `crash after write ${n} of ${total}`);
                } finally {
                    await x.close();
                }
            }
        });

        it("a rate limit that resets in an hour fails the message at once, with the reset time; it is done after the reset, nothing lost", async () => {
            w.ops.setPermission("alice", "write");
            const c = startController(w);
            const issue = w.ops.addIssue("Release");
            const reset = Math.floor(c.clock.now / 1000) + 3600;
            w.github.fail({ method: "GET" }, faults.rateLimited(reset), 1);
            await c.intake(command(c, "/conveyor release staging", "alice", issue.number));
            const started = Date.now();
            assert.equal(await c.poll(), 1);
            assert.ok(Date.now() - started < 10_000, "no waiting for the reset");
            const failure = c.logs.find((l) => l.includes("failed (receive 1)"));
            assert.ok(failure, c.logs.join("\n"));
            assert.match(
                failure,
                new RegExp(
                    `retried in 360\\d s: GitHub rate limit on GET .*: it resets at ${new Date(reset * 1000).toISOString().replace(/[.]/g, "\\.")}`,
                ),
            );
            assert.equal(c.queue.depth, 1);
            assert.equal(c.queue.nextVisibleAt()! >= reset * 1000, true, "back on the queue after the reset");
            await c.drain();
            assert.ok(releasePr("staging"));
            assert.equal(w.ops.issueComments(issue.number).length, 1);
            assert.equal(c.queue.deadLetters.length, 0);
        });

        it("work that fails every time goes to the dead-letter queue after a bounded number of receives; what follows it is done", async () => {
            w.ops.setPermission("alice", "write");
            const c = startController(w);
            const first = w.ops.addIssue("Release staging");
            const second = w.ops.addIssue("Release demo");
            // Every permission lookup for bob fails: his command can never be answered.
            w.github.fail({ method: "GET", path: /\/collaborators\/bob\/permission$/ }, faults.badGateway(), 1000);
            await c.intake(command(c, "/conveyor release staging", "bob", first.number));
            await c.intake(command(c, "/conveyor release demo", "alice", second.number));
            await c.drain();
            assert.equal(c.queue.deadLetters.length, 1);
            assert.equal(c.queue.deadLetters[0].receiveCount, MAX_RECEIVE_COUNT);
            assert.match(c.queue.deadLetters[0].body, /"login":"bob"/);
            assert.ok(releasePr("demo"), "the next command ran once the failing one was set aside");
        });

        it("a message that is not a work item goes to the dead-letter queue without holding the queue up", async () => {
            const c = startController(w);
            c.queue.send('{"kind":"deploy-everything"}', "bad");
            await c.drain();
            assert.equal(c.queue.deadLetters.length, 1);
            assert.ok(c.logs.some((l) => /retried in 0 s: work item: /.test(l)));
        });
    });

    describe("the worker's batches and retries", () => {
        it("reports the failed message and every one after it, so the FIFO order holds", async () => {
            w.ops.setPermission("alice", "write");
            const delays: [string, number][] = [];
            const base = startController(w);
            const worker = createWorker({ ...workerDeps(base), delay: async (handle, seconds) => void delays.push([handle, seconds]) });
            const records = ["a", "b", "c"].map((id, i) => ({
                messageId: id,
                receiptHandle: `h-${id}`,
                body: i === 1 ? "not json" : JSON.stringify({ kind: "train", scheduledTime: "2026-12-05T06:00:00Z" }),
                attributes: { ApproximateReceiveCount: "1" },
            }));
            const out = await worker({ Records: records }, freshContext());
            assert.deepEqual(out.batchItemFailures, [{ itemIdentifier: "b" }, { itemIdentifier: "c" }]);
            assert.deepEqual(delays, [
                ["h-b", 0],
                ["h-c", 0],
            ]);
        });

        it("waits until a rate limit resets, else backs off by receives, within SQS's limits", () => {
            const now = new Date("2026-12-04T08:00:00Z");
            assert.equal(retryDelaySeconds(new RateLimitError(new Date(now.getTime() + 3_600_000), 403, "x"), 1, now), 3605);
            assert.equal(retryDelaySeconds(new RateLimitError(new Date(now.getTime() + 48 * 3_600_000), 403, "x"), 1, now), 43_200);
            assert.deepEqual(
                [1, 2, 3, 4, 5, 9].map((n) => retryDelaySeconds(new Error("502"), n, now)),
                [30, 60, 120, 240, 480, 900],
            );
            assert.equal(retryDelaySeconds(new BadWorkItemError("x"), 3, now), 0);
        });
    });

    /** The worker's deps as the controller wires them, for calling the worker directly. */
    function workerDeps(c: Controller): WorkerDeps {
        return {
            tokens: async () => ({ github: TOKEN, circleci: "x" }),
            gitHub: (token, maxWaitMs) => createGitHub({ token, baseUrl: w.github.url, throttle: false, maxWaitMs }),
            circleCi: () =>
                ({
                    workflowJobs: async () => [],
                    latestGreenPipeline: async () => undefined,
                    pipelineRevision: async () => undefined,
                }) as never,
            ops: { owner: OWNER, repo: "ops" },
            loadWorkspace: async () => w.workspace,
            publish: async () => undefined,
            delay: async () => undefined,
            gitHubApiUrl: w.github.url,
            now: () => new Date(c.clock.now),
            log: { info: () => undefined, warn: () => undefined, error: () => undefined },
        };
    }
});

/** Every comment, label and state the fake GitHub holds, without ids or times. */
function snapshot(x: World): string {
    return JSON.stringify(
        [...x.github.state.repos.values()].map((repo) => ({
            repo: repo.fullName,
            issues: repo.issues.map((i) => ({
                n: i.number,
                state: i.state,
                labels: repo.issueLabelNames(i.number),
                comments: repo.issueComments(i.number).map((c) => c.body),
            })),
        })),
    );
}

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
