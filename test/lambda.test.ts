// The Lambda handler against the loopback fakes: the scheduled train, the CircleCI and GitHub webhooks, and
// the remote workspace it reads the config from.
import * as assert from "node:assert/strict";
import { parseWorkspace } from "../components/config";
import { RELEASE_CONTROLLER_ENV, SCHEDULE_EVENT } from "../components/release-controller/env";
import { CircleCi } from "../release/circleci";
import { createGitHub } from "../release/github";
import { createHandler, depsFromEnv, handler, MissingSettingError, type HttpResponse, type LambdaDeps, type Secrets, type TrainSummary } from "../release/lambda";
import { releaseBranch } from "../release/pr";
import { loadRemoteWorkspace } from "../release/remote-workspace";
import { MAX_BODY_BYTES, signCircleCi, signGitHub } from "../release/webhooks";
import { FAKE_CIRCLECI_TOKEN } from "./fakes/circleci";
import { faults } from "./fakes/github";
import { OWNER, releaseAndMerge, startWorld, TOKEN, type World } from "./release-world";
import { repoFiles } from "./workspace-fixture";

const SECRETS: Secrets = {
    githubToken: TOKEN,
    circleciToken: FAKE_CIRCLECI_TOKEN,
    githubWebhookSecret: "github-hook-secret",
    circleciWebhookSecret: "circleci-hook-secret",
};
const OPS = { owner: OWNER, repo: "ops" };
/** A Friday at the train's hour in the org's time zone (Europe/Paris): staging and demo are due. */
const FRIDAY = new Date("2026-12-04T07:00:00+01:00");
const BUILD_URL = "https://app.circleci.com/pipelines/github/acme-saas/ops/130/workflows/fda08377";

interface Harness {
    readonly handle: (event: unknown) => Promise<HttpResponse>;
    readonly schedule: () => Promise<TrainSummary>;
    readonly published: { subject: string; message: string }[];
    readonly logs: string[];
}

function harness(w: World, overrides: Partial<LambdaDeps> = {}): Harness {
    const published: Harness["published"] = [];
    const logs: string[] = [];
    const handler = createHandler({
        secrets: async () => SECRETS,
        gitHub: (token) => createGitHub({ token, baseUrl: w.github.url, throttle: false, retryAfterBaseMs: 10 }),
        circleCi: (token) => new CircleCi({ token, baseUrl: w.circle.url, retryBaseMs: 1 }),
        ops: OPS,
        loadWorkspace: async () => w.workspace,
        publish: async (subject, message) => void published.push({ subject, message }),
        gitHubApiUrl: w.github.url,
        now: () => FRIDAY,
        log: { info: (m) => logs.push(m), warn: (m) => logs.push(m), error: (m) => logs.push(m) },
        ...overrides,
    });
    return {
        handle: async (event) => (await handler(event)) as HttpResponse,
        schedule: async () => (await handler({ ...SCHEDULE_EVENT })) as TrainSummary,
        published,
        logs,
    };
}

function httpEvent(headers: Record<string, string>, body: string, options: { method?: string; base64?: boolean } = {}) {
    return {
        version: "2.0",
        rawPath: "/",
        headers: { "content-type": "application/json", ...headers },
        body: options.base64 ? Buffer.from(body).toString("base64") : body,
        isBase64Encoded: options.base64 ?? false,
        requestContext: { http: { method: options.method ?? "POST", path: "/", sourceIp: "192.0.2.1" } },
    };
}

const bodyOf = (r: HttpResponse): { status: string; [k: string]: unknown } => JSON.parse(r.body);

interface WorkflowInit {
    readonly id?: string;
    readonly status?: string;
    readonly sha: string;
    readonly branch?: string;
    readonly slug?: string;
    readonly name?: string;
    readonly workflowId?: string;
}

let eventCounter = 0;

