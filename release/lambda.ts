// The release controller's AWS Lambda handler: the scheduled release train, and the CircleCI and GitHub
// webhooks that arrive through the function URL. Every action is the CLI's own code (runTrain, runRelease,
// deployTargets, runDeployed); this module only authenticates, routes and answers.
//
// Routing (function URL events, payload format 2.0):
//   non-POST                                   405
//   body over MAX_BODY_BYTES                   413
//   no or bad signature, unknown sender        401   nothing parsed, nothing read or written
//   signed but not JSON, or missing fields     400
//   signed, unknown event type                 202   ignored
//   CircleCI workflow-completed                200 / 202 (another project or branch, not terminal)
//   GitHub ping                                200
//   GitHub issue_comment                       200 (command answered, or chat ignored) / 202 (another repo)
//   a delivery id already handled              200   "duplicate", nothing read or written
//
// De-duplication: the ids of handled deliveries are kept in memory, in a bounded LRU. The function runs with
// reserved concurrency 1, so one warm instance sees nearly every delivery, including CircleCI's redeliveries
// after its short timeout. A cold start forgets them; that rare replay is safe because every action is
// idempotent (release PRs are found then refreshed, every comment is found by its hidden marker then edited
// or left alone); the one thing a replay can repeat is the message to the release owners.
import type { Octokit } from "octokit";
import type { Workspace } from "../components/config";
import { RELEASE_CONTROLLER_ENV, SCHEDULE_EVENT } from "../components/release-controller/env";
import { CircleCi, projectSlug, type CiJobs } from "./circleci";
import { handleDeployFinished } from "./deploy-events";
import { createGitHub } from "./github";
import { runCommand } from "./commands";
import { consoleLogger, type Logger } from "./log";
import type { ReleaseDeps } from "./release";
import { loadRemoteWorkspace, type RepoRef } from "./remote-workspace";
import type { CiBuilds } from "./sources";
import { runTrain, type TrainRun } from "./train";
import {
    deployResultOf,
    isBot,
    isRefused,
    parseIssueComment,
    parseJson,
    parseSlashCommand,
    parseWorkflowCompleted,
    rawBodyOf,
    SeenDeliveries,
    verifyCircleCiSignature,
    verifyGitHubSignature,
    type IssueCommentEvent,
    type WorkflowCompleted,
} from "./webhooks";

export interface Secrets {
    readonly githubToken: string;
    readonly circleciToken: string;
    readonly githubWebhookSecret: string;
    readonly circleciWebhookSecret: string;
}

export interface LambdaDeps {
    /** Read once per handler (cold start) and kept; a failed read is tried again on the next event. */
    readonly secrets: () => Promise<Secrets>;
    readonly gitHub: (token: string) => Octokit;
    readonly circleCi: (token: string) => CiBuilds & CiJobs;
    /** The ops repository, where the workspace is read, release PRs live and slash commands count. */
    readonly ops: RepoRef;
    readonly loadWorkspace: (gh: Octokit, ops: RepoRef) => Promise<Workspace>;
    /** To the release owners' SNS topic. */
    readonly publish: (subject: string, message: string) => Promise<void>;
    /** API root GitHub is reached at, for web links. */
    readonly gitHubApiUrl: string;
    readonly now: () => Date;
    readonly log: Logger;
    /** Deliveries remembered for de-duplication; default 1000. */
    readonly seenCapacity?: number;
    /**
     * Names of the ops repository's CircleCI workflows that deploy (`pulumi up`); others, such as a nightly
     * drift check, are ignored. Unset: every workflow on the default branch counts.
     */
    readonly deployWorkflows?: readonly string[];
    /** Bot logins (`name[bot]`) whose slash commands run; every other bot is refused. */
    readonly commandBots?: readonly string[];
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

export interface TrainSummary {
    readonly runs: readonly { readonly env: string; readonly result: string }[];
}

export type LambdaResult = HttpResponse | TrainSummary;

// ---- events --------------------------------------------------------------------------------------------

export function isScheduleEvent(event: unknown): boolean {
    const e = event as Partial<Record<string, unknown>> | null;
    return typeof e === "object" && e !== null && e.source === SCHEDULE_EVENT.source && e.action === SCHEDULE_EVENT.action;
}

export function isFunctionUrlEvent(event: unknown): event is FunctionUrlEvent {
    const method = (event as { requestContext?: { http?: { method?: unknown } } } | null)?.requestContext?.http?.method;
    return typeof method === "string";
}

/** Who a request claims to come from, by its headers; the signature then decides whether it does. */
export function senderOf(headers: Readonly<Record<string, string | undefined>>): "github" | "circleci" | undefined {
    if (headers["x-hub-signature-256"] !== undefined || headers["x-github-event"] !== undefined) return "github";
    if (headers["circleci-signature"] !== undefined || headers["circleci-event-type"] !== undefined) return "circleci";
    return undefined;
}

interface Answer {
    readonly statusCode: number;
    readonly status: string;
    readonly [detail: string]: unknown;
}

function respond(a: Answer, headers: Record<string, string> = {}): HttpResponse {
    const { statusCode, ...body } = a;
    return { statusCode, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) };
}

