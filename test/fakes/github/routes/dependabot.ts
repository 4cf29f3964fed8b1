import { notFound, objectBody, paginate, repoOf, validationFailed, type Route, type RouteContext } from "../http";
import { newSealingKey, type OrgSecretRecord, type SealingKey, type SecretRecord } from "../repo-admin";
import { repoShape } from "../shapes";
import { timestamp, type RepoState } from "../state";

const DOCS = "https://docs.github.com/rest/dependabot/secrets";

export const dependabotRoutes: Route[] = [
    {
        method: "GET",
        path: "/repos/{owner}/{repo}/dependabot/secrets/public-key",
        docs: `${DOCS}#get-a-repository-public-key`,
        handler: (ctx) => ({ status: 200, body: { ...repoOf(ctx).dependabotKey } }),
    },
    {
        method: "GET",
        path: "/repos/{owner}/{repo}/dependabot/secrets/{secret_name}",
        docs: `${DOCS}#get-a-repository-secret`,
        handler: (ctx) => {
            const secret = secretOf(ctx);
            return { status: 200, body: { name: secret.name, created_at: secret.created_at, updated_at: secret.updated_at } };
        },
    },
    {
        method: "PUT",
        path: "/repos/{owner}/{repo}/dependabot/secrets/{secret_name}",
        docs: `${DOCS}#create-or-update-a-repository-secret`,
        handler: putSecret,
    },
    {
        method: "DELETE",
        path: "/repos/{owner}/{repo}/dependabot/secrets/{secret_name}",
        docs: `${DOCS}#delete-a-repository-secret`,
        handler: (ctx) => {
            secretOf(ctx);
            repoOf(ctx).dependabotSecrets.delete(secretName(ctx));
            return { status: 204 };
        },
    },
    {
        method: "GET",
        path: "/orgs/{org}/dependabot/secrets/public-key",
        docs: `${DOCS}#get-an-organization-public-key`,
        handler: (ctx) => ({ status: 200, body: { ...orgOf(ctx).key } }),
    },
    {
        method: "GET",
        path: "/orgs/{org}/dependabot/secrets/{secret_name}",
        docs: `${DOCS}#get-an-organization-secret`,
        handler: (ctx) => {
            const secret = orgSecretOf(ctx);
            const url = `${ctx.baseUrl}/orgs/${ctx.params.org}/dependabot/secrets/${secret.name}/repositories`;
            return {
                status: 200,
                body: {
                    name: secret.name,
                    created_at: secret.created_at,
                    updated_at: secret.updated_at,
                    visibility: secret.visibility,
                    ...(secret.visibility === "selected" ? { selected_repositories_url: url } : {}),
                },
            };
        },
    },
    {
        method: "PUT",
        path: "/orgs/{org}/dependabot/secrets/{secret_name}",
        // The one link GitHub's description still gives in its old form.
        docs: "https://docs.github.com/rest/reference/dependabot#create-or-update-an-organization-secret",
        handler: putOrgSecret,
    },
    {
        method: "GET",
        path: "/orgs/{org}/dependabot/secrets/{secret_name}/repositories",
        docs: `${DOCS}#list-selected-repositories-for-an-organization-secret`,
        handler: (ctx) => {
            const secret = orgSecretOf(ctx);
            const repos = secret.selected_repository_ids.map((id) => repoById(ctx, id)).filter((r): r is RepoState => r !== undefined);
            const page = paginate(
                ctx,
                repos.map((r) => repoShape(ctx.baseUrl, r)),
            );
            return { ...page, body: { total_count: repos.length, repositories: page.body } };
        },
    },
    {
        method: "DELETE",
        path: "/orgs/{org}/dependabot/secrets/{secret_name}",
        docs: `${DOCS}#delete-an-organization-secret`,
        handler: (ctx) => {
            orgSecretOf(ctx);
            orgOf(ctx).secrets.delete(secretName(ctx));
            return { status: 204 };
        },
    },
];

