/**
 * What a repository's administrator changes through the REST API, beside its
 * issues and git data: the settings of PATCH /repos/{owner}/{repo}, topics,
 * the two security toggles, rulesets and Dependabot secrets. The real github
 * provider (Terraform's, bridged) writes all of these; the fake keeps them so
 * that a refresh reads back exactly what was written, as GitHub does.
 */
import { generateKeyPairSync } from "node:crypto";

export type Visibility = "public" | "private" | "internal";

export interface RepoSettings {
    visibility: Visibility;
    homepage: string | null;
    topics: string[];
    has_issues: boolean;
    has_projects: boolean;
    has_wiki: boolean;
    has_downloads: boolean;
    has_discussions: boolean;
    is_template: boolean;
    allow_squash_merge: boolean;
    allow_merge_commit: boolean;
    allow_rebase_merge: boolean;
    allow_auto_merge: boolean;
    allow_update_branch: boolean;
    allow_forking: boolean;
    web_commit_signoff_required: boolean;
    squash_merge_commit_title: string;
    squash_merge_commit_message: string;
    merge_commit_title: string;
    merge_commit_message: string;
    /** GET/PUT/DELETE /vulnerability-alerts (Dependabot alerts). */
    vulnerability_alerts: boolean;
    /** GET/PUT/DELETE /automated-security-fixes (Dependabot security updates). */
    automated_security_fixes: boolean;
}

/** A repository seeded by a test: the settings the fake always answered before it kept any. */
export function seededSettings(isPrivate: boolean): RepoSettings {
    return {
        ...createdSettings(isPrivate),
        has_projects: false,
        has_wiki: false,
        allow_merge_commit: false,
        allow_rebase_merge: false,
        allow_auto_merge: true,
    };
}

/** What POST /orgs/{org}/repos gives a repository when the request leaves a field out (GitHub's defaults). */
export function createdSettings(isPrivate: boolean): RepoSettings {
    return {
        visibility: isPrivate ? "private" : "public",
        homepage: null,
        topics: [],
        has_issues: true,
        has_projects: true,
        has_wiki: true,
        has_downloads: true,
        has_discussions: false,
        is_template: false,
        allow_squash_merge: true,
        allow_merge_commit: true,
        allow_rebase_merge: true,
        allow_auto_merge: false,
        allow_update_branch: false,
        allow_forking: false,
        web_commit_signoff_required: false,
        squash_merge_commit_title: "COMMIT_OR_PR_TITLE",
        squash_merge_commit_message: "COMMIT_MESSAGES",
        merge_commit_title: "MERGE_MESSAGE",
        merge_commit_message: "PR_TITLE",
        vulnerability_alerts: false,
        automated_security_fixes: false,
    };
}

/** The labels GitHub puts in every new repository. */
export const DEFAULT_LABELS: ReadonlyArray<readonly [name: string, color: string, description: string]> = [
    ["bug", "d73a4a", "Something isn't working"],
    ["documentation", "0075ca", "Improvements or additions to documentation"],
    ["duplicate", "cfd3d7", "This issue or pull request already exists"],
    ["enhancement", "a2eeef", "New feature or request"],
    ["good first issue", "7057ff", "Good for newcomers"],
    ["help wanted", "008672", "Extra attention is needed"],
    ["invalid", "e4e669", "This doesn't seem right"],
    ["question", "d876e3", "Further information is requested"],
    ["wontfix", "ffffff", "This will not be worked on"],
];

export interface RulesetRecord {
    id: number;
    name: string;
    target: "branch" | "tag" | "push";
    enforcement: "disabled" | "active" | "evaluate";
    bypass_actors: unknown[];
    conditions: Record<string, unknown> | null;
    rules: Array<{ type: string; parameters?: Record<string, unknown> }>;
    created_at: string;
    updated_at: string;
}

/** A Dependabot secret as GitHub keeps it: sealed to the repository's key, never readable again. */
export interface SecretRecord {
    name: string;
    key_id: string;
    /** base64 of a libsodium sealed box (32-byte ephemeral key + 16-byte MAC + the value). */
    encrypted_value: string;
    created_at: string;
    updated_at: string;
}

/** An organisation's Dependabot secret: shared with every repository, the private ones, or those selected. */
export interface OrgSecretRecord extends SecretRecord {
    visibility: "all" | "private" | "selected";
    selected_repository_ids: number[];
}

/** The X25519 public key a client seals secrets to, with GitHub's opaque key id. */
export interface SealingKey {
    key_id: string;
    key: string;
}

export function newSealingKey(id: number): SealingKey {
    const { publicKey } = generateKeyPairSync("x25519");
    const raw = Buffer.from(publicKey.export({ format: "jwk" }).x ?? "", "base64url");
    return { key_id: `${id}${raw.readUInt32BE(0)}`, key: raw.toString("base64") };
}
