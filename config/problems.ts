// How a file's problems become messages: one line each, `<file>: <key path>: <reason>`, collected for the
// whole workspace so that all of them are reported at once, from YAML syntax to zod's issues.
import { LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { SECRET_KEYS, SECURE_EXPECTED } from "./fields";
import { InputError } from "./input-error";
import { echo, resolve, sizeProblem, versionAliases, YAML_OPTIONS, yamlErrors } from "./yaml";

/** A config error: every line names the file, the key path and the reason. */
export class ConfigError extends InputError {
    constructor(readonly problems: readonly string[]) {
        super(problems.join("\n"));
        this.name = "ConfigError";
    }
}

/** One problem collector per workspace; file-prefixed lines. */
export class Problems {
    readonly lines: string[] = [];
    add(file: string, key: string, reason: string): void {
        this.lines.push(key ? `${file}: ${key}: ${reason}` : `${file}: ${reason}`);
    }
}

/** "value": at or under a secret's key; "holder": a block above one (its value may contain secrets). */
function secretness(where: string): "value" | "holder" | false {
    if (SECRET_KEYS.some((k) => where === k || where.startsWith(`${k}.`))) return "value";
    if (SECRET_KEYS.some((k) => k.startsWith(`${where}.`))) return "holder";
    return false;
}

function keyPath(configKey: string | undefined, p: readonly PropertyKey[]): string {
    return [configKey, ...p.map(String)].filter((s) => s !== undefined && s !== "").join(".");
}

function zodReason(iss: z.core.$ZodIssue, secret: "value" | "holder" | false): string {
    // A map key of the wrong form: its own check says what the key must be. A key names a secret, repository or
    // variable; it is never one, so it is named even under a secret's key.
    if (iss.code === "invalid_key") return iss.issues[0]?.message ?? iss.message;
    // A block that holds secrets, given something else: that something may well be a secret in plain text.
    if (secret === "holder" && iss.code === "invalid_type")
        return `expected ${iss.expected}; the value is not shown (it may hold a secret)`;
    if (secret === "value") {
        // The shape is named, the value is not: an unknown key by its name, anything else by what a secret is.
        if (iss.code === "unrecognized_keys")
            return `unknown key${iss.keys.length > 1 ? "s" : ""} ${iss.keys.map((k) => echo(k)).join(", ")}`;
        // The secure schema's own message names only the kind of value; anything deeper says nothing of it.
        return iss.message.startsWith(SECURE_EXPECTED) ? iss.message : `${SECURE_EXPECTED}; the value is not shown`;
    }
    switch (iss.code) {
        case "unrecognized_keys":
            return `unknown key${iss.keys.length > 1 ? "s" : ""} ${iss.keys.map((k) => echo(k)).join(", ")}`;
        case "invalid_type":
            if (iss.message.startsWith("Invalid input")) {
                return `expected ${iss.expected}${iss.input === undefined ? " (required)" : `, got ${echo(iss.input)}`}`;
            }
            return iss.message;
        case "invalid_value":
            if (!iss.message.startsWith("Invalid")) return iss.message;
            return `expected ${iss.values.length > 1 ? "one of " : ""}${iss.values.map((v) => JSON.stringify(v)).join(", ")}, got ${echo(iss.input)}`;
        default:
            return iss.message;
    }
}

export function parseWith<T>(
    schema: z.ZodType<T>,
    value: unknown,
    file: string,
    problems: Problems,
    rootKey?: (p: readonly PropertyKey[]) => [string | undefined, readonly PropertyKey[]],
): T | undefined {
    const r = schema.safeParse(value, {
        reportInput: true,
        error: (iss) => (iss.code === "invalid_type" ? { message: "Invalid input" } : undefined),
    });
    if (r.success) return r.data;
    for (const iss of r.error.issues) {
        const [k, rest] = rootKey ? rootKey(iss.path) : [undefined, iss.path];
        const where = keyPath(k, rest);
        problems.add(file, where, zodReason(iss, k === undefined ? false : secretness(where)));
    }
    return undefined;
}

/** Stack files keep their config under `config:`; the key is the first path element. */
const configRoot = (p: readonly PropertyKey[]): [string | undefined, readonly PropertyKey[]] =>
    p.length === 0 ? ["config", []] : [String(p[0]), p.slice(1)];

export function readYaml(file: string, text: string, problems: Problems): unknown {
    const tooLarge = sizeProblem(text);
    if (tooLarge) {
        problems.add(file, "", tooLarge);
        return undefined;
    }
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { ...YAML_OPTIONS, lineCounter });
    if (doc.errors.length > 0) {
        for (const line of yamlErrors(doc, lineCounter)) problems.add(file, "", line);
        return undefined;
    }
    const aliases = versionAliases(doc);
    for (const a of aliases) problems.add(file, a.key, a.reason);
    const resolved = resolve(doc);
    if (!resolved.ok) problems.add(file, "", resolved.reason);
    return aliases.length > 0 || !resolved.ok ? undefined : resolved.value;
}

function unknownConveyorKeys(file: string, config: Record<string, unknown>, allowed: readonly string[], problems: Problems): void {
    for (const key of Object.keys(config)) {
        if (key.startsWith("conveyor:") && !allowed.includes(key)) {
            problems.add(file, key, `unknown key (this stack accepts ${allowed.join(", ")})`);
        }
    }
}

/** A stack file's `config:` block parsed with `schema`; a conveyor: key the schema does not know is a problem too. */
export function parseStackConfig<T>(
    schema: z.ZodType<T> & { readonly shape: object },
    file: string,
    config: Record<string, unknown>,
    problems: Problems,
): T | undefined {
    unknownConveyorKeys(
        file,
        config,
        Object.keys(schema.shape).filter((k) => k.startsWith("conveyor:")),
        problems,
    );
    return parseWith(schema, config, file, problems, configRoot);
}
