// A finished deploy workflow of the ops repository (CircleCI's workflow-completed webhook, from the queue):
// tell the people who asked. Environments whose deploy job succeeded get `deployed` (issues told, PRs
// commented, release PR labelled); when the workflow failed, CircleCI is asked which job failed, and only the
// environment of that job is blamed; the ones after it are told they were not deployed.
import type { Octokit } from "octokit";
import type { OrgConfig, Workspace } from "../config";
import { deployJobName } from "../pipeline/ci-config";
import type { CiJobs, WorkflowJob } from "../clients/circleci-pipelines";
import { runDeployed } from "../deploy/deployed";
import { announceFailure } from "../deploy/announce";
import type { FeedbackClients } from "../clients/feedback";
import { webUrlOf } from "../clients/github";
import type { Logger } from "./log";
import { listComments, upsertMarkedComment } from "../clients/marked-comment";
import {
    failureCommentText,
    failureMarker,
    failureMessage,
    pullsToTell,
    type DeployJob,
    type EnvFailure,
    type FailedDeploy,
} from "../deploy/notices";
import { opsRefOf, requireOrg } from "../release/release";
import type { RepoRef } from "./remote-workspace";
import { deployTargets, type MergedPull } from "../deploy/targets";
import { deployResultOf } from "./webhooks";

/** The fields of a workflow-completed event the intake keeps. */
export interface DeployFinished {
    readonly workflow: { readonly id: string; readonly name: string; readonly status: string; readonly url: string };
    readonly sha: string;
    readonly branch?: string;
}

export interface DeployEventContext {
    readonly gh: Octokit;
    readonly ci: CiJobs;
    readonly ops: RepoRef;
    readonly workspace: () => Promise<Workspace>;
    /** To the release owners' SNS topic. */
    readonly publish: (subject: string, message: string) => Promise<void>;
    readonly gitHubApiUrl: string;
    readonly log: Logger;
    /** Slack and Sentry for the workspace, when configured; neither can fail the work. */
    readonly feedback?: (workspace: Workspace) => Promise<FeedbackClients>;
}

export type DeployEventResult =
    | { readonly status: "ignored"; readonly reason: string }
    | { readonly status: "deployed"; readonly environments: readonly string[] }
    | {
          readonly status: "failure-reported";
          readonly deployed: readonly string[];
          readonly failed: readonly string[];
          readonly notRun: readonly string[];
          readonly pulls: readonly number[];
      };

/** Statuses of a job that ran and did not succeed. */
const FAILED_JOB = ["failed", "infrastructure_fail", "timedout", "terminated-unknown", "canceled", "unauthorized"];

export interface EnvOutcomes {
    readonly deployed: readonly string[];
    readonly failures: readonly EnvFailure[];
    readonly failedJobs: readonly DeployJob[];
}

/** Pure: what a failed workflow's jobs say of each environment it was to deploy. */
export function envOutcomes(envs: readonly string[], jobs: readonly WorkflowJob[], workflowUrl: string): EnvOutcomes {
    const link = (j: WorkflowJob): DeployJob => ({
        name: j.name,
        status: j.status,
        url: j.jobNumber === undefined ? workflowUrl : `${workflowUrl}/jobs/${j.jobNumber}`,
    });
    const failedJobs = jobs.filter((j) => FAILED_JOB.includes(j.status)).map(link);
    const deployed: string[] = [];
    const failures: EnvFailure[] = [];
    for (const env of envs) {
        const job = jobs.find((j) => j.name === deployJobName(env));
        if (job?.status === "success") deployed.push(env);
        else if (job && FAILED_JOB.includes(job.status)) failures.push({ env, result: "failed", job: link(job) });
        else failures.push({ env, result: "not-run", ...(failedJobs[0] ? { cause: failedJobs[0] } : {}) });
    }
    return { deployed, failures, failedJobs };
}

