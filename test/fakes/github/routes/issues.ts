import { notFound, numberParam, objectBody, paginate, repoOf, validationFailed, type RouteContext, type Route } from "../http";
import { issueShape } from "../shapes";
import { timestamp, type IssueRecord, type RepoState, type StateReason } from "../state";

const DOCS = "https://docs.github.com/rest/issues/issues";

export const issueRoutes: Route[] = [
    { method: "GET", path: "/repos/{owner}/{repo}/issues", docs: `${DOCS}#list-repository-issues`, handler: listIssues },
    { method: "POST", path: "/repos/{owner}/{repo}/issues", docs: `${DOCS}#create-an-issue`, handler: createIssue },
    { method: "GET", path: "/repos/{owner}/{repo}/issues/{issue_number}", docs: `${DOCS}#get-an-issue`, handler: getIssue },
    { method: "PATCH", path: "/repos/{owner}/{repo}/issues/{issue_number}", docs: `${DOCS}#update-an-issue`, handler: updateIssue },
];

/** The issue named by {issue_number}; shared with the issue label and comment routes. */
export function issueOf(ctx: RouteContext, repo: RepoState): IssueRecord {
    const issue = repo.issue(numberParam(ctx, "issue_number"));
    if (!issue) throw notFound();
    return issue;
}

/**
 * Label names from any form GitHub accepts: ["a"], [{name: "a"}], or either
 * wrapped as {labels: [...]}.
 */
export function labelNames(value: unknown): string[] {
    const list = Array.isArray(value) ? value : (value as { labels?: unknown } | null)?.labels;
    if (!Array.isArray(list)) throw validationFailed({ resource: "Label", code: "invalid", field: "labels" });
    return list.map((item) => {
        const name = typeof item === "string" ? item : (item as { name?: unknown } | null)?.name;
        if (typeof name !== "string" || name.trim() === "") throw validationFailed({ resource: "Label", code: "invalid", field: "name" });
        return name;
    });
}

