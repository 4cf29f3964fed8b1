// The release controller as deployed, in-process: the webhook intake and the worker wired through an
// in-memory FIFO queue (test/fakes/fifo-queue.ts), against the loopback fakes of GitHub and CircleCI of a
// release world. Signed webhook events in the shapes GitHub and CircleCI send them.
import { TRAIN_MESSAGE } from "../components/release-controller/env";
import { CircleCi } from "../clients/circleci";
import { createGitHub } from "../clients/github";
import { createIntake, type HttpResponse, type IntakeDeps } from "../controller/intake";
import { signCircleCi, signGitHub } from "../controller/webhooks";
import type { WorkItem } from "../controller/work-items";
import { createWorker, type BatchResponse, type SqsEvent, type WorkerContext, type WorkerDeps } from "../controller/worker";
import { FAKE_CIRCLECI_TOKEN } from "./fakes/circleci";
import { FakeFifoQueue } from "./fakes/fifo-queue";
import { releaseBranch } from "../release/pr";
import { OWNER, startWorld, TOKEN, type World } from "./release-world";

export const WEBHOOK_SECRETS = { github: "github-hook-secret", circleci: "circleci-hook-secret" };
export const OPS = { owner: OWNER, repo: "ops" };
export const BUILD_URL = "https://app.circleci.com/pipelines/github/acme-saas/ops/130/workflows/fda08377";
export const MAX_RECEIVE_COUNT = 5;
export const WORKER_TIMEOUT_SECONDS = 900;

export interface Controller {
    readonly queue: FakeFifoQueue;
    /** The test's clock, shared by the intake, the worker and the queue. */
    readonly clock: { now: number };
    readonly intake: (event: unknown) => Promise<HttpResponse>;
    readonly worker: (event: SqsEvent, context: WorkerContext) => Promise<BatchResponse>;
    readonly published: { subject: string; message: string }[];
    readonly logs: string[];
    /** One poll of the event source mapping (batch size 1, as deployed). */
    poll(): Promise<number>;
    /**
     * Polls until the queue is empty, moving the clock to the next message's visibility when nothing is
     * receivable (as waiting for it would). Fails past `maxPolls`, so a message that never settles is loud.
     */
    drain(maxPolls?: number): Promise<number>;
    /** What the schedule sends: the train as of `scheduledTime`. */
    scheduleTrain(scheduledTime: Date): void;
}

export interface ControllerOptions {
    readonly intake?: Partial<IntakeDeps>;
    readonly worker?: Partial<WorkerDeps>;
    /** The clock's start; now by default. */
    readonly start?: Date;
}

/** Lambda's context for a run that has just started with the worker's full timeout. */
export const freshContext = (): WorkerContext => ({ getRemainingTimeInMillis: () => WORKER_TIMEOUT_SECONDS * 1000 });

