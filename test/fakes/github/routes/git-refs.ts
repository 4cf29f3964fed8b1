import { HttpError, notFound, objectBody, repoOf, type RouteContext, type Route } from "../http";
import { branchShape, refShape } from "../shapes";
import type { RepoState } from "../state";

const DOCS = "https://docs.github.com/rest/git/refs";

export const gitRefRoutes: Route[] = [
    { method: "GET", path: "/repos/{owner}/{repo}/git/ref/{ref}", docs: `${DOCS}#get-a-reference`, handler: getRef, wildcard: "ref" },
    { method: "POST", path: "/repos/{owner}/{repo}/git/refs", docs: `${DOCS}#create-a-reference`, handler: createRef },
    {
        method: "PATCH",
        path: "/repos/{owner}/{repo}/git/refs/{ref}",
        docs: `${DOCS}#update-a-reference`,
        handler: updateRef,
        wildcard: "ref",
    },
    {
        method: "DELETE",
        path: "/repos/{owner}/{repo}/git/refs/{ref}",
        docs: `${DOCS}#delete-a-reference`,
        handler: deleteRef,
        wildcard: "ref",
    },
    {
        method: "GET",
        path: "/repos/{owner}/{repo}/branches/{branch}",
        docs: "https://docs.github.com/rest/branches/branches#get-a-branch",
        handler: getBranch,
        wildcard: "branch",
    },
];

/** Branches and lightweight tags, the two kinds of ref the fake keeps, by full name. */
interface RefSlot {
    map: Map<string, string>;
    name: string;
}

/** "heads/x" or "refs/heads/x" -> the branch map and "x"; undefined for any other namespace. */
function slotOf(repo: RepoState, ref: string): RefSlot | undefined {
    const match = /^(?:refs\/)?(heads|tags)\/(.+)$/.exec(ref);
    if (!match) return undefined;
    return { map: match[1] === "heads" ? repo.branches : repo.tags, name: match[2] };
}

function fullRef(slot: RefSlot, repo: RepoState): string {
    return `refs/${slot.map === repo.branches ? "heads" : "tags"}/${slot.name}`;
}

/** GitHub answers 409 for ref lookups in a repository without commits. */
function requireCommits(repo: RepoState): void {
    if (repo.git.commits.size === 0) throw new HttpError(409, "Git Repository is empty.");
}

function getRef(ctx: RouteContext) {
    const repo = repoOf(ctx);
    requireCommits(repo);
    // The single-ref endpoint wants "heads/x"; a leading "refs/" names nothing there.
    const slot = (ctx.params.ref ?? "").startsWith("refs/") ? undefined : slotOf(repo, ctx.params.ref ?? "");
    const sha = slot?.map.get(slot.name);
    if (!slot || sha === undefined) throw notFound();
    return { status: 200, body: refShape(ctx.baseUrl, repo, fullRef(slot, repo), sha) };
}

function shaOf(repo: RepoState, body: Record<string, unknown>): string {
    const sha = body.sha;
    if (typeof sha !== "string" || sha === "") throw new HttpError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.');
    const commit = repo.git.commit(sha.toLowerCase());
    if (!commit) throw new HttpError(422, "Object does not exist");
    return commit.sha;
}

function createRef(ctx: RouteContext) {
    const repo = repoOf(ctx);
    const body = objectBody(ctx);
    const ref = body.ref;
    if (typeof ref !== "string" || ref === "") throw new HttpError(422, 'Invalid request.\n\n"ref" wasn\'t supplied.');
    if (!/^refs\/[^/]+\/.+/.test(ref)) throw new HttpError(422, "Reference name must start with 'refs/' and have at least two slashes.");
    const slot = slotOf(repo, ref);
    if (!slot) throw new HttpError(422, "fake GitHub: only refs/heads/* and refs/tags/* can be created");
    const sha = shaOf(repo, body);
    if (slot.map.has(slot.name)) throw new HttpError(422, "Reference already exists");
    slot.map.set(slot.name, sha);
    const shape = refShape(ctx.baseUrl, repo, ref, sha);
    return { status: 201, body: shape, headers: { location: String(shape.url) } };
}

function existingSlot(ctx: RouteContext, repo: RepoState): RefSlot {
    const slot = slotOf(repo, ctx.params.ref ?? "");
    if (!slot || !slot.map.has(slot.name)) throw new HttpError(422, "Reference does not exist");
    return slot;
}

/** Moves a ref; without `force` only forward (the new commit must contain the old one). */
function updateRef(ctx: RouteContext) {
    const repo = repoOf(ctx);
    const slot = existingSlot(ctx, repo);
    const body = objectBody(ctx);
    const sha = shaOf(repo, body);
    const current = slot.map.get(slot.name)!;
    if (body.force !== true && !repo.git.isAncestor(current, sha)) throw new HttpError(422, "Update is not a fast forward");
    slot.map.set(slot.name, sha);
    return { status: 200, body: refShape(ctx.baseUrl, repo, fullRef(slot, repo), sha) };
}

/** Deleting a branch closes the open PRs whose head it is, as on GitHub. */
function deleteRef(ctx: RouteContext) {
    const repo = repoOf(ctx);
    const slot = existingSlot(ctx, repo);
    if (slot.map === repo.branches) {
        for (const pull of repo.pulls) {
            if (pull.head === slot.name && repo.pullIssue(pull).state === "open") repo.closePull(pull, ctx.state.user);
        }
    }
    slot.map.delete(slot.name);
    return { status: 204 };
}

function getBranch(ctx: RouteContext) {
    const repo = repoOf(ctx);
    const name = ctx.params.branch ?? "";
    const sha = repo.branches.get(name);
    if (sha === undefined) throw new HttpError(404, "Branch not found");
    return { status: 200, body: branchShape(ctx.baseUrl, repo, name, repo.commitRecord(sha)) };
}