export async function handleDeployFinished(ctx: DeployEventContext, e: DeployFinished): Promise<DeployEventResult> {
    const result = deployResultOf(e.workflow.status);
    if (!result) return { status: "ignored", reason: `workflow status ${e.workflow.status} is not a deploy's end` };
    const workspace = await ctx.workspace();
    const ops = opsRefOf(requireOrg(workspace));
    if (e.branch !== ops.branch) return { status: "ignored", reason: `branch ${e.branch ?? "(none)"} is not ${ops.branch}` };
    const targets = await deployTargets(ctx.gh, workspace, e.sha);
    for (const note of targets.notes) ctx.log.warn(note);
    if (targets.stacks.length === 0) return { status: "ignored", reason: `commit ${e.sha} deploys nothing` };
    const envs = targets.stacks.filter((s) => s !== "org");
    const feedback = ctx.feedback ? await ctx.feedback(workspace) : {};

    const outcomes: EnvOutcomes =
        result === "succeeded"
            ? { deployed: envs, failures: [], failedJobs: [] }
            : envOutcomes(envs, await ctx.ci.workflowJobs(e.workflow.id), e.workflow.url);
    const problems: string[] = [];
    // Every environment is told even when one fails; then the failure is thrown, for the queue to retry.
    for (const env of outcomes.deployed) {
        try {
            const out = await runDeployed(
                ctx.gh,
                workspace,
                { env, sha: e.sha, buildUrl: e.workflow.url, pulls: targets.pulls },
                (line) => ctx.log.info(line, { env }),
                { ...feedback, warn: (line) => ctx.log.warn(line, { env }) },
            );
            ctx.log.info(
                `deployed ${env} at ${e.sha.slice(0, 7)}: release PR ${out.releasePr ?? "none"}, ${out.issues.length} issues, ${out.writes} writes`,
                { env },
            );
        } catch (err) {
            ctx.log.error(`deployed ${env} at ${e.sha.slice(0, 7)} failed: ${(err as Error).message}`, { env });
            problems.push(`${env}: ${(err as Error).message}`);
        }
    }
    let told: number[] = [];
    if (result === "failed") {
        const failure: FailedDeploy = {
            repo: `${ctx.ops.owner}/${ctx.ops.repo}`,
            sha: e.sha,
            workflow: e.workflow,
            envs: outcomes.failures,
            failedJobs: outcomes.failedJobs,
            pulls: targets.pulls,
        };
        told = await reportFailure(ctx, failure, requireOrg(workspace), feedback);
    }
    if (problems.length > 0) throw new Error(`post-deploy actions failed: ${problems.join("; ")}`);
    if (result === "succeeded") return { status: "deployed", environments: envs };
    const of = (r: EnvFailure["result"]) => outcomes.failures.filter((f) => f.result === r).map((f) => f.env);
    return { status: "failure-reported", deployed: outcomes.deployed, failed: of("failed"), notRun: of("not-run"), pulls: told };
}

/**
 * One comment per environment on each PR that asked for it, and one message to the owners. The comments are
 * read first: the owners hear once per change on GitHub (a new failure, or one that differs), so a retried
 * or replayed event that finds the comments in place tells no one twice. A run interrupted between the
 * message and the comments sends the message again: told twice rather than never.
 */
async function reportFailure(ctx: DeployEventContext, failure: FailedDeploy, org: OrgConfig, feedback: FeedbackClients): Promise<number[]> {
    const tell = pullsToTell(failure);
    const target = (pull: MergedPull) => ({ ...ctx.ops, number: pull.number });
    const current = await Promise.all(tell.map(({ pull }) => listComments(ctx.gh, target(pull))));
    const bodies = tell.map(
        ({ env }) =>
            `${failureMarker(env)}\n${failureCommentText(
                failure.envs.find((f) => f.env === env)!,
                failure,
            )}`,
    );
    const pending = tell.filter((_, i) => !current[i].some((c) => c.body === bodies[i]));
    if (pending.length > 0 || tell.length === 0) {
        const { subject, message } = failureMessage(failure, webUrlOf(ctx.gitHubApiUrl));
        await ctx.publish(subject, message);
        // The channel hears of a failure when the owners do: once per change of the failure comments.
        if (feedback.announcer) {
            const took = await announceFailure(org, feedback.announcer, failure);
            if (took.length > 0) ctx.log.info(`deploy failure announced on Slack (${took.join(", ")})`);
        }
    }
    for (const [i, { pull, env }] of tell.entries()) {
        await upsertMarkedComment(ctx.gh, target(pull), failureMarker(env), bodies[i].slice(failureMarker(env).length + 1), current[i]);
    }
    const told = [...new Set(tell.map(({ pull }) => pull.number))];
    // A commit that deploys only the org stack has no environment to name: its failed jobs say what broke.
    const outcome =
        failure.envs.length > 0
            ? failure.envs.map((f) => `${f.env} ${f.result}`).join(", ")
            : failure.failedJobs.map((j) => `${j.name} ${j.status}`).join(", ") || "no job failed";
    ctx.log.warn(`deploy at ${failure.sha.slice(0, 7)} ${failure.workflow.status}: ${outcome}; told PRs ${told.join(", ") || "none"}`);
    return told;
}
