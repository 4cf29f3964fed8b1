import {
    type HttpError,
    notFound,
    numberParam,
    objectBody,
    optionalString,
    paginate,
    repoOf,
    validationFailed,
    type RouteContext,
    type Route,
} from "../http";
import { pullShape } from "../shapes";
import { timestamp, type PullRecord, type RepoState } from "../state";

const DOCS = "https://docs.github.com/rest/pulls/pulls";

export const pullRoutes: Route[] = [
    { method: "GET", path: "/repos/{owner}/{repo}/pulls", docs: `${DOCS}#list-pull-requests`, handler: listPulls },
    { method: "POST", path: "/repos/{owner}/{repo}/pulls", docs: `${DOCS}#create-a-pull-request`, handler: createPull },
    { method: "GET", path: "/repos/{owner}/{repo}/pulls/{pull_number}", docs: `${DOCS}#get-a-pull-request`, handler: getPull },
    { method: "PATCH", path: "/repos/{owner}/{repo}/pulls/{pull_number}", docs: `${DOCS}#update-a-pull-request`, handler: updatePull },
];

function pullOf(ctx: RouteContext, repo: RepoState): PullRecord {
    const pull = repo.pull(numberParam(ctx, "pull_number"));
    if (!pull) throw notFound();
    return pull;
}

/**
 * `head` filters only in GitHub's `owner:branch` form (a bare branch name is
 * ignored there, so it is here); `base` is a branch name.
 */
function listPulls(ctx: RouteContext) {
    const repo = repoOf(ctx);
    const state = ctx.query.get("state") ?? "open";
    if (!["open", "closed", "all"].includes(state)) throw validationFailed({ resource: "PullRequest", code: "invalid", field: "state" });
    const head = ctx.query.get("head");
    const base = ctx.query.get("base");
    const headBranch = head?.includes(":") ? headOf(repo, head) : undefined;
    const picked = repo.pulls.filter((pull) => {
        const issue = repo.pullIssue(pull);
        if (state !== "all" && issue.state !== state) return false;
        if (head?.includes(":") && pull.head !== headBranch) return false;
        return !base || pull.base === base;
    });
    const sort = ctx.query.get("sort") ?? "created";
    const direction = ctx.query.get("direction") ?? (sort === "created" ? "desc" : "asc");
    const key = (pull: PullRecord): number => {
        const issue = repo.pullIssue(pull);
        if (sort === "updated") return Date.parse(issue.updated_at);
        if (sort === "popularity") return repo.issueComments(pull.number).length;
        if (sort === "long-running") return -Date.parse(issue.created_at);
        return Date.parse(issue.created_at);
    };
    // Number breaks ties: timestamps have second precision and tests create fast.
    const sorted = [...picked].sort((a, b) => key(a) - key(b) || a.number - b.number);
    if (direction === "desc") sorted.reverse();
    return paginate(
        ctx,
        sorted.map((pull) => pullShape(ctx.baseUrl, repo, pull, false)),
    );
}

/** The branch of "branch" or "owner:branch"; undefined when owner is another account (forks are not faked). */
function headOf(repo: RepoState, head: string): string | undefined {
    const colon = head.indexOf(":");
    if (colon < 0) return head;
    if (head.slice(0, colon).toLowerCase() !== repo.owner.login.toLowerCase()) return undefined;
    return head.slice(colon + 1);
}

function getPull(ctx: RouteContext) {
    const repo = repoOf(ctx);
    return { status: 200, body: pullShape(ctx.baseUrl, repo, pullOf(ctx, repo), true) };
}

function alreadyExists(repo: RepoState, head: string): HttpError {
    return validationFailed({
        resource: "PullRequest",
        code: "custom",
        message: `A pull request already exists for ${repo.owner.login}:${head}.`,
    });
}

