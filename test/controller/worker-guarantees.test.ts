// The release controller end to end, in-process, when timing, replay, throttling and failures get in the way:
// nothing lost, nothing run twice; and how the worker answers a batch and spaces its retries.
import * as assert from "node:assert/strict";
import type { Octokit } from "octokit";
import { createGitHub, RateLimitError } from "../../clients/github";
import { releaseBranch } from "../../release/pr";
import { createWorker, FIRST_BACKOFF_SECONDS, retryDelaySeconds, type WorkerDeps } from "../../controller/worker";
import type { LogFields } from "../../controller/log";
import { circleFaults } from "../fakes/circleci";
import { BadWorkItemError } from "../../controller/work-items";
import { faults } from "../fakes/github";
import { DEDUPLICATION_WINDOW_MS } from "../fakes/fifo-queue";
import { OWNER, releaseAndMerge, startWorld, TOKEN, type World } from "../release-world";
import {
    bodyOf,
    circleEvent,
    command,
    freshContext,
    FRIDAY,
    MAX_RECEIVE_COUNT,
    startController,
    workflowCompleted,
    worldPerTest,
    type Controller,
} from "../queue-world";

describe("the release controller through its queue", function () {
    this.timeout(120_000);
    let w: World;
    const { releasePr, requests, clearRequests } = worldPerTest((world) => (w = world));

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

    describe("what the worker's log records carry, and how its retries are spaced", () => {
        it("each record carries what CloudWatch is searched by: the message's id, a failure's retry delay, a train line's environment", async () => {
            const records: { message: string; fields?: LogFields }[] = [];
            const keep = (message: string, fields?: LogFields) => void records.push({ message, fields });
            const worker = createWorker({ ...workerDeps(startController(w)), log: { info: keep, warn: keep, error: keep } });
            const saturday = JSON.stringify({ kind: "train", scheduledTime: "2026-12-05T06:00:00Z" });
            const batch = [
                { messageId: "a", receiptHandle: "h-a", body: saturday, attributes: { ApproximateReceiveCount: "1" } },
                { messageId: "b", receiptHandle: "h-b", body: "not json", attributes: { ApproximateReceiveCount: "2" } },
            ];
            await worker({ Records: batch }, freshContext());
            assert.deepEqual(
                records.filter((r) => r.message.startsWith("release train: ")).map((r) => r.fields),
                [{ env: "staging" }, { env: "demo" }, { env: "prod" }],
            );
            assert.deepEqual(records.find((r) => r.message.startsWith("release train of "))?.fields, { messageId: "a" });
            assert.deepEqual(records.find((r) => r.message.startsWith("message b failed"))?.fields, { messageId: "b", retryInSeconds: 0 });
        });

        it("backs off by SQS's receive count (a record without it is a first receive); a delay SQS refuses is logged, the rest still delayed", async () => {
            const logs: string[] = [];
            const delays: [string, number][] = [];
            const keep = (m: string) => void logs.push(m);
            const worker = createWorker({
                ...workerDeps(startController(w)),
                tokens: () => Promise.reject(new Error("AccessDeniedException: the token secret")),
                delay: async (handle, seconds) => {
                    if (handle === "h-y") throw new Error("ReceiptHandleIsInvalid");
                    delays.push([handle, seconds]);
                },
                log: { info: keep, warn: keep, error: keep },
            });
            const train = JSON.stringify({ kind: "train", scheduledTime: "2026-12-04T06:00:00Z" });
            const third = await worker(
                { Records: [{ messageId: "x", receiptHandle: "h-x", body: train, attributes: { ApproximateReceiveCount: "3" } }] },
                freshContext(),
            );
            assert.deepEqual(third.batchItemFailures, [{ itemIdentifier: "x" }]);
            assert.deepEqual(delays, [["h-x", 4 * FIRST_BACKOFF_SECONDS]]);
            assert.match(logs[0], /^message x failed \(receive 3\), retried in 120 s: AccessDeniedException/);

            delays.length = logs.length = 0;
            const out = await worker(
                {
                    Records: [
                        { messageId: "y", receiptHandle: "h-y", body: train },
                        { messageId: "z", receiptHandle: "h-z", body: train, attributes: { ApproximateReceiveCount: "1" } },
                    ],
                },
                freshContext(),
            );
            assert.deepEqual(out.batchItemFailures, [{ itemIdentifier: "y" }, { itemIdentifier: "z" }], "both stay on the queue, in order");
            assert.deepEqual(delays, [["h-z", FIRST_BACKOFF_SECONDS]]);
            assert.deepEqual(logs, [
                "message y failed (receive 1), retried in 30 s: AccessDeniedException: the token secret",
                "could not delay message y: ReceiptHandleIsInvalid",
            ]);
        });

        it("a run near its end does not sit out a CircleCI Retry-After it cannot afford: the message fails at once and comes back", async () => {
            const c = startController(w, { start: FRIDAY });
            w.circle.fail({ method: "GET", path: /\/pipeline$/ }, circleFaults.rateLimited(3), 1);
            const train = JSON.stringify({ kind: "train", scheduledTime: "2026-12-04T06:00:00Z" });
            // 32 s left: 30 s are kept to report the failure, so a rate limit may be waited out 2 s at most.
            const out = await c.worker(
                { Records: [{ messageId: "t", receiptHandle: "h-t", body: train, attributes: { ApproximateReceiveCount: "1" } }] },
                { getRemainingTimeInMillis: () => 32_000 },
            );
            assert.deepEqual(out.batchItemFailures, [{ itemIdentifier: "t" }], c.logs.join("\n"));
            assert.ok(
                c.logs.some((l) => /^message t failed \(receive 1\).*staging failed: CircleCI answered 429/.test(l)),
                c.logs.join("\n"),
            );
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
