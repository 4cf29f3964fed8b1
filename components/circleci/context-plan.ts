// The decisions of the CircleCI Context provider, apart from any I/O: what a change means (update in place or
// replace), which variables to write, which restrictions to add or drop. Kept pure so the rules are tested
// without a server, and so the serialised provider carries no more than it runs.
import { createHash } from "node:crypto";

/** What the engine sends in place of a value a preview does not know yet (sdk/nodejs/runtime/rpc.ts). */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** CircleCI's rule for environment variable names; it rejects others with a 400 halfway through a create. */
const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The resource's inputs as the provider receives them: secrets already unwrapped by the engine. */
export interface ContextInputs {
    readonly name: string;
    readonly organizationId: string;
    readonly variables: Record<string, string>;
    readonly projectRestrictions?: string[];
    /** The serialised provider, which the engine keeps beside every dynamic resource's properties. */
    readonly __provider?: string;
}

/**
 * What the provider records in state. Never a variable's value: `variableDigests` holds one digest per
 * variable (see `variableDigest`) and the resource marks it secret.
 */
export interface ContextOutputs {
    readonly contextId: string;
    readonly name: string;
    readonly organizationId: string;
    /** Sorted, lower-case project ids. */
    readonly projectRestrictions: string[];
    /** Sorted names of the variables the context holds. */
    readonly variableNames: string[];
    /** Name -> digest of the value last written; a name without one is rewritten on the next update. */
    readonly variableDigests: Record<string, string>;
    readonly __provider?: string;
}

export interface ContextDiff {
    readonly changes: boolean;
    readonly replaces: string[];
    readonly deleteBeforeReplace: boolean;
}

export interface CheckFailure {
    readonly property: string;
    readonly reason: string;
}

export interface VariablePlan {
    /** Names to PUT: new, changed, or missing on CircleCI. */
    readonly put: string[];
    /** Names to DELETE: on CircleCI but no longer declared. */
    readonly remove: string[];
}

export interface LiveRestriction {
    readonly id: string;
    readonly type: string;
    readonly value: string;
}

export interface RestrictionPlan {
    /** Project ids to restrict the context to. */
    readonly create: string[];
    /** Restriction ids to remove. */
    readonly remove: string[];
}

/**
 * SHA-256 over (context id, name, value), JSON-encoded so no two triples share an encoding.
 *
 * Why not an HMAC keyed by something outside state, such as the token: diff must run in `pulumi preview`
 * on PRs, where a token may be absent, and rotating the token would make every variable of every context
 * look changed. The context id salts the digest so equal values in two contexts (or under two names) do
 * not show as equal, and a replaced context starts from fresh digests. What protects the digests from
 * brute force of a short value is that the resource marks them secret (encrypted like the inputs, which
 * hold the values themselves anyway); digests are also left out of any state written after a failure,
 * where that marking is not guaranteed.
 */
export function variableDigest(contextId: string, name: string, value: string): string {
    return createHash("sha256")
        .update(JSON.stringify([contextId, name, value]))
        .digest("hex");
}

/** UUIDs compare without case (RFC 9562); CircleCI hands them out in lower case. */
export function normalizeId(id: string): string {
    return id.trim().toLowerCase();
}

export function normalizeRestrictions(ids: readonly string[] | undefined): string[] {
    return [...new Set((ids ?? []).map(normalizeId))].sort();
}

/**
 * A new name or organisation is another context: replace. Delete goes first because create adopts an
 * existing context of the wanted name: were the replacement to resolve to the same CircleCI context (a
 * forced `--replace`, an organisation id differing only in case), create-before-delete would adopt the live
 * context and then delete it. The cost is a few seconds without the context; every value is in config.
 */
export function diffContext(olds: ContextOutputs, news: ContextInputs): ContextDiff {
    const replaces: string[] = [];
    if (olds.name !== news.name) replaces.push("name");
    // A read without prior state (a `get`) cannot learn the organisation from CircleCI: unknown is not a move.
    if (olds.organizationId && normalizeId(olds.organizationId) !== normalizeId(String(news.organizationId)))
        replaces.push("organizationId");
    const changes = replaces.length > 0 || variablesChanged(olds, news.variables) || restrictionsChanged(olds, news.projectRestrictions);
    return { changes, replaces, deleteBeforeReplace: replaces.length > 0 };
}

/**
 * Values cannot be read back from CircleCI, so a change is a name added or removed, or a value whose digest
 * differs from the one recorded when it was written. A value not known yet (preview) counts as changed.
 */
