// The release controller's webhook intake: the Lambda behind the function URL that GitHub and CircleCI call.
// It does no work: it authenticates the request, checks what the payload may ask, and puts one message on the
// work queue, answering 202 within milliseconds. GitHub gives a webhook 10 s and never retries; CircleCI 5 s.
// The worker (controller/worker.ts) then does the work from the queue, one message at a time.
//
//   non-POST                                   405
//   body over MAX_BODY_BYTES                   413
//   no or bad signature, unknown sender        401   nothing parsed, nothing queued
//   signed but not JSON, or missing fields     400
//   signed, unknown event type                 202   ignored
//   GitHub ping                                200
//   GitHub issue_comment: a command            202   queued (or 200 refused: not a stack name, a bot, too old)
//   GitHub issue_comment: chat, an edit        200   ignored
//   CircleCI workflow-completed of a deploy    202   queued (or 202 ignored: another project, not terminal)
//   the queue refused the message              503   the sender may retry; nothing was queued
//
// Replays: a message's deduplication id is a digest of what the sender signed (the comment id and its time;
// CircleCI's event id), so the same body with a new delivery header is dropped by the FIFO queue within its
// five-minute window, and a command older than that window is refused here. Octokit is not imported: the
// bundle stays small and starts fast.
import { RELEASE_CONTROLLER_ENV } from "../components/release-controller/env";
import { projectSlug } from "../clients/circleci-pipelines";
import { listSetting, secretsFrom, setting, sqsSender } from "./lambda";
import { consoleLogger, type Logger } from "./log";
import type { RepoRef } from "./remote-workspace";
import {
    deployResultOf,
    isBot,
    isRefused,
    parseIssueComment,
    parseJson,
    parseSlashCommand,
    parseWorkflowCompleted,
    rawBodyOf,
    verifyCircleCiSignature,
    verifyGitHubSignature,
    type IssueCommentEvent,
    type WorkflowCompleted,
} from "./webhooks";
import { deduplicationId, type CommandItem, type DeployFinishedItem, type WorkItem } from "./work-items";

/**
 * The oldest command taken, by its comment's signed `created_at`. Below the queue's five-minute
 * deduplication window, so a replay is either dropped by the queue or refused here.
 */
export const MAX_COMMAND_AGE_MS = 4 * 60_000;
/** Clock skew tolerated on a comment's time. */
export const MAX_CLOCK_SKEW_MS = 60_000;
/**
 * The oldest CircleCI event taken. CircleCI retries a delivery that failed, on a schedule it does not
 * document, so this is wider than the commands' limit; a replay inside it costs nothing but reads, since
 * every action of the worker is idempotent.
 */
export const MAX_EVENT_AGE_MS = 60 * 60_000;

export interface WebhookSecrets {
    readonly github: string;
    readonly circleci: string;
}

export interface IntakeDeps {
    /** Read once per cold start and kept; a failed read is tried again on the next request. */
    readonly webhookSecrets: () => Promise<WebhookSecrets>;
    /** One message on the FIFO work queue. */
    readonly enqueue: (item: WorkItem, deduplicationId: string) => Promise<void>;
    /** The ops repository: the only one whose comments are commands and whose workflows deploy. */
    readonly ops: RepoRef;
    /** Workflows that deploy (`pulumi up`); others, such as a nightly drift check, are ignored. Unset: all. */
    readonly deployWorkflows?: readonly string[];
    /** Bot logins (`name[bot]`) whose slash commands run; every other bot is refused. */
    readonly commandBots?: readonly string[];
    readonly now: () => Date;
    readonly log: Logger;
}

/** Function URL request, payload format 2.0: only the fields read. */
export interface FunctionUrlEvent {
    readonly headers?: Readonly<Record<string, string | undefined>>;
    readonly body?: string;
    readonly isBase64Encoded?: boolean;
    readonly requestContext: { readonly http: { readonly method: string } };
}

export interface HttpResponse {
    readonly statusCode: number;
    readonly headers: Readonly<Record<string, string>>;
    readonly body: string;
}

interface Answer {
    readonly statusCode: number;
    readonly status: string;
    readonly [detail: string]: unknown;
}

type Headers = Readonly<Record<string, string | undefined>>;

function respond(a: Answer, headers: Record<string, string> = {}): HttpResponse {
    const { statusCode, ...body } = a;
    return { statusCode, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) };
}

