// `conveyor synth <stack>`: runs the Pulumi program offline on Pulumi's mocks (no CLI, no credentials) and
// records every resource registration exactly as the engine would receive it.
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { loadWorkspace, type SecretRef, type Workspace } from "../config";
import { buildStack } from "../program";

export interface SynthResource {
    readonly type: string;
    readonly name: string;
    /** `<type>::<name>` of the parent resource; the stack itself has none. */
    readonly parent?: string;
    readonly custom: boolean;
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    /** `<type>::<name>` of every resource this one waits for (explicit dependsOn and inputs' sources). */
    readonly dependencies: string[];
    /** Inputs as sent to the engine; every secret is the string "[secret]". */
    readonly inputs: Record<string, unknown>;
}

export interface SynthFile {
    /** `<owner>/<repo>/<path>` */
    readonly path: string;
    readonly content: string;
}

export interface SynthResult {
    readonly stack: string;
    readonly resources: SynthResource[];
    readonly files: SynthFile[];
    readonly outputs: Record<string, unknown>;
}

export interface SynthOptions {
    readonly dir: string;
    readonly stack: string;
    readonly now?: Date;
    /** A preloaded workspace (skips reading files). */
    readonly workspace?: Workspace;
    /**
     * Values for `secure:` config, by `<key>.<path>`; absent ones become a placeholder. A `secure:` value
     * cannot be decrypted without the Pulumi CLI, and tests use this to prove secrets never leak.
     */
    readonly secretValues?: Readonly<Record<string, string>>;
}

export const SECRET_PLACEHOLDER = "[secret]";

// Pulumi's wire format markers (sdk/nodejs/runtime/rpc.ts).
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Wire value -> plain JSON for resources.json: secrets masked, references by URN, unknowns marked. */
export function cleanWireValue(v: unknown): unknown {
    if (v === UNKNOWN) return "[unknown]";
    if (Array.isArray(v)) return v.map(cleanWireValue);
    if (v && typeof v === "object") {
        const o = v as Record<string, unknown>;
        switch (o[SIG_KEY]) {
            case SECRET_SIG:
                return SECRET_PLACEHOLDER;
            case RESOURCE_SIG:
                return `[resource ${String(o.urn)}]`;
            case OUTPUT_SIG:
                return o.secret ? SECRET_PLACEHOLDER : "value" in o ? cleanWireValue(o.value) : "[unknown]";
            case ASSET_SIG:
                // The Lambda bundle is ~750 kB of minified code: its size and digest say what a reviewer needs.
                if (typeof o.text === "string")
                    return `[asset ${Buffer.byteLength(o.text)} bytes, sha256 ${createHash("sha256").update(o.text).digest("hex")}]`;
                break;
        }
        return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, cleanWireValue(x)]));
    }
    return v;
}

/** What a provider would return for a created resource: its inputs plus the outputs programs read. */
function mockState(type: string, name: string, inputs: Record<string, unknown>, owner: string): Record<string, unknown> {
    const id = stableNumber(`${type}::${name}`);
    if (type === "github:index/repository:Repository") {
        const repo = typeof inputs.name === "string" ? inputs.name : name;
        return {
            ...inputs,
            fullName: `${owner}/${repo}`,
            htmlUrl: `https://github.com/${owner}/${repo}`,
            repoId: stableNumber(repo),
            nodeId: `R_${id}`,
        };
    }
    if (type.startsWith("aws:")) {
        const service = type.split(":")[1].split("/")[0];
        const state: Record<string, unknown> = {
            ...inputs,
            arn: `arn:aws:${service}:region:123456789012:${name}`,
            name: inputs.name ?? `${name}-${id.toString(16).slice(0, 7)}`,
        };
        if (type === "aws:lb/loadBalancer:LoadBalancer") state.dnsName = `${name}-${id}.elb.amazonaws.example`;
        if (type === "aws:lambda/functionUrl:FunctionUrl") state.functionUrl = `https://${id.toString(16)}.lambda-url.region.on.aws/`;
        if (type === "aws:sqs/queue:Queue")
            state.url = `https://sqs.region.amazonaws.com/123456789012/${String(state.name)}${inputs.fifoQueue === true ? ".fifo" : ""}`;
        if (type === "aws:acm/certificate:Certificate") {
            state.domainValidationOptions = [
                {
                    domainName: inputs.domainName,
                    resourceRecordName: `_${id.toString(16)}.${String(inputs.domainName).replace(/^\*\./, "")}.`,
                    resourceRecordType: "CNAME",
                    resourceRecordValue: `_${id.toString(16)}.acm-validations.aws.`,
                },
            ];
        }
        return state;
    }
    if (type === "random:index/randomPassword:RandomPassword") return { ...inputs, result: `mock-password-${id}` };
    return inputs;
}

