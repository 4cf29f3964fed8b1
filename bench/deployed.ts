// Benchmark (not a test): `conveyor deployed staging` for a release carrying 50 issues, against the
// loopback fakes at 100 ms per request. Reports GitHub reads and writes, writes per issue (goal: at most
// 3) and wall time, with octokit's throttling off and (with --throttled) on as in production.
//
//   npm run bench:deployed                         5 components x 10 PRs = 50 issues, throttling off
//   npm run bench:deployed -- --throttled          the same with production spacing of writes (slow)
import { runDeployed } from "../deploy/deployed";
import { releaseBranch } from "../release/pr";
import { runRelease } from "../release/release";
import { runBenchmark, sizeFromArgs, syntheticWorld, timed } from "./world";

async function main(): Promise<void> {
    const size = sizeFromArgs({ components: 5, prs: 10, latencyMs: 100 }, ["throttled"]);
    const throttle = size.throttled;
    const { world: w, ws } = await syntheticWorld(size);
    try {
        const released = await runRelease(w.deps(), { env: "staging", mode: "release", dryRun: false });
        if (released.status !== "opened") throw new Error(`release: ${released.status}`);
        const sha = w.ops.mergePull(w.ops.pulls.find((p) => p.head === releaseBranch("staging"))!.number, { method: "squash" });
        w.github.clearRequests();
        const deps = w.deps({ throttle });
        const deployed = () =>
            runDeployed(deps.gh, ws, { env: "staging", sha, buildUrl: "https://circleci.example/build/1" }, () => undefined);
        const { value: out, seconds: wall } = await timed(deployed);
        const reads = w.github.reads();
        const writes = w.github.writes();
        w.github.clearRequests();
        const { seconds: rerun } = await timed(deployed);
        console.log(
            [
                `deployed staging: ${out.issues.length} issues, fakes at ${size.latencyMs} ms per request, octokit throttling ${throttle ? "on (production)" : "off"}`,
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

runBenchmark(main);
