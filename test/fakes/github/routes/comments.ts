import { notFound, numberParam, objectBody, paginate, repoOf, requiredString, type RouteContext, type Route } from "../http";
import { commentShape } from "../shapes";
import { timestamp, type CommentRecord, type RepoState } from "../state";
import { issueOf } from "./issues";

const DOCS = "https://docs.github.com/rest/issues/comments";

export const commentRoutes: Route[] = [
    {
        method: "GET",
        path: "/repos/{owner}/{repo}/issues/{issue_number}/comments",
        docs: `${DOCS}#list-issue-comments`,
        handler: listComments,
    },
    {
        method: "POST",
        path: "/repos/{owner}/{repo}/issues/{issue_number}/comments",
        docs: `${DOCS}#create-an-issue-comment`,
        handler: createComment,
    },
    {
        method: "GET",
        path: "/repos/{owner}/{repo}/issues/comments/{comment_id}",
        docs: `${DOCS}#get-an-issue-comment`,
        handler: getComment,
    },
    {
        method: "PATCH",
        path: "/repos/{owner}/{repo}/issues/comments/{comment_id}",
        docs: `${DOCS}#update-an-issue-comment`,
        handler: updateComment,
    },
    {
        method: "DELETE",
        path: "/repos/{owner}/{repo}/issues/comments/{comment_id}",
        docs: `${DOCS}#delete-an-issue-comment`,
        handler: deleteComment,
    },
];

/** Oldest first, as GitHub lists them; `since` keeps comments updated at or after it. */
function listComments(ctx: RouteContext) {
    const repo = repoOf(ctx);
    const issue = issueOf(ctx, repo);
    const since = ctx.query.get("since");
    const comments = repo.issueComments(issue.number).filter((c) => since === null || Date.parse(c.updated_at) >= Date.parse(since));
    return paginate(
        ctx,
        comments.map((c) => commentShape(ctx.baseUrl, repo, c)),
    );
}

function createComment(ctx: RouteContext) {
    const repo = repoOf(ctx);
    const issue = issueOf(ctx, repo);
    const body = requiredString(objectBody(ctx), "body", "IssueComment");
    const comment = repo.addComment(issue.number, body, ctx.state.user);
    issue.updated_at = comment.created_at;
    return { status: 201, body: commentShape(ctx.baseUrl, repo, comment) };
}

function getComment(ctx: RouteContext) {
    const repo = repoOf(ctx);
    return { status: 200, body: commentShape(ctx.baseUrl, repo, commentOf(ctx, repo)) };
}

function updateComment(ctx: RouteContext) {
    const repo = repoOf(ctx);
    const comment = commentOf(ctx, repo);
    comment.body = requiredString(objectBody(ctx), "body", "IssueComment");
    comment.updated_at = timestamp();
    return { status: 200, body: commentShape(ctx.baseUrl, repo, comment) };
}

function deleteComment(ctx: RouteContext) {
    const repo = repoOf(ctx);
    const comment = commentOf(ctx, repo);
    repo.comments.splice(repo.comments.indexOf(comment), 1);
    return { status: 204 };
}

function commentOf(ctx: RouteContext, repo: RepoState): CommentRecord {
    const comment = repo.comment(numberParam(ctx, "comment_id"));
    if (!comment) throw notFound();
    return comment;
}
