// Benchmark (not a test): the real Pulumi engine (npm run engine:build) against `conveyor synth` of the same stack.
//
//   npm run bench:engine                          toolchain (cached) + org (real catalog) + staging
//   npm run bench:engine -- --repos 300           the org at 300 repositories as well
//   npm run bench:engine -- --repos 300 --only-repos --skip-checkpoints --no-write-delay
//                                                 only the 300-repository org, with PULUMI_SKIP_CHECKPOINTS=true and
//                                                 github:writeDelayMs 0 (the github provider and conveyor's dynamic
//                                                 providers otherwise space their writes 1 s apart)
//   npm run bench:engine -- --fresh-toolchain     also engine:build from empty Go and toolchain caches (~30 min)
//
// Wall time and peak memory are of the whole process tree (pulumi, language host, node, plugins), sampled
// from /proc every 100 ms: the engine spreads its work over several processes. The real github provider and the
// stand-ins for the others, a file:// backend, the loopback GitHub and CircleCI fakes; TypeScript transpiled
// only, as in the engine suite. After `up`, a second preview must find nothing to change (`--expect-no-changes`).
// A file:// backend rewrites the whole state after every step (Pulumi's diy
// backend keeps no journal), so on a large stack `up` grows with the square of its resources;
// --skip-checkpoints sets PULUMI_SKIP_CHECKPOINTS=true (one state write at the end) to measure the rest.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { loadWorkspace } from "../config";
import { ProjectCopy } from "../engine/test/harness";
import { REPO } from "../engine/toolchain";
import { FAKE_CIRCLECI_TOKEN, startFakeCircleCi } from "../test/fakes/circleci";
import { startFakeGitHub } from "../test/fakes/github";
import { buildWorkload } from "./org-synth";

interface Sample {
    readonly what: string;
    readonly seconds: number;
    readonly peakMiB: number;
}

/** Resident memory of `pid` and all its descendants, in KiB. */
function treeRssKiB(root: number): number {
    const parent = new Map<number, number>();
    const rss = new Map<number, number>();
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
            const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
            parent.set(Number(entry), Number(fields[1]));
            rss.set(Number(entry), Number(fields[21]) * 4);
        } catch {
            // the process ended while we looked
        }
    }
    let total = 0;
    for (const [pid, kib] of rss) {
        for (let p: number | undefined = pid; p !== undefined && p > 1; p = parent.get(p)) {
            if (p === root) {
                total += kib;
                break;
            }
        }
    }
    return total;
}

function measured(what: string, cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Sample> {
    return new Promise((resolve, reject) => {
        const started = performance.now();
        const child = spawn(cmd, args, { ...opts, stdio: ["ignore", "ignore", "pipe"] });
        let stderr = "";
        child.stderr.on("data", (b: Buffer) => (stderr = (stderr + b.toString()).slice(-4000)));
        let peak = 0;
        const timer = setInterval(() => (peak = Math.max(peak, treeRssKiB(child.pid!))), 100);
        child.on("close", (code) => {
            clearInterval(timer);
            const sample = { what, seconds: (performance.now() - started) / 1000, peakMiB: peak / 1024 };
            if (code === 0) resolve(sample);
            else reject(new Error(`${what}: exit ${code}\n${stderr}`));
        });
    });
}

async function toolchain(fresh: boolean): Promise<Sample[]> {
    const out: Sample[] = [];
    const npm = (what: string, env: NodeJS.ProcessEnv) =>
        measured(what, "npm", ["run", "-s", "engine:build"], { cwd: REPO, env: { ...process.env, ...env } });
    if (fresh) {
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "conveyor-fresh-"));
        const env = { XDG_CACHE_HOME: path.join(tmp, "cache"), GOCACHE: path.join(tmp, "gocache"), GOMODCACHE: path.join(tmp, "gomod") };
        out.push(await npm("engine:build, fresh (empty toolchain, Go build and module caches)", env));
        fs.rmSync(tmp, { recursive: true, force: true });
    }
    out.push(await npm("engine:build, cached", {}));
    return out;
}

interface StackRun {
    readonly label: string;
    readonly name: string;
    /** Files replaced in the project copy first (a generated catalog). */
    readonly files?: ReadonlyArray<{ name: string; text: string }>;
    readonly skipCheckpoints?: boolean;
    /**
     * github:writeDelayMs 0: the github provider, and conveyor's dynamic providers (which read the same key),
     * otherwise pace their writes one at a time, 1 s apart, as GitHub asks; the loopback fake needs no pacing.
     */
    readonly noWriteDelay?: boolean;
}

