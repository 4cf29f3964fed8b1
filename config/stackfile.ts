// Edits `conveyor:versions` in a Pulumi.<env>.yaml and keeps every other byte: comments, blank lines, key
// order, quoting and `secure:` values. Works on the yaml package's CST, so a release PR's diff is exactly
// one line per bumped component.
import { InputError } from "./input-error";
import { Composer, CST, isMap, isNode, isScalar, LineCounter, Parser, type Document, type YAMLMap } from "yaml";
import { buildNumberProblem, isBuildNumber, resolve, sizeProblem, VERSIONS_KEY, versionAliases, YAML_OPTIONS, yamlErrors } from "./yaml";

export class StackFileError extends InputError {}

interface Parsed {
    readonly tokens: CST.Token[];
    readonly versions: YAMLMap;
}

/** The same rules as the config parser (yaml.ts), then the versions block as a map. */
function parse(file: string, text: string): Parsed {
    const tooLarge = sizeProblem(text);
    if (tooLarge) throw new StackFileError(`${file}: ${tooLarge}`);
    const lineCounter = new LineCounter();
    const tokens = [...new Parser(lineCounter.addNewLine).parse(text)];
    const docs: Document.Parsed[] = [...new Composer({ ...YAML_OPTIONS, keepSourceTokens: true }).compose(tokens)];
    if (docs.length !== 1) throw new StackFileError(`${file}: expected one YAML document, found ${docs.length}`);
    const [doc] = docs;
    if (doc.errors.length > 0) throw new StackFileError(`${file}: ${yamlErrors(doc, lineCounter)[0]}`);
    const alias = versionAliases(doc)[0];
    if (alias) throw new StackFileError(`${file}: ${alias.key}: ${alias.reason}`);
    const resolved = resolve(doc);
    if (!resolved.ok) throw new StackFileError(`${file}: ${resolved.reason}`);
    const versions = doc.getIn(["config", VERSIONS_KEY], true);
    if (!isMap(versions)) throw new StackFileError(`${file}: ${VERSIONS_KEY}: expected a map of component -> build number`);
    return { tokens, versions };
}

/** The build numbers a stack file names, as written. */
export function readVersions(file: string, text: string): Map<string, number> {
    const { versions } = parse(file, text);
    const out = new Map<string, number>();
    for (const pair of versions.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        // A map or a list where a number belongs is named as the config parser names it ("got a map").
        const value: unknown = isNode(pair.value) ? pair.value.toJSON() : pair.value;
        const problem = buildNumberProblem(value);
        if (problem || !isBuildNumber(value)) throw new StackFileError(`${file}: ${VERSIONS_KEY}.${key}: ${problem}`);
        out.set(key, value);
    }
    return out;
}

/**
 * Sets build numbers; a component not yet listed is appended to the block with the block's indentation.
 * Returns the text unchanged (the same string) when every number is already as asked.
 */
export function setVersions(file: string, text: string, changes: ReadonlyMap<string, number>): string {
    const { tokens, versions } = parse(file, text);
    const current = readVersions(file, text);
    let changed = false;
    for (const [component, version] of changes) {
        if (!isBuildNumber(version)) {
            throw new StackFileError(`${file}: ${VERSIONS_KEY}.${component}: refusing to write ${String(version)}: not a build number`);
        }
        if (current.get(component) === version) continue;
        changed = true;
        const pair = versions.items.find((p) => isScalar(p.key) && String(p.key.value) === component);
        if (pair && isScalar(pair.value) && pair.value.srcToken) {
            CST.setScalarValue(pair.value.srcToken, String(version));
        } else {
            appendEntry(file, versions, component, version);
        }
    }
    return changed ? tokens.map((t) => CST.stringify(t)).join("") : text;
}

function appendEntry(file: string, versions: YAMLMap, component: string, version: number): void {
    const block = versions.srcToken;
    if (!block || block.type !== "block-map") {
        throw new StackFileError(
            `${file}: ${VERSIONS_KEY}: write it as a block map (one "component: build" per line) so components can be added`,
        );
    }
    const last = block.items[block.items.length - 1];
    const value = last?.value;
    // The last line of a file may have no newline of its own; the new entry needs one before it.
    if (value?.type === "scalar" && !(value.end ?? []).some((t) => t.type === "newline")) {
        value.end = [...(value.end ?? []), { type: "newline", offset: 0, indent: 0, source: "\n" }];
    }
    const indent = " ".repeat(block.indent);
    block.items.push({
        start: indent ? [{ type: "space", offset: 0, indent: 0, source: indent }] : [],
        key: { type: "scalar", offset: 0, indent: block.indent, source: component },
        sep: [
            { type: "map-value-ind", offset: 0, indent: block.indent, source: ":" },
            { type: "space", offset: 0, indent: block.indent, source: " " },
        ],
        value: {
            type: "scalar",
            offset: 0,
            indent: block.indent,
            source: String(version),
            end: [{ type: "newline", offset: 0, indent: 0, source: "\n" }],
        },
    });
}
