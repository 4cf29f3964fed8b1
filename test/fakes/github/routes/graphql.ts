/**
 * POST /graphql over a slice of GitHub's schema: repository -> pullRequest /
 * issue / issueOrPullRequest with their scalar fields, author, labels,
 * closingIssuesReferences and mergeCommit; object, pullRequests and issues
 * (./graphql-lists.ts); milestones (title query, states) with their issues
 * and pullRequests by state; viewer; rateLimit. Add a field by adding a
 * resolver to the node that owns it.
 */
import { HttpError, objectBody, type RouteContext, type Route } from "../http";
import { execute, FieldError, GraphNode, ValidationError, type Resolved, type Selection } from "../graphql";
import { nodeId } from "../shapes";
import type { CommitRecord } from "../git";
import { issueListFields, repositoryListFields, stringList } from "./graphql-lists";
import type { GitHubState, IssueRecord, LabelRecord, MilestoneRecord, PullRecord, RepoState, UserRecord } from "../state";

export const graphqlRoutes: Route[] = [{ method: "POST", path: "/graphql", docs: "https://docs.github.com/graphql", handler: graphql }];

const HTML_ROOT = "https://github.com";

function graphql(ctx: RouteContext) {
    const body = objectBody(ctx);
    if (typeof body.query !== "string") {
        throw new HttpError(400, "A query attribute must be specified and must be a string.", {}, "https://docs.github.com/graphql");
    }
    const variables = body.variables && typeof body.variables === "object" ? (body.variables as Record<string, unknown>) : {};
    const operationName = typeof body.operationName === "string" ? body.operationName : undefined;
    return { status: 200, body: execute(body.query, variables, operationName, queryNode(ctx.state)) };
}

function stringArg(args: Record<string, unknown>, name: string, field: string): string {
    const value = args[name];
    if (typeof value !== "string") {
        throw new ValidationError(`Field '${field}' is missing required arguments: ${name}`, {
            code: "missingRequiredArguments",
            arguments: name,
        });
    }
    return value;
}

function intArg(args: Record<string, unknown>, name: string, field: string): number {
    const value = args[name];
    if (typeof value !== "number" || !Number.isInteger(value)) {
        throw new ValidationError(`Field '${field}' is missing required arguments: ${name}`, {
            code: "missingRequiredArguments",
            arguments: name,
        });
    }
    return value;
}

function queryNode(state: GitHubState): GraphNode {
    return new GraphNode("Query", {
        repository: (args) => {
            const owner = stringArg(args, "owner", "repository");
            const name = stringArg(args, "name", "repository");
            const repo = state.findRepo(owner, name);
            if (!repo) throw new FieldError("NOT_FOUND", `Could not resolve to a Repository with the name '${owner}/${name}'.`);
            return repositoryNode(state, repo);
        },
        viewer: () => actorNode(state.user),
        rateLimit: () =>
            new GraphNode("RateLimit", {
                limit: () => 5000,
                cost: () => 1,
                remaining: () => 4999,
                used: () => 1,
                nodeCount: () => 1,
                resetAt: () => new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
            }),
    });
}

function repositoryNode(state: GitHubState, repo: RepoState): GraphNode {
    const issueOrPull = (number: number): GraphNode | undefined => {
        const issue = repo.issue(number);
        if (!issue) return undefined;
        const pull = repo.pull(number);
        return pull ? pullNode(state, repo, pull) : issueNode(state, repo, issue);
    };
    return new GraphNode("Repository", {
        ...repositoryListFields(repo, builders(state, repo)),
        id: () => nodeId("R", repo.id),
        databaseId: () => repo.id,
        name: () => repo.name,
        nameWithOwner: () => repo.fullName,
        url: () => `${HTML_ROOT}/${repo.fullName}`,
        isPrivate: () => repo.private,
        isArchived: () => repo.archived,
        owner: () => actorNode(repo.owner),
        defaultBranchRef: () => {
            const sha = repo.branches.get(repo.default_branch);
            return sha === undefined ? null : refNode(repo, repo.default_branch, sha);
        },
        pullRequest: (args) => {
            const number = intArg(args, "number", "pullRequest");
            const pull = repo.pull(number);
            if (!pull) throw new FieldError("NOT_FOUND", `Could not resolve to a PullRequest with the number of ${number}.`);
            return pullNode(state, repo, pull);
        },
        issue: (args) => {
            const number = intArg(args, "number", "issue");
            const issue = repo.issue(number);
            if (!issue || repo.pull(number))
                throw new FieldError("NOT_FOUND", `Could not resolve to an Issue with the number of ${number}.`);
            return issueNode(state, repo, issue);
        },
        milestones: (args, selections) => {
            // GitHub's `query` filters on the title, case-insensitively, as a substring.
            const query = typeof args.query === "string" ? args.query.toLowerCase() : undefined;
            const states = stringList(args, "states");
            const found = repo.milestones.filter(
                (m) =>
                    (query === undefined || m.title.toLowerCase().includes(query)) && (!states || states.includes(m.state.toUpperCase())),
            );
            return connection(
                "MilestoneConnection",
                "milestones",
                found.map((m) => milestoneNode(state, repo, m)),
                args,
                selections,
            );
        },
        issueOrPullRequest: (args) => {
            const number = intArg(args, "number", "issueOrPullRequest");
            const node = issueOrPull(number);
            if (!node) throw new FieldError("NOT_FOUND", `Could not resolve to an issue or pull request with the number of ${number}.`);
            return node;
        },
    });
}

