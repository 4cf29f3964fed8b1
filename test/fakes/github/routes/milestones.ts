import {
    notFound,
    numberParam,
    objectBody,
    optionalString,
    paginate,
    repoOf,
    requiredString,
    validationFailed,
    type RouteContext,
    type Route,
} from "../http";
import { milestoneShape } from "../shapes";
import { timestamp, type MilestoneRecord, type RepoState } from "../state";

const DOCS = "https://docs.github.com/rest/issues/milestones";

export const milestoneRoutes: Route[] = [
    { method: "GET", path: "/repos/{owner}/{repo}/milestones", docs: `${DOCS}#list-milestones`, handler: listMilestones },
    { method: "POST", path: "/repos/{owner}/{repo}/milestones", docs: `${DOCS}#create-a-milestone`, handler: createMilestone },
    { method: "GET", path: "/repos/{owner}/{repo}/milestones/{milestone_number}", docs: `${DOCS}#get-a-milestone`, handler: getMilestone },
    {
        method: "PATCH",
        path: "/repos/{owner}/{repo}/milestones/{milestone_number}",
        docs: `${DOCS}#update-a-milestone`,
        handler: updateMilestone,
    },
    {
        method: "DELETE",
        path: "/repos/{owner}/{repo}/milestones/{milestone_number}",
        docs: `${DOCS}#delete-a-milestone`,
        handler: deleteMilestone,
    },
];

function listMilestones(ctx: RouteContext) {
    const repo = repoOf(ctx);
    const state = ctx.query.get("state") ?? "open";
    const picked = repo.milestones.filter((m) => state === "all" || m.state === state);
    const sorted = sortMilestones(repo, picked, ctx.query.get("sort") ?? "due_on", ctx.query.get("direction") ?? "asc");
    return paginate(
        ctx,
        sorted.map((m) => milestoneShape(ctx.baseUrl, repo, m)),
    );
}

function sortMilestones(repo: RepoState, milestones: MilestoneRecord[], sort: string, direction: string): MilestoneRecord[] {
    const key = sort === "completeness" ? (m: MilestoneRecord) => completeness(repo, m) : dueKey;
    const sorted = [...milestones].sort((a, b) => key(a) - key(b) || a.number - b.number);
    return direction === "desc" ? sorted.reverse() : sorted;
}

/** Milestones without a due date sort after every dated one. */
function dueKey(m: MilestoneRecord): number {
    return m.due_on === null ? Number.MAX_SAFE_INTEGER : Date.parse(m.due_on);
}

function completeness(repo: RepoState, m: MilestoneRecord): number {
    const issues = repo.issues.filter((i) => i.milestone === m.number);
    return issues.length === 0 ? 0 : issues.filter((i) => i.state === "closed").length / issues.length;
}

function getMilestone(ctx: RouteContext) {
    const repo = repoOf(ctx);
    return { status: 200, body: milestoneShape(ctx.baseUrl, repo, milestoneOf(ctx, repo)) };
}

function createMilestone(ctx: RouteContext) {
    const repo = repoOf(ctx);
    const body = objectBody(ctx);
    const title = requiredString(body, "title", "Milestone");
    if (repo.milestones.some((m) => m.title === title)) {
        throw validationFailed({ resource: "Milestone", code: "already_exists", field: "title" });
    }
    const state = checkedState(optionalString(body, "state", "Milestone")) ?? "open";
    const milestone = repo.addMilestone(title, {
        description: optionalString(body, "description", "Milestone") ?? null,
        due_on: checkedDueOn(optionalString(body, "due_on", "Milestone")) ?? null,
        state,
        closed_at: state === "closed" ? timestamp() : null,
    });
    return { status: 201, body: milestoneShape(ctx.baseUrl, repo, milestone) };
}

function updateMilestone(ctx: RouteContext) {
    const repo = repoOf(ctx);
    const milestone = milestoneOf(ctx, repo);
    const body = objectBody(ctx);
    const title = optionalString(body, "title", "Milestone");
    if (title !== undefined) {
        if (repo.milestones.some((m) => m !== milestone && m.title === title)) {
            throw validationFailed({ resource: "Milestone", code: "already_exists", field: "title" });
        }
        milestone.title = title;
    }
    const description = optionalString(body, "description", "Milestone");
    if (description !== undefined) milestone.description = description;
    if (body.due_on !== undefined)
        milestone.due_on = body.due_on === null ? null : (checkedDueOn(optionalString(body, "due_on", "Milestone")) ?? null);
    const state = checkedState(optionalString(body, "state", "Milestone"));
    if (state !== undefined && state !== milestone.state) {
        milestone.state = state;
        milestone.closed_at = state === "closed" ? timestamp() : null;
    }
    milestone.updated_at = timestamp();
    return { status: 200, body: milestoneShape(ctx.baseUrl, repo, milestone) };
}

function deleteMilestone(ctx: RouteContext) {
    const repo = repoOf(ctx);
    repo.deleteMilestone(milestoneOf(ctx, repo));
    return { status: 204 };
}

function milestoneOf(ctx: RouteContext, repo: RepoState): MilestoneRecord {
    const milestone = repo.milestone(numberParam(ctx, "milestone_number"));
    if (!milestone) throw notFound();
    return milestone;
}

function checkedState(state: string | undefined): "open" | "closed" | undefined {
    if (state === undefined || state === "open" || state === "closed") return state;
    throw validationFailed({ resource: "Milestone", code: "invalid", field: "state" });
}

function checkedDueOn(dueOn: string | undefined): string | undefined {
    if (dueOn === undefined) return undefined;
    const parsed = new Date(dueOn);
    if (Number.isNaN(parsed.getTime())) throw validationFailed({ resource: "Milestone", code: "invalid", field: "due_on" });
    return timestamp(parsed);
}
