import {
    type HttpError,
    notFound,
    objectBody,
    optionalString,
    paginate,
    repoOf,
    requiredString,
    validationFailed,
    type RouteContext,
    type Route,
} from "../http";
import { labelShape } from "../shapes";
import type { LabelRecord, RepoState } from "../state";

const DOCS = "https://docs.github.com/rest/issues/labels";

// GitHub takes a "/" in a label's name encoded or not (go-github, behind Terraform's provider, sends it as is).
export const labelRoutes: Route[] = [
    { method: "GET", path: "/repos/{owner}/{repo}/labels", docs: `${DOCS}#list-labels-for-a-repository`, handler: listLabels },
    { method: "POST", path: "/repos/{owner}/{repo}/labels", docs: `${DOCS}#create-a-label`, handler: createLabel },
    { method: "GET", path: "/repos/{owner}/{repo}/labels/{name}", docs: `${DOCS}#get-a-label`, handler: getLabel, wildcard: "name" },
    {
        method: "PATCH",
        path: "/repos/{owner}/{repo}/labels/{name}",
        docs: `${DOCS}#update-a-label`,
        handler: updateLabel,
        wildcard: "name",
    },
    {
        method: "DELETE",
        path: "/repos/{owner}/{repo}/labels/{name}",
        docs: `${DOCS}#delete-a-label`,
        handler: deleteLabel,
        wildcard: "name",
    },
];

function listLabels(ctx: RouteContext) {
    const repo = repoOf(ctx);
    return paginate(
        ctx,
        repo.labels.map((label) => labelShape(ctx.baseUrl, repo, label)),
    );
}

function getLabel(ctx: RouteContext) {
    const repo = repoOf(ctx);
    return { status: 200, body: labelShape(ctx.baseUrl, repo, labelOf(ctx, repo)) };
}

function createLabel(ctx: RouteContext) {
    const repo = repoOf(ctx);
    const body = objectBody(ctx);
    const name = requiredString(body, "name", "Label");
    const color = checkedColor(optionalString(body, "color", "Label")) ?? "ededed";
    const description = optionalString(body, "description", "Label") ?? null;
    if (repo.label(name)) throw alreadyExists();
    const label = repo.addLabel(name, color, description);
    return { status: 201, body: labelShape(ctx.baseUrl, repo, label) };
}

function updateLabel(ctx: RouteContext) {
    const repo = repoOf(ctx);
    const label = labelOf(ctx, repo);
    const body = objectBody(ctx);
    const newName = optionalString(body, "new_name", "Label");
    const color = checkedColor(optionalString(body, "color", "Label"));
    const description = optionalString(body, "description", "Label");
    if (newName !== undefined) {
        // A case-only rename of the same label is allowed; taking another label's name is not.
        const clash = repo.label(newName);
        if (clash && clash !== label) throw alreadyExists();
        if (newName.trim() === "") throw validationFailed({ resource: "Label", code: "missing_field", field: "name" });
        label.name = newName;
    }
    if (color !== undefined) label.color = color;
    if (description !== undefined) label.description = description;
    return { status: 200, body: labelShape(ctx.baseUrl, repo, label) };
}

function deleteLabel(ctx: RouteContext) {
    const repo = repoOf(ctx);
    repo.deleteLabel(labelOf(ctx, repo));
    return { status: 204 };
}

function labelOf(ctx: RouteContext, repo: RepoState): LabelRecord {
    const label = repo.label(ctx.params.name ?? "");
    if (!label) throw notFound();
    return label;
}

function alreadyExists(): HttpError {
    return validationFailed({ resource: "Label", code: "already_exists", field: "name" });
}

/** GitHub wants six hex digits without "#"; anything else is a field error. */
function checkedColor(color: string | undefined): string | undefined {
    if (color === undefined) return undefined;
    if (!/^[0-9a-f]{6}$/i.test(color)) throw validationFailed({ resource: "Label", code: "invalid", field: "color" });
    return color;
}
