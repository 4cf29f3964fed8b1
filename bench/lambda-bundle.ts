// Benchmark (not a test): the release controller's Lambda bundles, the webhook intake's and the worker's.
// Reports each one's size (goal: under 1 MB), what it is made of, and its cold import time: `require()` of the
// bundle in a fresh Node process, N processes, median.
//
//   npm run bench:lambda                                  controller/intake.ts and controller/worker.ts
//   npm run bench:lambda -- --entry controller/worker.ts --runs 31 --json
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { parseArgs } from "util";
import { gzipSync } from "zlib";
import { BUNDLE_TARGET, bundleHandler, LAMBDA_RUNTIME, type HandlerBundle } from "../components/release-controller/bundle";

const ROOT = path.resolve(__dirname, "..");
const GOAL_BYTES = 1_000_000;

const median = (xs: readonly number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Lambda provides `@aws-sdk/*`; this machine may not. A package resolvable from the project is linked in (its
 * load time then counts, as in Lambda); otherwise a stub answers any named export with an inert class, and
 * the figures leave out the SDK's own load time.
 */
function provideExternals(dir: string, externals: readonly string[]): { linked: string[]; stubbed: string[] } {
    const linked: string[] = [];
    const stubbed: string[] = [];
    for (const pkg of externals) {
        const target = path.join(dir, "node_modules", pkg);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        let real: string | undefined;
        try {
            real = path.dirname(require.resolve(`${pkg}/package.json`, { paths: [ROOT] }));
        } catch {
            real = undefined;
        }
        if (real) {
            fs.symlinkSync(real, target, "dir");
            linked.push(pkg);
            continue;
        }
        fs.mkdirSync(target, { recursive: true });
        fs.writeFileSync(path.join(target, "package.json"), JSON.stringify({ name: pkg, version: "0.0.0-stub", main: "index.js" }));
        fs.writeFileSync(
            path.join(target, "index.js"),
            [
                "class Inert { constructor() {} send() { return Promise.resolve({}); } destroy() {} }",
                "module.exports = new Proxy({}, { get: (t, k) => (k === 'then' || k === '__esModule' || typeof k === 'symbol' ? undefined : Inert) });",
            ].join("\n"),
        );
        stubbed.push(pkg);
    }
    return { linked, stubbed };
}

interface ColdRun {
    readonly importMs: number;
    readonly processMs: number;
    readonly heapUsedMiB: number;
}

/** One fresh process: time `require()` of the bundle from inside it, and the whole process from outside. */
function coldImport(file: string): ColdRun {
    const script = [
        "const t0 = process.hrtime.bigint();",
        `const m = require(${JSON.stringify(file)});`,
        "const importMs = Number(process.hrtime.bigint() - t0) / 1e6;",
        "if (typeof m.handler !== 'function') throw new Error('the bundle exports no handler');",
        "process.stdout.write(JSON.stringify({ importMs, heapUsedMiB: process.memoryUsage().heapUsed / 1048576 }));",
    ].join("\n");
    const t0 = performance.now();
    const run = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
    const processMs = performance.now() - t0;
    if (run.status !== 0) throw new Error(`cold import failed:\n${run.stderr}`);
    return { ...(JSON.parse(run.stdout) as Omit<ColdRun, "processMs">), processMs };
}

function emptyProcessMs(): number {
    const t0 = performance.now();
    spawnSync(process.execPath, ["-e", ""]);
    return performance.now() - t0;
}

function main(): void {
    const { values } = parseArgs({ options: { entry: { type: "string" }, runs: { type: "string" }, json: { type: "boolean" } } });
    const entries = values.entry ? [values.entry] : ["controller/intake.ts", "controller/worker.ts"];
    for (const entry of entries) measure(path.resolve(ROOT, entry), Number(values.runs ?? 21), values.json === true);
}

function measure(entry: string, runs: number, json: boolean): void {
    const bundleMs: number[] = [];
    const hashes = new Set<string>();
    let bundle: HandlerBundle | undefined;
    for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        bundle = bundleHandler(entry);
        bundleMs.push(performance.now() - t0);
        hashes.add(bundle.sha256);
    }
    const b = bundle!;
    const gzipBytes = gzipSync(Buffer.from(b.code), { level: 9 }).byteLength;

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "conveyor-lambda-bench-"));
    let cold: ColdRun[];
    let externals: { linked: string[]; stubbed: string[] };
    let empty: number[];
    try {
        const file = path.join(dir, "index.js");
        fs.writeFileSync(file, b.code);
        externals = provideExternals(dir, b.externalImports);
        coldImport(file); // the first spawn also warms the OS file cache; not counted
        cold = Array.from({ length: runs }, () => coldImport(file));
        empty = Array.from({ length: Math.min(runs, 11) }, emptyProcessMs);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }

    const report = {
        entry: path.relative(ROOT, entry),
        node: process.version,
        lambdaRuntime: LAMBDA_RUNTIME,
        esbuildTarget: BUNDLE_TARGET,
        bytes: b.bytes,
        gzipBytes,
        goalBytes: GOAL_BYTES,
        underGoal: b.bytes < GOAL_BYTES,
        sha256: b.sha256,
        deterministic: hashes.size === 1,
        bundleMsMedian: median(bundleMs),
        bytesByPackage: b.bytesByPackage,
        externals,
        warnings: b.warnings,
        runs,
        importMsMedian: median(cold.map((c) => c.importMs)),
        importMsMin: Math.min(...cold.map((c) => c.importMs)),
        importMsMax: Math.max(...cold.map((c) => c.importMs)),
        processMsMedian: median(cold.map((c) => c.processMs)),
        emptyProcessMsMedian: median(empty),
        heapUsedMiBMedian: median(cold.map((c) => c.heapUsedMiB)),
        loadAverage: os.loadavg()[0],
    };
    if (json) {
        process.stdout.write(`${JSON.stringify(report)}\n`);
        return;
    }
    const kb = (n: number) => `${(n / 1000).toFixed(1)} kB`;
    console.log(`Lambda bundle of ${report.entry} (${LAMBDA_RUNTIME}, esbuild target ${BUNDLE_TARGET}, minified CommonJS)`);
    console.log(
        `  size           ${kb(b.bytes)} (${b.bytes} bytes; goal under ${kb(GOAL_BYTES)}: ${report.underGoal ? "met" : "NOT met"}), gzip -9 ${kb(gzipBytes)}`,
    );
    console.log(
        `  deterministic  ${report.deterministic ? "yes" : "NO"} (3 builds, sha256 ${b.sha256.slice(0, 16)}…), bundling ${report.bundleMsMedian.toFixed(0)} ms median`,
    );
    console.log(
        `  runtime-provided  ${b.externalImports.join(", ") || "none"}${externals.stubbed.length ? ` (stubbed here: ${externals.stubbed.join(", ")}; their load time is not counted)` : ""}`,
    );
    if (b.warnings.length) console.log(`  warnings       ${b.warnings.join("\n                 ")}`);
    console.log("  by package:");
    for (const [pkg, bytes] of Object.entries(b.bytesByPackage).slice(0, 12)) {
        console.log(`    ${pkg.padEnd(44)} ${kb(bytes).padStart(9)}  ${((100 * bytes) / b.bytes).toFixed(1).padStart(5)}%`);
    }
    console.log(
        `  cold import    ${report.importMsMedian.toFixed(1)} ms median of ${runs} fresh processes (min ${report.importMsMin.toFixed(1)}, max ${report.importMsMax.toFixed(1)}), heap after ${report.heapUsedMiBMedian.toFixed(1)} MiB`,
    );
    console.log(
        `  whole process  ${report.processMsMedian.toFixed(0)} ms median (an empty node -e: ${report.emptyProcessMsMedian.toFixed(0)} ms)`,
    );
    console.log(`  node ${process.version} on this machine (Lambda runs ${LAMBDA_RUNTIME}); load average ${report.loadAverage.toFixed(1)}`);
    console.log("");
}

main();
