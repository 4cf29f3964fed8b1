// Benchmark (not a test): `conveyor synth org` for a synthetic organisation of N repositories (issue 2).
//
// Goals: under 15 s and under 1 GiB peak memory on the 2-core build machine; at most 8 GitHub resources per
// repository (GitHub allows 5,000 API requests an hour and every resource costs at least one read per refresh).
//
//   npm run bench                          3 fresh processes, 300 repositories, median report
//   npm run bench -- --repos 1000 --runs 1
//   npm run bench -- --json                one JSON line (median + every run) instead of the report
//   npm run bench -- --once --json         one measurement in this process (what the parent spawns)
//
// The workspace is built in memory from the real Pulumi.yaml, Pulumi.org.yaml and environment stack files:
// the real catalog is kept (so the environments' conveyor:versions stay valid and the ops repository stays in
// the catalog) and generated components `svc-001`… are added on top, with ~10% of repositories overridden.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { parseArgs } from "util";
import { parse, stringify } from "yaml";
import { parseWorkspace, PROJECT_FILE, type SourceFile } from "../config";
import { renderTree, synthesize, writeSynthOutput, type SynthResource } from "../cli/synth";

const ROOT = path.resolve(__dirname, "..");
const NOW = new Date("2026-11-30T08:00:00Z");
const GOAL_SECONDS = 15;
const GOAL_RSS_KIB = 1024 * 1024;
const GOAL_GITHUB_PER_REPO = 8;
const GITHUB_REQUESTS_PER_HOUR = 5000;
const REPOSITORY_COMPONENT = "conveyor:github:ManagedRepository";

/**
 * Resources that talk to GitHub: the provider's (`github:…`) and conveyor's dynamic ones registered under the
 * `github` module (`pulumi-nodejs:dynamic/github:…`). Both spend the same API budget.
 */
const isGithub = (r: SynthResource): boolean =>
    r.custom && (r.type.startsWith("github:") || r.type.startsWith("pulumi-nodejs:dynamic/github:"));

/**
 * GitHub reads one `pulumi refresh` makes per resource, at least. The provider's resources read at least once
 * (some make several requests per read, so the total is a lower bound); a dynamic resource reads only if its
 * provider implements `read`. Unlisted types count 1.
 */
const MIN_READS_PER_REFRESH: Readonly<Record<string, number>> = {
    // label-renames.ts: no `read`; refresh keeps the recorded state without calling GitHub.
    "pulumi-nodejs:dynamic/github:LabelRenames": 0,
    // weekly-milestones.ts: `read` lists the repository's milestones (one page up to 100).
    "pulumi-nodejs:dynamic/github:WeeklyMilestones": 1,
};

// ---------------------------------------------------------------------------------------------------
// The synthetic workspace.

type Ecosystem = { ecosystem: string; directory?: string; registries?: string[] };
type CatalogEntry = { repo: string; description: string; ecosystems: Ecosystem[]; port?: number; health?: string };

/** Repository shapes seen in a SaaS organisation, cycled through; services have a port and a health path. */
const SHAPES: readonly { kind: string; ecosystems: Ecosystem[]; service?: { port: number; health: string } }[] = [
    {
        kind: "Java service (Maven)",
        ecosystems: [{ ecosystem: "maven", registries: ["maven-internal"] }, { ecosystem: "docker" }, { ecosystem: "github-actions" }],
        service: { port: 8080, health: "/actuator/health" },
    },
    {
        kind: "Node service (npm)",
        ecosystems: [{ ecosystem: "npm", registries: ["npm-github"] }, { ecosystem: "docker" }, { ecosystem: "github-actions" }],
        service: { port: 3000, health: "/healthz" },
    },
    {
        kind: "Kotlin service (Gradle)",
        ecosystems: [{ ecosystem: "gradle", registries: ["maven-internal"] }, { ecosystem: "docker" }],
        service: { port: 8080, health: "/health" },
    },
    { kind: "Go service", ecosystems: [{ ecosystem: "gomod" }, { ecosystem: "docker" }], service: { port: 8000, health: "/status" } },
    { kind: "Python service", ecosystems: [{ ecosystem: "pip" }, { ecosystem: "docker" }], service: { port: 8000, health: "/health" } },
    { kind: "Java library (Maven)", ecosystems: [{ ecosystem: "maven", registries: ["maven-internal"] }, { ecosystem: "github-actions" }] },
    { kind: "TypeScript library (npm)", ecosystems: [{ ecosystem: "npm", registries: ["npm-github"] }, { ecosystem: "github-actions" }] },
    { kind: "Python tool", ecosystems: [{ ecosystem: "pip" }, { ecosystem: "github-actions" }] },
    { kind: "Container image", ecosystems: [{ ecosystem: "docker", directory: "/docker" }, { ecosystem: "github-actions" }] },
    {
        kind: "Java worker (Maven, /worker)",
        ecosystems: [
            { ecosystem: "maven", directory: "/worker", registries: ["maven-internal"] },
            { ecosystem: "docker", directory: "/worker" },
        ],
        service: { port: 8081, health: "/actuator/health" },
    },
];