/** Opens a PR; one open PR per head and base, and the head must have commits the base lacks. */
function createPull(ctx: RouteContext) {
    const repo = repoOf(ctx);
    const body = objectBody(ctx);
    const title = optionalString(body, "title", "PullRequest");
    if (title === undefined || title.trim() === "")
        throw validationFailed({ resource: "PullRequest", code: "missing_field", field: "title" });
    const baseName = optionalString(body, "base", "PullRequest");
    if (baseName === undefined) throw validationFailed({ resource: "PullRequest", code: "missing_field", field: "base" });
    const headRaw = optionalString(body, "head", "PullRequest");
    if (headRaw === undefined) throw validationFailed({ resource: "PullRequest", code: "missing_field", field: "head" });
    const baseSha = repo.branches.get(baseName);
    if (baseSha === undefined) throw validationFailed({ resource: "PullRequest", code: "invalid", field: "base" });
    const head = headOf(repo, headRaw);
    const headSha = head === undefined ? undefined : repo.branches.get(head);
    if (head === undefined || headSha === undefined) throw validationFailed({ resource: "PullRequest", code: "invalid", field: "head" });
    if (repo.openPullFor(head, baseName)) throw alreadyExists(repo, head);
    if (repo.git.range(baseSha, headSha).length === 0) {
        throw validationFailed({ resource: "PullRequest", code: "custom", message: `No commits between ${baseName} and ${head}` });
    }
    const text = body.body;
    if (text !== undefined && text !== null && typeof text !== "string")
        throw validationFailed({ resource: "PullRequest", code: "invalid", field: "body" });
    const pull = repo.openPull({ head, base: baseName, title, body: text ?? null, user: ctx.state.user.login, draft: body.draft === true });
    pull.maintainer_can_modify = body.maintainer_can_modify === true;
    const shape = pullShape(ctx.baseUrl, repo, pull, true);
    return { status: 201, body: shape, headers: { location: String(shape.url) } };
}

/** Title, body, base and state; a merged PR cannot be reopened, nor one whose head and base already have an open PR. */
function updatePull(ctx: RouteContext) {
    const repo = repoOf(ctx);
    const pull = pullOf(ctx, repo);
    const issue = repo.pullIssue(pull);
    const body = objectBody(ctx);
    const title = optionalString(body, "title", "PullRequest");
    if (title !== undefined) {
        if (title.trim() === "") throw validationFailed({ resource: "PullRequest", code: "missing_field", field: "title" });
        issue.title = title;
    }
    if (body.body !== undefined) {
        if (body.body !== null && typeof body.body !== "string")
            throw validationFailed({ resource: "PullRequest", code: "invalid", field: "body" });
        issue.body = body.body;
    }
    const base = optionalString(body, "base", "PullRequest");
    if (base !== undefined) {
        if (pull.merged_at !== null || !repo.branches.has(base))
            throw validationFailed({ resource: "PullRequest", code: "invalid", field: "base" });
        pull.base = base;
    }
    if (typeof body.maintainer_can_modify === "boolean") pull.maintainer_can_modify = body.maintainer_can_modify;
    const state = optionalString(body, "state", "PullRequest");
    if (state !== undefined && state !== "open" && state !== "closed")
        throw validationFailed({ resource: "PullRequest", code: "invalid", field: "state" });
    if (state === "closed" && issue.state === "open") repo.closePull(pull, ctx.state.user);
    if (state === "open" && issue.state === "closed") reopen(repo, pull);
    issue.updated_at = timestamp();
    return { status: 200, body: pullShape(ctx.baseUrl, repo, pull, true) };
}

function reopen(repo: RepoState, pull: PullRecord): void {
    if (pull.merged_at !== null) throw validationFailed({ resource: "PullRequest", code: "invalid", field: "state" });
    if (!repo.branches.has(pull.head)) throw validationFailed({ resource: "PullRequest", code: "invalid", field: "head" });
    if (repo.openPullFor(pull.head, pull.base)) throw alreadyExists(repo, pull.head);
    const issue = repo.pullIssue(pull);
    issue.state = "open";
    issue.closed_at = null;
    issue.closed_by = null;
}