function stableNumber(text: string): number {
    let n = 0;
    for (const ch of text) n = (n * 31 + ch.charCodeAt(0)) % 1_000_000_007;
    return n;
}

/** Offline answers to the data sources the program reads. */
function mockCall(token: string, inputs: Record<string, unknown>): Record<string, unknown> {
    // Documentation ranges stand in for Cloudflare's published ones, which a real preview fetches.
    if (token === "cloudflare:index/getIpRanges:getIpRanges")
        return { ipv4Cidrs: ["192.0.2.0/24", "198.51.100.0/24"], ipv6Cidrs: ["2001:db8::/32"], etag: "mock" };
    return inputs;
}

/** What the engine receives of one resource registration: the fields of RegisterResourceRequest we read. */
export interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getProtect(): boolean;
    getRetainondelete(): boolean;
    getDependenciesList(): string[];
    getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
    getAdditionalsecretoutputsList(): string[];
    getDeletebeforereplace(): boolean;
}

/** Hands every resource registration to `onRegister` before the (mock) monitor gets it, by wrapping its RPC. */
export function watchRegistrations(onRegister: (req: RegisterRequest) => void): void {
    const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource(req: RegisterRequest, cb: unknown): unknown };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: RegisterRequest, cb: unknown) => {
        onRegister(req);
        return register(req, cb);
    };
}

/** Registrations still in flight when the program returns must land before anyone reads the record. */
export async function registrationsSettled(): Promise<void> {
    await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
}