function listIssues(ctx: RouteContext) {
    const repo = repoOf(ctx);
    const state = ctx.query.get("state") ?? "open";
    const wanted = (ctx.query.get("labels") ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
    const picked = repo.issues.filter(
        (issue) =>
            (state === "all" || issue.state === state) &&
            matchesMilestone(issue, ctx.query.get("milestone")) &&
            wanted.every((name) => repo.issueLabels(issue).some((l) => l.name.toLowerCase() === name.toLowerCase())),
    );
    const sorted = sortIssues(repo, picked, ctx.query.get("sort") ?? "created", ctx.query.get("direction") ?? "desc");
    return paginate(
        ctx,
        sorted.map((issue) => issueShape(ctx.baseUrl, repo, issue)),
    );
}

/** GitHub's milestone filter: a number, "*" (any), "none", or absent. */
function matchesMilestone(issue: IssueRecord, filter: string | null): boolean {
    if (filter === null) return true;
    if (filter === "*") return issue.milestone !== null;
    if (filter === "none") return issue.milestone === null;
    return issue.milestone === Number(filter);
}

function sortIssues(repo: RepoState, issues: IssueRecord[], sort: string, direction: string): IssueRecord[] {
    const key = (issue: IssueRecord): number => {
        if (sort === "comments") return repo.issueComments(issue.number).length;
        return Date.parse(sort === "updated" ? issue.updated_at : issue.created_at);
    };
    // Number breaks ties: timestamps have second precision and tests create fast.
    const sorted = [...issues].sort((a, b) => key(a) - key(b) || a.number - b.number);
    return direction === "asc" ? sorted : sorted.reverse();
}

function getIssue(ctx: RouteContext) {
    const repo = repoOf(ctx);
    return { status: 200, body: issueShape(ctx.baseUrl, repo, issueOf(ctx, repo)) };
}

function createIssue(ctx: RouteContext) {
    const repo = repoOf(ctx);
    const body = objectBody(ctx);
    const title = titleOf(body.title);
    if (title === undefined) throw validationFailed({ resource: "Issue", code: "missing_field", field: "title" });
    const issue = repo.addIssue(title, {
        body: stringOrNull(body.body, "body"),
        milestone: milestoneOf(repo, body.milestone) ?? null,
        assignees: assigneesOf(body),
    });
    if (body.labels !== undefined) repo.setIssueLabels(issue, labelNames(body.labels));
    return { status: 201, body: issueShape(ctx.baseUrl, repo, issue) };
}

function updateIssue(ctx: RouteContext) {
    const repo = repoOf(ctx);
    const issue = issueOf(ctx, repo);
    const body = objectBody(ctx);
    if (body.title !== undefined) {
        const title = titleOf(body.title);
        if (title === undefined) throw validationFailed({ resource: "Issue", code: "missing_field", field: "title" });
        issue.title = title;
    }
    if (body.body !== undefined) issue.body = stringOrNull(body.body, "body");
    if (body.milestone !== undefined) issue.milestone = milestoneOf(repo, body.milestone) ?? null;
    if (body.assignees !== undefined || body.assignee !== undefined) issue.assignees = assigneesOf(body);
    if (body.labels !== undefined) repo.setIssueLabels(issue, labelNames(body.labels));
    applyState(ctx, issue, body);
    issue.updated_at = timestamp();
    return { status: 200, body: issueShape(ctx.baseUrl, repo, issue) };
}

const CLOSING_REASONS: StateReason[] = ["completed", "not_planned", "duplicate"];

/** Closing defaults the reason to "completed"; reopening always records "reopened". */
function applyState(ctx: RouteContext, issue: IssueRecord, body: Record<string, unknown>): void {
    const state = body.state;
    const reason = body.state_reason;
    if (state !== undefined && state !== "open" && state !== "closed") {
        throw validationFailed({ resource: "Issue", code: "invalid", field: "state" });
    }
    if (reason !== undefined && reason !== null && !(CLOSING_REASONS as unknown[]).concat("reopened").includes(reason)) {
        throw validationFailed({ resource: "Issue", code: "invalid", field: "state_reason" });
    }
    const closing = state === "closed" || (state === undefined && issue.state === "closed");
    if (closing) {
        if (issue.state === "open") {
            issue.closed_at = timestamp();
            issue.closed_by = ctx.state.user;
        }
        issue.state = "closed";
        if (CLOSING_REASONS.includes(reason as StateReason)) issue.state_reason = reason as StateReason;
        else if (issue.state_reason === null || issue.state_reason === "reopened") issue.state_reason = "completed";
    } else if (state === "open" && issue.state === "closed") {
        issue.state = "open";
        issue.state_reason = "reopened";
        issue.closed_at = null;
        issue.closed_by = null;
    }
}

/** GitHub accepts integer titles and stringifies them. */
function titleOf(value: unknown): string | undefined {
    if (typeof value === "number" && Number.isInteger(value)) return String(value);
    if (typeof value === "string" && value.trim() !== "") return value;
    return undefined;
}

function stringOrNull(value: unknown, field: string): string | null {
    if (value === undefined || value === null) return null;
    if (typeof value !== "string") throw validationFailed({ resource: "Issue", code: "invalid", field });
    return value;
}

/** A milestone number (or numeric string) that must exist; null clears it. */
function milestoneOf(repo: RepoState, value: unknown): number | undefined {
    if (value === undefined || value === null) return undefined;
    const number = Number(value);
    if (!Number.isInteger(number) || !repo.milestone(number)) {
        throw validationFailed({ resource: "Issue", code: "invalid", field: "milestone", value });
    }
    return number;
}

function assigneesOf(body: Record<string, unknown>): string[] {
    const list = body.assignees ?? (typeof body.assignee === "string" ? [body.assignee] : []);
    if (!Array.isArray(list) || !list.every((a): a is string => typeof a === "string")) {
        throw validationFailed({ resource: "Issue", code: "invalid", field: "assignees" });
    }
    return list;
}