export function startController(w: World, options: ControllerOptions = {}): Controller {
    const clock = { now: (options.start ?? new Date()).getTime() };
    const queue = new FakeFifoQueue({
        now: () => clock.now,
        visibilityTimeoutSeconds: 6 * WORKER_TIMEOUT_SECONDS,
        maxReceiveCount: MAX_RECEIVE_COUNT,
        contentBasedDeduplication: true,
    });
    const published: Controller["published"] = [];
    const logs: string[] = [];
    const log = { info: (m: string) => void logs.push(m), warn: (m: string) => void logs.push(m), error: (m: string) => void logs.push(m) };
    const intake = createIntake({
        webhookSecrets: async () => WEBHOOK_SECRETS,
        enqueue: async (item: WorkItem, id: string) => void queue.send(JSON.stringify(item), id),
        ops: OPS,
        deployWorkflows: ["deploy"],
        now: () => new Date(clock.now),
        log,
        ...options.intake,
    });
    const worker = createWorker({
        tokens: async () => ({ github: TOKEN, circleci: FAKE_CIRCLECI_TOKEN }),
        gitHub: (token, maxWaitMs) => createGitHub({ token, baseUrl: w.github.url, throttle: false, retryAfterBaseMs: 10, maxWaitMs }),
        circleCi: (token, maxWaitMs) => new CircleCi({ token, baseUrl: w.circle.url, retryBaseMs: 1, maxRetryAfterMs: maxWaitMs }),
        ops: OPS,
        loadWorkspace: async () => w.workspace,
        publish: async (subject, message) => void published.push({ subject, message }),
        delay: async (handle, seconds) => queue.changeVisibility(handle, seconds),
        gitHubApiUrl: w.github.url,
        now: () => new Date(clock.now),
        log,
        ...options.worker,
    });
    const poll = () => queue.poll(worker, 1, freshContext());
    return {
        queue,
        clock,
        intake,
        worker,
        published,
        logs,
        poll,
        async drain(maxPolls = 200) {
            let polls = 0;
            while (queue.depth > 0) {
                if (++polls > maxPolls) throw new Error(`the queue did not drain in ${maxPolls} polls`);
                if ((await poll()) === 0) {
                    const next = queue.nextVisibleAt();
                    if (next !== undefined && next > clock.now) clock.now = next;
                }
            }
            return polls;
        },
        scheduleTrain(scheduledTime: Date) {
            // What EventBridge Scheduler sends once it has put the scheduled time in place of the keyword.
            queue.send(JSON.stringify({ ...TRAIN_MESSAGE, scheduledTime: scheduledTime.toISOString().replace(/\.000Z$/, "Z") }));
        },
    };
}

// ---- signed events ---------------------------------------------------------------------------------------

let counter = 0;

export function httpEvent(headers: Record<string, string>, body: string, options: { method?: string; base64?: boolean } = {}) {
    return {
        version: "2.0",
        rawPath: "/",
        headers: { "content-type": "application/json", ...headers },
        body: options.base64 ? Buffer.from(body).toString("base64") : body,
        isBase64Encoded: options.base64 ?? false,
        requestContext: { http: { method: options.method ?? "POST", path: "/", sourceIp: "192.0.2.1" } },
    };
}

export const bodyOf = (r: HttpResponse): { status: string; [k: string]: unknown } => JSON.parse(r.body);

export interface WorkflowInit {
    readonly id?: string;
    readonly status?: string;
    readonly sha: string;
    readonly branch?: string;
    readonly slug?: string;
    readonly name?: string;
    readonly workflowId?: string;
    readonly url?: string;
    readonly happenedAt?: Date;
}

/** A workflow-completed payload in the shape of CircleCI's documented sample (GitHub OAuth projects). */
export function workflowCompleted(w: WorkflowInit): Record<string, unknown> {
    return {
        id: w.id ?? `event-${++counter}`,
        type: "workflow-completed",
        happened_at: (w.happenedAt ?? new Date()).toISOString(),
        webhook: { id: "cf8c4fdd-0587-4da1-b4ca-4846e9640af9", name: "conveyor release controller" },
        project: { id: "84996744-a854-4f5e-aea3-04e2851dc1d2", name: "ops", slug: w.slug ?? `gh/${OWNER}/ops` },
        organization: { id: "f22b6566-597d-46d5-ba74-99ef5bb3d85c", name: OWNER },
        workflow: {
            id: w.workflowId ?? "fda08377-fe7e-46b1-8992-3a7aaecac9c3",
            name: w.name ?? "deploy",
            created_at: "2026-12-04T08:02:00.000Z",
            stopped_at: "2026-12-04T08:12:00.000Z",
            url: w.url ?? BUILD_URL,
            status: w.status ?? "success",
        },
        pipeline: {
            id: "1285fe1d-d3a6-44fc-8886-8979558254c4",
            number: 130,
            created_at: "2026-12-04T08:01:58.000Z",
            trigger: { type: "webhook" },
            vcs: {
                provider_name: "github",
                origin_repository_url: `https://github.com/${OWNER}/ops`,
                revision: w.sha,
                branch: w.branch ?? "main",
            },
        },
    };
}