const ignored = (reason: string, statusCode = 202): Answer => ({ statusCode, status: "ignored", reason });
const UNAUTHORIZED: Answer = { statusCode: 401, status: "unauthorized" };

/** Runs `load` once and keeps its value; a rejection is not kept, so the next call tries again. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
    let value: Promise<T> | undefined;
    return () => {
        value ??= load().catch((e: unknown) => {
            value = undefined;
            throw e;
        });
        return value;
    };
}

const sameRepo = (a: RepoRef, owner: string, repo: string): boolean => a.owner.toLowerCase() === owner.toLowerCase() && a.repo.toLowerCase() === repo.toLowerCase();

const describeRun = (run: TrainRun): string => {
    if (run.skipped) return `not due: ${run.skipped}`;
    if (run.error) return `failed: ${run.error.message}`;
    const o = run.outcome!;
    if (o.status === "blocked") return `blocked: ${o.reason}`;
    if (o.status === "opened" || o.status === "updated" || o.status === "unchanged") return `release PR ${o.status}: ${o.pr.url}`;
    return o.status;
};

// ---- the handler -------------------------------------------------------------------------------------

export function createHandler(deps: LambdaDeps): (event: unknown) => Promise<LambdaResult> {
    const seen = new SeenDeliveries(deps.seenCapacity ?? 1000);
    const secrets = once(deps.secrets);
    const clients = once(async () => {
        const s = await secrets();
        return { gh: deps.gitHub(s.githubToken), ci: deps.circleCi(s.circleciToken) };
    });
    const releaseDeps = (gh: Octokit, ci: CiBuilds, workspace: Workspace): ReleaseDeps => ({
        gh,
        ci,
        workspace,
        gitHubApiUrl: deps.gitHubApiUrl,
        progress: (line) => deps.log.info(line),
    });

    async function scheduled(): Promise<TrainSummary> {
        const { gh, ci } = await clients();
        const workspace = await deps.loadWorkspace(gh, deps.ops);
        const runs = await runTrain(releaseDeps(gh, ci, workspace), deps.now(), false);
        const summary = runs.map((run) => ({ env: run.env, result: describeRun(run) }));
        for (const s of summary) deps.log.info(`release train: ${s.env}: ${s.result}`, { env: s.env });
        const failed = runs.filter((r) => r.error);
        // Thrown so Lambda counts an error and the alarm tells the release owners.
        if (failed.length > 0) throw new Error(`release train: ${failed.map((r) => `${r.env} failed: ${r.error!.message}`).join("; ")}`);
        return { runs: summary };
    }

    /** Handles a delivery once per id; a delivery whose action threw is not remembered, so a retry redoes it. */
    async function deduplicated(id: string | undefined, act: () => Promise<Answer>): Promise<Answer> {
        if (id !== undefined && seen.has(id)) return { statusCode: 200, status: "duplicate" };
        const answer = await act();
        if (id !== undefined) seen.add(id);
        return answer;
    }

    // ---- CircleCI ----

    async function circleCiWebhook(headers: Readonly<Record<string, string | undefined>>, raw: Buffer, secret: string): Promise<Answer> {
        if (!verifyCircleCiSignature(secret, raw, headers["circleci-signature"])) return UNAUTHORIZED;
        const json = parseJson(raw);
        if (!json.ok) return { statusCode: 400, status: "bad-request", reason: json.reason };
        const type = headers["circleci-event-type"] ?? (json.value as { type?: unknown } | null)?.type;
        if (type !== "workflow-completed") return ignored(`CircleCI event ${JSON.stringify(type)} is not handled`);
        const payload = parseWorkflowCompleted(json.value);
        if (!payload.ok) return { statusCode: 400, status: "bad-request", reason: payload.reason };
        return deduplicated(`circleci:${payload.value.id}`, () => workflowCompleted(payload.value));
    }

    async function workflowCompleted(p: WorkflowCompleted): Promise<Answer> {
        if (p.project.slug.toLowerCase() !== projectSlug(deps.ops.owner, deps.ops.repo).toLowerCase()) return ignored(`project ${p.project.slug} is not the ops repository`);
        if (!deployResultOf(p.workflow.status)) return ignored(`workflow status ${p.workflow.status} is not a deploy's end`);
        if (deps.deployWorkflows && !deps.deployWorkflows.includes(p.workflow.name)) return ignored(`workflow ${p.workflow.name} does not deploy`);
        const vcs = p.pipeline.vcs;
        if (!vcs) return ignored("the pipeline names no commit (not a GitHub OAuth project)");
        const { gh, ci } = await clients();
        const out = await handleDeployFinished(
            { gh, ci, ops: deps.ops, workspace: () => deps.loadWorkspace(gh, deps.ops), publish: deps.publish, gitHubApiUrl: deps.gitHubApiUrl, log: deps.log },
            { workflow: p.workflow, sha: vcs.revision, branch: vcs.branch },
        );
        if (out.status === "ignored") return ignored(out.reason);
        return { statusCode: 200, ...out };
    }

    // ---- GitHub ----

    async function gitHubWebhook(headers: Readonly<Record<string, string | undefined>>, raw: Buffer, secret: string): Promise<Answer> {
        if (!verifyGitHubSignature(secret, raw, headers["x-hub-signature-256"])) return UNAUTHORIZED;
        const json = parseJson(raw);
        if (!json.ok) return { statusCode: 400, status: "bad-request", reason: json.reason };
        const event = headers["x-github-event"];
        if (event === "ping") return { statusCode: 200, status: "pong" };
        if (event !== "issue_comment") return ignored(`GitHub event ${JSON.stringify(event ?? null)} is not handled`);
        const payload = parseIssueComment(json.value);
        if (!payload.ok) return { statusCode: 400, status: "bad-request", reason: payload.reason };
        const delivery = headers["x-github-delivery"];
        return deduplicated(delivery === undefined ? undefined : `github:${delivery}`, () => issueComment(payload.value));
    }

    async function issueComment(p: IssueCommentEvent): Promise<Answer> {
        if (p.action !== "created") return ignored(`comment ${p.action}, only new comments are commands`, 200);
        if (!sameRepo(deps.ops, p.repository.owner.login, p.repository.name)) return ignored(`${p.repository.owner.login}/${p.repository.name} is not the ops repository`);
        const command = parseSlashCommand(p.comment.body);
        if (!command) return ignored("not a command", 200);
        // Refused before anything is read or written, and without repeating what was typed.
        if (isRefused(command)) return { statusCode: 200, status: "refused", reason: command.refused };
        const user = p.comment.user;
        const allowedBot = isBot(user) && (deps.commandBots ?? []).includes(user.login);
        if (isBot(user) && !allowedBot) return { statusCode: 200, status: "refused", reason: "commands from bots run only when configured (conveyor:releaseController.commandBots)" };
        const { gh, ci } = await clients();
        const result = await runCommand(
            { gh, ci, ops: deps.ops, workspace: () => deps.loadWorkspace(gh, deps.ops), gitHubApiUrl: deps.gitHubApiUrl, log: deps.log },
            { commentId: p.comment.id, issue: p.issue.number, login: user.login, allowedBot, command },
        );
        return { statusCode: 200, status: result.status, ...(result.pr ? { pr: result.pr } : {}) };
    }

    // ---- HTTP ----

    async function http(event: FunctionUrlEvent): Promise<HttpResponse> {
        if (event.requestContext.http.method.toUpperCase() !== "POST") return respond({ statusCode: 405, status: "method-not-allowed" }, { allow: "POST" });
        const raw = rawBodyOf(event.body, event.isBase64Encoded);
        if (!raw.ok) return respond({ statusCode: 413, status: "too-large", limit: "1 MiB" });
        const headers = event.headers ?? {};
        const sender = senderOf(headers);
        if (!sender) return respond(UNAUTHORIZED);
        const keys = await secrets();
        const answer =
            sender === "github"
                ? await gitHubWebhook(headers, raw.bytes, keys.githubWebhookSecret)
                : await circleCiWebhook(headers, raw.bytes, keys.circleciWebhookSecret);
        deps.log.info(`${sender} webhook: ${answer.statusCode} ${answer.status}`, { sender, statusCode: answer.statusCode });
        return respond(answer);
    }

    return async (event: unknown): Promise<LambdaResult> => {
        if (isScheduleEvent(event)) return scheduled();
        if (isFunctionUrlEvent(event)) return http(event);
        throw new Error("release controller: not a scheduled run nor a function URL request; check what invokes the function");
    };
}