export function variablesChanged(olds: ContextOutputs, variables: unknown): boolean {
    if (!isStringRecord(variables)) return true;
    const oldNames = [...(olds.variableNames ?? [])].sort();
    const newNames = Object.keys(variables).sort();
    if (!sameList(oldNames, newNames)) return true;
    const digests = olds.variableDigests ?? {};
    return newNames.some((name) => digests[name] !== variableDigest(olds.contextId, name, variables[name]));
}

export function restrictionsChanged(olds: ContextOutputs, restrictions: unknown): boolean {
    if (restrictions !== undefined && !isStringList(restrictions)) return true;
    return !sameList(normalizeRestrictions(olds.projectRestrictions), normalizeRestrictions(restrictions));
}

/**
 * Authoritative over the context's variables: a declared one is written when CircleCI lacks it or its
 * digest differs from the recorded one; any other is removed. Unchanged values are not rewritten.
 */
export function planVariables(
    wanted: Readonly<Record<string, string>>,
    liveNames: readonly string[],
    recorded: Readonly<Record<string, string>>,
    digestOf: (name: string, value: string) => string,
): VariablePlan {
    const live = new Set(liveNames);
    const put = Object.keys(wanted)
        .filter((name) => !live.has(name) || recorded[name] !== digestOf(name, wanted[name]))
        .sort();
    const remove = [...live].filter((name) => !Object.hasOwn(wanted, name)).sort();
    return { put, remove };
}

/**
 * Only "project" restrictions are ours. Expression and group restrictions (branch rules, security groups)
 * may be set by hand to narrow who can use the context; removing them would widen access, so they stay.
 */
export function planRestrictions(live: readonly LiveRestriction[], wanted: readonly string[]): RestrictionPlan {
    const want = new Set(normalizeRestrictions(wanted));
    const kept = new Set<string>();
    const remove: string[] = [];
    for (const r of live.filter((l) => l.type === "project")) {
        const value = normalizeId(r.value);
        if (want.has(value) && !kept.has(value)) kept.add(value);
        else remove.push(r.id);
    }
    return { create: [...want].filter((v) => !kept.has(v)), remove };
}

export function projectRestrictionsOf(live: readonly LiveRestriction[]): string[] {
    return normalizeRestrictions(live.filter((r) => r.type === "project").map((r) => r.value));
}

/**
 * Catches in preview what CircleCI would reject halfway through an update. Reasons name variables, never
 * their values; values not known yet are let through.
 */
export function checkInputs(news: ContextInputs): CheckFailure[] {
    const failures: CheckFailure[] = [];
    const fail = (property: string, reason: string): number => failures.push({ property, reason });
    if (isKnown(news.name) && (typeof news.name !== "string" || news.name.trim() === "")) fail("name", "must be a non-empty string");
    if (isKnown(news.organizationId) && !isUuid(news.organizationId)) fail("organizationId", "must be a CircleCI organisation id (a UUID)");
    if (isKnown(news.variables)) {
        if (typeof news.variables !== "object" || news.variables === null || Array.isArray(news.variables)) {
            fail("variables", "must be a map of name to value");
        } else {
            for (const [name, value] of Object.entries(news.variables)) {
                if (!ENV_VAR_NAME.test(name))
                    fail(
                        "variables",
                        `"${name}" is not a valid environment variable name (letters, digits and _, not starting with a digit)`,
                    );
                if (typeof value !== "string") fail("variables", `the value of "${name}" must be a string`);
            }
        }
    }
    const restrictions: unknown = news.projectRestrictions;
    if (isKnown(restrictions) && restrictions !== undefined) {
        if (!Array.isArray(restrictions)) fail("projectRestrictions", "must be a list of project ids");
        else
            restrictions
                .filter((p) => isKnown(p) && !isUuid(p))
                .forEach((p) => fail("projectRestrictions", `"${String(p)}" is not a project id (a UUID)`));
    }
    return failures;
}

function isKnown(value: unknown): boolean {
    return value !== UNKNOWN_VALUE;
}

function isUuid(value: unknown): boolean {
    return typeof value === "string" && UUID.test(value.trim());
}

function isStringRecord(value: unknown): value is Record<string, string> {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
    return Object.values(value).every((v) => typeof v === "string" && v !== UNKNOWN_VALUE);
}

function isStringList(value: unknown): value is string[] {
    return Array.isArray(value) && value.every((v) => typeof v === "string" && v !== UNKNOWN_VALUE);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
    return a.length === b.length && a.every((x, i) => x === b[i]);
}