/** Per-repository overrides, cycled through; one repository in ten gets one. */
const OVERRIDES: readonly Record<string, unknown>[] = [
    { topics: ["acme", "saas", "backend"], branchRule: { requiredApprovals: 2 } },
    { dependabot: { openPullRequestsLimit: 10, schedule: { interval: "daily" } } },
    { stale: { daysBeforeClose: 30 }, milestones: { weeks: 2 } },
    { visibility: "internal", description: "Shared across the organisation" },
    {
        branchRule: { statusChecks: ["ci/circleci: build", "ci/circleci: e2e"] },
        dependabot: { groups: { spring: { patterns: ["org.springframework*"] } } },
    },
];

function pad(i: number, n: number): string {
    return String(i).padStart(Math.max(3, String(n).length), "0");
}

export interface Workload {
    readonly files: SourceFile[];
    readonly repos: number;
    readonly services: number;
    readonly overrides: number;
}

/** Pulumi.yaml + Pulumi.org.yaml grown to `repos` repositories, plus the real environment stack files. */
export function buildWorkload(repos: number): Workload {
    const read = (name: string): string => fs.readFileSync(path.join(ROOT, name), "utf8");
    const project = parse(read(PROJECT_FILE)) as { config: { "conveyor:catalog": { value: Record<string, CatalogEntry> } } };
    const org = parse(read("Pulumi.org.yaml")) as { config: Record<string, unknown> };
    const catalog = project.config["conveyor:catalog"].value;
    const real = Object.keys(catalog).length;
    if (repos < real) throw new Error(`--repos: at least ${real} (the real catalog is kept)`);
    const overrides = (org.config["conveyor:repositories"] ?? {}) as Record<string, unknown>;
    const wantOverrides = Math.round(repos / 10);

    for (let i = 1; i <= repos - real; i++) {
        const shape = SHAPES[(i - 1) % SHAPES.length];
        const name = `svc-${pad(i, repos)}`;
        catalog[name] = {
            repo: name,
            description: `Generated ${shape.kind} #${i}`,
            ecosystems: shape.ecosystems.map((e) => ({ ...e, ...(e.registries ? { registries: [...e.registries] } : {}) })),
            ...(shape.service ?? {}),
        };
        // Spread the overrides over the catalog instead of bunching them at the start.
        const overridden = Object.keys(overrides).length;
        if (overridden < wantOverrides && i % 10 === 5) overrides[name] = OVERRIDES[overridden % OVERRIDES.length];
    }
    org.config["conveyor:repositories"] = overrides;

    const envFiles = fs
        .readdirSync(ROOT)
        .filter((n) => /^Pulumi\..+\.yaml$/.test(n) && n !== "Pulumi.org.yaml")
        .sort()
        .map((n) => ({ name: n, text: read(n) }));
    const files = [{ name: PROJECT_FILE, text: stringify(project) }, { name: "Pulumi.org.yaml", text: stringify(org) }, ...envFiles];
    const services = Object.values(catalog).filter((c) => c.port !== undefined).length;
    return { files, repos: Object.keys(catalog).length, services, overrides: Object.keys(overrides).length };
}

