// controller/: the release controller's runtime in AWS: the handler, its webhooks, what it tells people,
// the config read from GitHub. An entry point: it imports the workflows (release/, deploy/), clients/ and
// config/, and of components/ only the contract components/release-controller/env.ts, so no Pulumi code
// reaches the bundle.
//
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
import type { Workspace } from "../config";
import { RELEASE_CONTROLLER_ENV, SCHEDULE_EVENT } from "../components/release-controller/env";
import { CircleCi, projectSlug } from "../clients/circleci";
import { runDeployed } from "../deploy/deployed";
import { createGitHub, webUrlOf } from "../clients/github";
import { upsertMarkedComment, type IssueTarget } from "../clients/marked-comment";
import {
    answerMarker,
    failedText,
    failureCommentText,
    failureMarker,
    failureMessage,
    inputErrorText,
    outcomeText,
    pullsToTell,
    refusalText,
    unknownEnvironmentText,
    type FailedDeploy,
} from "./notify";
import { ReleaseInputError, opsRefOf, requireOrg, runRelease, type ReleaseDeps, type ReleaseOutcome } from "../release/release";
import { loadRemoteWorkspace, type RepoRef } from "./remote-workspace";
import type { CiBuilds } from "../release/sources";
import { deployTargets, type Targets } from "../deploy/targets";
import { runTrain, type TrainRun } from "../release/train";
import {
    canWrite,
    deployResultOf,
    parseIssueComment,
    parseJson,
    parseSlashCommand,
    parseWorkflowCompleted,
    rawBodyOf,
    SeenDeliveries,
    verifyCircleCiSignature,
    verifyGitHubSignature,
    type IssueCommentEvent,
    type SlashCommand,
    type WorkflowCompleted,
} from "./webhooks";

export interface Secrets {
    readonly githubToken: string;
    readonly circleciToken: string;
    readonly githubWebhookSecret: string;
    readonly circleciWebhookSecret: string;
}

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
    info(message: string, fields?: LogFields): void;
    warn(message: string, fields?: LogFields): void;
    error(message: string, fields?: LogFields): void;
}