/** Tracks the resources the Pulumi runtime registers. */
function recordRegistrations(into: SynthResource[]): void {
    watchRegistrations((req) => {
        const parent = req.getParent();
        const inputs = cleanWireValue(req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
        delete inputs.__provider; // a dynamic provider's serialised code, not an input anyone reviews
        into.push({
            type: req.getType(),
            name: req.getName(),
            ...(parent ? { parent: urnLabel(parent) } : {}),
            custom: req.getCustom(),
            protect: req.getProtect(),
            retainOnDelete: req.getRetainondelete(),
            dependencies: [...new Set(req.getDependenciesList())].map(urnLabel).sort(),
            inputs,
        });
    });
}

/** urn:pulumi:<stack>::<project>::<qualified type>::<name> -> `<type>::<name>` */
export function urnLabel(urn: string): string {
    const parts = urn.split("::");
    return `${parts[2].split("$").pop()}::${parts.slice(3).join("::")}`;
}

function secretKey(ref: SecretRef): string {
    return [ref.key, ...ref.path].join(".");
}

export async function synthesize(opts: SynthOptions): Promise<SynthResult> {
    const workspace = opts.workspace ?? loadWorkspace(opts.dir);
    const owner = workspace.org?.owner ?? "example";
    await pulumi.runtime.setMocks(
        {
            newResource: (a) => ({ id: `${a.name}-id`, state: mockState(a.type, a.name, a.inputs as Record<string, unknown>, owner) }),
            call: (a) => mockCall(a.token, a.inputs as Record<string, unknown>),
        },
        workspace.project,
        opts.stack,
        false,
    );
    const resources: SynthResource[] = [];
    recordRegistrations(resources);
    // Pulumi records a stack trace for every promise it wraps (four per resource property): half the
    // time and memory of a large synth. CONVEYOR_DEBUG=1 keeps them for debugging the program itself.
    const stackTraceLimit = Error.stackTraceLimit;
    if (!process.env.CONVEYOR_DEBUG) Error.stackTraceLimit = 0;
    let outputs: Record<string, unknown>;
    try {
        outputs =
            (await pulumi.runtime.runInPulumiStack(async () =>
                buildStack({
                    workspace,
                    stack: opts.stack,
                    now: opts.now ?? new Date(),
                    resolveSecret: (ref) => pulumi.secret(opts.secretValues?.[secretKey(ref)] ?? SECRET_PLACEHOLDER),
                }),
            )) ?? {};
        await registrationsSettled();
    } finally {
        Error.stackTraceLimit = stackTraceLimit;
    }
    const files = resources
        .filter((r) => r.type === "github:index/repositoryFile:RepositoryFile")
        .map((r) => ({ path: `${owner}/${String(r.inputs.repository)}/${String(r.inputs.file)}`, content: String(r.inputs.content) }));
    return {
        stack: opts.stack,
        resources: treeOrder(resources),
        files,
        outputs: cleanWireValue(await resolveOutputs(outputs)) as Record<string, unknown>,
    };
}

async function resolveOutputs(v: unknown): Promise<unknown> {
    if (pulumi.Output.isInstance(v)) {
        const secret = await pulumi.isSecret(v);
        return secret ? SECRET_PLACEHOLDER : resolveOutputs(await new Promise((res) => v.apply(res)));
    }
    if (Array.isArray(v)) return Promise.all(v.map(resolveOutputs));
    if (v && typeof v === "object") {
        return Object.fromEntries(await Promise.all(Object.entries(v).map(async ([k, x]) => [k, await resolveOutputs(x)])));
    }
    return v;
}

/** Writes out/<stack>/resources.json and out/<stack>/files/..., replacing any earlier output at once. */
export function writeSynthOutput(result: SynthResult, outRoot: string): string {
    const target = path.join(outRoot, result.stack);
    const staging = `${target}.tmp-${process.pid}`;
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true });
    fs.writeFileSync(path.join(staging, "resources.json"), `${JSON.stringify(result.resources, null, 2)}\n`);
    fs.writeFileSync(path.join(staging, "outputs.json"), `${JSON.stringify(result.outputs, null, 2)}\n`);
    for (const f of result.files) {
        const file = path.join(staging, "files", f.path);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, f.content);
    }
    fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(staging, target);
    return target;
}

const label = (r: SynthResource): string => `${r.type}::${r.name}`;

/** Parents before children, siblings by name then type: stable across runs whatever the RPC order. */
export function treeOrder(resources: readonly SynthResource[]): SynthResource[] {
    const children = new Map<string | undefined, SynthResource[]>();
    for (const r of resources) {
        const siblings = children.get(r.parent);
        if (siblings) siblings.push(r);
        else children.set(r.parent, [r]);
    }
    const out: SynthResource[] = [];
    const walk = (parent: string | undefined): void => {
        const list = [...(children.get(parent) ?? [])].sort((a, b) => a.name.localeCompare(b.name) || a.type.localeCompare(b.type));
        for (const r of list) {
            out.push(r);
            walk(label(r));
        }
    };
    walk(undefined);
    return out;
}

/** The resource tree, one line per resource, with the options that matter for safety. */
export function renderTree(resources: readonly SynthResource[]): string {
    const children = new Map<string | undefined, SynthResource[]>();
    for (const r of resources) {
        const list = children.get(r.parent) ?? [];
        list.push(r);
        children.set(r.parent, list);
    }
    const lines: string[] = [];
    const walk = (parent: string | undefined, prefix: string): void => {
        const list = children.get(parent) ?? [];
        list.forEach((r, i) => {
            const last = i === list.length - 1;
            const flags = [r.protect ? "protect" : "", r.retainOnDelete ? "retainOnDelete" : ""].filter(Boolean);
            const branch = parent === undefined ? "" : last ? "└─ " : "├─ ";
            lines.push(`${prefix}${branch}${r.type} ${r.name}${flags.length ? `  [${flags.join(", ")}]` : ""}`);
            walk(label(r), parent === undefined ? "" : `${prefix}${last ? "   " : "│  "}`);
        });
    };
    walk(undefined, "");
    return lines.join("\n");
}