/** A deploy workflow on the ops repository's CircleCI project, its jobs in the pipeline's order; returns its id. */
function failedDeploy(w: World, sha: string, jobs: Record<string, "success" | "failed" | "blocked" | "not_run">): string {
    const pipeline = w.circle.addPipeline(`gh/${OWNER}/ops`, {
        number: 130 + w.circle.pipelines(`gh/${OWNER}/ops`).length,
        revision: sha,
        workflows: [{ name: "deploy", status: "failed", jobs: Object.entries(jobs).map(([name, status]) => ({ name, status })) }],
    });
    return pipeline.workflows[0].id;
}

/** A workflow-completed payload in the shape of CircleCI's documented sample (GitHub OAuth projects). */
function workflowCompleted(w: WorkflowInit): Record<string, unknown> {
    return {
        id: w.id ?? `event-${++eventCounter}`,
        type: "workflow-completed",
        happened_at: "2026-12-04T08:12:01.000Z",
        webhook: { id: "cf8c4fdd-0587-4da1-b4ca-4846e9640af9", name: "conveyor release controller" },
        project: { id: "84996744-a854-4f5e-aea3-04e2851dc1d2", name: "ops", slug: w.slug ?? `gh/${OWNER}/ops` },
        organization: { id: "f22b6566-597d-46d5-ba74-99ef5bb3d85c", name: OWNER },
        workflow: {
            id: w.workflowId ?? "fda08377-fe7e-46b1-8992-3a7aaecac9c3",
            name: w.name ?? "deploy",
            created_at: "2026-12-04T08:02:00.000Z",
            stopped_at: "2026-12-04T08:12:00.000Z",
            url: BUILD_URL,
            status: w.status ?? "success",
        },
        pipeline: {
            id: "1285fe1d-d3a6-44fc-8886-8979558254c4",
            number: 130,
            created_at: "2026-12-04T08:01:58.000Z",
            trigger: { type: "webhook" },
            vcs: { provider_name: "github", origin_repository_url: `https://github.com/${OWNER}/ops`, revision: w.sha, branch: w.branch ?? "main" },
        },
    };
}

function circleEvent(payload: unknown, options: { secret?: string; signature?: string; type?: string; base64?: boolean } = {}) {
    const body = JSON.stringify(payload);
    const signature = options.signature ?? signCircleCi(options.secret ?? SECRETS.circleciWebhookSecret, body);
    return httpEvent({ "circleci-event-type": options.type ?? "workflow-completed", "circleci-signature": signature, "user-agent": "CircleCI-Webhook/1.0" }, body, { base64: options.base64 });
}

interface CommentInit {
    readonly body: string;
    readonly login: string;
    readonly issue: number;
    readonly delivery?: string;
    readonly action?: string;
    readonly repo?: string;
    readonly commentId?: number;
    readonly createdAt?: string;
}

function commentPayload(c: CommentInit): Record<string, unknown> {
    const [owner, name] = (c.repo ?? `${OWNER}/ops`).split("/");
    return {
        action: c.action ?? "created",
        issue: { number: c.issue, title: "Release request", state: "open" },
        comment: {
            id: c.commentId ?? 5000 + c.issue,
            body: c.body,
            created_at: c.createdAt ?? FRIDAY.toISOString(),
            user: { login: c.login, type: c.login.endsWith("[bot]") ? "Bot" : "User" },
            author_association: "MEMBER",
        },
        repository: { id: 1, name, full_name: `${owner}/${name}`, owner: { login: owner, type: "Organization" } },
        sender: { login: c.login, type: "User" },
    };
}

function gitHubEvent(payload: unknown, options: { event?: string; delivery?: string; secret?: string; signature?: string | null } = {}) {
    const body = JSON.stringify(payload);
    const headers: Record<string, string> = {
        "x-github-event": options.event ?? "issue_comment",
        "x-github-delivery": options.delivery ?? `delivery-${++eventCounter}`,
        "x-github-hook-id": "1",
        "user-agent": "GitHub-Hookshot/abc",
    };
    if (options.signature !== null) headers["x-hub-signature-256"] = options.signature ?? signGitHub(options.secret ?? SECRETS.githubWebhookSecret, body);
    return httpEvent(headers, body);
}

const requestsTo = (w: World): number => w.github.requests.length + w.circle.requests.length;

