// The YAML rules every reader of conveyor's config files applies: the config parser (problems.ts, for the whole
// workspace) and the stack-file reader (stackfile.ts, the versions a release PR edits). One place, so
// that no file one of them accepts is refused by the other, and no hostile file gets further than a message.
import { isAlias, isMap, isScalar, type LineCounter, type Document } from "yaml";

/** A stack file is a few kilobytes; the org's, with every repository override, a few dozen. */
export const MAX_CONFIG_BYTES = 512 * 1024;

/**
 * How many alias uses a document may resolve. An alias repeats a whole subtree, so a few lines of nested
 * aliases expand to billions of nodes (the "billion laughs"); yaml stops at this count instead.
 */
export const MAX_ALIAS_COUNT = 100;

/** Options for `parseDocument` and `Composer`: duplicate keys are an error, `<<` is not a merge. */
export const YAML_OPTIONS = { uniqueKeys: true, merge: false, prettyErrors: false } as const;

export const VERSIONS_KEY = "conveyor:versions";

export const BUILD_NUMBER_EXPECTED = "expected a build number (positive integer)";

/**
 * A CI build number: a positive integer JavaScript holds exactly. `1e20` is an integer to YAML and to
 * `Number.isInteger`, but not one a CI system numbers builds with, nor one that survives a round trip.
 */
export function isBuildNumber(value: unknown): value is number {
    return typeof value === "number" && Number.isSafeInteger(value) && value > 0;
}

export function buildNumberProblem(value: unknown): string | undefined {
    return isBuildNumber(value) ? undefined : `${BUILD_NUMBER_EXPECTED}, got ${echo(value)}`;
}

/** Longest piece of a value an error message repeats. */
export const ECHO_LIMIT = 40;

/**
 * A value as an error message may show it: its kind for maps and lists, and at most ECHO_LIMIT characters of a
 * string, so a megabyte-long value (or a secret pasted in the wrong place) is not copied into every log.
 */
export function echo(value: unknown): string {
    if (value === undefined) return "nothing";
    if (typeof value === "string") {
        return value.length > ECHO_LIMIT
            ? `${JSON.stringify(value.slice(0, ECHO_LIMIT)).slice(0, -1)}..." (${value.length} characters)`
            : JSON.stringify(value);
    }
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- no object gets past the test: a YAML scalar
    if (value === null || typeof value !== "object") return String(value).slice(0, ECHO_LIMIT);
    return Array.isArray(value) ? "a list" : "a map";
}

/** What the value is, without any of it: for keys that hold secrets. */
export function kindOf(value: unknown): string {
    if (value === undefined) return "nothing";
    if (value === null) return "null";
    if (Array.isArray(value)) return "a list";
    if (typeof value === "object") return "a map";
    return typeof value === "string" ? "a plain string" : `a ${typeof value}`;
}

/** Over MAX_CONFIG_BYTES: refused before parsing, so a huge file costs nothing. */
export function sizeProblem(text: string): string | undefined {
    // Counted, not bounded from the string's length: the message says how large the file is.
    const bytes = Buffer.byteLength(text, "utf8");
    return bytes > MAX_CONFIG_BYTES
        ? `the file is ${bytes} bytes, more than the ${MAX_CONFIG_BYTES / 1024} KiB a config file may have`
        : undefined;
}

/**
 * yaml's errors, one line each, with the position. A few messages repeat a piece of the source (the extra
 * characters of a block scalar's header): at most 200 characters of it.
 */
export function yamlErrors(doc: Document.Parsed, lines: LineCounter): string[] {
    return doc.errors.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        return `invalid YAML at line ${pos.line}, column ${pos.col}: ${e.message.split("\n")[0].slice(0, 200)}`;
    });
}

export type Resolved = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: string };

/** The plain value of a document, with alias expansion bounded. */
export function resolve(doc: Document.Parsed): Resolved {
    try {
        return { ok: true, value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
    } catch (e) {
        // yaml throws a ReferenceError for the alias count and for an alias to an anchor it cannot find.
        if (e instanceof ReferenceError) {
            return {
                ok: false,
                reason: `YAML aliases expand too much or point nowhere (at most ${MAX_ALIAS_COUNT} alias uses): ${e.message.slice(0, 120)}`,
            };
        }
        throw e;
    }
}

/**
 * Entries of `conveyor:versions` written with an alias (`web: *build`), a key that is one, or the whole map as
 * one. A release PR edits the versions one line per component; an alias would move several at once, or none.
 */
export function versionAliases(doc: Document.Parsed): { readonly key: string; readonly reason: string }[] {
    const versions = doc.getIn(["config", VERSIONS_KEY], true);
    const why = "an alias is not allowed here: write the build number itself, one line per component";
    if (isAlias(versions)) return [{ key: VERSIONS_KEY, reason: why }];
    if (!isMap(versions)) return [];
    return versions.items
        .filter((pair) => isAlias(pair.key) || isAlias(pair.value))
        .map((pair) => ({ key: `${VERSIONS_KEY}.${isScalar(pair.key) ? String(pair.key.value) : "(alias)"}`, reason: why }));
}
