// controller/: the release controller's runtime in AWS, two entry points: the webhook intake (intake.ts) and
// this worker, with what they share (webhooks, work items, AWS calls, answers to slash commands, the config
// read from GitHub). It imports the workflows (release/, deploy/, pipeline/), clients/ and config/, and of
// components/ only the contract components/release-controller/env.ts, so no Pulumi code reaches a bundle.
//
// The release controller's worker: the Lambda that does the work the intake and the schedule put on the FIFO
// queue, one message at a time (reserved concurrency 1, one message group), in the order they arrived. A
// message whose work failed is reported back as a batch item failure, with every message after it, so the
// queue keeps the order; it comes back after a delay (until a rate limit resets, else a growing backoff) and
// goes to the dead-letter queue after the queue's bounded number of receives. Every action is idempotent, so
// a message redelivered after a crash at any write ends as if it had run once.
import type { Octokit } from "octokit";
import type { Workspace } from "../config";
import { RELEASE_CONTROLLER_ENV } from "../components/release-controller/env";
import { CircleCi } from "../clients/circleci";
import { CircleCiError } from "../clients/circleci-http";
import type { CiJobs } from "../clients/circleci-pipelines";
import { runCommand } from "./commands";
import { handleDeployFinished } from "./deploy-events";
import { createGitHub, DEFAULT_MAX_WAIT_MS, RateLimitError } from "../clients/github";
import { secretsFrom, setting, snsPublisher, sqsDelayer } from "./lambda";
import { consoleLogger, type Logger } from "./log";
import type { ReleaseDeps } from "../release/release";
import { loadRemoteWorkspace, type RepoRef } from "./remote-workspace";
import type { CiBuilds } from "../release/sources";
import { runTrain, type TrainRun } from "../release/train";
import { BadWorkItemError, parseWorkItem, type WorkItem } from "./work-items";
import { refreshDashboard, type DashboardOutcome } from "../status/dashboard";
import type { StatusDeps } from "../status/read";
import { feedbackClients, slackWebhooksFromJson, type FeedbackClients, type FeedbackSecrets } from "../clients/feedback";

export interface Tokens {
    readonly github: string;
    readonly circleci: string;
}

/** How long a piece of work may sit out a rate limit, in ms, as the run goes on. */
export type WaitBudget = () => number;

export interface WorkerDeps {
    /** Read once per cold start and kept; a failed read is tried again on the next message. */
    readonly tokens: () => Promise<Tokens>;
    readonly gitHub: (token: string, maxWaitMs: WaitBudget) => Octokit;
    readonly circleCi: (token: string, maxWaitMs: number) => CiBuilds & CiJobs;
    /** The ops repository, where the workspace is read, release PRs live and slash commands count. */
    readonly ops: RepoRef;
    readonly loadWorkspace: (gh: Octokit, ops: RepoRef) => Promise<Workspace>;
    /** To the release owners' SNS topic. */
    readonly publish: (subject: string, message: string) => Promise<void>;
    /** Slack webhooks and the Sentry token, when the org stack gave the worker any; read once per cold start. */
    readonly feedbackSecrets?: () => Promise<FeedbackSecrets>;
    /** ChangeMessageVisibility: the message comes back after `seconds`. */
    readonly delay: (receiptHandle: string, seconds: number) => Promise<void>;
    /** API root GitHub is reached at, for web links. */
    readonly gitHubApiUrl: string;
    readonly now: () => Date;
    readonly log: Logger;
    /**
     * Brings the release dashboard issue up to date after each piece of work (refreshDashboard in AWS).
     * Unset: no dashboard (the tests of the work itself count every request).
     */
    readonly dashboard?: (deps: StatusDeps) => Promise<DashboardOutcome>;
}

/** An SQS event source mapping's record: only the fields read. */
export interface SqsRecord {
    readonly messageId: string;
    readonly receiptHandle: string;
    readonly body: string;
    readonly attributes?: { readonly ApproximateReceiveCount?: string };
}

export interface SqsEvent {
    readonly Records: readonly SqsRecord[];
}

/** Lambda's context: only the time left. */
export interface WorkerContext {
    getRemainingTimeInMillis(): number;
}

/** ReportBatchItemFailures: the messages to keep on the queue; every other one of the batch is deleted. */
export interface BatchResponse {
    readonly batchItemFailures: { readonly itemIdentifier: string }[];
}

/** Kept back from the time left: to report the failure and delay the message before Lambda stops the run. */
export const SAFETY_MARGIN_MS = 30_000;
/** SQS's longest visibility timeout. */
export const MAX_DELAY_SECONDS = 12 * 3600;
/** First retry of a failed message; doubles per receive up to MAX_BACKOFF_SECONDS. */
export const FIRST_BACKOFF_SECONDS = 30;
export const MAX_BACKOFF_SECONDS = 15 * 60;

