/**
 * What an administrator does to a repository and reads of an organisation: create, update, topics, the
 * Dependabot alert and security-update toggles (the real github provider's Repository and
 * RepositoryDependabotSecurityUpdates), and GET /orgs/{org}, which the provider asks on configure.
 */
import {
    HttpError,
    notFound,
    objectBody,
    optionalString,
    repoOf,
    requiredString,
    validationFailed,
    type Route,
    type RouteContext,
} from "../http";
import type { RepoSettings } from "../repo-admin";
import { orgShape, repoShape } from "../shapes";

const DOCS = "https://docs.github.com/rest/repos/repos";

export const repoAdminRoutes: Route[] = [
    { method: "POST", path: "/orgs/{org}/repos", docs: `${DOCS}#create-an-organization-repository`, handler: createRepo },
    { method: "PATCH", path: "/repos/{owner}/{repo}", docs: `${DOCS}#update-a-repository`, handler: updateRepo },
    { method: "PUT", path: "/repos/{owner}/{repo}/topics", docs: `${DOCS}#replace-all-repository-topics`, handler: replaceTopics },
    {
        method: "GET",
        path: "/repos/{owner}/{repo}/vulnerability-alerts",
        docs: `${DOCS}#check-if-vulnerability-alerts-are-enabled-for-a-repository`,
        // 204 when on; GitHub's answer for "off" is a plain 404.
        handler: (ctx) => {
            if (!repoOf(ctx).settings.vulnerability_alerts) throw notFound();
            return { status: 204 };
        },
    },
    toggle("PUT", "vulnerability-alerts", "vulnerability_alerts", true, `${DOCS}#enable-vulnerability-alerts`),
    toggle("DELETE", "vulnerability-alerts", "vulnerability_alerts", false, `${DOCS}#disable-vulnerability-alerts`),
    {
        method: "GET",
        path: "/repos/{owner}/{repo}/automated-security-fixes",
        docs: `${DOCS}#check-if-dependabot-security-updates-are-enabled-for-a-repository`,
        handler: (ctx) => ({ status: 200, body: { enabled: repoOf(ctx).settings.automated_security_fixes, paused: false } }),
    },
    toggle("PUT", "automated-security-fixes", "automated_security_fixes", true, `${DOCS}#enable-dependabot-security-updates`),
    toggle("DELETE", "automated-security-fixes", "automated_security_fixes", false, `${DOCS}#disable-dependabot-security-updates`),
    {
        method: "GET",
        path: "/orgs/{org}",
        docs: "https://docs.github.com/rest/orgs/orgs#get-an-organization",
        handler: (ctx) => {
            const org = ctx.state.findAccount(ctx.params.org ?? "");
            if (org?.type !== "Organization") throw notFound();
            return { status: 200, body: orgShape(ctx.baseUrl, org) };
        },
    },
];

function toggle(
    method: "PUT" | "DELETE",
    path: string,
    field: "vulnerability_alerts" | "automated_security_fixes",
    on: boolean,
    docs: string,
): Route {
    return {
        method,
        path: `/repos/{owner}/{repo}/${path}`,
        docs,
        handler: (ctx) => {
            repoOf(ctx).settings[field] = on;
            return { status: 204 };
        },
    };
}

function createRepo(ctx: RouteContext) {
    const org = ctx.state.findAccount(ctx.params.org ?? "");
    if (org?.type !== "Organization") throw notFound();
    const body = objectBody(ctx);
    const name = requiredString(body, "name", "Repository");
    if (!/^[A-Za-z0-9._-]{1,100}$/.test(name)) throw validationFailed({ resource: "Repository", code: "invalid", field: "name" });
    if (ctx.state.findRepo(org.login, name))
        throw validationFailed({ resource: "Repository", code: "custom", field: "name", message: "name already exists on this account" });
    const settings = checkedSettings(body);
    if (body.auto_init !== undefined && typeof body.auto_init !== "boolean")
        throw validationFailed({ resource: "Repository", code: "invalid", field: "auto_init" });
    const description = optionalString(body, "description", "Repository") ?? null;
    const visibility = settings.visibility ?? (body.private === false ? "public" : "private");
    const repo = ctx.state.createRepo(`${org.login}/${name}`, {
        private: visibility !== "public",
        description: description === "" ? null : description,
        autoInit: body.auto_init === true,
    });
    Object.assign(repo.settings, settings, { visibility });
    if (typeof body.delete_branch_on_merge === "boolean") repo.delete_branch_on_merge = body.delete_branch_on_merge;
    return { status: 201, body: repoShape(ctx.baseUrl, repo) };
}

