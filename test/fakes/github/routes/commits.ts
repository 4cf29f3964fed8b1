import { HttpError, notFound, pageWindow, paginate, repoOf, type RouteContext, type Route } from "../http";
import { commitShape, diffEntryShapes, pullShape, repoApiUrl } from "../shapes";
import type { CommitRecord } from "../git";
import type { RepoState } from "../state";

const DOCS = "https://docs.github.com/rest/commits/commits";

export const commitRoutes: Route[] = [
    { method: "GET", path: "/repos/{owner}/{repo}/commits", docs: `${DOCS}#list-commits`, handler: listCommits },
    {
        method: "GET",
        path: "/repos/{owner}/{repo}/commits/{commit_sha}/pulls",
        docs: `${DOCS}#list-pull-requests-associated-with-a-commit`,
        handler: commitPulls,
    },
    { method: "GET", path: "/repos/{owner}/{repo}/commits/{ref}", docs: `${DOCS}#get-a-commit`, handler: getCommit },
    {
        method: "GET",
        path: "/repos/{owner}/{repo}/compare/{basehead}",
        docs: `${DOCS}#compare-two-commits`,
        handler: compare,
        wildcard: "basehead",
    },
];

function requireCommits(repo: RepoState): void {
    if (repo.git.commits.size === 0) throw new HttpError(409, "Git Repository is empty.");
}

/** Whether `commit` changes `path` (a file, or anything under a directory) against its parents. */
function touches(repo: RepoState, commit: CommitRecord, path: string): boolean {
    const slice = (tree: Readonly<Record<string, string>>) =>
        Object.entries(tree)
            .filter(([p]) => p === path || p.startsWith(`${path}/`))
            .sort(([a], [b]) => (a < b ? -1 : 1))
            .join("\n");
    const mine = slice(commit.tree);
    if (commit.parents.length === 0) return mine !== "";
    // A merge counts only when it differs from every parent, like git's default history simplification.
    return commit.parents.every((parent) => slice(repo.commitRecord(parent).tree) !== mine);
}

function matchesAuthor(commit: CommitRecord, author: string): boolean {
    const wanted = author.toLowerCase();
    return commit.authorLogin?.toLowerCase() === wanted || commit.author.email.toLowerCase() === wanted;
}

/** History of `sha` (default branch when omitted), newest first, optionally only commits touching `path`. */
function listCommits(ctx: RouteContext) {
    const repo = repoOf(ctx);
    requireCommits(repo);
    const ref = ctx.query.get("sha") || repo.default_branch;
    const sha = repo.resolveRef(ref);
    if (sha === undefined) throw new HttpError(404, `No commit found for SHA: ${ref}`);
    const path = (ctx.query.get("path") ?? "").replace(/^\/+|\/+$/g, "");
    const author = ctx.query.get("author");
    const since = ctx.query.get("since");
    const until = ctx.query.get("until");
    const commits = repo.git
        .history(sha)
        .filter(
            (c) =>
                (path === "" || touches(repo, c, path)) &&
                (!author || matchesAuthor(c, author)) &&
                (!since || Date.parse(c.committer.date) >= Date.parse(since)) &&
                (!until || Date.parse(c.committer.date) <= Date.parse(until)),
        );
    return paginate(
        ctx,
        commits.map((c) => commitShape(ctx.baseUrl, repo, c)),
    );
}

/** GET /commits/{ref} pages its files: 300 a page unless per_page says otherwise, 3000 in all (the endpoint's description). */
const COMMIT_FILES_PER_PAGE = 300;
const COMMIT_FILES_LIMIT = 3000;

/**
 * One commit with stats and one page of its files, with a Link header to the
 * rest; every page repeats the commit. An unknown ref is GitHub's 422.
 */