// ---------------------------------------------------------------------------------------------------
// One measurement.

export interface Measurement {
    readonly repos: number;
    readonly services: number;
    readonly overrides: number;
    readonly environments: number;
    readonly generateMs: number;
    readonly parseMs: number;
    readonly synthMs: number;
    /** CPU time (user + system, all threads incl. GC helpers) spent in synthesize: less skewed by other load than wall time. */
    readonly synthCpuMs: number;
    /** renderTree + writeSynthOutput to a temporary directory: the rest of `conveyor synth org`. */
    readonly outputMs: number;
    /** From process start (node + ts-node + module loading) to the end of the measurement. */
    readonly processMs: number;
    readonly peakRssKiB: number;
    readonly rssBeforeSynthKiB: number;
    readonly heapUsedKiB: number;
    /** 1-minute load average when the measurement ended: other work on the machine skews timings. */
    readonly loadAverage: number;
    readonly resources: number;
    readonly custom: number;
    readonly files: number;
    readonly byType: Record<string, number>;
    readonly github: {
        /** Provider (`github:`) and dynamic GitHub resources. */
        readonly total: number;
        /** Of which the provider's `github:` resources only. */
        readonly provider: number;
        /** Lower bound of GitHub API reads one `pulumi refresh` makes. */
        readonly readsPerRefresh: number;
        /** total / repositories (org-level ones included in the average). */
        readonly perRepository: number;
        /** GitHub resources of the organisation itself (not inside a repository component). */
        readonly orgLevel: number;
        /** Resources inside a ManagedRepository, per repository, by type (short name). */
        readonly perRepoByType: Record<string, number>;
        readonly orgLevelByType: Record<string, number>;
        /** Fewest and most GitHub resources inside one ManagedRepository. */
        readonly minPerRepo: number;
        readonly maxPerRepo: number;
    };
}

const kib = (bytes: number): number => Math.round(bytes / 1024);
/** `github:index/repositoryMilestone:RepositoryMilestone` -> `github.RepositoryMilestone`; dynamic ones -> `dynamic github.X` */
const shortType = (t: string): string =>
    t.startsWith("pulumi-nodejs:dynamic/") ? `dynamic ${t.split("/")[1].replace(":", ".")}` : `${t.split(":")[0]}.${t.split(":").pop()}`;

function countBy<T>(items: readonly T[], key: (x: T) => string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const x of items) out[key(x)] = (out[key(x)] ?? 0) + 1;
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

export async function measure(repos: number): Promise<Measurement> {
    const t0 = performance.now();
    const workload = buildWorkload(repos);
    const t1 = performance.now();
    const workspace = parseWorkspace(workload.files);
    const t2 = performance.now();
    const rssBeforeSynthKiB = kib(process.memoryUsage().rss);

    const cpu0 = process.cpuUsage();
    const t3 = performance.now();
    const result = await synthesize({ dir: process.cwd(), stack: "org", workspace, now: NOW });
    const t4 = performance.now();
    const cpu = process.cpuUsage(cpu0);

    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "conveyor-bench-"));
    let t5: number;
    try {
        renderTree(result.resources);
        writeSynthOutput(result, tmp);
        t5 = performance.now();
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }

    const heapUsedKiB = kib(process.memoryUsage().heapUsed);
    const peakRssKiB = process.resourceUsage().maxRSS; // KiB on Linux

    const gh = result.resources.filter(isGithub);
    const repoLabels = new Set(result.resources.filter((r) => r.type === REPOSITORY_COMPONENT).map((r) => `${r.type}::${r.name}`));
    const inRepo = (r: SynthResource): boolean => r.parent !== undefined && repoLabels.has(r.parent);
    const perRepo = gh.filter(inRepo);
    const orgLevel = gh.filter((r) => !inRepo(r));
    const perRepoCounts = countBy(perRepo, (r) => r.parent!);
    const counts = Object.values(perRepoCounts);
    const n = repoLabels.size;
    const perRepoByType = Object.fromEntries(
        Object.entries(countBy(perRepo, (r) => shortType(r.type))).map(([t, c]) => [t, Math.round((c / n) * 1000) / 1000]),
    );

    return {
        repos: n,
        services: workload.services,
        overrides: workload.overrides,
        environments: workspace.environments.length,
        generateMs: t1 - t0,
        parseMs: t2 - t1,
        synthMs: t4 - t3,
        synthCpuMs: (cpu.user + cpu.system) / 1000,
        outputMs: t5 - t4,
        processMs: process.uptime() * 1000,
        peakRssKiB,
        rssBeforeSynthKiB,
        heapUsedKiB,
        loadAverage: Math.round(os.loadavg()[0] * 100) / 100,
        resources: result.resources.length,
        custom: result.resources.filter((r) => r.custom).length,
        files: result.files.length,
        byType: countBy(result.resources, (r) => r.type),
        github: {
            total: gh.length,
            provider: gh.filter((r) => r.type.startsWith("github:")).length,
            readsPerRefresh: gh.reduce((sum, r) => sum + (MIN_READS_PER_REFRESH[r.type] ?? 1), 0),
            perRepository: Math.round((gh.length / n) * 1000) / 1000,
            orgLevel: orgLevel.length,
            perRepoByType,
            orgLevelByType: countBy(orgLevel, (r) => shortType(r.type)),
            minPerRepo: counts.length ? Math.min(...counts) : 0,
            maxPerRepo: counts.length ? Math.max(...counts) : 0,
        },
    };
}

