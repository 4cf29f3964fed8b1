// What the release controller tells people outside a release PR's own body: the answer to a slash command,
// and a failed deploy (a comment on the PRs that asked for it, and a message to the release owners). Every
// comment carries a hidden marker, so a replayed event edits or leaves its comment instead of adding one.
import type { Octokit } from "octokit";
import type { Workspace } from "../components/config";
import { releaseBranch } from "./pr";
import type { ReleaseOutcome, ReleaseRequest } from "./release";
import type { MergedPull } from "./targets";

export interface IssueTarget {
    readonly owner: string;
    readonly repo: string;
    readonly number: number;
}

export const failureMarker = (env: string): string => `<!-- conveyor:deploy-failed env=${env} -->`;
/** One answer per command comment, whatever the number of deliveries of it. */
export const answerMarker = (commentId: number): string => `<!-- conveyor:answer comment=${commentId} -->`;

/**
 * Finds the comment with `marker` and edits it when its text changed, else creates it; returns the writes
 * made. The create is a POST the GitHub client never retries: on a lost answer, the next delivery finds it.
 */
export async function listComments(gh: Octokit, t: IssueTarget): Promise<{ id: number; body?: string | null }[]> {
    return gh.paginate(gh.rest.issues.listComments, { owner: t.owner, repo: t.repo, issue_number: t.number, per_page: 100 });
}

export async function upsertMarkedComment(
    gh: Octokit,
    t: IssueTarget,
    marker: string,
    text: string,
    known?: readonly { id: number; body?: string | null }[],
): Promise<number> {
    const body = `${marker}\n${text}`;
    const comments = known ?? (await listComments(gh, t));
    const mine = comments.find((c) => c.body?.startsWith(marker));
    if (mine?.body === body) return 0;
    if (mine) await gh.rest.issues.updateComment({ owner: t.owner, repo: t.repo, comment_id: mine.id, body });
    else await gh.rest.issues.createComment({ owner: t.owner, repo: t.repo, issue_number: t.number, body });
    return 1;
}

// ---- slash command answers (pure) ----------------------------------------------------------------------

/**
 * Words that are ours but may carry a name from config or from GitHub (a role name, a file, a workflow): one
 * line, no @-mention, nothing that opens or closes a code span, a link or HTML. What a user typed never gets
 * here: the only parts of a command echoed are its mode and an environment name checked against the stack
 * grammar, and the login, checked against GitHub's.
 */
export function quiet(text: string, max = 300): string {
    const one = text
        .replace(/[\r\n\t]+/g, " ")
        .replace(/[`<>[\]\\]/g, "'")
        .replace(/@(?=[A-Za-z0-9])/g, "@\u200b");
    return one.length > max ? `${one.slice(0, max - 3)}...` : one;
}

const commandText = (req: Pick<ReleaseRequest, "mode" | "env">): string => `\`/conveyor ${req.mode} ${quiet(req.env, 80)}\``;

export function refusalText(login: string, req: Pick<ReleaseRequest, "mode" | "env">, repo: string, permission: string): string {
    return (
        `Sorry @${login}, ${commandText(req)} needs write permission on ${repo}, and yours is "${quiet(permission, 40)}". ` +
        "Ask someone with write access to run it, or to label the change for a release."
    );
}

export function unknownEnvironmentText(login: string, req: Pick<ReleaseRequest, "mode" | "env">, ws: Workspace): string {
    const envs = ws.environments.map((e) => e.stack);
    const example = envs[0] ?? "staging";
    return (
        `@${login}, there is no environment "${quiet(req.env, 80)}". The environments are: ${envs.map((e) => `\`${e}\``).join(", ")}. ` +
        `For example: \`/conveyor ${req.mode} ${example}\`.`
    );
}

export function outcomeText(login: string, req: Pick<ReleaseRequest, "mode" | "env">, outcome: ReleaseOutcome): string {
    const what = req.mode === "rollback" ? "Rollback" : "Release";
    switch (outcome.status) {
        case "opened":
            return `@${login}: ${what} PR for **${req.env}** opened: ${outcome.pr.url}`;
        case "updated":
            return `@${login}: ${what} PR for **${req.env}** refreshed: ${outcome.pr.url}`;
        case "unchanged":
            return `@${login}: the ${what.toLowerCase()} PR for **${req.env}** is already up to date: ${outcome.pr.url}`;
        case "nothing-to-release":
            return `@${login}: nothing to release to **${req.env}**: every component already runs the source's build.`;
        case "blocked":
            return `@${login}: not released to **${req.env}**: ${quiet(outcome.reason)}`;
        case "dry-run":
            return `@${login}: dry run for **${req.env}**, nothing written.`;
    }
}

export function inputErrorText(login: string, req: Pick<ReleaseRequest, "mode" | "env">, message: string): string {
    return `@${login}: ${commandText(req)} was refused: ${quiet(message)}`;
}

export function failedText(login: string, req: Pick<ReleaseRequest, "mode" | "env">): string {
    return `@${login}: ${commandText(req)} failed on the release controller's side; the release owners are alerted. Try again later.`;
}

// ---- failed deploys --------------------------------------------------------------------------------------

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
export function pullsAskingFor(envs: readonly string[], pulls: readonly MergedPull[]): { readonly pull: MergedPull; readonly env: string }[] {
    return pulls.flatMap((pull) => envs.filter((env) => pull.head === releaseBranch(env) || pull.labels.includes(`deploy/${env}`)).map((env) => ({ pull, env })));
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
    const what = blamed.length > 0 ? `deploy of ${blamed.join(", ")} failed` : `deploy workflow failed${f.failedJobs[0] ? ` at ${f.failedJobs[0].name}` : ""}`;
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