function getCommit(ctx: RouteContext) {
    const repo = repoOf(ctx);
    requireCommits(repo);
    const ref = ctx.params.ref ?? "";
    const sha = repo.resolveRef(ref);
    if (sha === undefined) throw new HttpError(422, `No commit found for SHA: ${ref}`);
    const shape = commitShape(ctx.baseUrl, repo, repo.commitRecord(sha), true);
    const files = (shape.files as unknown[]).slice(0, COMMIT_FILES_LIMIT);
    const window = pageWindow(ctx, files.length, COMMIT_FILES_PER_PAGE);
    return { status: 200, body: { ...shape, files: files.slice(window.start, window.end) }, headers: window.headers };
}

function commitPulls(ctx: RouteContext) {
    const repo = repoOf(ctx);
    requireCommits(repo);
    const ref = ctx.params.commit_sha ?? "";
    const sha = repo.resolveRef(ref);
    if (sha === undefined) throw new HttpError(422, `No commit found for SHA: ${ref}`);
    return paginate(
        ctx,
        repo.pullsForCommit(sha).map((pull) => pullShape(ctx.baseUrl, repo, pull, false)),
    );
}

/** "owner:branch" names a branch of this repository only when owner is its owner. */
function compareRef(repo: RepoState, raw: string): string | undefined {
    const colon = raw.indexOf(":");
    if (colon >= 0) {
        if (raw.slice(0, colon).toLowerCase() !== repo.owner.login.toLowerCase()) return undefined;
        return repo.resolveRef(raw.slice(colon + 1));
    }
    return repo.resolveRef(raw);
}

const UNPAGED_LIMIT = 250;
const FILES_LIMIT = 300;

/**
 * `base...head`: the commits head has that the merge base lacks, oldest first.
 * Without page/per_page GitHub answers the newest 250 of them; with either it
 * pages through all of them, and only the first page carries `files`.
 */
function compare(ctx: RouteContext) {
    const repo = repoOf(ctx);
    const basehead = ctx.params.basehead ?? "";
    const parts = basehead.split("...");
    if (parts.length !== 2) throw notFound();
    const [baseName, headName] = parts as [string, string];
    const base = compareRef(repo, baseName);
    const head = compareRef(repo, headName);
    if (base === undefined || head === undefined) throw notFound();
    const mergeBase = repo.git.mergeBase(base, head);
    if (mergeBase === undefined) throw new HttpError(404, `No common ancestor between ${baseName} and ${headName}.`);
    const ahead = repo.git.range(base, head);
    const behind = repo.git.range(head, base);
    const status = ahead.length === 0 ? (behind.length === 0 ? "identical" : "behind") : behind.length === 0 ? "ahead" : "diverged";
    const paged = ctx.query.has("page") || ctx.query.has("per_page");
    let commits: CommitRecord[];
    let headers: Record<string, string> = {};
    let firstPage = true;
    if (paged) {
        const window = pageWindow(ctx, ahead.length);
        commits = ahead.slice(window.start, window.end);
        headers = window.headers;
        firstPage = window.page === 1;
    } else {
        commits = ahead.slice(-UNPAGED_LIMIT);
    }
    const headCommit = repo.commitRecord(head);
    const html = `https://github.com/${repo.fullName}/compare/${basehead}`;
    const body = {
        url: `${repoApiUrl(ctx.baseUrl, repo)}/compare/${encodeURIComponent(baseName)}...${encodeURIComponent(headName)}`,
        html_url: html,
        permalink_url: `https://github.com/${repo.fullName}/compare/${repo.owner.login}:${base.slice(0, 7)}...${repo.owner.login}:${head.slice(0, 7)}`,
        diff_url: `${html}.diff`,
        patch_url: `${html}.patch`,
        base_commit: commitShape(ctx.baseUrl, repo, repo.commitRecord(base)),
        merge_base_commit: commitShape(ctx.baseUrl, repo, repo.commitRecord(mergeBase)),
        status,
        ahead_by: ahead.length,
        behind_by: behind.length,
        total_commits: ahead.length,
        commits: commits.map((c) => commitShape(ctx.baseUrl, repo, c)),
        ...(firstPage
            ? { files: diffEntryShapes(ctx.baseUrl, repo, repo.commitRecord(mergeBase).tree, headCommit.tree, head).slice(0, FILES_LIMIT) }
            : {}),
    };
    return { status: 200, body, headers };
}