// ---- the deployed function -------------------------------------------------------------------------------

// The AWS SDK v3 comes with Lambda's Node.js runtime and is not a dependency here: these are the few shapes
// used, and the modules are required only inside the functions that call them, so tests never load them and
// the bundle leaves `@aws-sdk/*` to the runtime.
interface AwsClient {
    send(command: unknown): Promise<unknown>;
}
interface SecretsManagerModule {
    SecretsManagerClient: new (config: object) => AwsClient;
    GetSecretValueCommand: new (input: { SecretId: string }) => unknown;
}
interface SnsModule {
    SNSClient: new (config: object) => AwsClient;
    PublishCommand: new (input: { TopicArn: string; Subject: string; Message: string }) => unknown;
}

export class MissingSettingError extends Error {}

function setting(env: NodeJS.ProcessEnv, name: string): string {
    const value = env[name];
    if (!value) throw new MissingSettingError(`${name} is not set: the release controller's deployment sets it (components/release-controller)`);
    return value;
}

async function readSecrets(env: NodeJS.ProcessEnv): Promise<Secrets> {
    const { SecretsManagerClient, GetSecretValueCommand } = require("@aws-sdk/client-secrets-manager") as SecretsManagerModule;
    const client = new SecretsManagerClient({});
    const read = async (variable: string): Promise<string> => {
        const arn = setting(env, variable);
        const out = (await client.send(new GetSecretValueCommand({ SecretId: arn }))) as { SecretString?: string };
        if (!out.SecretString) throw new Error(`${variable}: the secret ${arn} has no string value`);
        return out.SecretString;
    };
    const [githubToken, circleciToken, githubWebhookSecret, circleciWebhookSecret] = await Promise.all([
        read(RELEASE_CONTROLLER_ENV.githubTokenSecretArn),
        read(RELEASE_CONTROLLER_ENV.circleciTokenSecretArn),
        read(RELEASE_CONTROLLER_ENV.githubWebhookSecretArn),
        read(RELEASE_CONTROLLER_ENV.circleciWebhookSecretArn),
    ]);
    return { githubToken, circleciToken, githubWebhookSecret, circleciWebhookSecret };
}

