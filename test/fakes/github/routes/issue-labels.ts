import { HttpError, paginate, repoOf, type RouteContext, type Route } from "../http";
import { labelShape } from "../shapes";
import { timestamp, type IssueRecord, type RepoState } from "../state";
import { issueOf, labelNames } from "./issues";

const DOCS = "https://docs.github.com/rest/issues/labels";
const PATH = "/repos/{owner}/{repo}/issues/{issue_number}/labels";

export const issueLabelRoutes: Route[] = [
    { method: "GET", path: PATH, docs: `${DOCS}#list-labels-for-an-issue`, handler: listIssueLabels },
    { method: "POST", path: PATH, docs: `${DOCS}#add-labels-to-an-issue`, handler: addIssueLabels },
    { method: "PUT", path: PATH, docs: `${DOCS}#set-labels-for-an-issue`, handler: setIssueLabels },
    { method: "DELETE", path: PATH, docs: `${DOCS}#remove-all-labels-from-an-issue`, handler: removeAllIssueLabels },
    { method: "DELETE", path: `${PATH}/{name}`, docs: `${DOCS}#remove-a-label-from-an-issue`, handler: removeIssueLabel },
];

function labelsOf(ctx: RouteContext, repo: RepoState, issue: IssueRecord) {
    return repo.issueLabels(issue).map((label) => labelShape(ctx.baseUrl, repo, label));
}

function listIssueLabels(ctx: RouteContext) {
    const repo = repoOf(ctx);
    return paginate(ctx, labelsOf(ctx, repo, issueOf(ctx, repo)));
}

/** Unknown names are created with the default colour, as GitHub does. */
function addIssueLabels(ctx: RouteContext) {
    const repo = repoOf(ctx);
    const issue = issueOf(ctx, repo);
    repo.addIssueLabels(issue, labelNames(ctx.body));
    issue.updated_at = timestamp();
    return { status: 200, body: labelsOf(ctx, repo, issue) };
}

function setIssueLabels(ctx: RouteContext) {
    const repo = repoOf(ctx);
    const issue = issueOf(ctx, repo);
    repo.setIssueLabels(issue, labelNames(ctx.body));
    issue.updated_at = timestamp();
    return { status: 200, body: labelsOf(ctx, repo, issue) };
}

function removeAllIssueLabels(ctx: RouteContext) {
    const repo = repoOf(ctx);
    const issue = issueOf(ctx, repo);
    issue.labelIds = [];
    issue.updated_at = timestamp();
    return { status: 204 };
}

/** Answers the labels that remain; a label the issue does not carry is a 404. */
function removeIssueLabel(ctx: RouteContext) {
    const repo = repoOf(ctx);
    const issue = issueOf(ctx, repo);
    const label = repo.label(ctx.params.name ?? "");
    if (!label || !issue.labelIds.includes(label.id)) throw new HttpError(404, "Label does not exist");
    issue.labelIds = issue.labelIds.filter((id) => id !== label.id);
    issue.updated_at = timestamp();
    return { status: 200, body: labelsOf(ctx, repo, issue) };
}