function updateRepo(ctx: RouteContext) {
    const repo = repoOf(ctx);
    const body = objectBody(ctx);
    const settings = checkedSettings(body);
    const name = optionalString(body, "name", "Repository");
    // Renames move every URL of the repository; nothing here needs them, so the fake refuses loudly.
    if (name !== undefined && name.toLowerCase() !== repo.name.toLowerCase())
        throw new HttpError(501, "fake GitHub: renaming a repository is not implemented");
    const description = optionalString(body, "description", "Repository");
    const defaultBranch = optionalString(body, "default_branch", "Repository");
    if (defaultBranch !== undefined && !repo.branches.has(defaultBranch) && repo.branches.size > 0)
        throw validationFailed({ resource: "Repository", code: "invalid", field: "default_branch" });
    if (body.archived !== undefined && typeof body.archived !== "boolean")
        throw validationFailed({ resource: "Repository", code: "invalid", field: "archived" });
    if (body.delete_branch_on_merge !== undefined && typeof body.delete_branch_on_merge !== "boolean")
        throw validationFailed({ resource: "Repository", code: "invalid", field: "delete_branch_on_merge" });
    // An archived repository is read-only: only unarchiving it is accepted.
    if (repo.archived && body.archived !== false) throw new HttpError(403, "Repository was archived so is read-only.");
    Object.assign(repo.settings, settings);
    repo.private = repo.settings.visibility !== "public";
    if (description !== undefined) repo.description = description === "" ? null : description;
    if (defaultBranch !== undefined) repo.default_branch = defaultBranch;
    if (typeof body.archived === "boolean") repo.archived = body.archived;
    if (typeof body.delete_branch_on_merge === "boolean") repo.delete_branch_on_merge = body.delete_branch_on_merge;
    return { status: 200, body: repoShape(ctx.baseUrl, repo) };
}

function replaceTopics(ctx: RouteContext) {
    const repo = repoOf(ctx);
    repo.settings.topics = checkedTopics(objectBody(ctx).names);
    return { status: 200, body: { names: repo.settings.topics } };
}

const BOOLEAN_SETTINGS = [
    "has_issues",
    "has_projects",
    "has_wiki",
    "has_downloads",
    "has_discussions",
    "is_template",
    "allow_squash_merge",
    "allow_merge_commit",
    "allow_rebase_merge",
    "allow_auto_merge",
    "allow_update_branch",
    "allow_forking",
    "web_commit_signoff_required",
] as const;

const ENUM_SETTINGS: Record<string, readonly string[]> = {
    visibility: ["public", "private", "internal"],
    squash_merge_commit_title: ["PR_TITLE", "COMMIT_OR_PR_TITLE"],
    squash_merge_commit_message: ["PR_BODY", "COMMIT_MESSAGES", "BLANK"],
    merge_commit_title: ["PR_TITLE", "MERGE_MESSAGE"],
    merge_commit_message: ["PR_BODY", "PR_TITLE", "BLANK"],
};

/**
 * The settings fields of a create or update body, checked: a field of the wrong type or outside its enum is a
 * 422 naming it (before anything is applied). Fields GitHub does not know are ignored, as GitHub ignores them.
 */
function checkedSettings(body: Record<string, unknown>): Partial<RepoSettings> {
    const out: Record<string, unknown> = {};
    for (const field of BOOLEAN_SETTINGS) {
        if (body[field] === undefined) continue;
        if (typeof body[field] !== "boolean") throw validationFailed({ resource: "Repository", code: "invalid", field });
        out[field] = body[field];
    }
    for (const [field, allowed] of Object.entries(ENUM_SETTINGS)) {
        const value = body[field];
        if (value === undefined) continue;
        if (typeof value !== "string" || !allowed.includes(value))
            throw validationFailed({ resource: "Repository", code: "invalid", field });
        out[field] = value;
    }
    if (body.private !== undefined && body.visibility === undefined) {
        if (typeof body.private !== "boolean") throw validationFailed({ resource: "Repository", code: "invalid", field: "private" });
        out.visibility = body.private ? "private" : "public";
    }
    if (body.homepage !== undefined) {
        if (body.homepage !== null && typeof body.homepage !== "string")
            throw validationFailed({ resource: "Repository", code: "invalid", field: "homepage" });
        out.homepage = body.homepage === "" ? null : body.homepage;
    }
    return out;
}

/** GitHub's topic rules: lower case letters, digits and hyphens, at most 50 characters, at most 20 topics. */
function checkedTopics(names: unknown): string[] {
    // This endpoint's 422 lists its errors as plain sentences (GitHub's "Validation Error Simple").
    const refuse = (why: string) => new HttpError(422, "Validation Failed", { errors: [why] });
    if (!Array.isArray(names) || names.some((n) => typeof n !== "string")) throw refuse("names must be an array of strings");
    const topics = [...new Set((names as string[]).map((n) => n.trim().toLowerCase()))];
    if (topics.some((t) => !/^[a-z0-9][a-z0-9-]{0,49}$/.test(t)))
        throw refuse("Topics must start with a lowercase letter or number, consist of 50 characters or less, and can include hyphens.");
    if (topics.length > 20) throw refuse("A repository cannot have more than 20 topics.");
    return topics;
}