function snsPublisher(topicArn: string): LambdaDeps["publish"] {
    let client: AwsClient | undefined;
    let Publish: SnsModule["PublishCommand"] | undefined;
    return async (subject, message) => {
        if (!client || !Publish) {
            const sns = require("@aws-sdk/client-sns") as SnsModule;
            client = new sns.SNSClient({});
            Publish = sns.PublishCommand;
        }
        await client.send(new Publish({ TopicArn: topicArn, Subject: subject, Message: message }));
    };
}

/** The same variables as the CLI (GITHUB_API_URL, CIRCLECI_API_URL), plus where the secrets and the ops repository are. */
export function depsFromEnv(env: NodeJS.ProcessEnv): LambdaDeps {
    const gitHubApiUrl = env.GITHUB_API_URL ?? "https://api.github.com";
    const topicArn = setting(env, RELEASE_CONTROLLER_ENV.ownersTopicArn);
    const workflows = env.DEPLOY_WORKFLOWS?.split(",").map((w) => w.trim()).filter((w) => w !== "");
    const bots = env.COMMAND_BOTS?.split(",").map((w) => w.trim()).filter((w) => w !== "");
    return {
        secrets: once(() => readSecrets(env)),
        gitHub: (token) => createGitHub({ token, baseUrl: gitHubApiUrl }),
        circleCi: (token) => new CircleCi({ token, baseUrl: env.CIRCLECI_API_URL }),
        ops: { owner: setting(env, "OPS_OWNER"), repo: setting(env, "OPS_REPO") },
        loadWorkspace: loadRemoteWorkspace,
        publish: snsPublisher(topicArn),
        gitHubApiUrl,
        now: () => new Date(),
        log: consoleLogger,
        ...(workflows && workflows.length > 0 ? { deployWorkflows: workflows } : {}),
        ...(bots && bots.length > 0 ? { commandBots: bots } : {}),
    };
}

let live: ((event: unknown) => Promise<LambdaResult>) | undefined;

/** Lambda's entry. Built on the first event, not at import: a cold import stays cheap and side-effect free. */
export async function handler(event: unknown): Promise<LambdaResult> {
    live ??= createHandler(depsFromEnv(process.env));
    return live(event);
}
