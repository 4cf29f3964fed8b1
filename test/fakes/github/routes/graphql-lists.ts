/**
 * Repository fields of the fake's GraphQL that list or look up by expression:
 * `object(expression: "<ref>:<path>")` (a Blob with its text, or null),
 * `pullRequests(headRefName, baseRefName, states, labels, orderBy, first…)`
 * and `issues(states, labels, orderBy, first…)` (issues only, as on GitHub);
 * the last two also on a Milestone, over its own issues and pull requests.
 * The node builders come from routes/graphql.ts, which owns the types.
 */
import { GraphNode, ValidationError, type Resolved, type Selection } from "../graphql";
import { gitBlobSha } from "../git";
import type { IssueRecord, PullRecord, RepoState } from "../state";

type Connection = (
    typename: string,
    field: string,
    items: GraphNode[],
    args: Record<string, unknown>,
    selections: Selection[] | undefined,
) => GraphNode;

type Field = (args: Record<string, unknown>, selections: Selection[] | undefined) => Resolved;

interface Builders {
    readonly connection: Connection;
    readonly pullNode: (pull: PullRecord) => GraphNode;
    readonly issueNode: (issue: IssueRecord) => GraphNode;
}

export function stringList(args: Record<string, unknown>, name: string): string[] | undefined {
    const value = args[name];
    if (value === undefined || value === null) return undefined;
    const list = Array.isArray(value) ? value : [value];
    if (!list.every((v) => typeof v === "string"))
        throw new ValidationError(`Argument '${name}' has an invalid value. Expected type '[String!]'.`, {
            code: "argumentLiteralsIncompatible",
        });
    return list;
}

/** CREATED_AT / UPDATED_AT, ASC / DESC; number breaks ties (timestamps have second precision). */
function ordered<T>(items: T[], args: Record<string, unknown>, issueOf: (t: T) => IssueRecord): T[] {
    const order = (args.orderBy ?? { field: "CREATED_AT", direction: "ASC" }) as { field?: string; direction?: string };
    const key = (t: T) => Date.parse(order.field === "UPDATED_AT" ? issueOf(t).updated_at : issueOf(t).created_at);
    const sorted = [...items].sort((a, b) => key(a) - key(b) || issueOf(a).number - issueOf(b).number);
    return order.direction === "DESC" ? sorted.reverse() : sorted;
}

export function repositoryListFields(repo: RepoState, b: Builders): Record<string, Field> {
    return {
        object: (args) => {
            const expression = args.expression;
            if (typeof expression !== "string") return null;
            const colon = expression.indexOf(":");
            if (colon < 0) return null;
            const text = repo.file(expression.slice(0, colon), expression.slice(colon + 1));
            if (text === undefined) return null;
            return new GraphNode(
                "Blob",
                {
                    text: () => text,
                    byteSize: () => Buffer.byteLength(text),
                    isBinary: () => false,
                    isTruncated: () => false,
                    oid: () => gitBlobSha(text),
                },
                ["GitObject", "Node"],
            );
        },
        ...issueListFields(repo, b, repo.issues),
    };
}

/**
 * `pullRequests` and `issues` over `items` (issue records, a PR's among them): the repository's all, or a
 * milestone's. Filtered by state (a merged PR is MERGED), labels and refs, and ordered, as GitHub does.
 */
export function issueListFields(repo: RepoState, b: Builders, items: readonly IssueRecord[]): Record<string, Field> {
    const labelled = (issue: IssueRecord, labels: string[] | undefined) =>
        !labels || repo.issueLabels(issue).some((l) => labels.some((n) => n.toLowerCase() === l.name.toLowerCase()));
    return {
        pullRequests: (args, selections) => {
            const states = stringList(args, "states");
            const labels = stringList(args, "labels");
            const picked = items
                .flatMap((i) => repo.pull(i.number) ?? [])
                .filter((p) => {
                    const issue = repo.pullIssue(p);
                    const state = p.merged_at !== null ? "MERGED" : issue.state.toUpperCase();
                    if (states && !states.includes(state)) return false;
                    if (typeof args.headRefName === "string" && p.head !== args.headRefName) return false;
                    if (typeof args.baseRefName === "string" && p.base !== args.baseRefName) return false;
                    return labelled(issue, labels);
                });
            const nodes = ordered(picked, args, (p) => repo.pullIssue(p)).map(b.pullNode);
            return b.connection("PullRequestConnection", "pullRequests", nodes, args, selections);
        },
        issues: (args, selections) => {
            const states = stringList(args, "states");
            const labels = stringList(args, "labels");
            const picked = items.filter(
                (i) => !repo.pull(i.number) && (!states || states.includes(i.state.toUpperCase())) && labelled(i, labels),
            );
            return b.connection("IssueConnection", "issues", ordered(picked, args, (i) => i).map(b.issueNode), args, selections);
        },
    };
}