/** What the list fields (./graphql-lists.ts) build their nodes with. */
function builders(state: GitHubState, repo: RepoState) {
    return {
        connection,
        pullNode: (pull: PullRecord) => pullNode(state, repo, pull),
        issueNode: (issue: IssueRecord) => issueNode(state, repo, issue),
    };
}

/** A milestone with its issues and pull requests, listed like the repository's. */
function milestoneNode(state: GitHubState, repo: RepoState, m: MilestoneRecord): GraphNode {
    return new GraphNode("Milestone", {
        ...issueListFields(
            repo,
            builders(state, repo),
            repo.issues.filter((i) => i.milestone === m.number),
        ),
        id: () => nodeId("MI", m.id),
        number: () => m.number,
        title: () => m.title,
        description: () => m.description,
        state: () => m.state.toUpperCase(),
        dueOn: () => m.due_on,
        url: () => `${HTML_ROOT}/${repo.fullName}/milestone/${m.number}`,
    });
}

function actorNode(user: UserRecord): GraphNode {
    return new GraphNode(
        user.type,
        {
            login: () => user.login,
            url: () => `${HTML_ROOT}/${user.login}`,
            avatarUrl: () => `https://avatars.githubusercontent.com/u/${user.id}?v=4`,
            id: () => nodeId(user.type === "Organization" ? "O" : "U", user.id),
        },
        ["Actor", "RepositoryOwner"],
    );
}

function refNode(repo: RepoState, branch: string, sha: string): GraphNode {
    return new GraphNode("Ref", {
        name: () => branch,
        prefix: () => "refs/heads/",
        target: () => commitNode(repo, repo.commitRecord(sha)),
    });
}

function commitNode(repo: RepoState, commit: CommitRecord): GraphNode {
    const [headline = "", ...rest] = commit.message.split("\n");
    return new GraphNode(
        "Commit",
        {
            oid: () => commit.sha,
            abbreviatedOid: () => commit.sha.slice(0, 7),
            message: () => commit.message,
            messageHeadline: () => headline,
            messageBody: () => rest.join("\n").trim(),
            url: () => `${HTML_ROOT}/${repo.fullName}/commit/${commit.sha}`,
            authoredDate: () => commit.author.date,
            committedDate: () => commit.committer.date,
        },
        ["GitObject"],
    );
}

function labelNode(label: LabelRecord): GraphNode {
    return new GraphNode("Label", {
        id: () => nodeId("LA", label.id),
        name: () => label.name,
        color: () => label.color,
        description: () => label.description,
    });
}

const CONNECTION_LIMIT = 100;

/**
 * A connection over `items`: first/after or last/before, nodes, edges,
 * totalCount, pageInfo. Selecting nodes or edges without first or last is
 * refused the way GitHub refuses it.
 */
function connection(
    typename: string,
    field: string,
    items: GraphNode[],
    args: Record<string, unknown>,
    selections: Selection[] | undefined,
): GraphNode {
    const first = args.first;
    const last = args.last;
    const wantsItems = (selections ?? []).some((s) => s.kind !== "field" || s.name === "nodes" || s.name === "edges");
    if (first === undefined && last === undefined && wantsItems) {
        throw new ValidationError(`You must provide a \`first\` or \`last\` value to properly paginate the \`${field}\` connection.`, {
            code: "MISSING_PAGINATION_BOUNDARIES",
        });
    }
    for (const [name, value] of [
        ["first", first],
        ["last", last],
    ] as const) {
        if (typeof value === "number" && value > CONNECTION_LIMIT) {
            throw new ValidationError(
                `Requesting ${value} records on the \`${field}\` connection exceeds the \`${name}\` limit of ${CONNECTION_LIMIT} records.`,
                {
                    code: "EXCESSIVE_PAGINATION",
                },
            );
        }
    }
    const cursor = (i: number) => Buffer.from(`cursor:v2:${i}`).toString("base64");
    const index = (c: unknown) =>
        typeof c === "string" ? Number(/^cursor:v2:(\d+)$/.exec(Buffer.from(c, "base64").toString())?.[1] ?? NaN) : NaN;
    let start = 0;
    let end = items.length;
    if (Number.isInteger(index(args.after))) start = index(args.after) + 1;
    if (Number.isInteger(index(args.before))) end = Math.min(end, index(args.before));
    if (typeof first === "number") end = Math.min(end, start + first);
    if (typeof last === "number") start = Math.max(start, end - last);
    const picked = items.slice(start, end).map((node, i) => ({ node, cursor: cursor(start + i) }));
    return new GraphNode(typename, {
        totalCount: () => items.length,
        nodes: () => picked.map((p) => p.node),
        edges: () =>
            picked.map((p) => new GraphNode(`${typename.replace(/Connection$/, "")}Edge`, { node: () => p.node, cursor: () => p.cursor })),
        pageInfo: () =>
            new GraphNode("PageInfo", {
                hasNextPage: () => end < items.length,
                hasPreviousPage: () => start > 0,
                startCursor: () => picked[0]?.cursor ?? null,
                endCursor: () => picked[picked.length - 1]?.cursor ?? null,
            }),
    });
}