function clearRequests(w: World): void {
    w.github.clearRequests();
    w.circle.clearRequests();
}

describe("the Lambda handler", function () {
    this.timeout(60_000);
    let w: World;
    beforeEach(async () => {
        w = await startWorld();
    });
    afterEach(() => w.close());


    const releasePr = (env: string) => w.ops.pulls.find((p) => p.head === releaseBranch(env))!;

    describe("authentication and malformed requests", () => {
        it("answers 401 to bad, missing and replayed-onto-another-body signatures, before any request to GitHub or CircleCI", async () => {
            const h = harness(w);
            const payload = workflowCompleted({ sha: "a".repeat(40) });
            const other = JSON.stringify(workflowCompleted({ sha: "b".repeat(40) }));
            const comment = commentPayload({ body: "/conveyor release staging", login: "alice", issue: 1 });
            const refused = [
                circleEvent(payload, { signature: "" }),
                circleEvent(payload, { secret: "not-the-secret" }),
                circleEvent(payload, { signature: signCircleCi(SECRETS.circleciWebhookSecret, other) }),
                circleEvent(payload, { signature: "v1=deadbeef" }),
                circleEvent(payload, { secret: SECRETS.githubWebhookSecret }),
                gitHubEvent(comment, { signature: null }),
                gitHubEvent(comment, { secret: "not-the-secret" }),
                gitHubEvent(comment, { signature: signGitHub(SECRETS.githubWebhookSecret, JSON.stringify({ ...comment, action: "edited" })) }),
                gitHubEvent(comment, { secret: SECRETS.circleciWebhookSecret }),
                httpEvent({}, JSON.stringify(payload)),
            ];
            for (const [i, event] of refused.entries()) {
                const res = await h.handle(event);
                assert.equal(res.statusCode, 401, `case ${i}`);
                assert.deepEqual(bodyOf(res), { status: "unauthorized" }, `case ${i}`);
            }
            // A valid signature with the header removed is no better than none.
            const unsigned = circleEvent(payload);
            delete (unsigned.headers as Record<string, string>)["circleci-signature"];
            assert.equal((await h.handle(unsigned)).statusCode, 401);
            assert.equal(requestsTo(w), 0);
        });

        it("answers 405 to other methods, 413 to a body over 1 MiB, 400 to a signed body that is not JSON or lacks fields", async () => {
            const h = harness(w);
            const get = await h.handle(httpEvent({}, "", { method: "GET" }));
            assert.equal(get.statusCode, 405);
            assert.equal(get.headers.allow, "POST");

            const huge = JSON.stringify({ id: "big", pad: "x".repeat(MAX_BODY_BYTES) });
            const big = await h.handle(httpEvent({ "circleci-event-type": "workflow-completed", "circleci-signature": signCircleCi(SECRETS.circleciWebhookSecret, huge) }, huge));
            assert.equal(big.statusCode, 413);
            const bigBase64 = await h.handle(httpEvent({ "x-github-event": "issue_comment", "x-hub-signature-256": signGitHub(SECRETS.githubWebhookSecret, huge) }, huge, { base64: true }));
            assert.equal(bigBase64.statusCode, 413);

            const notJson = "{not json";
            const circleBad = await h.handle(httpEvent({ "circleci-event-type": "workflow-completed", "circleci-signature": signCircleCi(SECRETS.circleciWebhookSecret, notJson) }, notJson));
            assert.equal(circleBad.statusCode, 400);
            const ghBad = await h.handle(httpEvent({ "x-github-event": "issue_comment", "x-hub-signature-256": signGitHub(SECRETS.githubWebhookSecret, notJson) }, notJson));
            assert.equal(ghBad.statusCode, 400);

            const { workflow: _dropped, ...noWorkflow } = workflowCompleted({ sha: "a".repeat(40) });
            const missing = await h.handle(circleEvent(noWorkflow));
            assert.equal(missing.statusCode, 400);
            assert.match(String(bodyOf(missing).reason), /workflow/);
            assert.equal((await h.handle(gitHubEvent({ action: "created" }))).statusCode, 400);
            assert.equal(requestsTo(w), 0);
        });

        it("verifies a base64-encoded body on its decoded bytes", async () => {
            const h = harness(w);
            const res = await h.handle(circleEvent(workflowCompleted({ sha: "a".repeat(40), slug: "gh/acme-saas/billing" }), { base64: true }));
            assert.equal(res.statusCode, 202);
        });

        it("ignores unknown event types with 202 and answers GitHub's ping, writing nothing", async () => {
            const h = harness(w);
            const job = await h.handle(circleEvent({ id: "j1", type: "job-completed" }, { type: "job-completed" }));
            assert.equal(job.statusCode, 202);
            assert.equal(bodyOf(job).status, "ignored");
            const push = await h.handle(gitHubEvent({ ref: "refs/heads/main" }, { event: "push" }));
            assert.equal(push.statusCode, 202);
            const ping = await h.handle(gitHubEvent({ zen: "Keep it logically awesome.", hook_id: 1 }, { event: "ping" }));
            assert.equal(ping.statusCode, 200);
            assert.equal(bodyOf(ping).status, "pong");
            assert.equal(requestsTo(w), 0);
        });

        it("fails loudly on an event that is neither the schedule nor a function URL request", async () => {
            const h = harness(w);
            await assert.rejects(h.handle({ source: "aws.events", "detail-type": "Scheduled Event" }), /not a scheduled run nor a function URL request/);
        });
    });

    describe("CircleCI workflow-completed", () => {
        it("success: the merged release PR is labelled deployed and every issue commented; a replay is a duplicate that reads nothing", async () => {
            const sha = await releaseAndMerge(w, "staging");
            const h = harness(w);
            const event = circleEvent(workflowCompleted({ id: "evt-success", sha }));
            const res = await h.handle(event);
            assert.equal(res.statusCode, 200, res.body);
            assert.deepEqual(bodyOf(res), { status: "deployed", environments: ["staging"] });

            const pr = releasePr("staging");
            assert.ok(w.ops.issueLabelNames(pr.number).includes("deployed"));
            assert.match(w.ops.issueComments(pr.number).map((c) => c.body).join("\n"), new RegExp(`Deployed to \\*\\*staging\\*\\* \\(\\[build\\]\\(${BUILD_URL.replace(/[.]/g, "\\.")}\\)\\)`));
            let issues = 0;
            for (const repo of w.repos.values()) {
                for (const issue of repo.issues.filter((i) => !repo.pulls.some((p) => p.number === i.number))) {
                    assert.equal(repo.issueComments(issue.number).length, 1, `${repo.name}#${issue.number}`);
                    assert.deepEqual(repo.issueLabelNames(issue.number), ["workflow/test"]);
                    issues++;
                }
            }
            assert.equal(issues, 18);

            clearRequests(w);
            const replay = await h.handle(event);
            assert.equal(replay.statusCode, 200);
            assert.deepEqual(bodyOf(replay), { status: "duplicate" });
            assert.equal(requestsTo(w), 0);
        });

        it("failure: one comment on the release PR and one message to the owners; a replay adds neither, even after a cold start", async () => {
            const sha = await releaseAndMerge(w, "staging");
            const h = harness(w);
            const workflowId = failedDeploy(w, sha, { "deploy-org": "success", "deploy-staging": "failed" });
            const event = circleEvent(workflowCompleted({ id: "evt-failed", sha, status: "failed", workflowId }));
            const res = await h.handle(event);
            assert.equal(res.statusCode, 200, res.body);
            const pr = releasePr("staging");
            assert.deepEqual(bodyOf(res), { status: "failure-reported", deployed: [], failed: ["staging"], notRun: [], pulls: [pr.number] });

            const comments = w.ops.issueComments(pr.number);
            assert.equal(comments.length, 1);
            assert.match(comments[0].body, /^<!-- conveyor:deploy-failed env=staging -->\nDeploy of \*\*staging\*\* failed: job \[deploy-staging\]\(https:\/\/app\.circleci\.com\/.+\/jobs\/\d+\) \(failed\) of \[deploy\]\(https:\/\/app\.circleci\.com\/.+\)\.$/);
            assert.equal(w.ops.issueLabelNames(pr.number).includes("deployed"), false);
            assert.equal(h.published.length, 1);
            assert.equal(h.published[0].subject, "conveyor: deploy of staging failed");
            assert.match(h.published[0].message, new RegExp(`${OWNER}/ops/pull/${pr.number}`));
            assert.match(h.published[0].message, /Build: https:\/\/app\.circleci\.com\//);

            w.github.clearRequests();
            assert.deepEqual(bodyOf(await h.handle(event)), { status: "duplicate" });
            assert.equal(w.github.writes(), 0);
            assert.equal(h.published.length, 1);

            // A new instance has forgotten the id: the comment is found by its marker and left alone, and the
            // owners, who were told of exactly this failure, are not told again.
            const cold = harness(w);
            assert.equal((await cold.handle(event)).statusCode, 200);
            assert.equal(w.ops.issueComments(pr.number).length, 1);
            assert.equal(w.github.writes(), 0);
            assert.equal(cold.published.length, 0);
        });

        it("ignores other projects, other branches, unfinished workflows and commits that deploy nothing, with 202", async () => {
            const sha = await releaseAndMerge(w, "staging");
            const h = harness(w);
            const cases: [WorkflowInit, RegExp][] = [
                [{ sha, slug: `gh/${OWNER}/billing` }, /not the ops repository/],
                [{ sha, branch: "release-demo" }, /branch release-demo is not main/],
                [{ sha, status: "on_hold" }, /not a deploy's end/],
                [{ sha: w.ops.commit("main", { message: "Docs", files: { "README.md": "hi\n" } }), status: "failed" }, /deploys nothing/],
            ];
            clearRequests(w);
            for (const [init, reason] of cases) {
                const res = await h.handle(circleEvent(workflowCompleted(init)));
                assert.equal(res.statusCode, 202, JSON.stringify(init));
                assert.match(String(bodyOf(res).reason), reason);
            }
            assert.equal(w.github.writes(), 0);
            assert.equal(h.published.length, 0);
        });

        it("only counts the deploy workflows when they are named", async () => {
            const sha = await releaseAndMerge(w, "staging");
            const h = harness(w, { deployWorkflows: ["deploy"] });
            const drift = await h.handle(circleEvent(workflowCompleted({ sha, name: "nightly-drift", status: "failed" })));
            assert.equal(drift.statusCode, 202);
            assert.equal(h.published.length, 0);
            assert.equal((await h.handle(circleEvent(workflowCompleted({ sha, name: "deploy" })))).statusCode, 200);
        });

        it("a failing post-deploy action is thrown and not remembered, so CircleCI's redelivery does it again", async () => {
            const sha = await releaseAndMerge(w, "staging");
            const h = harness(w);
            w.github.fail({ method: "POST", path: /\/labels$/ }, faults.validationFailed([{ resource: "Label", code: "invalid" }]));
            const event = circleEvent(workflowCompleted({ id: "evt-retry", sha }));
            await assert.rejects(h.handle(event), /post-deploy actions failed: staging/);
            const again = await h.handle(event);
            assert.equal(again.statusCode, 200);
            assert.ok(w.ops.issueLabelNames(releasePr("staging").number).includes("deployed"));
        });
    });

    describe("the scheduled train", () => {
        it("on a Friday opens the staging and demo release PRs and logs one line per environment", async () => {
            const h = harness(w);
            const summary = await h.schedule();
            assert.deepEqual(
                summary.runs.map((r) => r.env),
                ["staging", "demo", "prod"],
            );
            assert.match(summary.runs[0].result, /^release PR opened: /);
            assert.match(summary.runs[1].result, /^release PR opened: /);
            assert.match(summary.runs[2].result, /^not due: releases on monday, not friday/);
            assert.ok(releasePr("staging"));
            assert.ok(releasePr("demo"));
            assert.equal(w.ops.pulls.some((p) => p.head === releaseBranch("prod")), false);
            assert.equal(h.logs.filter((l) => l.startsWith("release train: ")).length, 3);
        });

        it("throws when an environment failed, after releasing the others", async () => {
            const h = harness(w);
            w.github.fail({ method: "POST", path: /\/pulls$/ }, faults.badGateway());
            await assert.rejects(h.schedule(), /release train: staging failed/);
            assert.ok(releasePr("demo"), "demo released despite staging");
        });
    });

    describe("GitHub slash commands", () => {
        it("from a writer: runs the release and answers with the PR link; a redelivery is a duplicate", async () => {
            const h = harness(w);
            w.ops.setPermission("alice", "write");
            const issue = w.ops.addIssue("Ship the billing fix to staging");
            const event = gitHubEvent(commentPayload({ body: "/conveyor release staging", login: "alice", issue: issue.number }));
            const res = await h.handle(event);
            assert.equal(res.statusCode, 200, res.body);
            const pr = releasePr("staging");
            assert.ok(pr, "release PR opened");
            const answer = bodyOf(res);
            assert.equal(answer.status, "opened");
            assert.match(String(answer.pr), new RegExp(`/pull/${pr.number}$`));
            const comments = w.ops.issueComments(issue.number);
            assert.equal(comments.length, 1);
            assert.match(comments[0].body, new RegExp(`^<!-- conveyor:answer comment=\\d+ -->\\n@alice: Release PR for \\*\\*staging\\*\\* opened: .*/pull/${pr.number}$`));

            clearRequests(w);
            assert.deepEqual(bodyOf(await h.handle(event)), { status: "duplicate" });
            assert.equal(requestsTo(w), 0);
        });

        it("from a maintainer after the same command: says the PR is up to date, in the answer to that comment", async () => {
            const h = harness(w);
            w.ops.setPermission("carol", "maintain");
            const issue = w.ops.addIssue("Release");
            await h.handle(gitHubEvent(commentPayload({ body: "/conveyor release staging", login: "carol", issue: issue.number, commentId: 1 })));
            const res = await h.handle(gitHubEvent(commentPayload({ body: "/conveyor release staging", login: "carol", issue: issue.number, commentId: 2 })));
            assert.equal(bodyOf(res).status, "unchanged");
            const answers = w.ops.issueComments(issue.number);
            assert.equal(answers.length, 2, "one answer per command");
            assert.match(answers[1].body, /already up to date/);
        });

        it("from a reader: a polite refusal and no release", async () => {
            const h = harness(w);
            w.ops.setPermission("bob", "read");
            const issue = w.ops.addIssue("Please release");
            const res = await h.handle(gitHubEvent(commentPayload({ body: "/conveyor release staging", login: "bob", issue: issue.number })));
            assert.equal(res.statusCode, 200);
            assert.equal(bodyOf(res).status, "refused");
            assert.equal(w.ops.pulls.length, 0);
            const comments = w.ops.issueComments(issue.number);
            assert.equal(comments.length, 1);
            assert.match(comments[0].body, /Sorry @bob, `\/conveyor release staging` needs write permission on acme-saas\/ops, and yours is "read"/);
            assert.equal(w.github.writes(), 1, "the refusal is the only write");
            assert.equal(w.circle.requests.length, 0);
        });

        it("from someone GitHub does not know as a collaborator: refused the same way", async () => {
            const h = harness(w);
            const issue = w.ops.addIssue("Please release");
            const res = await h.handle(gitHubEvent(commentPayload({ body: "/conveyor rollback prod", login: "stranger", issue: issue.number })));
            assert.equal(bodyOf(res).status, "refused");
            assert.match(w.ops.issueComments(issue.number)[0].body, /yours is "none"/);
        });

        it("an unknown environment: a comment listing the environments", async () => {
            const h = harness(w);
            w.ops.setPermission("alice", "admin");
            const issue = w.ops.addIssue("Release globex-prod");
            const res = await h.handle(gitHubEvent(commentPayload({ body: "/conveyor release globex-prod", login: "alice", issue: issue.number })));
            assert.equal(bodyOf(res).status, "unknown-environment");
            assert.match(w.ops.issueComments(issue.number)[0].body, /there is no environment "globex-prod"\. The environments are: `staging`, `demo`, `prod`\. For example: `\/conveyor release staging`/);
            assert.equal(w.ops.pulls.length, 0);
        });

        it("a rollback with nothing to roll back to: the reason, as an answer", async () => {
            const h = harness(w);
            w.ops.setPermission("alice", "write");
            const issue = w.ops.addIssue("Roll back");
            const res = await h.handle(gitHubEvent(commentPayload({ body: "/conveyor rollback staging", login: "alice", issue: issue.number })));
            assert.equal(bodyOf(res).status, "refused");
            assert.match(w.ops.issueComments(issue.number)[0].body, /was refused: Pulumi\.staging\.yaml: no earlier release/);
        });

        it("refuses an environment argument that is not a stack name before reading or writing anything", async () => {
            const h = harness(w);
            w.ops.setPermission("bob", "read");
            w.ops.setPermission("alice", "admin");
            const issue = w.ops.addIssue("Please release");
            clearRequests(w);
            for (const [login, body] of [
                ["bob", "/conveyor release `@acme-saas/owners`"],
                ["alice", "/conveyor release @acme-saas/owners"],
                ["alice", "/conveyor rollback [prod](https://evil.example)"],
                ["alice", "/conveyor release org"],
            ]) {
                const res = await h.handle(gitHubEvent(commentPayload({ body, login, issue: issue.number })));
                assert.equal(res.statusCode, 200);
                assert.equal(bodyOf(res).status, "refused", body);
                assert.ok(!res.body.includes("@acme-saas") && !res.body.includes("evil"), res.body);
            }
            assert.equal(requestsTo(w), 0);
            assert.equal(w.ops.issueComments(issue.number).length, 0);
        });

        it("a reader's refusal is one comment per command, naming no one but the author, whatever the deliveries", async () => {
            const h = harness(w);
            w.ops.setPermission("bob", "read");
            const issue = w.ops.addIssue("Please release");
            const payload = commentPayload({ body: "/conveyor release staging", login: "bob", issue: issue.number, commentId: 77 });
            for (let i = 0; i < 3; i++) await h.handle(gitHubEvent(payload));
            await harness(w).handle(gitHubEvent(payload));
            const comments = w.ops.issueComments(issue.number);
            assert.equal(comments.length, 1);
            assert.deepEqual(comments[0].body.match(/@[A-Za-z0-9-]+/g), ["@bob"]);
        });

        it("refuses commands from bots unless configured, and runs a configured bot's without a permission lookup", async () => {
            w.ops.setPermission("alice", "write");
            const issue = w.ops.addIssue("Release");
            clearRequests(w);
            const refused = await harness(w).handle(gitHubEvent(commentPayload({ body: "/conveyor release staging", login: "renovate[bot]", issue: issue.number })));
            assert.equal(bodyOf(refused).status, "refused");
            assert.match(String(bodyOf(refused).reason), /bots/);
            assert.equal(requestsTo(w), 0);

            const h = harness(w, { commandBots: ["release-bot[bot]"] });
            const ran = await h.handle(gitHubEvent(commentPayload({ body: "/conveyor release staging", login: "release-bot[bot]", issue: issue.number, commentId: 91 })));
            assert.equal(bodyOf(ran).status, "opened", ran.body);
            assert.equal(w.github.requests.some((r) => r.path.includes("/collaborators/")), false);
            assert.ok(releasePr("staging"));
        });

        it("ignores chat, edits, and other repositories, reading and writing nothing", async () => {
            const h = harness(w);
            const chat = await h.handle(gitHubEvent(commentPayload({ body: "LGTM, ship it", login: "alice", issue: 1 })));
            assert.equal(chat.statusCode, 200);
            assert.equal(bodyOf(chat).status, "ignored");
            const edited = await h.handle(gitHubEvent(commentPayload({ body: "/conveyor release staging", login: "alice", issue: 1, action: "edited" })));
            assert.equal(edited.statusCode, 200);
            assert.equal(bodyOf(edited).status, "ignored");
            const elsewhere = await h.handle(gitHubEvent(commentPayload({ body: "/conveyor release staging", login: "alice", issue: 1, repo: `${OWNER}/billing` })));
            assert.equal(elsewhere.statusCode, 202);
            assert.equal(requestsTo(w), 0);
        });
    });

    describe("the remote workspace", () => {
        it("reads the root listing and each config file once, and parses them as the CLI does", async () => {
            w.ops.commit("main", { message: "Config", files: Object.fromEntries(repoFiles().map((f) => [f.name, f.text])) });
            w.github.clearRequests();
            const ws = await loadRemoteWorkspace(w.deps().gh, OPS);
            assert.deepEqual(ws, parseWorkspace(repoFiles()));
            const files = repoFiles().length;
            assert.equal(w.github.reads(), 1 + files, "one listing and one read per file");
            assert.equal(w.github.reads(/\/contents$/), 1);
        });

        it("fails naming file, key and reason when a file on the default branch is bad", async () => {
            w.ops.commit("main", { message: "Config", files: { ...Object.fromEntries(repoFiles().map((f) => [f.name, f.text])), "Pulumi.demo.yaml": "config:\n  conveyor:environment: 3\n" } });
            await assert.rejects(loadRemoteWorkspace(w.deps().gh, OPS), /Pulumi\.demo\.yaml/);
        });

        it("feeds the handler: a slash command against the config read from GitHub", async () => {
            w.ops.commit("main", { message: "Config", files: Object.fromEntries(repoFiles().map((f) => [f.name, f.text])) });
            const h = harness(w, { loadWorkspace: loadRemoteWorkspace });
            w.ops.setPermission("alice", "write");
            const issue = w.ops.addIssue("Release demo");
            const res = await h.handle(gitHubEvent(commentPayload({ body: "/conveyor release demo", login: "alice", issue: issue.number })));
            assert.equal(bodyOf(res).status, "opened", res.body);
            assert.ok(releasePr("demo"));
        });
    });
});

describe("the deployed handler's settings", () => {
    const env = {
        [RELEASE_CONTROLLER_ENV.githubTokenSecretArn]: "arn:aws:secretsmanager:eu-west-3:123456789012:secret:github-token",
        [RELEASE_CONTROLLER_ENV.circleciTokenSecretArn]: "arn:aws:secretsmanager:eu-west-3:123456789012:secret:circleci-token",
        [RELEASE_CONTROLLER_ENV.githubWebhookSecretArn]: "arn:aws:secretsmanager:eu-west-3:123456789012:secret:github-hook",
        [RELEASE_CONTROLLER_ENV.circleciWebhookSecretArn]: "arn:aws:secretsmanager:eu-west-3:123456789012:secret:circleci-hook",
        [RELEASE_CONTROLLER_ENV.ownersTopicArn]: "arn:aws:sns:eu-west-3:123456789012:owners",
        OPS_OWNER: OWNER,
        OPS_REPO: "ops",
        DEPLOY_WORKFLOWS: "deploy, deploy-prod",
    };

    it("come from the environment, without touching AWS until an event needs a secret", () => {
        const deps = depsFromEnv(env);
        assert.deepEqual(deps.ops, OPS);
        assert.equal(deps.gitHubApiUrl, "https://api.github.com");
        assert.deepEqual(deps.deployWorkflows, ["deploy", "deploy-prod"]);
        assert.equal(Object.keys(require.cache).some((k) => k.includes("@aws-sdk")), false);
    });

    it("name the missing variable, and the entry point refuses an event with it", async () => {
        const { OPS_REPO: _dropped, ...partial } = env;
        assert.throws(() => depsFromEnv(partial), (e: Error) => e instanceof MissingSettingError && /OPS_REPO is not set/.test(e.message));
        const saved = { ...process.env };
        try {
            for (const k of Object.keys(env)) delete process.env[k];
            await assert.rejects(handler({ ...SCHEDULE_EVENT }), /is not set/);
        } finally {
            Object.assign(process.env, saved);
        }
    });
});
