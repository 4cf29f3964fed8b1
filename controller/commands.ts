// A slash command typed on the ops repository (`/conveyor release <env>`, `/conveyor rollback <env>`), run
// once its comment has passed the webhook checks: who may ask, and the one answer the comment gets. Every
// answer is one comment per command, found again by a hidden marker keyed on the command's comment id, so a
// retried run edits it or leaves it alone.
import type { Octokit } from "octokit";
import type { Workspace } from "../config";
import type { Logger } from "./log";
import { upsertMarkedComment } from "../clients/marked-comment";
import { answerMarker, failedText, inputErrorText, outcomeText, refusalText, unknownEnvironmentText } from "./notify";
import { ReleaseInputError, runRelease, type ReleaseDeps, type ReleaseOutcome } from "../release/release";
import type { RepoRef } from "./remote-workspace";
import type { CiBuilds } from "../release/sources";
import { canWrite, type SlashCommand } from "./webhooks";

/** A command as the webhook intake accepted it. */
export interface CommandRequest {
    /** The id of the comment that holds the command: its answer is keyed on it. */
    readonly commentId: number;
    /** The issue or PR of the ops repository the comment is on. */
    readonly issue: number;
    /** Checked against GitHub's login grammar by the intake. */
    readonly login: string;
    /** A bot the configuration allows: it has no collaborator permission to look up. */
    readonly allowedBot: boolean;
    readonly command: SlashCommand;
}

export interface CommandContext {
    readonly gh: Octokit;
    readonly ci: CiBuilds;
    readonly ops: RepoRef;
    readonly workspace: () => Promise<Workspace>;
    readonly gitHubApiUrl: string;
    readonly log: Logger;
}

export interface CommandResult {
    readonly status: string;
    readonly pr?: string;
}

export async function runCommand(ctx: CommandContext, req: CommandRequest): Promise<CommandResult> {
    const { gh, ops, log } = ctx;
    const { command, login } = req;
    const answer = (text: string) => upsertMarkedComment(gh, { ...ops, number: req.issue }, answerMarker(req.commentId), text);

    if (!req.allowedBot) {
        const permission = await permissionOf(gh, ops, login);
        if (!permission.write) {
            await answer(refusalText(login, command, `${ops.owner}/${ops.repo}`, permission.name));
            log.info(`refused /conveyor ${command.mode} ${command.env} from ${login} (${permission.name})`);
            return { status: "refused" };
        }
    }
    const workspace = await ctx.workspace();
    if (!workspace.environments.some((e) => e.stack === command.env)) {
        await answer(unknownEnvironmentText(login, command, workspace));
        return { status: "unknown-environment" };
    }
    const deps: ReleaseDeps = { gh, ci: ctx.ci, workspace, gitHubApiUrl: ctx.gitHubApiUrl, progress: (line) => log.info(line) };
    let outcome: ReleaseOutcome;
    try {
        outcome = await runRelease(deps, { env: command.env, mode: command.mode, dryRun: false });
    } catch (e) {
        if (e instanceof ReleaseInputError) {
            await answer(inputErrorText(login, command, e.message));
            return { status: "refused" };
        }
        // The person who asked hears that it failed; the error itself goes to the log, the alarm and a retry.
        await answer(failedText(login, command)).catch(() => undefined);
        throw e;
    }
    await answer(outcomeText(login, command, outcome));
    return { status: outcome.status, ...("pr" in outcome ? { pr: outcome.pr.url } : {}) };
}

/** Outside collaborators and unknown users are a 404 to this call: no permission, not an error. */
async function permissionOf(gh: Octokit, ops: RepoRef, login: string): Promise<{ write: boolean; name: string }> {
    try {
        const res = await gh.rest.repos.getCollaboratorPermissionLevel({ owner: ops.owner, repo: ops.repo, username: login });
        const data = res.data as { permission?: string; role_name?: string };
        return { write: canWrite(data), name: data.role_name ?? data.permission ?? "none" };
    } catch (e) {
        if ((e as { status?: number }).status === 404) return { write: false, name: "none" };
        throw e;
    }
}
