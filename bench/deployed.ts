// Benchmark (not a test): `conveyor deployed staging` for a release carrying 50 issues, against the
// loopback fakes at 100 ms per request. Reports GitHub reads and writes, writes per issue (goal: at most
// 3) and wall time, with octokit's throttling off and (with --throttled) on as in production.
//
//   npm run bench:deployed                         5 components x 10 PRs = 50 issues, throttling off
//   npm run bench:deployed -- --throttled          the same with production spacing of writes (slow)
import { performance } from "perf_hooks";
import { parseArgs } from "util";
import { runDeployed } from "../deploy/deployed";
import { releaseBranch } from "../release/pr";
import { runRelease } from "../release/release";
import { startWorld } from "../test/release-world";
import { syntheticWorkspace } from "./synthetic-workspace";

async function main(): Promise<void> {
    const { values } = parseArgs({ options: { components: { type: "string" }, prs: { type: "string" }, latency: { type: "string" }, throttled: { type: "boolean" } } });
    const components = Number(values.components ?? 5);
    const prs = Number(values.prs ?? 10);
    const latencyMs = Number(values.latency ?? 100);
    const throttle = values.throttled === true;
    const { ws, staging } = syntheticWorkspace(components);
    const w = await startWorld({ workspace: ws, stackFiles: { "Pulumi.staging.yaml": staging }, prsPerComponent: prs, latencyMs });
    try {
        const released = await runRelease(w.deps(), { env: "staging", mode: "release", dryRun: false });
        if (released.status !== "opened") throw new Error(`release: ${released.status}`);
        const sha = w.ops.mergePull(w.ops.pulls.find((p) => p.head === releaseBranch("staging"))!.number, { method: "squash" });
        w.github.clearRequests();
        const deps = w.deps({ throttle });
        const t0 = performance.now();
        const out = await runDeployed(deps.gh, ws, { env: "staging", sha, buildUrl: "https://circleci.example/build/1" }, () => undefined);
        const wall = (performance.now() - t0) / 1000;
        const reads = w.github.reads();
        const writes = w.github.writes();
        w.github.clearRequests();
        const t1 = performance.now();
        await runDeployed(deps.gh, ws, { env: "staging", sha, buildUrl: "https://circleci.example/build/1" }, () => undefined);
        const rerun = (performance.now() - t1) / 1000;
        console.log(
            [
                `deployed staging: ${out.issues.length} issues, fakes at ${latencyMs} ms per request, octokit throttling ${throttle ? "on (production)" : "off"}`,
                `  GitHub reads      ${reads}`,
                `  GitHub writes     ${writes} (${(writes / out.issues.length).toFixed(2)} per issue; goal at most 3)`,
                `  wall time         ${wall.toFixed(2)} s`,
                `  rerun             ${rerun.toFixed(2)} s, ${w.github.writes()} writes`,
            ].join("\n"),
        );
    } finally {
        await w.close();
    }
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
