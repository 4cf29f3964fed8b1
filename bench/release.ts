// Benchmark (not a test): `conveyor release staging` for 30 components x 10 merged PRs each, against the
// loopback fakes at 100 ms latency per request. Reports GitHub reads and writes, CircleCI requests and
// wall time, and what one REST call per PR would have cost instead of the aliased GraphQL query.
//
//   npm run bench:release                       30 components, 10 PRs each, 100 ms latency
//   npm run bench:release -- --components 10 --prs 5 --latency 50
import { runRelease } from "../release/release";
import { runBenchmark, sizeFromArgs, syntheticWorld, timed } from "./world";

async function main(): Promise<void> {
    const size = sizeFromArgs({ components: 30, prs: 10, latencyMs: 100 });
    const { components, prs, latencyMs } = size;
    for (const throttle of [true, false]) {
        const { world: w } = await syntheticWorld(size);
        try {
            w.github.clearRequests();
            w.circle.clearRequests();
            const release = () => runRelease(w.deps({ throttle }), { env: "staging", mode: "release", dryRun: false });
            const { value: outcome, seconds: wall } = await timed(release);
            const reads = w.github.reads();
            const writes = w.github.writes();
            const graphql = w.github.requests.filter((r) => r.path === "/graphql").length;
            const circle = w.circle.requests.length;
            const prCount = outcome.status === "opened" ? outcome.plan.bumps.length * prs : 0;
            w.github.clearRequests();
            const { seconds: rerun } = await timed(release);
            console.log(
                [
                    `release staging: ${components} components x ${prs} merged PRs, fakes at ${latencyMs} ms per request, octokit throttling ${throttle ? "on (production)" : "off"}`,
                    `  outcome             ${outcome.status}`,
                    `  GitHub reads        ${reads} (goal: at most components + 5 = ${components + 5}); ${graphql} of them GraphQL`,
                    `  GitHub writes       ${writes}`,
                    `  CircleCI requests   ${circle}`,
                    `  wall time           ${wall.toFixed(2)} s (goal: under 2 s)`,
                    `  rerun               ${rerun.toFixed(2)} s, ${w.github.writes()} writes, ${w.github.reads()} reads`,
                    `  one REST call per PR instead of GraphQL: ${reads - graphql + prCount} reads (${prCount} PRs)`,
                    "",
                ].join("\n"),
            );
        } finally {
            await w.close();
        }
    }
}

runBenchmark(main);
