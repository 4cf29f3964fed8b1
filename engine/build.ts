// `npm run engine:build`: the Pulumi engine toolchain, built from Go modules into a cache outside the repo.
//
//   <cache>/bin/pulumi              launcher: PULUMI_HOME inside the cache, no downloads, no update check
//   <cache>/libexec/pulumi          the CLI (github.com/pulumi/pulumi/pkg/v3/cmd/pulumi at @pulumi/pulumi's version)
//   <cache>/libexec/pulumi-language-nodejs        the Node.js language host (engine/langhost)
//   <cache>/libexec/pulumi-resource-pulumi-nodejs dynamic providers' host, copied from @pulumi/pulumi
//   <cache>/pulumi-home/plugins/... resource plugins: github and random real (engine/github-provider,
//                                   engine/random-provider), aws and cloudflare stand-ins (engine/providers)
//   <cache>/toolchain.json          what was built, from which module versions
//
// Every step checks what it would build first, so a second run takes seconds. A step that cannot run says
// which piece is missing and exits 1.
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as esbuild from "esbuild";
import { layout, lockedVersions, PROVIDERS, REPO, type Layout, type ProviderName, type Versions } from "./toolchain";

const CLI_MODULE = "github.com/pulumi/pulumi/pkg/v3";
const SDK_MODULE = "github.com/pulumi/pulumi/sdk/v3";
const PULUMI_LANGHOST_MODULE = "github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3";
/** Provider modules the real plugins would be built from (pulumi-<name>/provider/v<major>). */
const PROVIDER_MODULES: Partial<Record<ProviderName, (version: string) => string>> = {
    github: (v) => `github.com/pulumi/pulumi-github/provider/v${v.split(".")[0]}`,
    random: (v) => `github.com/pulumi/pulumi-random/provider/v${v.split(".")[0]}`,
};
/** Providers built for real from a wrapper module of ours (engine/<name>-provider) when Pulumi's is not served. */
const BRIDGED: Partial<Record<ProviderName, string>> = { github: "github-provider", random: "random-provider" };
/** Pulumi's release build flags (CGO off, no user/group lookups through libc, no gRPC tracing). */
const GO_BUILD_FLAGS = ["-trimpath", "-tags", "osusergo,grpcnotrace"];

class StepError extends Error {}

interface Ran {
    readonly status: number;
    readonly stdout: string;
    readonly stderr: string;
}

function run(cmd: string, args: string[], opts: SpawnSyncOptions & { quiet?: boolean } = {}): Ran {
    const res = spawnSync(cmd, args, {
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
        ...opts,
        stdio: opts.quiet === false ? ["ignore", "inherit", "inherit"] : "pipe",
    });
    if (res.error && (res.error as NodeJS.ErrnoException).code === "ENOENT")
        throw new StepError(`\`${cmd}\` is not installed or not on PATH`);
    return { status: res.status ?? 1, stdout: String(res.stdout ?? ""), stderr: String(res.stderr ?? "") };
}

function must(what: string, cmd: string, args: string[], opts: SpawnSyncOptions & { quiet?: boolean } = {}): string {
    const r = run(cmd, args, opts);
    if (r.status !== 0)
        throw new StepError(`${what}: \`${cmd} ${args.join(" ")}\` failed (exit ${r.status})\n${(r.stderr || r.stdout).trim()}`);
    return r.stdout;
}

const digestOf = (...parts: (string | Buffer)[]): string => {
    const h = createHash("sha256");
    for (const p of parts) h.update(p).update("\0");
    return h.digest("hex").slice(0, 16);
};
const readIf = (file: string): string | undefined => (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined);

function goEnv(): NodeJS.ProcessEnv {
    return { ...process.env, CGO_ENABLED: "0", GOFLAGS: [process.env.GOFLAGS, "-mod=mod"].filter(Boolean).join(" ") };
}