const ignored = (reason: string, statusCode = 202): Answer => ({ statusCode, status: "ignored", reason });
const refused = (reason: string): Answer => ({ statusCode: 200, status: "refused", reason });
const UNAUTHORIZED: Answer = { statusCode: 401, status: "unauthorized" };
const badRequest = (reason: string): Answer => ({ statusCode: 400, status: "bad-request", reason });

export function isFunctionUrlEvent(event: unknown): event is FunctionUrlEvent {
    const method = (event as { requestContext?: { http?: { method?: unknown } } } | null)?.requestContext?.http?.method;
    return typeof method === "string";
}

/** Who a request claims to come from, by its headers; the signature then decides whether it does. */
export function senderOf(headers: Headers): "github" | "circleci" | undefined {
    if (headers["x-hub-signature-256"] !== undefined || headers["x-github-event"] !== undefined) return "github";
    if (headers["circleci-signature"] !== undefined || headers["circleci-event-type"] !== undefined) return "circleci";
    return undefined;
}

const sameRepo = (a: RepoRef, owner: string, repo: string): boolean =>
    a.owner.toLowerCase() === owner.toLowerCase() && a.repo.toLowerCase() === repo.toLowerCase();

export function createIntake(deps: IntakeDeps): (event: unknown) => Promise<HttpResponse> {
    async function queue(item: CommandItem | DeployFinishedItem): Promise<Answer> {
        const id = deduplicationId(item);
        try {
            await deps.enqueue(item, id);
        } catch (e) {
            deps.log.error(`could not queue ${item.kind}: ${(e as Error).message}`, { kind: item.kind });
            return { statusCode: 503, status: "unavailable", reason: "the work queue did not take the event; send it again" };
        }
        return { statusCode: 202, status: "queued", kind: item.kind, id };
    }

    function gitHub(headers: Headers, raw: Buffer, secret: string): Promise<Answer> | Answer {
        if (!verifyGitHubSignature(secret, raw, headers["x-hub-signature-256"])) return UNAUTHORIZED;
        const json = parseJson(raw);
        if (!json.ok) return badRequest(json.reason);
        const event = headers["x-github-event"];
        if (event === "ping") return { statusCode: 200, status: "pong" };
        if (event !== "issue_comment") return ignored(`GitHub event ${JSON.stringify((event ?? "").slice(0, 40))} is not handled`);
        const payload = parseIssueComment(json.value);
        if (!payload.ok) return badRequest(payload.reason);
        return issueComment(payload.value);
    }

    function issueComment(p: IssueCommentEvent): Promise<Answer> | Answer {
        if (p.action !== "created") return ignored(`comment ${p.action.slice(0, 40)}, only new comments are commands`, 200);
        if (!sameRepo(deps.ops, p.repository.owner.login, p.repository.name)) return ignored("not the ops repository");
        const command = parseSlashCommand(p.comment.body);
        if (!command) return ignored("not a command", 200);
        // Refused before anything is read, written or queued, and without repeating what was typed.
        if (isRefused(command)) return refused(command.refused);
        const age = deps.now().getTime() - Date.parse(p.comment.created_at);
        if (age > MAX_COMMAND_AGE_MS || age < -MAX_CLOCK_SKEW_MS) {
            return refused(
                `the comment was written ${Math.round(age / 1000)} s ago; commands are taken for ${MAX_COMMAND_AGE_MS / 60_000} minutes (a replay is refused)`,
            );
        }
        const user = p.comment.user;
        const allowedBot = isBot(user) && (deps.commandBots ?? []).includes(user.login);
        if (isBot(user) && !allowedBot)
            return refused("commands from bots run only when configured (conveyor:releaseController.commandBots)");
        return queue({
            kind: "command",
            commentId: p.comment.id,
            createdAt: p.comment.created_at,
            issue: p.issue.number,
            login: user.login,
            allowedBot,
            mode: command.mode,
            env: command.env,
        });
    }

    function circleCi(headers: Headers, raw: Buffer, secret: string): Promise<Answer> | Answer {
        if (!verifyCircleCiSignature(secret, raw, headers["circleci-signature"])) return UNAUTHORIZED;
        const json = parseJson(raw);
        if (!json.ok) return badRequest(json.reason);
        // The body is signed and the header is not: the body's type decides, the header only stands in for it.
        const signed = (json.value as { type?: unknown } | null)?.type;
        const type = signed === undefined ? headers["circleci-event-type"] : typeof signed === "string" ? signed : "(not a string)";
        if (type !== "workflow-completed") return ignored(`CircleCI event ${JSON.stringify(String(type).slice(0, 40))} is not handled`);
        const payload = parseWorkflowCompleted(json.value);
        if (!payload.ok) return badRequest(payload.reason);
        return workflowCompleted(payload.value);
    }

    function workflowCompleted(p: WorkflowCompleted): Promise<Answer> | Answer {
        if (p.project.slug.toLowerCase() !== projectSlug(deps.ops.owner, deps.ops.repo).toLowerCase())
            return ignored("not the ops repository's project");
        if (!deployResultOf(p.workflow.status)) return ignored(`workflow status ${p.workflow.status.slice(0, 40)} is not a deploy's end`);
        if (deps.deployWorkflows && !deps.deployWorkflows.includes(p.workflow.name))
            return ignored(`workflow ${p.workflow.name.slice(0, 80)} does not deploy`);
        const vcs = p.pipeline.vcs;
        if (!vcs) return ignored("the pipeline names no commit (not a GitHub OAuth project)");
        const age = deps.now().getTime() - Date.parse(p.happened_at);
        if (age > MAX_EVENT_AGE_MS)
            return refused(
                `the event happened ${Math.round(age / 60_000)} minutes ago; events are taken for ${MAX_EVENT_AGE_MS / 60_000} minutes (a replay is refused)`,
            );
        const { id, name, status, url } = p.workflow;
        return queue({
            kind: "deploy-finished",
            eventId: p.id,
            workflow: { id, name, status, url },
            sha: vcs.revision,
            ...(vcs.branch === undefined ? {} : { branch: vcs.branch }),
        });
    }

    return async (event: unknown): Promise<HttpResponse> => {
        if (!isFunctionUrlEvent(event))
            throw new Error("webhook intake: not a function URL request; only the function URL invokes this function");
        if (event.requestContext.http.method.toUpperCase() !== "POST")
            return respond({ statusCode: 405, status: "method-not-allowed" }, { allow: "POST" });
        const raw = rawBodyOf(event.body, event.isBase64Encoded);
        if (!raw.ok) return respond({ statusCode: 413, status: "too-large", limit: "1 MiB" });
        const headers = event.headers ?? {};
        const sender = senderOf(headers);
        if (!sender) return respond(UNAUTHORIZED);
        const secrets = await deps.webhookSecrets();
        const answer = await (sender === "github"
            ? gitHub(headers, raw.bytes, secrets.github)
            : circleCi(headers, raw.bytes, secrets.circleci));
        deps.log.info(`${sender} webhook: ${answer.statusCode} ${answer.status}`, {
            sender,
            statusCode: answer.statusCode,
            status: answer.status,
        });
        return respond(answer);
    };
}

