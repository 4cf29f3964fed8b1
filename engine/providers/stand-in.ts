// The core of conveyor's stand-in providers: resource plugins the engine runs in place of a cloud provider
// that cannot be built here (aws, cloudflare) or talked to offline. They keep every input as an output, add
// the outputs the program reads (ids, ARNs, URLs) derived from the resource's URN so every run gives the same
// values, and touch nothing outside the engine's state. Only the pure parts live here; `serve` is the I/O shell.
import { createHash } from "node:crypto";
import type * as provider from "@pulumi/pulumi/provider";

/** Pulumi's wire marker for a secret value inside a property struct. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_MARK = "1b47061264138c4ac30d75fd1eb44270";
/** Pulumi's wire marker for a value not known yet (a preview of something that depends on a create). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type Props = Record<string, unknown>;

export interface ResourceContext {
    readonly urn: string;
    /** Resource type token, e.g. `aws:ecs/taskDefinition:TaskDefinition`. */
    readonly type: string;
    /** The resource's logical name (last URN segment). */
    readonly name: string;
    readonly inputs: Props;
    /** Hex digest of the URN: the seed of every made-up value. */
    readonly seed: string;
}

export interface ResourceRule {
    /** Outputs the real provider computes, derived from the context. */
    readonly outputs?: (ctx: ResourceContext) => Props;
    /** The id; the URN digest when absent. */
    readonly id?: (ctx: ResourceContext) => string;
    /** Inputs whose change the real provider can only apply by replacing the resource ("*" for every input). */
    readonly replaceOn?: readonly string[] | "*";
    /** The input the real provider auto-names (`<name>-<7 hex>`) when left out, e.g. "name". */
    readonly autoName?: string;
}

export interface StandInSpec {
    readonly pkg: string;
    /** Rules by type token; a type without one keeps its inputs and gets a URN-derived id. */
    readonly resources: Readonly<Record<string, ResourceRule>>;
    /** Data sources (invokes) by token. */
    readonly invokes: Readonly<Record<string, (args: Props) => Props>>;
}

export const digest = (s: string): string => createHash("sha256").update(s).digest("hex");

/** Strips secret markers, so two values compare by what they hold. */
export function plain(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(plain);
    if (value !== null && typeof value === "object") {
        const o = value as Props;
        if (o[SECRET_SIG] === SECRET_MARK) return plain(o.value);
        return Object.fromEntries(
            Object.keys(o)
                .sort()
                .map((k) => [k, plain(o[k])]),
        );
    }
    return value;
}

function containsUnknown(value: unknown): boolean {
    if (value === UNKNOWN) return true;
    if (Array.isArray(value)) return value.some(containsUnknown);
    if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
    return false;
}

const typeOf = (urn: string): string => urn.split("::")[2]?.split("$").pop() ?? "";
const nameOf = (urn: string): string => urn.split("::").pop() ?? "";

export function contextOf(urn: string, inputs: Props): ResourceContext {
    return { urn, type: typeOf(urn), name: nameOf(urn), inputs, seed: digest(urn) };
}

/** The inputs of a stored state: outputs minus what the rule computed. */
function inputsOf(rule: ResourceRule | undefined, ctx: ResourceContext, state: Props): Props {
    const computed = new Set(Object.keys(rule?.outputs?.(ctx) ?? {}));
    return Object.fromEntries(Object.entries(state).filter(([k]) => !computed.has(k)));
}

/** Which top-level inputs differ between a stored state and new inputs (an unknown new value counts as a change). */
export function changedKeys(rule: ResourceRule | undefined, urn: string, olds: Props, news: Props): string[] {
    const oldInputs = inputsOf(rule, contextOf(urn, olds), olds);
    const keys = [...new Set([...Object.keys(oldInputs), ...Object.keys(news)])].sort();
    return keys.filter((k) => containsUnknown(news[k]) || JSON.stringify(plain(oldInputs[k])) !== JSON.stringify(plain(news[k])));
}

export function outputsOf(rule: ResourceRule | undefined, ctx: ResourceContext): { id: string; outs: Props } {
    const id = rule?.id?.(ctx) ?? ctx.seed.slice(0, 16);
    return { id, outs: { ...ctx.inputs, ...(rule?.outputs?.(ctx) ?? {}) } };
}

/** The Provider the engine talks to. */
export function standIn(spec: StandInSpec, version: string): provider.Provider {
    const rule = (urn: string) => spec.resources[typeOf(urn)];
    return {
        version,
        async check(urn, olds: Props, news: Props) {
            const name = rule(urn)?.autoName;
            if (!name || news[name] !== undefined) return { inputs: news };
            // Like the real providers: a generated name stays what it was, so an update never renames.
            const kept = olds?.[name];
            return { inputs: { ...news, [name]: kept ?? `${nameOf(urn)}-${digest(urn).slice(0, 7)}` } };
        },
        async diff(_id, urn, olds: Props, news: Props) {
            const changed = changedKeys(rule(urn), urn, olds, news);
            const replaceOn = rule(urn)?.replaceOn ?? [];
            const replaces =
                replaceOn === "*" ? changed.filter((k) => k !== "tags" && k !== "tagsAll") : changed.filter((k) => replaceOn.includes(k));
            return { changes: changed.length > 0, replaces };
        },
        async create(urn, inputs: Props) {
            return outputsOf(rule(urn), contextOf(urn, inputs));
        },
        async update(_id, urn, _olds, news: Props) {
            return { outs: outputsOf(rule(urn), contextOf(urn, news)).outs };
        },
        async read(id, _urn, props) {
            return { id, props };
        },
        async delete() {},
        async invoke(token, args: Props) {
            const fn = spec.invokes[token];
            if (!fn) throw new Error(`${spec.pkg} stand-in: no data source ${token}; add it to engine/providers/${spec.pkg}.ts`);
            return { outputs: fn(args) };
        },
    };
}

/**
 * Starts the plugin. @pulumi/pulumi is the project's own (the engine runs plugins in the project directory);
 * the version is the npm package's, written into the plugin's launcher by `npm run engine:build`.
 */
export function serve(spec: StandInSpec): void {
    const version = process.env.CONVEYOR_STAND_IN_VERSION;
    if (!version)
        throw new Error(`${spec.pkg} stand-in: CONVEYOR_STAND_IN_VERSION is not set; start it through the launcher engine:build installs`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the provider SDK of the program being deployed, found from its directory
    const sdk = require(require.resolve("@pulumi/pulumi/provider", { paths: [process.cwd()] })) as typeof provider;
    void sdk.main(standIn(spec, version), process.argv.slice(2));
}