export interface LambdaDeps {
    /** Read once per handler (cold start) and kept; a failed read is tried again on the next event. */
    readonly secrets: () => Promise<Secrets>;
    readonly gitHub: (token: string) => Octokit;
    readonly circleCi: (token: string) => CiBuilds;
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

interface CommandResult {
    readonly status: string;
    readonly text: string;
    readonly pr?: string;
}

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
        const result = deployResultOf(p.workflow.status);
        if (!result) return ignored(`workflow status ${p.workflow.status} is not a deploy's end`);
        if (deps.deployWorkflows && !deps.deployWorkflows.includes(p.workflow.name)) return ignored(`workflow ${p.workflow.name} does not deploy`);
        const vcs = p.pipeline.vcs;
        if (!vcs) return ignored("the pipeline names no commit (not a GitHub OAuth project)");
        const { gh } = await clients();
        const workspace = await deps.loadWorkspace(gh, deps.ops);
        const ops = opsRefOf(requireOrg(workspace));
        if (vcs.branch !== ops.branch) return ignored(`branch ${vcs.branch ?? "(none)"} is not ${ops.branch}`);
        const targets = await deployTargets(gh, workspace, vcs.revision);
        for (const note of targets.notes) deps.log.warn(note);
        if (targets.stacks.length === 0) return ignored(`commit ${vcs.revision} deploys nothing`);
        return result === "succeeded" ? deployed(gh, workspace, p, vcs.revision, targets) : deployFailed(gh, p, vcs.revision, targets);
    }

    /** Every environment is told even when one fails; then the failure is thrown, for CircleCI to redeliver. */
    async function deployed(gh: Octokit, workspace: Workspace, p: WorkflowCompleted, sha: string, targets: Targets): Promise<Answer> {
        const envs = targets.stacks.filter((s) => s !== "org");
        const failures: string[] = [];
        for (const env of envs) {
            try {
                const out = await runDeployed(gh, workspace, { env, sha, buildUrl: p.workflow.url, pulls: targets.pulls }, (line) => deps.log.info(line, { env }));
                deps.log.info(`deployed ${env} at ${sha.slice(0, 7)}: release PR ${out.releasePr ?? "none"}, ${out.issues.length} issues, ${out.writes} writes`, { env });
            } catch (e) {
                deps.log.error(`deployed ${env} at ${sha.slice(0, 7)} failed: ${(e as Error).message}`, { env });
                failures.push(`${env}: ${(e as Error).message}`);
            }
        }
        if (failures.length > 0) throw new Error(`post-deploy actions failed: ${failures.join("; ")}`);
        return { statusCode: 200, status: "deployed", environments: envs, sha };
    }

    async function deployFailed(gh: Octokit, p: WorkflowCompleted, sha: string, targets: { stacks: string[]; pulls: FailedDeploy["pulls"] }): Promise<Answer> {
        const failure: FailedDeploy = {
            repo: `${deps.ops.owner}/${deps.ops.repo}`,
            sha,
            stacks: targets.stacks,
            workflow: { name: p.workflow.name, status: p.workflow.status, url: p.workflow.url },
            pulls: targets.pulls,
        };
        const told: number[] = [];
        for (const { pull, env } of pullsToTell(failure)) {
            await upsertMarkedComment(gh, { ...deps.ops, number: pull.number }, failureMarker(env), failureCommentText(env, failure));
            told.push(pull.number);
        }
        const { subject, message } = failureMessage(failure, webUrlOf(deps.gitHubApiUrl));
        await deps.publish(subject, message);
        deps.log.warn(`deploy of ${targets.stacks.join(", ")} at ${sha.slice(0, 7)} ${p.workflow.status}: told PRs ${told.join(", ") || "none"} and the owners`);
        return { statusCode: 200, status: "failure-reported", environments: targets.stacks, pulls: [...new Set(told)] };
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
        const { gh, ci } = await clients();
        const login = p.comment.user.login;
        const where: IssueTarget = { ...deps.ops, number: p.issue.number };
        const answer = (text: string) => upsertMarkedComment(gh, where, answerMarker(p.comment.id), text);

        const permission = await permissionOf(gh, login);
        if (!permission.write) {
            await answer(refusalText(login, command, `${deps.ops.owner}/${deps.ops.repo}`, permission.name));
            deps.log.info(`refused /conveyor ${command.mode} ${command.env} from ${login} (${permission.name})`);
            return { statusCode: 200, status: "refused", reason: "no write permission" };
        }
        const workspace = await deps.loadWorkspace(gh, deps.ops);
        if (!workspace.environments.some((e) => e.stack === command.env)) {
            await answer(unknownEnvironmentText(login, command, workspace));
            return { statusCode: 200, status: "unknown-environment", env: command.env };
        }
        const result = await runCommand(gh, ci, workspace, command, login, answer);
        await answer(result.text);
        deps.log.info(`/conveyor ${command.mode} ${command.env} from ${login}: ${result.status}`, { env: command.env });
        return { statusCode: 200, status: result.status, ...(result.pr ? { pr: result.pr } : {}) };
    }

    /** Bad input (no earlier release to roll back to...) is answered as a refusal; anything else is answered, then thrown. */
    async function runCommand(gh: Octokit, ci: CiBuilds, workspace: Workspace, command: SlashCommand, login: string, answer: (text: string) => Promise<number>): Promise<CommandResult> {
        let outcome: ReleaseOutcome;
        try {
            outcome = await runRelease(releaseDeps(gh, ci, workspace), { env: command.env, mode: command.mode, dryRun: false });
        } catch (e) {
            if (e instanceof ReleaseInputError) return { status: "refused", text: inputErrorText(login, command, e.message) };
            // The person who asked hears that it failed; the error itself goes to the log and the alarm.
            await answer(failedText(login, command)).catch(() => undefined);
            throw e;
        }
        return { status: outcome.status, text: outcomeText(login, command, outcome), pr: "pr" in outcome ? outcome.pr.url : undefined };
    }

    /** Outside collaborators and unknown users are a 404 to this call: no permission, not an error. */
    async function permissionOf(gh: Octokit, login: string): Promise<{ write: boolean; name: string }> {
        try {
            const res = await gh.rest.repos.getCollaboratorPermissionLevel({ owner: deps.ops.owner, repo: deps.ops.repo, username: login });
            const data = res.data as { permission?: string; role_name?: string };
            return { write: canWrite(data), name: data.role_name ?? data.permission ?? "none" };
        } catch (e) {
            if ((e as { status?: number }).status === 404) return { write: false, name: "none" };
            throw e;
        }
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

/** JSON lines: with the function's JSON log format, CloudWatch keeps each as one searchable record. */
export const consoleLogger: Logger = {
    info: (message, fields) => console.info(JSON.stringify({ message, ...fields })),
    warn: (message, fields) => console.warn(JSON.stringify({ message, ...fields })),
    error: (message, fields) => console.error(JSON.stringify({ message, ...fields })),
};

/** The same variables as the CLI (GITHUB_API_URL, CIRCLECI_API_URL), plus where the secrets and the ops repository are. */
export function depsFromEnv(env: NodeJS.ProcessEnv): LambdaDeps {
    const gitHubApiUrl = env.GITHUB_API_URL ?? "https://api.github.com";
    const topicArn = setting(env, RELEASE_CONTROLLER_ENV.ownersTopicArn);
    const workflows = env.DEPLOY_WORKFLOWS?.split(",").map((w) => w.trim()).filter((w) => w !== "");
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
    };
}

let live: ((event: unknown) => Promise<LambdaResult>) | undefined;

/** Lambda's entry. Built on the first event, not at import: a cold import stays cheap and side-effect free. */
export async function handler(event: unknown): Promise<LambdaResult> {
    live ??= createHandler(depsFromEnv(process.env));
    return live(event);
}