interface ModuleInfo {
    readonly Path: string;
    readonly Version: string;
    readonly GoMod?: string;
    readonly Sum?: string;
    readonly Error?: string;
}

/** `go mod download -json` of one module: its go.mod and checksum, or the proxy's refusal. */
function download(module: string, version: string): ModuleInfo {
    const r = run("go", ["mod", "download", "-json", `${module}@${version}`], { env: goEnv(), cwd: REPO });
    try {
        return JSON.parse(r.stdout) as ModuleInfo;
    } catch {
        return { Path: module, Version: version, Error: (r.stderr || r.stdout).trim() || `exit ${r.status}` };
    }
}

/** The replace directives of a go.mod that point at other modules (local paths cannot leave their repository). */
function remoteReplaces(goMod: string): string[] {
    const text = fs.readFileSync(goMod, "utf8");
    const lines = [...text.matchAll(/^replace\s+\(\s*\n([\s\S]*?)^\)/gm)].flatMap((m) => m[1].split("\n"));
    lines.push(...[...text.matchAll(/^replace\s+(?!\()(.+)$/gm)].map((m) => m[1]));
    return lines
        .map((l) => l.replace(/\/\/.*$/, "").trim())
        .map((l) => /^(\S+)(?:\s+\S+)?\s+=>\s+(\S+)\s+(\S+)$/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null && !m[2].startsWith("."))
        .map((m) => `${m[1]}=${m[2]}@${m[3]}`);
}

interface Manifest {
    builtAt?: string;
    go?: string;
    node?: string;
    cli?: { module: string; version: string; sum?: string; replaces: string[] };
    languageHost?: { kind: "pulumi" | "conveyor"; module: string; sdk: string; sdkSum?: string; why?: string; stamp: string };
    dynamicProviderHost?: { from: string };
    providers?: Record<string, { kind: "real" | "stand-in"; version: string; why?: string; from?: string[]; stamp: string }>;
}

type Step = (ctx: Ctx) => string;

interface Ctx {
    readonly v: Versions;
    readonly l: Layout;
    readonly manifest: Manifest;
}

const steps: Array<[string, Step]> = [
    ["toolchains (go, node)", checkToolchains],
    ["pulumi CLI", buildCli],
    ["Node.js language host", buildLanguageHost],
    ["dynamic-provider host", linkDynamicProviderHost],
    ["resource plugins", installProviders],
    ["launcher", writeLauncher],
];

function checkToolchains(ctx: Ctx): string {
    const go = run("go", ["version"]);
    if (go.status !== 0) throw new StepError("`go version` failed: install Go 1.26 or newer (the CLI is built from its Go modules)");
    const m = /go(\d+)\.(\d+)/.exec(go.stdout);
    // 1.26: Terraform's github provider (engine/github-provider) needs it; the CLI alone builds on 1.25.
    if (!m || Number(m[1]) < 1 || (Number(m[1]) === 1 && Number(m[2]) < 26))
        throw new StepError(`Go 1.26 or newer is needed, found: ${go.stdout.trim()}`);
    const proxy = must("go env", "go", ["env", "GOPROXY"]).trim();
    if (proxy === "off") throw new StepError("GOPROXY=off: the toolchain is built from the Go module proxy");
    ctx.manifest.go = go.stdout.trim();
    ctx.manifest.node = process.version;
    return `${go.stdout.trim()}, node ${process.version}, GOPROXY=${proxy}`;
}

function buildCli(ctx: Ctx): string {
    const version = `v${ctx.v.pulumi}`;
    const bin = path.join(ctx.l.libexec, "pulumi");
    if (fs.existsSync(bin) && run(bin, ["version"]).stdout.trim() === version && ctx.manifest.cli?.version === version)
        return `cached (${version})`;
    const info = download(CLI_MODULE, version);
    if (info.Error || !info.GoMod)
        throw new StepError(`the Go module proxy did not serve ${CLI_MODULE}@${version}: ${info.Error ?? "no go.mod"}`);
    const dir = path.join(ctx.l.work, "cli");
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const env = goEnv();
    must("wrapper module", "go", ["mod", "init", "conveyor.local/pulumi-cli"], { cwd: dir, env });
    // `go install module@version` refuses a module with replace directives; a wrapper module copies the ones
    // that point at other modules and leaves out the local ones (sdk/v3 => ../sdk is the same release).
    const replaces = remoteReplaces(info.GoMod);
    for (const r of replaces) must("wrapper module", "go", ["mod", "edit", "-replace", r], { cwd: dir, env });
    must(`go get ${CLI_MODULE}/cmd/pulumi@${version}`, "go", ["get", "-tool", `${CLI_MODULE}/cmd/pulumi@${version}`], { cwd: dir, env });
    const ldflags = `-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=${version}`;
    log(`    go build ${CLI_MODULE}/cmd/pulumi (several minutes on 2 cores the first time)`);
    must("go build pulumi", "go", ["build", ...GO_BUILD_FLAGS, "-ldflags", ldflags, "-o", bin, `${CLI_MODULE}/cmd/pulumi`], {
        cwd: dir,
        env,
        quiet: false,
    });
    const built = run(bin, ["version"]).stdout.trim();
    if (built !== version) throw new StepError(`built pulumi reports "${built}", expected ${version}`);
    ctx.manifest.cli = { module: CLI_MODULE, version, sum: info.Sum, replaces };
    return `built ${version}`;
}

function buildLanguageHost(ctx: Ctx): string {
    const version = `v${ctx.v.pulumi}`;
    const src = path.join(REPO, "engine", "langhost");
    const files = ["go.mod", "go.sum", "main.go"];
    const stamp = digestOf(version, ...files.map((f) => fs.readFileSync(path.join(src, f))));
    const bin = path.join(ctx.l.libexec, "pulumi-language-nodejs");
    if (fs.existsSync(bin) && ctx.manifest.languageHost?.stamp === stamp) return `cached (${ctx.manifest.languageHost.kind}'s, ${version})`;
    // Pulumi's own host is a module of its own, untagged; ask for it once and say why it is not used.
    const ours = download(PULUMI_LANGHOST_MODULE, "latest");
    const why = ours.Error
        ? `${PULUMI_LANGHOST_MODULE} is not served by the Go module proxy: ${ours.Error.split("\n")[0]}`
        : `${PULUMI_LANGHOST_MODULE} is served (${ours.Version}) but not wired in yet`;
    const sdk = download(SDK_MODULE, version);
    if (sdk.Error) throw new StepError(`the Go module proxy did not serve ${SDK_MODULE}@${version}: ${sdk.Error}`);
    const dir = path.join(ctx.l.work, "langhost");
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    for (const f of files) fs.copyFileSync(path.join(src, f), path.join(dir, f));
    const env = goEnv();
    const required = /github\.com\/pulumi\/pulumi\/sdk\/v3 (v\S+)/.exec(fs.readFileSync(path.join(dir, "go.mod"), "utf8"))?.[1];
    if (required !== version) {
        must(`go get ${SDK_MODULE}@${version}`, "go", ["get", `${SDK_MODULE}@${version}`], { cwd: dir, env });
        must("go mod tidy", "go", ["mod", "tidy"], { cwd: dir, env });
    }
    must(
        "go build pulumi-language-nodejs",
        "go",
        ["build", ...GO_BUILD_FLAGS, "-ldflags", `-X main.version=${ctx.v.pulumi}`, "-o", bin, "."],
        { cwd: dir, env, quiet: false },
    );
    ctx.manifest.languageHost = {
        kind: "conveyor",
        module: "conveyor.local/engine/langhost",
        sdk: `${SDK_MODULE}@${version}`,
        sdkSum: sdk.Sum,
        why,
        stamp,
    };
    return `built conveyor's on ${SDK_MODULE}@${version} (${why})`;
}

function linkDynamicProviderHost(ctx: Ctx): string {
    const from = path.join(REPO, "node_modules", "@pulumi", "pulumi", "pulumi-resource-pulumi-nodejs");
    if (!fs.existsSync(from)) throw new StepError(`${path.relative(REPO, from)} is missing: run \`npm ci\` first`);
    const to = path.join(ctx.l.libexec, "pulumi-resource-pulumi-nodejs");
    if (readIf(to) === fs.readFileSync(from, "utf8")) return "cached";
    fs.mkdirSync(ctx.l.libexec, { recursive: true });
    fs.copyFileSync(from, to);
    fs.chmodSync(to, 0o755);
    ctx.manifest.dynamicProviderHost = { from: `@pulumi/pulumi@${ctx.v.pulumi}/pulumi-resource-pulumi-nodejs` };
    return "copied from @pulumi/pulumi";
}

/** Why a provider runs as a stand-in: aws and cloudflare by decision; one of PROVIDER_MODULES only if it is not BRIDGED. */
function standInReason(name: ProviderName, version: string): string {
    const module = PROVIDER_MODULES[name];
    if (!module) {
        return name === "aws"
            ? "pulumi-aws 7.x builds only inside its repository (patched upstream submodule)"
            : "pulumi-cloudflare's upstream needs a patch applied inside its repository";
    }
    const probe = run("go", ["list", "-m", "-versions", module(version)], { env: goEnv(), cwd: REPO });
    const said = (probe.stderr || probe.stdout).trim().split("\n").pop() ?? "";
    return probe.status === 0
        ? `${module(version)} is served but building it is not wired in yet`
        : `${module(version)} is not served by the Go module proxy: ${said}`;
}

function installProviders(ctx: Ctx): string {
    const done: string[] = [];
    ctx.manifest.providers ??= {};
    const pulumi = path.join(ctx.l.libexec, "pulumi");
    const sources = ["stand-in.ts", ...PROVIDERS.filter((p) => !BRIDGED[p]).map((p) => `${p}.ts`)].map((f) =>
        fs.readFileSync(path.join(REPO, "engine", "providers", f)),
    );
    for (const name of PROVIDERS) {
        const version = ctx.v.providers[name];
        if (BRIDGED[name]) {
            done.push(installBridged(ctx, name, BRIDGED[name]));
            continue;
        }
        const stamp = digestOf(name, version, ...sources);
        const installed = path.join(ctx.l.pulumiHome, "plugins", `resource-${name}-v${version}`, `pulumi-resource-${name}`);
        const known = ctx.manifest.providers[name];
        if (known?.stamp === stamp && fs.existsSync(installed)) {
            done.push(`${name} ${version} cached`);
            continue;
        }
        const why = known?.why ?? standInReason(name, version);
        const dir = path.join(ctx.l.standIns, name);
        fs.rmSync(dir, { recursive: true, force: true });
        fs.mkdirSync(dir, { recursive: true });
        const result = esbuild.buildSync({
            entryPoints: [path.join(REPO, "engine", "providers", `${name}.ts`)],
            bundle: true,
            platform: "node",
            target: "node20",
            format: "cjs",
            outfile: path.join(dir, "index.js"),
            // The plugin loads the project's own @pulumi/pulumi at run time (see serve in stand-in.ts).
            external: ["@pulumi/pulumi", "@pulumi/pulumi/*"],
            logLevel: "silent",
        });
        if (result.errors.length > 0) throw new StepError(`bundling the ${name} stand-in: ${result.errors.map((e) => e.text).join("; ")}`);
        const launcher = path.join(dir, `pulumi-resource-${name}`);
        fs.writeFileSync(
            launcher,
            `#!/bin/sh\n# conveyor's stand-in for the ${name} provider ${version} (engine/providers/${name}.ts)\nCONVEYOR_STAND_IN_VERSION=${version} exec node "$(dirname "$0")/index.js" "$@"\n`,
            { mode: 0o755 },
        );
        must(
            `pulumi plugin install resource ${name} ${version}`,
            pulumi,
            ["plugin", "install", "resource", name, version, "--file", dir, "--reinstall"],
            {
                env: { ...process.env, PULUMI_HOME: ctx.l.pulumiHome, PULUMI_SKIP_UPDATE_CHECK: "true" },
            },
        );
        if (!fs.existsSync(installed)) throw new StepError(`pulumi plugin install did not put ${installed} in place`);
        ctx.manifest.providers[name] = { kind: "stand-in", version, why, stamp };
        done.push(`${name} ${version} stand-in installed (${why})`);
    }
    return done.join("; ");
}

/** Every file of a wrapper module (engine/<dir>), nested modules included, relative to it and sorted. */
function moduleFiles(src: string): string[] {
    return fs
        .readdirSync(src, { recursive: true, encoding: "utf8" })
        .filter((f) => /(^|\/)(go\.mod|go\.sum)$|\.go$/.test(f) && fs.statSync(path.join(src, f)).isFile())
        .sort();
}

/** The modules a go.mod requires directly, leaving out those its replace directives point at local directories. */
function directRequires(goMod: string): string[] {
    const text = fs.readFileSync(goMod, "utf8");
    const local = new Set([...text.matchAll(/^\s*(?:replace\s+)?(\S+)(?:\s+\S+)?\s+=>\s+\.\S*\s*$/gm)].map((m) => m[1]));
    return [...text.matchAll(/^(?:require\s+|\s+)(\S+) (v\S+)$/gm)].filter((m) => !local.has(m[1])).map((m) => `${m[1]}@${m[2]}`);
}

/**
 * A real provider plugin: our wrapper module (engine/<dir>: main.go, go.mod, go.sum, and nested modules such as
 * random's shim) puts the upstream Terraform provider under Pulumi's Terraform bridge, built like Pulumi builds
 * its providers and installed as `pulumi plugin install resource <name> <version> --file <binary>`. A proxy
 * refusal or a compile error fails the step naming the module.
 */
function installBridged(ctx: Ctx, name: ProviderName, dir: string): string {
    const version = ctx.v.providers[name];
    const src = path.join(REPO, "engine", dir);
    const files = moduleFiles(src);
    const stamp = digestOf(name, version, ...files.flatMap((f) => [f, fs.readFileSync(path.join(src, f))]));
    const installed = path.join(ctx.l.pulumiHome, "plugins", `resource-${name}-v${version}`, `pulumi-resource-${name}`);
    const known = ctx.manifest.providers?.[name];
    if (known?.kind === "real" && known.stamp === stamp && fs.existsSync(installed)) return `${name} ${version} real, cached`;
    const work = path.join(ctx.l.work, dir);
    fs.rmSync(work, { recursive: true, force: true });
    for (const f of files) {
        fs.mkdirSync(path.dirname(path.join(work, f)), { recursive: true });
        fs.copyFileSync(path.join(src, f), path.join(work, f));
    }
    const env = goEnv();
    // The modules it is made of (the upstream provider may be required by a nested module, not the wrapper),
    // each downloaded on its own so a refusal says which one.
    const direct = [...new Set(files.filter((f) => f.endsWith("go.mod")).flatMap((f) => directRequires(path.join(work, f))))];
    const replaced = remoteReplaces(path.join(work, "go.mod")).map((r) => r.split("=")[1]);
    for (const mod of [...direct, ...replaced]) {
        const [module, at] = mod.split("@");
        const info = download(module, at);
        if (info.Error) throw new StepError(`the Go module proxy did not serve ${mod} (needed by engine/${dir}): ${info.Error}`);
    }
    const bin = path.join(work, `pulumi-resource-${name}`);
    log(`    go build engine/${dir} (${direct.join(", ")}; several minutes on 2 cores the first time)`);
    must(`go build engine/${dir}`, "go", ["build", ...GO_BUILD_FLAGS, "-ldflags", `-X main.version=${version}`, "-o", bin, "."], {
        cwd: work,
        env,
        quiet: false,
    });
    const says = run(bin, ["-version"]).stdout.trim();
    if (says !== version) throw new StepError(`engine/${dir} built a plugin that reports version "${says}", expected ${version}`);
    must(
        `pulumi plugin install resource ${name} ${version}`,
        path.join(ctx.l.libexec, "pulumi"),
        ["plugin", "install", "resource", name, version, "--file", bin, "--reinstall"],
        { env: { ...process.env, PULUMI_HOME: ctx.l.pulumiHome, PULUMI_SKIP_UPDATE_CHECK: "true" } },
    );
    if (!fs.existsSync(installed)) throw new StepError(`pulumi plugin install did not put ${installed} in place`);
    // A stand-in this plugin replaces (an older cache) must not linger beside it.
    fs.rmSync(path.join(ctx.l.standIns, name), { recursive: true, force: true });
    const why = `${PROVIDER_MODULES[name]?.(version) ?? name} is not served by the Go module proxy; built from engine/${dir}`;
    ctx.manifest.providers ??= {};
    ctx.manifest.providers[name] = { kind: "real", version, why, from: [...direct, ...replaced], stamp };
    return `${name} ${version} real, built (${direct.join(", ")})`;
}

function writeLauncher(ctx: Ctx): string {
    const launcher = path.join(ctx.l.bin, "pulumi");
    const text = [
        "#!/bin/sh",
        "# conveyor's engine toolchain (npm run engine:build): plugins come from this cache only, never a download.",
        `export PULUMI_HOME="${ctx.l.pulumiHome}"`,
        "export PULUMI_SKIP_UPDATE_CHECK=true",
        "export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true",
        "export PULUMI_DISABLE_REGISTRY_RESOLVE=true",
        `exec "${path.join(ctx.l.libexec, "pulumi")}" "$@"`,
        "",
    ].join("\n");
    if (readIf(launcher) === text) return "cached";
    fs.mkdirSync(ctx.l.bin, { recursive: true });
    fs.writeFileSync(launcher, text, { mode: 0o755 });
    return `wrote ${launcher}`;
}

function log(s: string): void {
    process.stderr.write(`${s}\n`);
}

export function build(v: Versions = lockedVersions(), l: Layout = layout(v)): Manifest {
    fs.mkdirSync(l.root, { recursive: true });
    const manifest = (JSON.parse(readIf(l.manifest) ?? "{}") as Manifest) ?? {};
    const ctx: Ctx = { v, l, manifest };
    const started = Date.now();
    steps.forEach(([name, step], i) => {
        const t0 = Date.now();
        log(`engine:build [${i + 1}/${steps.length}] ${name} ...`);
        try {
            const said = step(ctx);
            log(`engine:build [${i + 1}/${steps.length}] ${name}: ${said} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
        } finally {
            // A step that failed halfway must not leave a manifest claiming what it did not build.
            fs.writeFileSync(l.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
        }
    });
    manifest.builtAt ??= new Date().toISOString();
    fs.writeFileSync(l.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
    log(`engine:build done in ${((Date.now() - started) / 1000).toFixed(1)} s; put ${l.bin} first on PATH`);
    return manifest;
}

if (require.main === module) {
    if (process.argv.includes("--print-bin")) {
        process.stdout.write(`${layout().bin}\n`);
    } else {
        try {
            build();
            process.stdout.write(`${layout().bin}\n`);
        } catch (e) {
            if (!(e instanceof StepError)) throw e;
            log(`engine:build failed: ${e.message}`);
            process.exitCode = 1;
        }
    }
}
