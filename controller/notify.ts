// What the release controller tells people outside a release PR's own body: the answer to a slash command,
// and a failed deploy (a comment on the PRs that asked for it, and a message to the release owners). Every
// comment carries a hidden marker, so a replayed event edits or leaves its comment instead of adding one.
import type { Workspace } from "../config";
import { releaseBranch } from "../release/pr";
import type { ReleaseOutcome, ReleaseRequest } from "../release/release";
import type { MergedPull } from "../deploy/targets";

export const failureMarker = (env: string): string => `<!-- conveyor:deploy-failed env=${env} -->`;
/** One answer per command comment, whatever the number of deliveries of it. */
export const answerMarker = (commentId: number): string => `<!-- conveyor:answer comment=${commentId} -->`;

// ---- slash command answers (pure) ----------------------------------------------------------------------

const commandText = (req: Pick<ReleaseRequest, "mode" | "env">): string => `\`/conveyor ${req.mode} ${req.env}\``;

export function refusalText(login: string, req: Pick<ReleaseRequest, "mode" | "env">, repo: string, permission: string): string {
    return (
        `Sorry @${login}, ${commandText(req)} needs write permission on ${repo}, and yours is "${permission}". ` +
        "Ask someone with write access to run it, or to label the change for a release."
    );
}

export function unknownEnvironmentText(login: string, req: Pick<ReleaseRequest, "mode" | "env">, ws: Workspace): string {
    const envs = ws.environments.map((e) => e.stack);
    const example = envs[0] ?? "staging";
    return (
        `@${login}, there is no environment "${req.env}". The environments are: ${envs.map((e) => `\`${e}\``).join(", ")}. ` +
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
            return `@${login}: not released to **${req.env}**: ${outcome.reason}`;
        case "dry-run":
            return `@${login}: dry run for **${req.env}**, nothing written.`;
    }
}

export function inputErrorText(login: string, req: Pick<ReleaseRequest, "mode" | "env">, message: string): string {
    return `@${login}: ${commandText(req)} was refused: ${message}`;
}

export function failedText(login: string, req: Pick<ReleaseRequest, "mode" | "env">): string {
    return `@${login}: ${commandText(req)} failed on the release controller's side; the release owners are alerted. Try again later.`;
}

// ---- failed deploys --------------------------------------------------------------------------------------

export interface FailedDeploy {
    /** `owner/repo` of the ops repository. */
    readonly repo: string;
    readonly sha: string;
    /** Stacks the commit was to deploy (org included). */
    readonly stacks: readonly string[];
    readonly workflow: { readonly name: string; readonly status: string; readonly url: string };
    readonly pulls: readonly MergedPull[];
}

/** Pure: which merged PRs asked for which failed environments (release branch or deploy/<env> label). */
export function pullsToTell(failure: Pick<FailedDeploy, "stacks" | "pulls">): { readonly pull: MergedPull; readonly env: string }[] {
    const envs = failure.stacks.filter((s) => s !== "org");
    return failure.pulls.flatMap((pull) =>
        envs.filter((env) => pull.head === releaseBranch(env) || pull.labels.includes(`deploy/${env}`)).map((env) => ({ pull, env })),
    );
}

export const failureCommentText = (env: string, f: FailedDeploy): string => `Deploy of **${env}** failed: [${f.workflow.name}](${f.workflow.url}) (${f.workflow.status}).`;

/** SNS subjects are at most 100 ASCII characters on one line. */
const SUBJECT_LIMIT = 100;

export function failureMessage(f: FailedDeploy, webUrl: string): { subject: string; message: string } {
    const subject = `conveyor: deploy of ${f.stacks.join(", ")} failed`.replace(/[^\x20-\x7e]/g, "?");
    const pulls = pullsToTell(f).map(({ pull, env }) => `- ${env}: ${webUrl}/${f.repo}/pull/${pull.number}`);
    const message = [
        `The deploy of ${f.stacks.join(", ")} from ${f.repo}@${f.sha.slice(0, 12)} did not succeed.`,
        "",
        `Workflow: ${f.workflow.name} (${f.workflow.status})`,
        `Build: ${f.workflow.url}`,
        `Commit: ${webUrl}/${f.repo}/commit/${f.sha}`,
        ...(pulls.length > 0 ? ["", "Asked for by:", ...pulls] : []),
        "",
        "Rerun the workflow once the cause is fixed; a release PR stays unlabelled `deployed` until a deploy succeeds, which holds the next release of that environment.",
    ].join("\n");
    return { subject: subject.length > SUBJECT_LIMIT ? `${subject.slice(0, SUBJECT_LIMIT - 3)}...` : subject, message };
}
