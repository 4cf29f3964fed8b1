// Benchmark (not a test): `conveyor status` for 30 components x 8 environments against the loopback fakes
// at 100 ms latency per request: GitHub and CircleCI requests and wall time of the read, then of the release
// dashboard (created, then a rerun that must write nothing). Goal: under 40 GitHub requests and 5 s.
//
//   npm run bench:status                                30 components, 8 environments, 100 ms
//   npm run bench:status -- --components 10 --environments 3 --latency 50
import { parseArgs } from "util";
import { refreshDashboard } from "../status/dashboard";
import { buildStatus } from "../status/model";
import { readStatus, type StatusDeps } from "../status/read";
import { renderText } from "../status/text";
import { startWorld } from "../test/release-world";
import { syntheticTrain, syntheticWorkspace } from "./synthetic-workspace";
import { runBenchmark, timed } from "./world";

async function main(): Promise<void> {
    const { values } = parseArgs({
        options: { components: { type: "string" }, environments: { type: "string" }, latency: { type: "string" } },
    });
    const components = Number(values.components ?? 30);
    const environments = Number(values.environments ?? 8);
    const latencyMs = Number(values.latency ?? 100);
    const { ws, stackFiles } = syntheticWorkspace(components, environments);
    const w = await startWorld({ workspace: ws, stackFiles, prsPerComponent: 1, latencyMs });
    try {
        // What a busy week looks like: an open release PR on every other environment, a drift issue.
        for (const [i, e] of syntheticTrain(environments).entries()) {
            if (i % 2 === 1) {
                w.ops.commit(`release-${e.stack}`, {
                    message: `Release ${e.stack}`,
                    files: { [`Pulumi.${e.stack}.yaml`]: stackFiles[`Pulumi.${e.stack}.yaml`] },
                });
                w.ops.openPull({ head: `release-${e.stack}`, title: `Release ${e.stack}`, labels: ["release"] });
            }
        }
        w.ops.addIssue("Drift in prod", { labels: ["drift"] });
        const deps = (throttle: boolean): StatusDeps => ({ ...w.deps({ throttle }), now: new Date() });
        const lines = [`conveyor status: ${components} components x ${environments} environments, fakes at ${latencyMs} ms per request`];
        for (const throttle of [true, false]) {
            w.github.clearRequests();
            w.circle.clearRequests();
            const { value: read, seconds } = await timed(() => readStatus(deps(throttle)));
            const text = renderText(buildStatus(read.input));
            lines.push(
                `  octokit throttling ${throttle ? "on (production)" : "off"}`,
                `    GitHub requests     ${w.github.requests.length} (goal: under 40); ${w.github.reads(/graphql/)} GraphQL`,
                `    CircleCI requests   ${w.circle.requests.length}`,
                `    wall time           ${seconds.toFixed(2)} s (goal: under 5 s)`,
                `    terminal output     ${text.split("\n").length} lines, widest ${Math.max(
                    ...text
                        .split("\n")
                        .filter((l) => !l.includes("://"))
                        .map((l) => l.length),
                )} columns`,
            );
        }
        w.github.clearRequests();
        const first = await timed(() => refreshDashboard(deps(true)));
        const firstRequests = w.github.requests.length;
        w.github.clearRequests();
        const rerun = await timed(() => refreshDashboard(deps(true)));
        lines.push(
            `  release dashboard (throttling on)`,
            `    first run           ${first.value.action}, ${first.seconds.toFixed(2)} s, ${firstRequests} GitHub requests, ${first.value.writes} writes`,
            `    rerun               ${rerun.value.action}, ${rerun.seconds.toFixed(2)} s, ${w.github.requests.length} GitHub requests, ${w.github.writes()} writes`,
            "",
        );
        console.log(lines.join("\n"));
    } finally {
        await w.close();
    }
}

runBenchmark(main);
