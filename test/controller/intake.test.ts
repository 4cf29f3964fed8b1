// The webhook intake on its own: what it refuses (unread, unqueued), what it queues, with which identity, and
// replays with a new delivery header. No GitHub or CircleCI here: the intake has no client for either.
import * as assert from "node:assert/strict";
import { createIntake, intakeDepsFromEnv, MAX_COMMAND_AGE_MS, MAX_EVENT_AGE_MS, type IntakeDeps } from "../../controller/intake";
import { MissingSettingError } from "../../controller/lambda";
import type { LogFields } from "../../controller/log";
import { MAX_BODY_BYTES, NOT_A_STACK_NAME, signCircleCi, signGitHub } from "../../controller/webhooks";
import { parseWorkItem, type WorkItem } from "../../controller/work-items";
import { FakeFifoQueue } from "../fakes/fifo-queue";
import {
    bodyOf,
    circleEvent,
    commentPayload,
    gitHubEvent,
    httpEvent,
    OPS,
    WEBHOOK_SECRETS,
    workflowCompleted,
    type CommentInit,
} from "../queue-world";

const SHA = "1dc6aa69429bff4806ad6afe58d3d8f57e25973e";

function setup(over: Partial<IntakeDeps> = {}) {
    const clock = { now: Date.now() };
    const queue = new FakeFifoQueue({ now: () => clock.now, visibilityTimeoutSeconds: 5400, maxReceiveCount: 5 });
    // What CloudWatch keeps of each line: the message and its fields, one searchable record.
    const records: { message: string; [field: string]: unknown }[] = [];
    const record = (message: string, fields?: LogFields) => void records.push({ message, ...fields });
    const intake = createIntake({
        webhookSecrets: async () => WEBHOOK_SECRETS,
        enqueue: async (item: WorkItem, id: string) => void queue.send(JSON.stringify(item), id),
        ops: OPS,
        deployWorkflows: ["deploy"],
        now: () => new Date(clock.now),
        log: { info: record, warn: record, error: record },
        ...over,
    });
    const comment = (c: Omit<CommentInit, "createdAt"> & { createdAt?: Date }) =>
        commentPayload({ createdAt: new Date(clock.now - 2_000), ...c });
    const queued = () => queue.messages.map((m) => parseWorkItem(m.body));
    return { clock, queue, intake, comment, queued, records };
}

