// What a failed deploy tells people: a comment on each PR that asked for an environment it did not deploy
// (turned into "resolved" by the next successful deploy) and one message to the release owners. Pure; every
// comment carries a hidden marker per environment, so a replayed event edits or leaves it.
import { quiet } from "../clients/marked-comment";
import { releaseBranch } from "../release/pr";
import type { MergedPull } from "./targets";

export const failureMarker = (env: string): string => `<!-- conveyor:deploy-failed env=${env} -->`;

/** A job of the deploy workflow, as CircleCI lists it. */
export interface DeployJob {
    readonly name: string;
    readonly status: string;
    /** Its page, under the workflow's. */
    readonly url: string;
}

/**
 * What a failed workflow did to one environment it was to deploy: its own deploy job failed (blamed), or
 * the job never ran because an earlier one failed (not deployed, not blamed).
 */
export type EnvFailure =
    | { readonly env: string; readonly result: "failed"; readonly job: DeployJob }
    | { readonly env: string; readonly result: "not-run"; readonly cause?: DeployJob };

export interface FailedDeploy {
    /** `owner/repo` of the ops repository. */
    readonly repo: string;
    readonly sha: string;
    readonly workflow: { readonly name: string; readonly status: string; readonly url: string };
    /** Environments that were to deploy and did not, and why. */
    readonly envs: readonly EnvFailure[];
    /** Every job that failed, whichever environment (or none) it belongs to. */
    readonly failedJobs: readonly DeployJob[];
    readonly pulls: readonly MergedPull[];
}

/** Pure: which merged PRs asked for which of the given environments (release branch or deploy/<env> label). */
export function pullsAskingFor(
    envs: readonly string[],
    pulls: readonly MergedPull[],
): { readonly pull: MergedPull; readonly env: string }[] {
    return pulls.flatMap((pull) =>
        envs.filter((env) => pull.head === releaseBranch(env) || pull.labels.includes(`deploy/${env}`)).map((env) => ({ pull, env })),
    );
}

export function pullsToTell(f: Pick<FailedDeploy, "envs" | "pulls">): { readonly pull: MergedPull; readonly env: string }[] {
    return pullsAskingFor(
        f.envs.map((e) => e.env),
        f.pulls,
    );
}

const jobLink = (job: DeployJob): string => `[${quiet(job.name, 80)}](${job.url}) (${quiet(job.status, 20)})`;

export function failureCommentText(e: EnvFailure, f: Pick<FailedDeploy, "workflow">): string {
    const workflow = `[${quiet(f.workflow.name, 80)}](${f.workflow.url})`;
    if (e.result === "failed") return `Deploy of **${e.env}** failed: job ${jobLink(e.job)} of ${workflow}.`;
    const cause = e.cause ? `job ${jobLink(e.cause)} failed before it` : "an earlier job failed";
    return `**${e.env}** was not deployed: ${cause}, in ${workflow}.`;
}

/** The same comment, once a later deploy of the environment succeeded. */
export function resolvedText(env: string, sha: string, buildUrl: string): string {
    return `~~A deploy of **${env}** failed.~~ Resolved: **${env}** deployed at ${sha.slice(0, 7)} ([build](${buildUrl})).`;
}

/** SNS subjects are at most 100 ASCII characters on one line. */
const SUBJECT_LIMIT = 100;

export function failureMessage(f: FailedDeploy, webUrl: string): { subject: string; message: string } {
    const blamed = f.envs.filter((e) => e.result === "failed").map((e) => e.env);
    const notRun = f.envs.filter((e) => e.result === "not-run").map((e) => e.env);
    const what =
        blamed.length > 0
            ? `deploy of ${blamed.join(", ")} failed`
            : `deploy workflow failed${f.failedJobs[0] ? ` at ${f.failedJobs[0].name}` : ""}`;
    const subject = `conveyor: ${what}`.replace(/[^\x20-\x7e]/g, "?");
    const pulls = pullsToTell(f).map(({ pull, env }) => `- ${env}: ${webUrl}/${f.repo}/pull/${pull.number}`);
    const message = [
        `The deploy workflow from ${f.repo}@${f.sha.slice(0, 12)} did not succeed.`,
        ...(blamed.length > 0 ? [`Failed: ${blamed.join(", ")}.`] : []),
        ...(notRun.length > 0 ? [`Not deployed (an earlier job failed): ${notRun.join(", ")}.`] : []),
        "",
        `Workflow: ${f.workflow.name} (${f.workflow.status})`,
        `Build: ${f.workflow.url}`,
        ...f.failedJobs.map((j) => `Failed job: ${j.name} (${j.status}) ${j.url}`),
        `Commit: ${webUrl}/${f.repo}/commit/${f.sha}`,
        ...(pulls.length > 0 ? ["", "Asked for by:", ...pulls] : []),
        "",
        "Rerun the workflow once the cause is fixed; a release PR stays unlabelled `deployed` until a deploy succeeds, which holds the next release of that environment.",
    ].join("\n");
    return { subject: subject.length > SUBJECT_LIMIT ? `${subject.slice(0, SUBJECT_LIMIT - 3)}...` : subject, message };
}