/**
 * When to try a failed message again: just after the rate limit it hit resets (the error says when), else an
 * exponential backoff by the number of receives so far; a message that can never succeed comes back at once,
 * to reach the dead-letter queue without holding the queue up.
 */
export function retryDelaySeconds(error: unknown, receiveCount: number, now: Date): number {
    if (error instanceof BadWorkItemError) return 0;
    const resetAt = error instanceof RateLimitError ? error.resetAt : error instanceof CircleCiError ? error.retryAt : undefined;
    if (resetAt) return Math.min(MAX_DELAY_SECONDS, Math.max(1, Math.ceil((resetAt.getTime() - now.getTime()) / 1000) + 5));
    return Math.min(MAX_BACKOFF_SECONDS, FIRST_BACKOFF_SECONDS * 2 ** Math.max(0, receiveCount - 1));
}

const describeRun = (run: TrainRun): string => {
    if (run.skipped) return `not due: ${run.skipped}`;
    if (run.error) return `failed: ${run.error.message}`;
    const o = run.outcome!;
    if (o.status === "blocked") return `blocked: ${o.reason}`;
    if (o.status === "opened" || o.status === "updated" || o.status === "unchanged") return `release PR ${o.status}: ${o.pr.url}`;
    return o.status;
};

export function createWorker(deps: WorkerDeps): (event: SqsEvent, context: WorkerContext) => Promise<BatchResponse> {
    /**
     * One piece of work, then the release dashboard. A dashboard that cannot be written is logged, not
     * retried: the work is done, and the next piece of work writes the dashboard again.
     */
    async function perform(item: WorkItem, budget: WaitBudget): Promise<string> {
        const tokens = await deps.tokens();
        const gh = deps.gitHub(tokens.github, budget);
        const ci = deps.circleCi(tokens.circleci, budget());
        const done = await work(item, gh, ci);
        if (deps.dashboard) {
            try {
                const workspace = await deps.loadWorkspace(gh, deps.ops);
                const progress = (line: string) => deps.log.info(line);
                const out = await deps.dashboard({ gh, ci, workspace, gitHubApiUrl: deps.gitHubApiUrl, now: deps.now(), progress });
                deps.log.info(`release dashboard: issue #${out.number} ${out.action}`);
            } catch (e) {
                deps.log.warn(`release dashboard not refreshed: ${(e as Error).message}`);
            }
        }
        return done;
    }

    /** The work itself, with clients whose rate-limit waits fit in what is left of this run. */
    async function work(item: WorkItem, gh: Octokit, ci: CiBuilds & CiJobs): Promise<string> {
        const workspace = () => deps.loadWorkspace(gh, deps.ops);
        const feedback = async (ws: Workspace): Promise<FeedbackClients> => {
            if (!deps.feedbackSecrets || (!ws.org?.notifications && !ws.org?.sentry)) return {};
            const warn = (line: string) => deps.log.warn(line);
            try {
                return feedbackClients(ws.org, await deps.feedbackSecrets(), warn);
            } catch (e) {
                // Feedback is never worth failing the work for; the next message tries the secrets again.
                warn(`feedback secrets unreadable, Slack and Sentry skipped: ${(e as Error).message}`);
                return {};
            }
        };
        switch (item.kind) {
            case "command": {
                const { mode, env } = item;
                const out = await runCommand(
                    { gh, ci, ops: deps.ops, workspace, gitHubApiUrl: deps.gitHubApiUrl, log: deps.log },
                    {
                        commentId: item.commentId,
                        issue: item.issue,
                        login: item.login,
                        allowedBot: item.allowedBot,
                        command: { mode, env },
                    },
                );
                return `/conveyor ${mode} ${env} from ${item.login}: ${out.status}${out.pr ? ` ${out.pr}` : ""}`;
            }
            case "deploy-finished": {
                const out = await handleDeployFinished(
                    { gh, ci, ops: deps.ops, workspace, publish: deps.publish, gitHubApiUrl: deps.gitHubApiUrl, log: deps.log, feedback },
                    { workflow: item.workflow, sha: item.sha, branch: item.branch },
                );
                return `deploy workflow ${item.workflow.name} ${item.workflow.status} at ${item.sha.slice(0, 7)}: ${out.status}${out.status === "ignored" ? ` (${out.reason})` : ""}`;
            }
            case "train": {
                const ws = await workspace();
                const releaseDeps: ReleaseDeps = {
                    gh,
                    ci,
                    workspace: ws,
                    announcer: (await feedback(ws)).announcer,
                    gitHubApiUrl: deps.gitHubApiUrl,
                    progress: (line) => deps.log.info(line),
                };
                // The time the run was scheduled for, not now: a run that waited behind another still
                // releases what was due then.
                const runs = await runTrain(releaseDeps, new Date(item.scheduledTime), false);
                for (const run of runs) deps.log.info(`release train: ${run.env}: ${describeRun(run)}`, { env: run.env });
                const failed = runs.filter((r) => r.error);
                if (failed.length > 0)
                    throw new Error(
                        `release train of ${item.scheduledTime}: ${failed.map((r) => `${r.env} failed: ${r.error!.message}`).join("; ")}`,
                    );
                // A blocked environment ran but is neither released nor up to date: counted apart.
                const blocked = runs.filter((r) => r.outcome?.status === "blocked").length;
                const released = runs.filter((r) => r.outcome).length - blocked;
                const environments = released === 1 ? "environment" : "environments";
                return `release train of ${item.scheduledTime}: ${released} ${environments} released or up to date${blocked > 0 ? `, ${blocked} blocked` : ""}`;
            }
        }
    }

    return async (event, context) => {
        const records = event.Records;
        const budget: WaitBudget = () => Math.min(DEFAULT_MAX_WAIT_MS, context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS);
        for (const [i, record] of records.entries()) {
            const receives = Number(record.attributes?.ApproximateReceiveCount ?? "1");
            try {
                const done = await perform(parseWorkItem(record.body), budget);
                deps.log.info(done, { messageId: record.messageId });
            } catch (e) {
                // FIFO: this message and every one after it stay on the queue, to come back in order.
                const seconds = retryDelaySeconds(e, receives, deps.now());
                const rest = records.slice(i);
                deps.log.error(
                    `message ${record.messageId} failed (receive ${receives}), retried in ${seconds} s: ${(e as Error).message}`,
                    { messageId: record.messageId, retryInSeconds: seconds },
                );
                for (const r of rest) {
                    await deps
                        .delay(r.receiptHandle, seconds)
                        .catch((err: unknown) => deps.log.warn(`could not delay message ${r.messageId}: ${(err as Error).message}`));
                }
                return { batchItemFailures: rest.map((r) => ({ itemIdentifier: r.messageId })) };
            }
        }
        return { batchItemFailures: [] };
    };
}

