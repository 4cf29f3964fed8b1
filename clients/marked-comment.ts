// One comment per purpose on a GitHub issue or PR, found again by a hidden marker: how every writer of
// comments (the release controller, deployed, the preview comment, the drift issue) stays idempotent when
// an event is replayed or a job reruns; and the rule for the words of ours such a comment may carry.
import type { Octokit } from "octokit";

export interface IssueTarget {
    readonly owner: string;
    readonly repo: string;
    readonly number: number;
}

/** Every comment of an issue or PR, oldest first. */
export async function listComments(gh: Octokit, t: IssueTarget): Promise<{ id: number; body?: string | null }[]> {
    return gh.paginate(gh.rest.issues.listComments, { owner: t.owner, repo: t.repo, issue_number: t.number, per_page: 100 });
}

/**
 * Finds the comment with `marker` and edits it when its text changed, else creates it; returns the writes
 * made. The create is a POST the GitHub client never retries: on a lost answer, the next delivery finds it.
 */
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
