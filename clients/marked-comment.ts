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
    // What was announced of the event stays recorded when the words change (see sentKeys).
    if (mine && withoutSent(mine.body ?? "") === body) return 0;
    if (mine)
        await gh.rest.issues.updateComment({
            owner: t.owner,
            repo: t.repo,
            comment_id: mine.id,
            body: `${body}${sentTrailer(mine.body ?? "")}`,
        });
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

// The record of what was announced elsewhere (Slack) about the event a GitHub text marks: a hidden last line
// of that same text (the release PR's body, the "Deployed to" comment), so it lives and dies with the event
// it records and needs no store of its own. A rerun that finds its key there sends nothing.
const SENT = /\n?<!-- conveyor:sent ([a-z0-9:._ -]*) -->\s*$/;
const SENT_KEY = /^[a-z0-9:._-]{1,48}$/;
/** Keys kept, the newest: at most ~420 characters, within what the release body leaves under GitHub's limit. */
const SENT_KEEP = 8;

/** The announcement keys a body records as sent. */
export function sentKeys(body: string | null | undefined): string[] {
    const m = SENT.exec(body ?? "");
    return m ? m[1].split(" ").filter((k) => SENT_KEY.test(k)) : [];
}

/** The body without its record of announcements. */
export function withoutSent(body: string): string {
    return body.replace(SENT, "");
}

/** The record of a body, as a trailer to append to another body ("" when none). */
export function sentTrailer(body: string | null | undefined): string {
    const keys = sentKeys(body);
    return keys.length > 0 ? `\n<!-- conveyor:sent ${keys.join(" ")} -->` : "";
}

/** The body recording `key` as sent too. */
export function withSent(body: string, key: string): string {
    if (!SENT_KEY.test(key)) throw new Error(`not an announcement key: ${key}`);
    const keys = [...sentKeys(body).filter((k) => k !== key), key].slice(-SENT_KEEP);
    return `${withoutSent(body)}\n<!-- conveyor:sent ${keys.join(" ")} -->`;
}