/** The fields issues and pull requests share (both are issues underneath, as on GitHub). */
function issueFields(
    state: GitHubState,
    repo: RepoState,
    issue: IssueRecord,
    kind: "issues" | "pull",
): Record<string, (args: Record<string, unknown>, selections: Selection[] | undefined) => Resolved> {
    return {
        number: () => issue.number,
        title: () => issue.title,
        body: () => issue.body ?? "",
        url: () => `${HTML_ROOT}/${repo.fullName}/${kind}/${issue.number}`,
        closed: () => issue.state === "closed",
        closedAt: () => issue.closed_at,
        createdAt: () => issue.created_at,
        updatedAt: () => issue.updated_at,
        locked: () => issue.locked,
        // GraphQL has no ghost: a deleted account's author is null (REST shows the ghost user).
        author: () => (issue.user.deleted ? null : actorNode(issue.user)),
        repository: () => repositoryNode(state, repo),
        labels: (args, selections) => connection("LabelConnection", "labels", repo.issueLabels(issue).map(labelNode), args, selections),
    };
}

function issueNode(state: GitHubState, repo: RepoState, issue: IssueRecord): GraphNode {
    return new GraphNode(
        "Issue",
        {
            ...issueFields(state, repo, issue, "issues"),
            id: () => nodeId("I", issue.id),
            databaseId: () => issue.id,
            state: () => issue.state.toUpperCase(),
            stateReason: () => (issue.state_reason === null ? null : issue.state_reason.toUpperCase()),
        },
        ["IssueOrPullRequest", "Node"],
    );
}

function pullNode(state: GitHubState, repo: RepoState, pull: PullRecord): GraphNode {
    const issue = repo.pullIssue(pull);
    const merged = pull.merged_at !== null;
    return new GraphNode(
        "PullRequest",
        {
            ...issueFields(state, repo, issue, "pull"),
            id: () => nodeId("PR", pull.id),
            databaseId: () => pull.id,
            permalink: () => `${HTML_ROOT}/${repo.fullName}/pull/${pull.number}`,
            state: () => (merged ? "MERGED" : issue.state.toUpperCase()),
            merged: () => merged,
            mergedAt: () => pull.merged_at,
            mergedBy: () => (pull.merged_by ? actorNode(pull.merged_by) : null),
            isDraft: () => pull.draft,
            baseRefName: () => pull.base,
            headRefName: () => pull.head,
            baseRefOid: () => repo.pullBaseSha(pull),
            headRefOid: () => repo.pullHeadSha(pull),
            mergeCommit: () => (pull.merge_commit_sha === null ? null : commitNode(repo, repo.commitRecord(pull.merge_commit_sha))),
            closingIssuesReferences: (args, selections) =>
                connection(
                    "IssueConnection",
                    "closingIssuesReferences",
                    closingIssues(state, repo, pull).map(([r, i]) => issueNode(state, r, i)),
                    args,
                    selections,
                ),
        },
        ["IssueOrPullRequest", "Node"],
    );
}

const CLOSING =
    /\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\b:?\s+(?:(?:https?:\/\/github\.com\/)?([\w.-]+)\/([\w.-]+)(?:#|\/issues\/)(\d+)|#(\d+))/gi;

/**
 * Issues a PR closes, from closing keywords in its body ("fixes #12",
 * "closes acme/api#3", "resolves https://github.com/acme/api/issues/4").
 * GitHub honours them only for PRs into the default branch, and only for
 * issues (not PRs) that exist.
 */
export function closingIssues(state: GitHubState, repo: RepoState, pull: PullRecord): Array<[RepoState, IssueRecord]> {
    if (pull.base !== repo.default_branch) return [];
    const body = repo.pullIssue(pull).body ?? "";
    const found: Array<[RepoState, IssueRecord]> = [];
    for (const match of body.matchAll(CLOSING)) {
        const target = match[4] !== undefined ? repo : state.findRepo(match[1], match[2]);
        const number = Number(match[4] ?? match[3]);
        const issue = target?.issue(number);
        if (!target || !issue || target.pull(number)) continue;
        if (!found.some(([r, i]) => r === target && i === issue)) found.push([target, issue]);
    }
    return found;
}
