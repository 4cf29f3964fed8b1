// What the release controller answers to a slash command, outside a release PR's own body: one comment per
// command, found again by a hidden marker keyed on the command's comment, so a replayed event edits or leaves
// it instead of adding one. Pure. (What a failed deploy tells people is deploy/notices.ts.)
import { quiet } from "../clients/marked-comment";
import type { Workspace } from "../config";
import type { ReleaseOutcome, ReleaseRequest } from "../release/release";

/** One answer per command comment, whatever the number of deliveries of it. */
export const answerMarker = (commentId: number): string => `<!-- conveyor:answer comment=${commentId} -->`;

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