// ---------------------------------------------------------------------------------------------------
// Report.

function median(xs: readonly number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The run whose synth time is the median (runs differ in timings only; counts are deterministic). */
function medianRun(runs: readonly Measurement[]): Measurement {
    const sorted = [...runs].sort((a, b) => a.synthMs - b.synthMs);
    return sorted[Math.floor((sorted.length - 1) / 2)];
}

const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const mib = (k: number): string => `${(k / 1024).toFixed(0)} MiB`;
const verdict = (ok: boolean): string => (ok ? "met" : "NOT met");

function report(runs: readonly Measurement[]): string {
    const m = medianRun(runs);
    const med = (f: (x: Measurement) => number): number => median(runs.map(f));
    const synthMs = med((x) => x.synthMs);
    const processMs = med((x) => x.processMs);
    const peak = med((x) => x.peakRssKiB);
    const reads = m.github.readsPerRefresh;
    const lines = [
        `conveyor synth org: ${m.repos} repositories (${m.services} services, ${m.overrides} with overrides), ${m.environments} environment stacks`,
        `node ${process.version}, ${os.cpus().length} CPUs, ${runs.length} fresh process${runs.length > 1 ? "es" : ""} (median); load average at the end of each run: ${runs.map((x) => x.loadAverage.toFixed(2)).join(", ")}`,
        "",
        `  generate workspace YAML  ${secs(med((x) => x.generateMs))}`,
        `  parseWorkspace           ${secs(med((x) => x.parseMs))}`,
        `  synthesize               ${secs(synthMs)}   (runs: ${runs.map((x) => secs(x.synthMs)).join(", ")}); CPU time ${secs(med((x) => x.synthCpuMs))}`,
        `  renderTree + write out/  ${secs(med((x) => x.outputMs))}`,
        `  whole process            ${secs(processMs)}   (node start, ts-node, module loading included)`,
        `  peak RSS                 ${mib(peak)}   (before synth: ${mib(med((x) => x.rssBeforeSynthKiB))}; heap used at end: ${mib(med((x) => x.heapUsedKiB))})`,
        "",
        `  resources                ${m.resources} (${m.custom} custom, ${m.resources - m.custom} components), ${m.files} repository files`,
        ...Object.entries(m.byType).map(([t, c]) => `    ${String(c).padStart(6)}  ${t}`),
        "",
        `  GitHub resources         ${m.github.total} (${m.github.provider} github: provider, ${m.github.total - m.github.provider} dynamic): ${m.github.perRepository} per repository (min ${m.github.minPerRepo}, max ${m.github.maxPerRepo} in one repository; ${m.github.orgLevel} org-level included in the average)`,
        ...Object.entries(m.github.perRepoByType).map(([t, c]) => `    ${String(c).padStart(6)}  ${t} per repository`),
        ...Object.entries(m.github.orgLevelByType).map(([t, c]) => `    ${String(c).padStart(6)}  ${t} (org-level)`),
        `  API reads per refresh    >= ${reads} (at least one per resource that reads on refresh; a lower bound) = ${((reads / GITHUB_REQUESTS_PER_HOUR) * 100).toFixed(0)}% of ${GITHUB_REQUESTS_PER_HOUR} requests/hour; ${
            reads <= GITHUB_REQUESTS_PER_HOUR
                ? `at most ${Math.floor(GITHUB_REQUESTS_PER_HOUR / reads)} refresh(es) an hour`
                : `one refresh needs at least ${(reads / GITHUB_REQUESTS_PER_HOUR).toFixed(1)} hours of budget`
        }`,
        "",
        `  goal: synth under ${GOAL_SECONDS} s                      ${verdict(synthMs < GOAL_SECONDS * 1000)} (synthesize ${secs(synthMs)}; whole process ${secs(processMs)})`,
        `  goal: peak RSS under 1 GiB                  ${verdict(peak < GOAL_RSS_KIB)} (${mib(peak)})`,
        `  goal: at most ${GOAL_GITHUB_PER_REPO} GitHub resources/repository ${verdict(m.github.perRepository <= GOAL_GITHUB_PER_REPO)} (${m.github.perRepository}; github: provider resources only: ${Math.round((m.github.provider / m.repos) * 1000) / 1000})`,
    ];
    return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------------
// Command line.

async function main(): Promise<void> {
    const { values } = parseArgs({
        options: {
            repos: { type: "string", default: "300" },
            runs: { type: "string", default: "3" },
            json: { type: "boolean", default: false },
            once: { type: "boolean", default: false },
        },
    });
    const repos = Number(values.repos);
    const runs = Number(values.runs);
    if (!Number.isInteger(repos) || repos < 1) throw new Error(`--repos: expected a positive integer, got "${values.repos}"`);
    if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs: expected a positive integer, got "${values.runs}"`);

    if (values.once) {
        const m = await measure(repos);
        process.stdout.write(values.json ? `${JSON.stringify(m)}\n` : `${report([m])}\n`);
        return;
    }
    // Each run in a fresh process: the Pulumi runtime keeps global state, and peak RSS is per process.
    const results: Measurement[] = [];
    for (let i = 0; i < runs; i++) {
        const child = spawnSync(process.execPath, [...process.execArgv, __filename, "--once", "--json", "--repos", String(repos)], {
            cwd: process.cwd(),
            encoding: "utf8",
            maxBuffer: 64 * 1024 * 1024,
        });
        if (child.status !== 0) throw new Error(`run ${i + 1} failed (exit ${child.status}):\n${child.stderr}`);
        results.push(JSON.parse(child.stdout.trim().split("\n").pop()!) as Measurement);
        if (!values.json)
            process.stderr.write(`run ${i + 1}/${runs}: synthesize ${secs(results[i].synthMs)}, peak RSS ${mib(results[i].peakRssKiB)}\n`);
    }
    if (values.json) {
        const med = (f: (x: Measurement) => number): number => median(results.map(f));
        const summary = {
            repos,
            runs,
            node: process.version,
            cpus: os.cpus().length,
            median: {
                synthMs: med((x) => x.synthMs),
                synthCpuMs: med((x) => x.synthCpuMs),
                processMs: med((x) => x.processMs),
                peakRssKiB: med((x) => x.peakRssKiB),
                parseMs: med((x) => x.parseMs),
            },
            githubPerRepository: medianRun(results).github.perRepository,
            githubReadsPerRefresh: medianRun(results).github.readsPerRefresh,
            runsDetail: results,
        };
        process.stdout.write(`${JSON.stringify(summary)}\n`);
    } else {
        process.stdout.write(`${report(results)}\n`);
    }
}

// Only when run: bench/engine.ts imports buildWorkload.
if (require.main === module) {
    main().catch((e: unknown) => {
        process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
        process.exit(1);
    });
}
