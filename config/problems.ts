// How a file's problems become messages: one line each, `<file>: <key path>: <reason>`, collected for the
// whole workspace so that all of them are reported at once, from YAML syntax to zod's issues.
import { LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { describe } from "./fields";

/** A config error: every line names the file, the key path and the reason. */
export class ConfigError extends Error {
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

function keyPath(configKey: string | undefined, p: readonly PropertyKey[]): string {
    return [configKey, ...p.map(String)].filter((s) => s !== undefined && s !== "").join(".");
}

function zodReason(iss: z.core.$ZodIssue): string {
    switch (iss.code) {
        case "unrecognized_keys":
            return `unknown key${iss.keys.length > 1 ? "s" : ""} ${iss.keys.map((k) => JSON.stringify(k)).join(", ")}`;
        case "invalid_type":
            if (iss.message.startsWith("Invalid input")) {
                return `expected ${iss.expected}${iss.input === undefined ? " (required)" : `, got ${describe(iss.input)}`}`;
            }
            return iss.message;
        case "invalid_value":
            return iss.message.startsWith("Invalid")
                ? `expected one of ${iss.values.map((v) => JSON.stringify(v)).join(", ")}, got ${describe(iss.input)}`
                : iss.message;
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
        error: (iss) => (iss.code === "invalid_type" ? { message: "Invalid input" } : undefined),
    });
    if (r.success) return r.data;
    for (const iss of r.error.issues) {
        const [k, rest] = rootKey ? rootKey(iss.path) : [undefined, iss.path];
        problems.add(file, keyPath(k, rest), zodReason(iss));
    }
    return undefined;
}

/** Stack files keep their config under `config:`; the key is the first path element. */
const configRoot = (p: readonly PropertyKey[]): [string | undefined, readonly PropertyKey[]] =>
    p.length === 0 ? ["config", []] : [String(p[0]), p.slice(1)];

export function readYaml(file: string, text: string, problems: Problems): unknown {
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { prettyErrors: false, lineCounter });
    if (doc.errors.length > 0) {
        for (const e of doc.errors) {
            const pos = lineCounter.linePos(e.pos[0]);
            problems.add(file, "", `invalid YAML${pos ? ` at line ${pos.line}, column ${pos.col}` : ""}: ${e.message.split("\n")[0]}`);
        }
        return undefined;
    }
    return doc.toJS({ maxAliasCount: 100 });
}

function unknownConveyorKeys(file: string, config: Record<string, unknown>, allowed: readonly string[], problems: Problems): void {
    for (const key of Object.keys(config)) {
        if (key.startsWith("conveyor:") && !allowed.includes(key)) {
            problems.add(file, key, `unknown key (this stack accepts ${allowed.join(", ")})`);
        }
    }
}

/** A stack file's `config:` block parsed with `schema`; a conveyor: key the schema does not know is a problem too. */
export function parseStackConfig<T>(schema: z.ZodType<T> & { readonly shape: object }, file: string, config: Record<string, unknown>, problems: Problems): T | undefined {
    unknownConveyorKeys(file, config, Object.keys(schema.shape).filter((k) => k.startsWith("conveyor:")), problems);
    return parseWith(schema, config, file, problems, configRoot);
}