export function circleEvent(payload: unknown, options: { secret?: string; signature?: string; type?: string; base64?: boolean } = {}) {
    const body = JSON.stringify(payload);
    const signature = options.signature ?? signCircleCi(options.secret ?? WEBHOOK_SECRETS.circleci, body);
    return httpEvent(
        {
            "circleci-event-type": options.type ?? "workflow-completed",
            "circleci-signature": signature,
            "user-agent": "CircleCI-Webhook/1.0",
        },
        body,
        { base64: options.base64 },
    );
}

export interface CommentInit {
    readonly body: string;
    readonly login: string;
    readonly issue: number;
    readonly action?: string;
    readonly repo?: string;
    readonly commentId?: number;
    readonly createdAt: Date;
}

export function commentPayload(c: CommentInit): Record<string, unknown> {
    const [owner, name] = (c.repo ?? `${OWNER}/ops`).split("/");
    return {
        action: c.action ?? "created",
        issue: { number: c.issue, title: "Release request", state: "open" },
        comment: {
            id: c.commentId ?? 5000 + c.issue,
            body: c.body,
            created_at: c.createdAt.toISOString().replace(/\.\d{3}Z$/, "Z"),
            user: { login: c.login, type: c.login.endsWith("[bot]") ? "Bot" : "User" },
            author_association: "MEMBER",
        },
        repository: { id: 1, name, full_name: `${owner}/${name}`, owner: { login: owner, type: "Organization" } },
        sender: { login: c.login, type: "User" },
    };
}

/** A GitHub delivery: a new `x-github-delivery` each time unless given, as a redelivery or a replay would carry. */
export function gitHubEvent(
    payload: unknown,
    options: { event?: string; delivery?: string; secret?: string; signature?: string | null } = {},
) {
    const body = JSON.stringify(payload);
    const headers: Record<string, string> = {
        "x-github-event": options.event ?? "issue_comment",
        "x-github-delivery": options.delivery ?? `delivery-${++counter}`,
        "x-github-hook-id": "1",
        "user-agent": "GitHub-Hookshot/abc",
    };
    if (options.signature !== null)
        headers["x-hub-signature-256"] = options.signature ?? signGitHub(options.secret ?? WEBHOOK_SECRETS.github, body);
    return httpEvent(headers, body);
}

/** A deploy workflow on the ops repository's CircleCI project, with its jobs in the pipeline's order; returns its id and link. */
export function deployWorkflow(
    w: World,
    sha: string,
    status: "success" | "failed",
    jobs: Record<string, "success" | "failed" | "blocked" | "not_run">,
): { id: string; url: string } {
    const slug = `gh/${OWNER}/ops`;
    const pipeline = w.circle.addPipeline(slug, {
        number: 130 + w.circle.pipelines(slug).length,
        revision: sha,
        workflows: [{ name: "deploy", status, jobs: Object.entries(jobs).map(([name, s]) => ({ name, status: s })) }],
    });
    return {
        id: pipeline.workflows[0].id,
        url: `https://app.circleci.com/pipelines/github/${OWNER}/ops/${pipeline.number}/workflows/${pipeline.workflows[0].id}`,
    };
}

/** A Friday at the train's hour in the org's time zone (Europe/Paris): staging and demo are due. */
export const FRIDAY = new Date("2026-12-04T07:00:00+01:00");

/** A slash command in an issue comment, written a second before the controller's clock. */
export const command = (c: Controller, body: string, login: string, issue: number, commentId?: number) =>
    gitHubEvent(commentPayload({ body, login, issue, commentId, createdAt: new Date(c.clock.now - 1_000) }));

/**
 * A fresh release world for each test of the calling describe, handed to `use` before the test and closed after
 * it; and what the tests ask of it: an environment's release PR, the requests the fakes saw.
 */
export function worldPerTest(use: (w: World) => void) {
    let w: World;
    beforeEach(async () => {
        w = await startWorld();
        use(w);
    });
    afterEach(() => w.close());
    return {
        releasePr: (env: string) => w.ops.pulls.find((p) => p.head === releaseBranch(env))!,
        requests: () => w.github.requests.length + w.circle.requests.length,
        clearRequests: () => {
            w.github.clearRequests();
            w.circle.clearRequests();
        },
    };
}