describe("the webhook intake", () => {
    describe("refuses what it cannot trust, queueing nothing", () => {
        it("answers 401 to bad, missing and replayed-onto-another-body signatures", async () => {
            const { intake, comment, queue } = setup();
            const payload = workflowCompleted({ sha: SHA });
            const other = JSON.stringify(workflowCompleted({ sha: "b".repeat(40) }));
            const c = comment({ body: "/conveyor release staging", login: "alice", issue: 1 });
            const refused = [
                circleEvent(payload, { signature: "" }),
                circleEvent(payload, { secret: "not-the-secret" }),
                circleEvent(payload, { signature: signCircleCi(WEBHOOK_SECRETS.circleci, other) }),
                circleEvent(payload, { signature: "v1=deadbeef" }),
                circleEvent(payload, { secret: WEBHOOK_SECRETS.github }),
                gitHubEvent(c, { signature: null }),
                gitHubEvent(c, { secret: "not-the-secret" }),
                gitHubEvent(c, { signature: signGitHub(WEBHOOK_SECRETS.github, JSON.stringify({ ...c, action: "edited" })) }),
                gitHubEvent(c, { secret: WEBHOOK_SECRETS.circleci }),
                httpEvent({}, JSON.stringify(payload)),
            ];
            for (const [i, event] of refused.entries()) {
                const res = await intake(event);
                assert.equal(res.statusCode, 401, `case ${i}`);
                assert.deepEqual(bodyOf(res), { status: "unauthorized" }, `case ${i}`);
            }
            const unsigned = circleEvent(payload);
            delete (unsigned.headers as Record<string, string>)["circleci-signature"];
            assert.equal((await intake(unsigned)).statusCode, 401);
            assert.equal(queue.sends, 0);
        });

        it("refuses a webhook set up without a secret, logged under its sender so the operator sees whose deliveries fail; a request from neither is refused unlogged", async () => {
            const { intake, comment, queue, records } = setup();
            const body = JSON.stringify(workflowCompleted({ sha: SHA }));
            const unauthorized = (sender: string) => ({
                message: `${sender} webhook: 401 unauthorized`,
                sender,
                statusCode: 401,
                status: "unauthorized",
            });
            const unsigned: [string, ReturnType<typeof httpEvent>, object[]][] = [
                [
                    "GitHub",
                    gitHubEvent(comment({ body: "/conveyor release staging", login: "alice", issue: 1 }), { signature: null }),
                    [unauthorized("github")],
                ],
                ["CircleCI", httpEvent({ "circleci-event-type": "workflow-completed" }, body), [unauthorized("circleci")]],
                ["neither", httpEvent({ "user-agent": "curl/8.5.0" }, body), []],
            ];
            for (const [from, event, logged] of unsigned) {
                records.length = 0;
                const res = await intake(event);
                assert.equal(res.statusCode, 401, from);
                assert.deepEqual(bodyOf(res), { status: "unauthorized" }, from);
                assert.deepEqual(records, logged, from);
            }
            assert.equal(queue.sends, 0);
        });

        it("answers 405 to other methods, 413 to a body over 1 MiB, 400 to a signed body that is not JSON or lacks fields", async () => {
            const { intake, queue } = setup();
            const get = await intake(httpEvent({}, "", { method: "GET" }));
            assert.equal(get.statusCode, 405);
            assert.deepEqual(get.headers, { "content-type": "application/json", allow: "POST" });
            assert.deepEqual(bodyOf(get), { status: "method-not-allowed" });
            const huge = JSON.stringify({ id: "big", pad: "x".repeat(MAX_BODY_BYTES) });
            // Correctly signed, so only the body's size or shape can be what is refused.
            const fromCircleCi = (body: string) =>
                httpEvent(
                    { "circleci-event-type": "workflow-completed", "circleci-signature": signCircleCi(WEBHOOK_SECRETS.circleci, body) },
                    body,
                );
            const fromGitHub = (body: string, options?: { base64: boolean }) =>
                httpEvent(
                    { "x-github-event": "issue_comment", "x-hub-signature-256": signGitHub(WEBHOOK_SECRETS.github, body) },
                    body,
                    options,
                );
            for (const tooLarge of [fromCircleCi(huge), fromGitHub(huge, { base64: true })]) {
                const res = await intake(tooLarge);
                assert.equal(res.statusCode, 413);
                assert.deepEqual(bodyOf(res), { status: "too-large", limit: "1 MiB" });
            }
            const notJson = "{not json";
            for (const garbled of [fromCircleCi(notJson), fromGitHub(notJson)]) {
                const res = await intake(garbled);
                assert.equal(res.statusCode, 400);
                assert.equal(res.headers["content-type"], "application/json");
                assert.equal(bodyOf(res).status, "bad-request");
                assert.match(String(bodyOf(res).reason), /^body is not JSON: /);
            }
            const { workflow: _dropped, ...noWorkflow } = workflowCompleted({ sha: SHA });
            const missing = await intake(circleEvent(noWorkflow));
            assert.equal(missing.statusCode, 400);
            assert.match(String(bodyOf(missing).reason), /workflow/);
            assert.equal((await intake(gitHubEvent({ action: "created" }))).statusCode, 400);
            assert.equal(queue.sends, 0);
        });

        it("takes a CircleCI event's type from its signed body, not from the unsigned header", async () => {
            const { intake, queue } = setup();
            // A job's event carries its workflow too; a relabelled header must not make it a deploy's end.
            const job = { ...workflowCompleted({ sha: SHA }), type: "job-completed" };
            const relabelled = await intake(circleEvent(job, { type: "workflow-completed" }));
            assert.equal(relabelled.statusCode, 202);
            assert.deepEqual(bodyOf(relabelled), { status: "ignored", reason: 'CircleCI event "job-completed" is not handled' });
            const numbered = await intake(circleEvent({ ...job, type: 5 }, { type: "workflow-completed" }));
            assert.deepEqual(bodyOf(numbered), { status: "ignored", reason: 'CircleCI event "(not a string)" is not handled' });
            assert.equal(queue.sends, 0);
            const { type: _none, ...untyped } = workflowCompleted({ sha: SHA });
            assert.equal((await intake(circleEvent(untyped, { type: "workflow-completed" }))).statusCode, 202);
            assert.equal(queue.sends, 1, "a body without a type is judged by the header");
        });

        it("ignores unknown event types with 202 and answers GitHub's ping", async () => {
            const { intake, queue } = setup();
            assert.equal((await intake(circleEvent({ id: "j1", type: "job-completed" }, { type: "job-completed" }))).statusCode, 202);
            assert.equal((await intake(gitHubEvent({ ref: "refs/heads/main" }, { event: "push" }))).statusCode, 202);
            const ping = await intake(gitHubEvent({ zen: "Keep it logically awesome.", hook_id: 1 }, { event: "ping" }));
            assert.equal(ping.statusCode, 200);
            assert.equal(bodyOf(ping).status, "pong");
            assert.equal(queue.sends, 0);
        });

        it("ignores chat, edits and other repositories; CircleCI's other projects, unfinished and non-deploy workflows, saying which with at most 40 characters of what the sender named (80 of a workflow's name)", async () => {
            const { intake, comment, queue } = setup();
            const long = (c: string) => c.repeat(100);
            const staging = { body: "/conveyor release staging", login: "alice", issue: 1 };
            const { vcs: _gitLab, ...noCommit } = workflowCompleted({ sha: SHA }).pipeline as Record<string, unknown>;
            const cases: [string, ReturnType<typeof httpEvent>, number, string][] = [
                ["chat", gitHubEvent(comment({ ...staging, body: "LGTM, ship it" })), 200, "not a command"],
                ["an edit", gitHubEvent(comment({ ...staging, action: "edited" })), 200, "comment edited, only new comments are commands"],
                [
                    "an action",
                    gitHubEvent(comment({ ...staging, action: long("a") })),
                    200,
                    `comment ${long("a").slice(0, 40)}, only new comments are commands`,
                ],
                ["another repository", gitHubEvent(comment({ ...staging, repo: `${OPS.owner}/billing` })), 202, "not the ops repository"],
                ["another owner's ops", gitHubEvent(comment({ ...staging, repo: "someone-else/ops" })), 202, "not the ops repository"],
                [
                    "a GitHub event",
                    gitHubEvent({ zen: "hi" }, { event: long("e") }),
                    202,
                    `GitHub event "${long("e").slice(0, 40)}" is not handled`,
                ],
                [
                    "a CircleCI event",
                    circleEvent({ ...workflowCompleted({ sha: SHA }), type: long("t") }, { type: long("t") }),
                    202,
                    `CircleCI event "${long("t").slice(0, 40)}" is not handled`,
                ],
                [
                    "another project",
                    circleEvent(workflowCompleted({ sha: SHA, slug: `gh/${OPS.owner}/billing` })),
                    202,
                    "not the ops repository's project",
                ],
                [
                    "on hold",
                    circleEvent(workflowCompleted({ sha: SHA, status: "on_hold" })),
                    202,
                    "workflow status on_hold is not a deploy's end",
                ],
                [
                    "running",
                    circleEvent(workflowCompleted({ sha: SHA, status: "running" })),
                    202,
                    "workflow status running is not a deploy's end",
                ],
                [
                    "a status",
                    circleEvent(workflowCompleted({ sha: SHA, status: long("s") })),
                    202,
                    `workflow status ${long("s").slice(0, 40)} is not a deploy's end`,
                ],
                [
                    "a drift check",
                    circleEvent(workflowCompleted({ sha: SHA, name: "nightly-drift", status: "failed" })),
                    202,
                    "workflow nightly-drift does not deploy",
                ],
                [
                    "a workflow",
                    circleEvent(workflowCompleted({ sha: SHA, name: long("w") })),
                    202,
                    `workflow ${long("w").slice(0, 80)} does not deploy`,
                ],
                [
                    "a pipeline without a commit",
                    circleEvent({ ...workflowCompleted({ sha: SHA }), pipeline: noCommit }),
                    202,
                    "the pipeline names no commit (not a GitHub OAuth project)",
                ],
            ];
            for (const [what, event, statusCode, reason] of cases) {
                const res = await intake(event);
                assert.equal(res.statusCode, statusCode, what);
                assert.deepEqual(bodyOf(res), { status: "ignored", reason }, what);
            }
            assert.equal(queue.sends, 0);
        });

        it("refuses an environment argument that is not a stack name, without repeating it", async () => {
            const { intake, comment, queue } = setup();
            for (const body of [
                "/conveyor release `@acme-saas/owners`",
                "/conveyor release @acme-saas/owners",
                "/conveyor rollback [prod](https://evil.example)",
                "/conveyor release org",
                "/conveyor release <img>",
            ]) {
                const res = await intake(gitHubEvent(comment({ body, login: "alice", issue: 3 })));
                assert.equal(res.statusCode, 200);
                assert.deepEqual(bodyOf(res), { status: "refused", reason: NOT_A_STACK_NAME }, body);
            }
            assert.equal(queue.sends, 0);
        });

        it("refuses commands from bots unless configured", async () => {
            const { intake, comment, queue, queued } = setup({ commandBots: ["release-bot[bot]"] });
            const refused = await intake(gitHubEvent(comment({ body: "/conveyor release staging", login: "renovate[bot]", issue: 4 })));
            assert.equal(bodyOf(refused).status, "refused");
            assert.match(String(bodyOf(refused).reason), /bots run only when configured/);
            assert.equal(queue.sends, 0);
            assert.equal(
                (
                    await intake(
                        gitHubEvent(comment({ body: "/conveyor release staging", login: "release-bot[bot]", issue: 4, commentId: 9 })),
                    )
                ).statusCode,
                202,
            );
            assert.deepEqual(
                queued().map((q) => q.kind === "command" && [q.login, q.allowedBot]),
                [["release-bot[bot]", true]],
            );
        });

        it("refuses a command older than the deduplication window, or dated in the future", async () => {
            const { intake, comment, clock, queue } = setup();
            const old = await intake(
                gitHubEvent(
                    comment({
                        body: "/conveyor release staging",
                        login: "alice",
                        issue: 5,
                        createdAt: new Date(clock.now - MAX_COMMAND_AGE_MS - 1_000),
                    }),
                ),
            );
            assert.equal(bodyOf(old).status, "refused");
            assert.match(String(bodyOf(old).reason), /written 24[12] s ago; commands are taken for 4 minutes/);
            const future = await intake(
                gitHubEvent(
                    comment({ body: "/conveyor release staging", login: "alice", issue: 5, createdAt: new Date(clock.now + 5 * 60_000) }),
                ),
            );
            assert.equal(bodyOf(future).status, "refused");
            const stale = await intake(
                circleEvent(workflowCompleted({ sha: SHA, happenedAt: new Date(clock.now - MAX_EVENT_AGE_MS - 60_000) })),
            );
            assert.equal(bodyOf(stale).status, "refused");
            assert.equal(queue.sends, 0);
        });
    });

    describe("queues the work, once per signed identity", () => {
        it("takes a signed delivery without its event header for what its signature says: GitHub's is ignored, CircleCI's is typed by its body", async () => {
            const { intake, queued } = setup();
            const github = JSON.stringify({ zen: "Keep it logically awesome." });
            const bare = await intake(httpEvent({ "x-hub-signature-256": signGitHub(WEBHOOK_SECRETS.github, github) }, github));
            assert.equal(bare.statusCode, 202);
            assert.deepEqual(bodyOf(bare), { status: "ignored", reason: 'GitHub event "" is not handled' });
            const circle = JSON.stringify(workflowCompleted({ id: "evt-untyped", sha: SHA }));
            const untyped = await intake(httpEvent({ "circleci-signature": signCircleCi(WEBHOOK_SECRETS.circleci, circle) }, circle));
            assert.equal(untyped.statusCode, 202);
            assert.equal(bodyOf(untyped).status, "queued");
            assert.deepEqual(
                queued().map((q) => q.kind === "deploy-finished" && q.eventId),
                ["evt-untyped"],
            );
        });

        it("takes a command up to 4 minutes old or a minute ahead of its clock, a CircleCI event up to an hour old, and says how late a refused event was", async () => {
            const { intake, comment, clock, queued } = setup();
            clock.now = Date.parse("2026-12-04T08:00:00Z");
            const at = (ms: number) => new Date(clock.now + ms);
            const ask = (commentId: number, createdAt: Date) =>
                intake(gitHubEvent(comment({ body: "/conveyor release staging", login: "alice", issue: 5, commentId, createdAt })));
            assert.equal(bodyOf(await ask(1, at(-4 * 60_000))).status, "queued");
            assert.equal(bodyOf(await ask(2, at(60_000))).status, "queued");
            assert.equal(bodyOf(await ask(3, at(-4 * 60_000 - 1_000))).status, "refused");
            assert.equal(bodyOf(await ask(4, at(61_000))).status, "refused");
            const event = (happenedAt: Date) => intake(circleEvent(workflowCompleted({ sha: SHA, happenedAt })));
            assert.equal(bodyOf(await event(at(-60 * 60_000))).status, "queued");
            const late = await event(at(-61 * 60_000));
            assert.deepEqual(bodyOf(late), {
                status: "refused",
                reason: "the event happened 61 minutes ago; events are taken for 60 minutes (a replay is refused)",
            });
            assert.deepEqual(
                queued().map((q) => q.kind),
                ["command", "command", "deploy-finished"],
            );
        });

        it("a command: 202, one message in the one group, with the comment's identity and nothing of the body but the command", async () => {
            const { intake, comment, queue, queued } = setup();
            const res = await intake(
                gitHubEvent(comment({ body: "  /conveyor release staging \n", login: "alice", issue: 7, commentId: 4242 })),
            );
            assert.equal(res.statusCode, 202);
            assert.equal(bodyOf(res).status, "queued");
            assert.equal(queue.depth, 1);
            const [item] = queued();
            assert.deepEqual(
                { ...item, createdAt: undefined },
                {
                    kind: "command",
                    commentId: 4242,
                    createdAt: undefined,
                    issue: 7,
                    login: "alice",
                    allowedBot: false,
                    mode: "release",
                    env: "staging",
                },
            );
            assert.match(queue.messages[0].deduplicationId, /^[0-9a-f]{64}$/);
        });

        it("the same signed body with a new delivery header is the same message: the queue keeps one", async () => {
            const { intake, comment, queue } = setup();
            const c = comment({ body: "/conveyor release staging", login: "alice", issue: 7 });
            const answers = [];
            for (let i = 0; i < 5; i++) answers.push(await intake(gitHubEvent(c, { delivery: `replay-${i}` })));
            assert.deepEqual(
                answers.map((a) => a.statusCode),
                [202, 202, 202, 202, 202],
            );
            assert.equal(new Set(answers.map((a) => bodyOf(a).id)).size, 1, "one deduplication id whatever the header");
            assert.equal(queue.sends, 5);
            assert.equal(queue.depth, 1);
            // Another comment with the same text is another command.
            await intake(gitHubEvent(comment({ body: "/conveyor release staging", login: "alice", issue: 7, commentId: 99 })));
            assert.equal(queue.depth, 2);
        });

        it("a CircleCI event: keyed on its event id, so a redelivery is dropped", async () => {
            const { intake, queue, queued } = setup();
            const payload = workflowCompleted({ id: "evt-1", sha: SHA, status: "failed" });
            assert.equal((await intake(circleEvent(payload))).statusCode, 202);
            assert.equal((await intake(circleEvent(payload, { base64: true }))).statusCode, 202);
            assert.equal(queue.depth, 1);
            const [item] = queued();
            assert.equal(item.kind, "deploy-finished");
            assert.deepEqual(item.kind === "deploy-finished" && [item.eventId, item.sha, item.branch, item.workflow.status], [
                "evt-1",
                SHA,
                "main",
                "failed",
            ]);
        });

        it("answers 503 when the queue does not take the message, so the sender may retry, and logs why", async () => {
            const { intake, comment, records } = setup({ enqueue: async () => Promise.reject(new Error("ServiceUnavailable")) });
            const res = await intake(gitHubEvent(comment({ body: "/conveyor release staging", login: "alice", issue: 1 })));
            assert.equal(res.statusCode, 503);
            assert.deepEqual(bodyOf(res), { status: "unavailable", reason: "the work queue did not take the event; send it again" });
            assert.deepEqual(records, [
                { message: "could not queue command: ServiceUnavailable", kind: "command" },
                { message: "github webhook: 503 unavailable", sender: "github", statusCode: 503, status: "unavailable" },
            ]);
        });

        it("fails loudly on an event that is not a function URL request", async () => {
            const { intake } = setup();
            await assert.rejects(intake({ source: "aws.events" }), /not a function URL request/);
        });
    });

    describe("its settings", () => {
        const env = {
            GITHUB_WEBHOOK_SECRET_ARN: "arn:aws:secretsmanager:eu-west-3:123456789012:secret:github-hook",
            CIRCLECI_WEBHOOK_SECRET_ARN: "arn:aws:secretsmanager:eu-west-3:123456789012:secret:circleci-hook",
            WORK_QUEUE_URL: "https://sqs.eu-west-3.amazonaws.com/123456789012/release-controller-queue.fifo",
            OPS_OWNER: OPS.owner,
            OPS_REPO: "ops",
            DEPLOY_WORKFLOWS: "deploy, deploy-prod",
            COMMAND_BOTS: "release-bot[bot]",
        };

        it("come from the environment, without touching AWS until a request needs a secret", () => {
            const deps = intakeDepsFromEnv(env);
            assert.deepEqual(deps.ops, OPS);
            assert.deepEqual(deps.deployWorkflows, ["deploy", "deploy-prod"]);
            assert.deepEqual(deps.commandBots, ["release-bot[bot]"]);
            assert.equal(
                Object.keys(require.cache).some((k) => k.includes("@aws-sdk")),
                false,
            );
        });

        it("take every workflow of the ops project as a deploy when DEPLOY_WORKFLOWS is unset", async () => {
            const { DEPLOY_WORKFLOWS: _unset, ...allDeploy } = env;
            const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
            for (const [settings, expected] of [
                [env, "ignored"],
                [allDeploy, "queued"],
            ] as const) {
                const sent: WorkItem[] = [];
                const intake = createIntake({
                    ...intakeDepsFromEnv(settings),
                    webhookSecrets: async () => WEBHOOK_SECRETS,
                    enqueue: async (item) => void sent.push(item),
                    log: quiet,
                });
                const res = await intake(circleEvent(workflowCompleted({ sha: SHA, name: "hotfix" })));
                assert.equal(bodyOf(res).status, expected, String(expected));
                assert.equal(sent.length, expected === "queued" ? 1 : 0);
            }
        });

        it("name the missing variable", () => {
            const { WORK_QUEUE_URL: _dropped, ...partial } = env;
            assert.throws(
                () => intakeDepsFromEnv(partial),
                (e: Error) => e instanceof MissingSettingError && /WORK_QUEUE_URL is not set/.test(e.message),
            );
        });
    });
});
