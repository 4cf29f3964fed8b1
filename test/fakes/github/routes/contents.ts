import { HttpError, notFound, objectBody, repoOf, type RouteContext, type Route } from "../http";
import { contentShape, directoryEntries, fileCommitShape } from "../shapes";
import type { AuthorInit, RepoState } from "../state";

const DOCS = "https://docs.github.com/rest/repos/contents";

export const contentRoutes: Route[] = [
    {
        method: "GET",
        path: "/repos/{owner}/{repo}/contents/{path}",
        docs: `${DOCS}#get-repository-content`,
        handler: getContent,
        wildcard: "path",
        // The root directory: GitHub lists it for `/contents` and `/contents/`.
        wildcardOptional: true,
    },
    {
        method: "PUT",
        path: "/repos/{owner}/{repo}/contents/{path}",
        docs: `${DOCS}#create-or-update-file-contents`,
        handler: putContent,
        wildcard: "path",
    },
    {
        method: "DELETE",
        path: "/repos/{owner}/{repo}/contents/{path}",
        docs: `${DOCS}#delete-a-file`,
        handler: deleteContent,
        wildcard: "path",
    },
];

/** The path parameter without the slashes GitHub tolerates around it. */
function pathOf(ctx: RouteContext): string {
    return (ctx.params.path ?? "").replace(/^\/+|\/+$/g, "");
}

/** A file (base64 content, blob sha) or a directory listing; 404 when the path is absent at `ref`. */
function getContent(ctx: RouteContext) {
    const repo = repoOf(ctx);
    if (repo.git.commits.size === 0) throw new HttpError(404, "This repository is empty.");
    const ref = ctx.query.get("ref") || repo.default_branch;
    const sha = repo.resolveRef(ref);
    if (sha === undefined) throw new HttpError(404, `No commit found for the ref ${ref}`);
    const commit = repo.commitRecord(sha);
    const path = pathOf(ctx);
    const blob = commit.tree[path];
    if (blob !== undefined) {
        const content = repo.git.blob(blob)!;
        return {
            status: 200,
            body: contentShape(ctx.baseUrl, repo, { path, sha: blob, type: "file", size: content.length }, ref, content),
        };
    }
    const entries = directoryEntries(repo, commit, path);
    if (!entries) throw notFound();
    return { status: 200, body: entries.map((entry) => contentShape(ctx.baseUrl, repo, entry, ref)) };
}

/** GitHub's wording when a required field of this endpoint is missing. */
function notSupplied(field: string): HttpError {
    return new HttpError(422, `Invalid request.\n\n"${field}" wasn't supplied.`);
}

function suppliedString(body: Record<string, unknown>, field: string): string {
    const value = body[field];
    if (value === undefined || value === null) throw notSupplied(field);
    if (typeof value !== "string")
        throw new HttpError(422, `Invalid request.\n\nFor '${field}', ${JSON.stringify(value)} is not a string.`);
    return value;
}

function decodedContent(base64: string): Buffer {
    const compact = base64.replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) throw new HttpError(422, "content is not valid Base64");
    return Buffer.from(compact, "base64");
}

/** `author`/`committer` objects of the request: name and email (and an optional date). */
function identity(body: Record<string, unknown>, field: "author" | "committer"): { init: AuthorInit; date?: string } | undefined {
    const value = body[field];
    if (value === undefined || value === null) return undefined;
    const record = value as Record<string, unknown>;
    if (typeof value !== "object" || typeof record.name !== "string" || typeof record.email !== "string") {
        throw new HttpError(422, `Invalid request.\n\n"name" and "email" are required in "${field}".`);
    }
    return { init: { name: record.name, email: record.email }, ...(typeof record.date === "string" ? { date: record.date } : {}) };
}

/**
 * Creates or replaces one file with a commit on `branch`. Replacing needs the
 * file's current blob sha (compare-and-swap): missing is a 422, stale a 409;
 * a sha sent for a file that does not exist is ignored, as GitHub does.
 */
function putContent(ctx: RouteContext) {
    const repo = repoOf(ctx);
    const path = pathOf(ctx);
    const body = objectBody(ctx);
    const message = suppliedString(body, "message");
    const content = decodedContent(suppliedString(body, "content"));
    const branch = typeof body.branch === "string" && body.branch !== "" ? body.branch : repo.default_branch;
    const tip = repo.branches.get(branch);
    // The first file of an empty repository creates its default branch.
    const emptyRepo = repo.git.commits.size === 0 && branch === repo.default_branch;
    if (tip === undefined && !emptyRepo) throw new HttpError(404, `Branch ${branch} not found`);
    const current = tip === undefined ? undefined : repo.commitRecord(tip).tree[path];
    if (current !== undefined) {
        const sha = body.sha;
        if (sha === undefined || sha === null || sha === "") throw notSupplied("sha");
        if (sha !== current) throw new HttpError(409, `${path} does not match ${typeof sha === "string" ? sha : JSON.stringify(sha)}`);
    }
    const author = identity(body, "author");
    const committer = identity(body, "committer");
    const sha = writeFile(
        repo,
        branch,
        path,
        content,
        message,
        author?.init ?? committer?.init,
        committer?.init,
        author?.date ?? committer?.date,
    );
    const commit = repo.commitRecord(sha);
    return {
        status: current === undefined ? 201 : 200,
        body: {
            content: contentShape(ctx.baseUrl, repo, { path, sha: commit.tree[path], type: "file", size: content.length }, branch),
            commit: fileCommitShape(ctx.baseUrl, repo, commit),
        },
    };
}

function writeFile(
    repo: RepoState,
    branch: string,
    path: string,
    content: Buffer,
    message: string,
    author: AuthorInit | undefined,
    committer: AuthorInit | undefined,
    date: string | undefined,
): string {
    return repo.commit(branch, {
        message,
        files: { [path]: content },
        ...(author === undefined ? {} : { author }),
        ...(committer === undefined ? {} : { committer }),
        ...(date === undefined ? {} : { date }),
    });
}

/** Deletes one file with a commit on `branch`; like a replace, it needs the file's current blob sha. */
function deleteContent(ctx: RouteContext) {
    const repo = repoOf(ctx);
    const path = pathOf(ctx);
    const body = objectBody(ctx);
    const message = suppliedString(body, "message");
    const sha = suppliedString(body, "sha");
    const branch = typeof body.branch === "string" && body.branch !== "" ? body.branch : repo.default_branch;
    const tip = repo.branches.get(branch);
    if (tip === undefined) throw new HttpError(404, `Branch ${branch} not found`);
    const current = repo.commitRecord(tip).tree[path];
    if (current === undefined) throw notFound();
    if (sha !== current) throw new HttpError(409, `${path} does not match ${sha}`);
    const committer = identity(body, "committer");
    const author = identity(body, "author");
    const commit = repo.commit(branch, {
        message,
        files: { [path]: null },
        ...((author ?? committer) ? { author: (author ?? committer)!.init } : {}),
        ...(committer ? { committer: committer.init } : {}),
    });
    return { status: 200, body: { content: null, commit: fileCommitShape(ctx.baseUrl, repo, repo.commitRecord(commit)) } };
}