/** The worker's settings: where its tokens, the queue and the owners' topic are, and the ops repository. */
export function workerDepsFromEnv(env: NodeJS.ProcessEnv): WorkerDeps {
    const gitHubApiUrl = env.GITHUB_API_URL ?? "https://api.github.com";
    const queueUrl = setting(env, RELEASE_CONTROLLER_ENV.queueUrl);
    return {
        tokens: secretsFrom(env, {
            github: RELEASE_CONTROLLER_ENV.githubTokenSecretArn,
            circleci: RELEASE_CONTROLLER_ENV.circleciTokenSecretArn,
        }),
        gitHub: (token, maxWaitMs) => createGitHub({ token, baseUrl: gitHubApiUrl, maxWaitMs }),
        circleCi: (token, maxWaitMs) => new CircleCi({ token, baseUrl: env.CIRCLECI_API_URL, maxRetryAfterMs: Math.max(0, maxWaitMs) }),
        ops: { owner: setting(env, RELEASE_CONTROLLER_ENV.opsOwner), repo: setting(env, RELEASE_CONTROLLER_ENV.opsRepo) },
        loadWorkspace: loadRemoteWorkspace,
        publish: snsPublisher(setting(env, RELEASE_CONTROLLER_ENV.ownersTopicArn)),
        feedbackSecrets: feedbackSecretsFrom(env),
        delay: sqsDelayer(queueUrl),
        gitHubApiUrl,
        now: () => new Date(),
        log: consoleLogger,
        dashboard: refreshDashboard,
    };
}

/**
 * The optional feedback secrets, each read only when the deployment passed its ARN. `secrets` reads them from
 * Secrets Manager; a test gives its own, the SDK being the Lambda runtime's.
 */
export function feedbackSecretsFrom(env: NodeJS.ProcessEnv, secrets = secretsFrom): (() => Promise<FeedbackSecrets>) | undefined {
    const { slackWebhooksSecretArn: slack, sentryTokenSecretArn: sentry } = RELEASE_CONTROLLER_ENV;
    if (!env[slack] && !env[sentry]) return undefined;
    const read = secrets(env, { ...(env[slack] ? { slack } : {}), ...(env[sentry] ? { sentry } : {}) } as Record<
        "slack" | "sentry",
        string
    >);
    return async () => {
        const s = await read();
        return { slackWebhooks: slackWebhooksFromJson(s.slack, (l) => consoleLogger.warn(l)), sentryToken: s.sentry };
    };
}

let live: ((event: SqsEvent, context: WorkerContext) => Promise<BatchResponse>) | undefined;

/** Lambda's entry. Built on the first batch, not at import: a cold import stays cheap and side-effect free. */
export async function handler(event: SqsEvent, context: WorkerContext): Promise<BatchResponse> {
    live ??= createWorker(workerDepsFromEnv(process.env));
    return live(event, context);
}