/** The organisation's Dependabot key and secrets; an unknown organisation is a 404. */
function orgOf(ctx: RouteContext): { key: SealingKey; secrets: Map<string, OrgSecretRecord> } {
    const org = ctx.state.findAccount(ctx.params.org ?? "");
    if (org?.type !== "Organization") throw notFound();
    const key = org.login.toLowerCase();
    let entry = ctx.state.orgDependabot.get(key);
    if (!entry) {
        entry = { key: newSealingKey(org.id), secrets: new Map() };
        ctx.state.orgDependabot.set(key, entry);
    }
    return entry;
}

function orgSecretOf(ctx: RouteContext): OrgSecretRecord {
    const secret = orgOf(ctx).secrets.get(secretName(ctx));
    if (!secret) throw notFound();
    return secret;
}

function repoById(ctx: RouteContext, id: number): RepoState | undefined {
    return [...ctx.state.repos.values()].find((r) => r.id === id);
}

/** Like a repository secret, plus who may use it; selected repositories must exist in the organisation. */
function putOrgSecret(ctx: RouteContext) {
    const org = orgOf(ctx);
    const name = secretName(ctx);
    const body = objectBody(ctx);
    const encrypted = checkedSealedBox(body.encrypted_value, body.key_id, org.key);
    const visibility = body.visibility;
    if (visibility !== "all" && visibility !== "private" && visibility !== "selected")
        throw validationFailed({ resource: "Secret", code: "invalid", field: "visibility" });
    const ids = body.selected_repository_ids ?? [];
    if (!Array.isArray(ids) || ids.some((id) => typeof id !== "number" && typeof id !== "string"))
        throw validationFailed({ resource: "Secret", code: "invalid", field: "selected_repository_ids" });
    const selected = (ids as Array<number | string>).map(Number);
    const owner = ctx.params.org.toLowerCase();
    if (selected.some((id) => repoById(ctx, id)?.owner.login.toLowerCase() !== owner))
        throw validationFailed({ resource: "Secret", code: "invalid", field: "selected_repository_ids" });
    const now = timestamp();
    const existing = org.secrets.get(name);
    org.secrets.set(name, {
        name,
        key_id: org.key.key_id,
        encrypted_value: encrypted,
        visibility,
        selected_repository_ids: visibility === "selected" ? selected : [],
        created_at: existing?.created_at ?? now,
        updated_at: now,
    });
    return { status: existing ? 204 : 201, body: existing ? undefined : {} };
}

/** GitHub's secret names: letters, digits and underscores, not starting with a digit or GITHUB_; kept upper case. */
function secretName(ctx: RouteContext): string {
    const name = (ctx.params.secret_name ?? "").toUpperCase();
    if (!/^[A-Z_][A-Z0-9_]*$/.test(name) || name.startsWith("GITHUB_"))
        throw validationFailed({ resource: "Secret", code: "invalid", field: "name" });
    return name;
}

function secretOf(ctx: RouteContext): SecretRecord {
    const secret = repoOf(ctx).dependabotSecrets.get(secretName(ctx));
    if (!secret) throw notFound();
    return secret;
}

/** 201 when created, 204 when an existing secret was replaced; the value must be sealed to the current key. */
function putSecret(ctx: RouteContext) {
    const repo = repoOf(ctx);
    const name = secretName(ctx);
    const body = objectBody(ctx);
    const encrypted = checkedSealedBox(body.encrypted_value, body.key_id, repo.dependabotKey);
    const now = timestamp();
    const existing = repo.dependabotSecrets.get(name);
    repo.dependabotSecrets.set(name, {
        name,
        key_id: repo.dependabotKey.key_id,
        encrypted_value: encrypted,
        created_at: existing?.created_at ?? now,
        updated_at: now,
    });
    return { status: existing ? 204 : 201, body: existing ? undefined : {} };
}

/** What can be checked of a sealed box without the private key: base64 of at least its 48 bytes of overhead. */
function checkedSealedBox(encrypted: unknown, keyId: unknown, key: SealingKey): string {
    if (keyId !== key.key_id) throw validationFailed({ resource: "Secret", code: "invalid", field: "key_id" });
    if (typeof encrypted !== "string" || !/^[A-Za-z0-9+/]+={0,2}$/.test(encrypted) || Buffer.from(encrypted, "base64").length < 48)
        throw validationFailed({ resource: "Secret", code: "invalid", field: "encrypted_value" });
    return encrypted;
}
