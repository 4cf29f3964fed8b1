import { notFound, numberParam, objectBody, repoOf, requiredString, validationFailed, type Route, type RouteContext } from "../http";
import type { RulesetRecord } from "../repo-admin";
import { rulesetShape } from "../shapes";
import { timestamp, type RepoState } from "../state";

const DOCS = "https://docs.github.com/rest/repos/rules";

export const rulesetRoutes: Route[] = [
    { method: "POST", path: "/repos/{owner}/{repo}/rulesets", docs: `${DOCS}#create-a-repository-ruleset`, handler: createRuleset },
    {
        method: "GET",
        path: "/repos/{owner}/{repo}/rulesets/{ruleset_id}",
        docs: `${DOCS}#get-a-repository-ruleset`,
        handler: (ctx) => {
            const repo = repoOf(ctx);
            return { status: 200, body: rulesetShape(ctx.baseUrl, repo, rulesetOf(ctx, repo)) };
        },
    },
    {
        method: "PUT",
        path: "/repos/{owner}/{repo}/rulesets/{ruleset_id}",
        docs: `${DOCS}#update-a-repository-ruleset`,
        handler: updateRuleset,
    },
    {
        method: "DELETE",
        path: "/repos/{owner}/{repo}/rulesets/{ruleset_id}",
        docs: `${DOCS}#delete-a-repository-ruleset`,
        handler: (ctx) => {
            const repo = repoOf(ctx);
            repo.rulesets.splice(repo.rulesets.indexOf(rulesetOf(ctx, repo)), 1);
            return { status: 204 };
        },
    },
];

/** Rule types of a branch ruleset GitHub documents; anything else is refused. */
const RULE_TYPES = new Set([
    "creation",
    "update",
    "deletion",
    "required_linear_history",
    "merge_queue",
    "required_deployments",
    "required_signatures",
    "pull_request",
    "required_status_checks",
    "non_fast_forward",
    "commit_message_pattern",
    "commit_author_email_pattern",
    "committer_email_pattern",
    "branch_name_pattern",
    "tag_name_pattern",
    "code_scanning",
    "copilot_code_review",
]);

function createRuleset(ctx: RouteContext) {
    const repo = repoOf(ctx);
    const now = timestamp();
    const ruleset: RulesetRecord = { id: ctx.state.ids.next(), ...checkedRuleset(ctx, repo, undefined), created_at: now, updated_at: now };
    repo.rulesets.push(ruleset);
    return { status: 201, body: rulesetShape(ctx.baseUrl, repo, ruleset) };
}

function updateRuleset(ctx: RouteContext) {
    const repo = repoOf(ctx);
    const ruleset = rulesetOf(ctx, repo);
    Object.assign(ruleset, checkedRuleset(ctx, repo, ruleset), { updated_at: timestamp() });
    return { status: 200, body: rulesetShape(ctx.baseUrl, repo, ruleset) };
}

type RulesetFields = Omit<RulesetRecord, "id" | "created_at" | "updated_at">;

/** A create (everything required) or an update (what is left out stays) body, checked before anything is kept. */
function checkedRuleset(ctx: RouteContext, repo: RepoState, current: RulesetRecord | undefined): RulesetFields {
    const body = objectBody(ctx);
    const invalid = (field: string) => validationFailed({ resource: "Ruleset", code: "invalid", field });
    const name = current && body.name === undefined ? current.name : requiredString(body, "name", "Ruleset");
    if (repo.rulesets.some((r) => r !== current && r.name === name))
        throw validationFailed({ resource: "Ruleset", code: "already_exists", field: "name" });
    const enforcement = body.enforcement ?? current?.enforcement;
    if (enforcement !== "disabled" && enforcement !== "active" && enforcement !== "evaluate") throw invalid("enforcement");
    const target = body.target ?? current?.target ?? "branch";
    if (target !== "branch" && target !== "tag" && target !== "push") throw invalid("target");
    const rules = body.rules ?? current?.rules ?? [];
    if (!Array.isArray(rules)) throw invalid("rules");
    for (const rule of rules as unknown[]) {
        const type = (rule as { type?: unknown } | null)?.type;
        if (typeof type !== "string" || !RULE_TYPES.has(type)) throw invalid("rules");
    }
    const conditions = body.conditions === undefined ? (current?.conditions ?? null) : body.conditions;
    if (conditions !== null && (typeof conditions !== "object" || Array.isArray(conditions))) throw invalid("conditions");
    const bypass = body.bypass_actors ?? current?.bypass_actors ?? [];
    if (!Array.isArray(bypass)) throw invalid("bypass_actors");
    return {
        name,
        target,
        enforcement,
        bypass_actors: bypass as unknown[],
        conditions: conditions as Record<string, unknown> | null,
        rules: rules as RulesetRecord["rules"],
    };
}

function rulesetOf(ctx: RouteContext, repo: RepoState): RulesetRecord {
    const id = numberParam(ctx, "ruleset_id");
    const ruleset = repo.rulesets.find((r) => r.id === id);
    if (!ruleset) throw notFound();
    return ruleset;
}
