// One comment per purpose on a GitHub issue or PR, found again by a hidden marker: how every writer of
// comments (the release controller, deployed, the preview comment, the drift issue) stays idempotent when
// an event is replayed or a job reruns.
import type { Octokit } from "octokit";

export interface IssueTarget {
    readonly owner: string;
    readonly repo: string;
    readonly number: number;
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
    const comments = known ?? (await gh.paginate(gh.rest.issues.listComments, { owner: t.owner, repo: t.repo, issue_number: t.number, per_page: 100 }));
    const mine = comments.find((c) => c.body?.startsWith(marker));
    if (mine?.body === body) return 0;
    if (mine) await gh.rest.issues.updateComment({ owner: t.owner, repo: t.repo, comment_id: mine.id, body });
    else await gh.rest.issues.createComment({ owner: t.owner, repo: t.repo, issue_number: t.number, body });
    return 1;
}