/** synth, preview and up of one stack in a project copy, each figure said as it lands. */
async function stack(run: StackRun): Promise<Sample[]> {
    const { label, name } = run;
    const github = await startFakeGitHub();
    const circle = await startFakeCircleCi();
    const token = "ghs_bench";
    github.state.token = token;
    const p = ProjectCopy.create(run.skipCheckpoints ? { PULUMI_SKIP_CHECKPOINTS: "true" } : {});
    try {
        for (const f of run.files ?? []) p.write(f.name, f.text);
        await p.initStack(name, (key) => (key === "github:token" ? token : `bench-${key}`));
        if (name === "org") {
            // The github provider creates every repository in the organisation.
            github.state.addOrg("acme-saas");
            await p.pulumi(["config", "set", "github:baseUrl", github.url], { stack: name });
            if (run.noWriteDelay) await p.pulumi(["config", "set", "github:writeDelayMs", "0"], { stack: name });
            await p.pulumi(["config", "set", "circleci:apiUrl", circle.url], { stack: name });
            await p.pulumi(["config", "set", "--secret", "circleci:token"], { stack: name, input: FAKE_CIRCLECI_TOKEN });
        }
        const pulumi = (what: string, args: string[]) =>
            measured(`${label}: pulumi ${what}`, "pulumi", [...args, "--stack", name], { cwd: p.dir, env: p.env });
        const synth = said(
            await measured(
                `${label}: conveyor synth ${name}`,
                process.execPath,
                [path.join(REPO, "cli", "bin.js"), "synth", name, "--out", path.join(path.dirname(p.dir), "out")],
                { cwd: p.dir, env: process.env },
            ),
        );
        const preview = said(await pulumi("preview", ["preview", "--json"]));
        const up = said(await pulumi("up", ["up", "--yes", "--skip-preview"]));
        const again = said(await pulumi("preview after up", ["preview", "--json", "--expect-no-changes"]));
        return [synth, preview, up, again];
    } finally {
        p.remove();
        await github.close();
        await circle.close();
    }
}

/** Progress on stderr as each figure lands, so a long run that is stopped still leaves what it measured. */
function said<T extends Sample | Sample[]>(samples: T): T {
    for (const s of Array.isArray(samples) ? samples : [samples])
        process.stderr.write(`bench:engine ${s.what}: ${s.seconds.toFixed(1)} s, ${s.peakMiB.toFixed(0)} MiB\n`);
    return samples;
}

async function main(): Promise<void> {
    const { values } = parseArgs({
        options: {
            repos: { type: "string", multiple: true },
            "only-repos": { type: "boolean" },
            "skip-checkpoints": { type: "boolean" },
            "no-write-delay": { type: "boolean" },
            "fresh-toolchain": { type: "boolean" },
            json: { type: "boolean" },
        },
    });
    const samples: Sample[] = said(await toolchain(values["fresh-toolchain"] ?? false));
    const skipCheckpoints = values["skip-checkpoints"] ?? false;
    const noWriteDelay = values["no-write-delay"] ?? false;
    const flags = `${skipCheckpoints ? ", PULUMI_SKIP_CHECKPOINTS" : ""}${noWriteDelay ? ", github:writeDelayMs 0" : ""}`;
    if (!values["only-repos"]) {
        const repos = loadWorkspace(REPO).catalog.length;
        samples.push(
            ...(await stack({
                label: `org, ${repos} repositories (the real catalog)${flags}`,
                name: "org",
                skipCheckpoints,
                noWriteDelay,
            })),
        );
        samples.push(
            ...(await stack({
                label: `staging, 6 services${skipCheckpoints ? ", PULUMI_SKIP_CHECKPOINTS" : ""}`,
                name: "staging",
                skipCheckpoints,
            })),
        );
    }
    for (const r of (values.repos ?? []).map(Number)) {
        const w = buildWorkload(r);
        samples.push(
            ...(await stack({
                label: `org, ${w.repos} repositories${flags}`,
                name: "org",
                files: w.files.filter((f) => f.name === "Pulumi.yaml" || f.name === "Pulumi.org.yaml"),
                skipCheckpoints,
                noWriteDelay,
            })),
        );
    }
    if (values.json) {
        process.stdout.write(`${JSON.stringify(samples)}\n`);
        return;
    }
    process.stdout.write(`| what | wall | peak RSS (process tree) |\n|---|--:|--:|\n`);
    for (const s of samples) process.stdout.write(`| ${s.what} | ${s.seconds.toFixed(1)} s | ${s.peakMiB.toFixed(0)} MiB |\n`);
}

void main().catch((e: Error) => {
    process.stderr.write(`${e.stack ?? e.message}\n`);
    process.exitCode = 1;
});
