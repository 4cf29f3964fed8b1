// Secret-looking inputs must be Pulumi secrets, so they are encrypted in state and masked in previews.
//
// How secretness is seen: @pulumi/policy 1.21 unwraps secrets to plaintext in both validateResource and
// validateStack (deserializeProperties(..., false)), and propertyDependencies says nothing about them,
// so a validation cannot tell a secret from a plain string. Only the remediation path keeps them: its
// props are a proxy over values where each secret is a `Secret` instance. This policy therefore runs as
// a remediation: it finds plaintext secret-looking inputs there and returns them wrapped in `Secret`,
// which the engine encrypts — the invariant holds by construction instead of failing the update.
import { Secret, type ResourceValidationArgs, type ResourceValidationPolicy } from "@pulumi/policy";

const SECRET_NOUNS = new Set([
    "token",
    "tokens",
    "password",
    "passwords",
    "passwd",
    "secret",
    "secrets",
    "key",
    "keys",
    "passphrase",
    "credential",
    "credentials",
]);
/** Secret-looking first words whose last word names the payload (`secretString`, `secretBinary`). */
const PAYLOAD_WORDS = new Set(["string", "binary", "value", "text"]);
/**
 * Words that make a `…key` name an identifier rather than a credential: `publicKey` is public, `hashKey`
 * and `sortKey` are DynamoDB attribute names, `cacheKey`/`objectKey` are lookup keys.
 */
const NOT_CREDENTIAL_QUALIFIERS = new Set([
    "public",
    "hash",
    "range",
    "sort",
    "partition",
    "cache",
    "object",
    "idempotency",
    "lookup",
    "primary",
    "foreign",
]);
/**
 * Words that make a `…key` a credential whatever else qualifies it: `primaryAccessKey` (an Azure storage
 * account's), `objectStorageSecretKey`, `signingKey`. Checked before the qualifiers above, which would
 * otherwise clear them.
 */
const CREDENTIAL_KEY_WORDS = new Set(["secret", "access", "private", "api", "signing", "master", "auth", "encryption"]);

/** `kmsKeyId` -> [kms, key, id]; `GITHUB_TOKEN_SECRET_ARN` -> [github, token, secret, arn]. */
export function nameWords(name: string): string[] {
    return name
        .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
        .split(/[^A-Za-z0-9]+/)
        .filter(Boolean)
        .map((w) => w.toLowerCase());
}

/**
 * A name looks secret when its LAST word is a secret noun (`githubToken`, `password`, `apiKey`; `pass`
 * alone is left out as too ambiguous), or it is `secret<Payload>`. Judging the last word
 * is what keeps references out: `keyId`, `secretId`, `kmsKeyId`, `secretName`, `*_SECRET_ARN` end in
 * an identifier word, and `privateSubnetIds` has no secret word at all (substring matching would flag it).
 */
export function looksSecret(name: string): boolean {
    const words = nameWords(name);
    if (words.length === 0) return false;
    const last = words[words.length - 1];
    if (words[0] === "secret" && words.length === 2 && PAYLOAD_WORDS.has(last)) return true;
    if (!SECRET_NOUNS.has(last)) return false;
    if (last !== "key" && last !== "keys") return true;
    const before = words.slice(0, -1);
    if (before.some((w) => CREDENTIAL_KEY_WORDS.has(w))) return true;
    return !before.some((w) => NOT_CREDENTIAL_QUALIFIERS.has(w));
}

const SPECIAL_PROXY = "__isSpecialProxy";
/** The engine's marker for a value not known until apply; nothing to judge or wrap yet. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const PROXY_TARGET = "__getSpecialProxyTarget";

/** The values behind @pulumi/policy's proxies, where secrets are still `Secret` instances. */
export function rawValue(v: unknown): unknown {
    let cur = v;
    while (cur !== null && typeof cur === "object" && (cur as Record<string, unknown>)[SPECIAL_PROXY] === true) {
        cur = (cur as Record<string, unknown>)[PROXY_TARGET];
    }
    return cur;
}

/** Paths (`a.b[0].c`) of non-empty plaintext strings under secret-looking names; a Secret ends the walk. */
export function plaintextSecretPaths(props: unknown): string[] {
    const found: string[] = [];
    const walk = (value: unknown, path: string, secretName: boolean): void => {
        const v = rawValue(value);
        if (v instanceof Secret) return;
        if (typeof v === "string") {
            if (secretName && v !== "" && v !== UNKNOWN) found.push(path);
            return;
        }
        if (Array.isArray(v)) {
            v.forEach((x, i) => walk(x, `${path}[${i}]`, secretName));
            return;
        }
        if (v !== null && typeof v === "object") {
            for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k, secretName || looksSecret(k));
        }
    };
    walk(props, "", false);
    return found;
}

/** A copy of `props` with the value at each path wrapped in `Secret`. */
function wrapPaths(props: Record<string, unknown>, paths: readonly string[]): Record<string, unknown> {
    const copy = structuredCloneSecrets(rawValue(props)) as Record<string, unknown>;
    for (const path of paths) {
        const keys = path.match(/[^.[\]]+/g) ?? [];
        let node = copy;
        for (const k of keys.slice(0, -1)) node = node[k] as Record<string, unknown>;
        const last = keys[keys.length - 1];
        node[last] = new Secret(node[last]);
    }
    return copy;
}

function structuredCloneSecrets(v: unknown): unknown {
    const r = rawValue(v);
    if (r instanceof Secret) return new Secret(structuredCloneSecrets(r.value));
    if (Array.isArray(r)) return r.map(structuredCloneSecrets);
    if (r !== null && typeof r === "object" && Object.getPrototypeOf(r) === Object.prototype) {
        return Object.fromEntries(Object.entries(r).map(([k, x]) => [k, structuredCloneSecrets(x)]));
    }
    return r;
}

export const secretInputs: ResourceValidationPolicy = {
    name: "secret-inputs-are-secrets",
    description: "Inputs named like tokens, passwords, secrets or keys are Pulumi secrets (plaintext ones are made secret).",
    // "remediate", not "mandatory": see the header — only a remediation can see which values are secrets.
    enforcementLevel: "remediate",
    remediateResource: (args: ResourceValidationArgs) => {
        const paths = plaintextSecretPaths(args.props);
        return paths.length === 0 ? undefined : wrapPaths(args.props, paths);
    },
};

export const secretPolicies = [secretInputs];
