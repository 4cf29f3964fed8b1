// What a commit or pull request points at: its PR number, the issues it references. Pure.

export interface RepoRef {
    readonly owner: string;
    readonly repo: string;
}

export interface IssueRef extends RepoRef {
    readonly number: number;
}

export const issueKey = (r: IssueRef): string => `${r.owner}/${r.repo}#${r.number}`.toLowerCase();

/**
 * The PR a commit on the default branch came from, when its message says so: a merge commit
 * ("Merge pull request #12 from owner/branch") or a squash merge ("Title (#12)" on the first line).
 */
export function prNumberFromMessage(message: string): number | undefined {
    const first = message.split("\n", 1)[0];
    const merge = /^Merge pull request #(\d+) from /.exec(first);
    if (merge) return Number(merge[1]);
    const squash = /\(#(\d+)\)\s*$/.exec(first);
    return squash ? Number(squash[1]) : undefined;
}

const NAME = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})";
const REPO = "[A-Za-z0-9._-]{1,100}";
const URL_REF = new RegExp(`https?://github\\.com/(${NAME})/(${REPO})/(?:issues|pull)/(\\d+)`, "g");
const FULL_REF = new RegExp(`(?<![\\w/.-])(${NAME})/(${REPO})#(\\d+)\\b`, "g");
const SHORT_REF = /(?<![\w/#&])#(\d+)\b/g;

/**
 * Issues referenced by a PR's title and body: closing keywords ("fixes #12"), plain mentions (#12),
 * cross-repository references (owner/repo#12) and issue URLs. Code spans and blocks are ignored,
 * as GitHub ignores them.
 */
export function issueRefs(text: string, home: RepoRef): IssueRef[] {
    const blank = (m: string): string => " ".repeat(m.length); // keeps every later match at its index
    let rest = text.replace(/```[\s\S]*?```/g, blank).replace(/`[^`\n]*`/g, blank);
    const hits: [index: number, ref: IssueRef][] = [];
    const scan = (pattern: RegExp, toRef: (m: RegExpMatchArray) => IssueRef): void => {
        for (const m of rest.matchAll(pattern)) hits.push([m.index ?? 0, toRef(m)]);
        rest = rest.replace(pattern, blank);
    };
    scan(URL_REF, (m) => ({ owner: m[1], repo: m[2], number: Number(m[3]) }));
    scan(FULL_REF, (m) => ({ owner: m[1], repo: m[2], number: Number(m[3]) }));
    scan(SHORT_REF, (m) => ({ ...home, number: Number(m[1]) }));
    const found = new Map<string, IssueRef>();
    for (const [, ref] of hits.sort((a, b) => a[0] - b[0])) {
        if (ref.number > 0 && !found.has(issueKey(ref))) found.set(issueKey(ref), ref);
    }
    return [...found.values()];
}

/**
 * Text safe to put in a PR body: no reference GitHub would turn into a link (and so a cross-reference
 * event on the issue), no @mention that would notify someone on every refresh of the body.
 */
export function inert(text: string): string {
    return text
        .replace(/#(\d)/g, "&#35;$1")
        .replace(/@(?=[A-Za-z0-9])/g, "@\u200b")
        .replace(/https?:\/\/github\.com\//g, "github\u200b.com/");
}

/** An issue or PR link that goes through the redirector, so GitHub records no cross-reference. */
export function redirectLink(redirectorDomain: string, ref: IssueRef): string {
    return `https://${redirectorDomain}/${ref.owner}/${ref.repo}/issues/${ref.number}`;
}