/** The intake's settings: where the webhook secrets and the queue are, the ops repository, what to accept. */
export function intakeDepsFromEnv(env: NodeJS.ProcessEnv): IntakeDeps {
    const workflows = listSetting(env, "DEPLOY_WORKFLOWS");
    return {
        webhookSecrets: secretsFrom(env, {
            github: RELEASE_CONTROLLER_ENV.githubWebhookSecretArn,
            circleci: RELEASE_CONTROLLER_ENV.circleciWebhookSecretArn,
        }),
        enqueue: sqsSender(setting(env, RELEASE_CONTROLLER_ENV.queueUrl)),
        ops: { owner: setting(env, RELEASE_CONTROLLER_ENV.opsOwner), repo: setting(env, RELEASE_CONTROLLER_ENV.opsRepo) },
        ...(workflows.length > 0 ? { deployWorkflows: workflows } : {}),
        commandBots: listSetting(env, "COMMAND_BOTS"),
        now: () => new Date(),
        log: consoleLogger,
    };
}

let live: ((event: unknown) => Promise<HttpResponse>) | undefined;

/** Lambda's entry. Built on the first request, not at import: a cold import stays cheap and side-effect free. */
export async function handler(event: unknown): Promise<HttpResponse> {
    live ??= createIntake(intakeDepsFromEnv(process.env));
    return live(event);
}
