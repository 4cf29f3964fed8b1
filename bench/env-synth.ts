// Benchmark (not a test): synth of one environment with 30 components (`--components N`), in a fresh
// process per run. Reports wall time, peak memory and resources per component, with what each is for.
//
//   npm run bench:env                         30 components, 3 runs, median
//   npm run bench:env -- --components 60 --runs 1
import { execFileSync } from "child_process";
import { performance } from "perf_hooks";
import { parseArgs } from "util";
import { synthesize } from "../cli/synth";
import { syntheticWorkspace } from "./synthetic-workspace";

const WHY: Record<string, string> = {
    "aws:cloudwatch/logGroup:LogGroup": "the service's logs, retention by stage",
    "aws:ecs/taskDefinition:TaskDefinition": "image <registry>/<component>:<build>: the one resource a release changes",
    "aws:ecs/service:Service": "runs the tasks; circuit breaker with rollback",
    "aws:lb/targetGroup:TargetGroup": "the service's tasks behind the load balancer, with its health path",
    "aws:lb/listenerRule:ListenerRule": "routes <component>.<domain> to the target group",
    "cloudflare:index/dnsRecord:DnsRecord": "<component>.<domain>, proxied by Cloudflare",
    "conveyor:environment:Service": "the component grouping the six above",
};

async function once(components: number): Promise<Record<string, unknown>> {
    const { ws } = syntheticWorkspace(components);
    const t0 = performance.now();
    const result = await synthesize({ dir: process.cwd(), stack: "staging", workspace: ws, now: new Date("2026-11-30T08:00:00Z") });
    const synthMs = performance.now() - t0;
    const perService = new Map<string, number>();
    const services = new Set(
        result.resources.filter((r) => r.type === "conveyor:environment:Service").map((r) => `conveyor:environment:Service::${r.name}`),
    );
    for (const r of result.resources) {
        if (r.parent && services.has(r.parent)) perService.set(r.type, (perService.get(r.type) ?? 0) + 1);
    }
    perService.set("conveyor:environment:Service", services.size);
    return {
        components,
        synthMs,
        peakRssKiB: process.resourceUsage().maxRSS,
        resources: result.resources.length,
        shared: result.resources.length - [...perService.values()].reduce((a, b) => a + b, 0),
        perComponent: Object.fromEntries([...perService].map(([t, n]) => [t, n / components])),
    };
}

async function main(): Promise<void> {
    const { values } = parseArgs({ options: { components: { type: "string" }, runs: { type: "string" }, once: { type: "boolean" } } });
    const components = Number(values.components ?? 30);
    if (values.once) {
        process.stdout.write(JSON.stringify(await once(components)));
        return;
    }
    const runs = Array.from({ length: Number(values.runs ?? 3) }, () => {
        const t0 = performance.now();
        const out = execFileSync(process.execPath, [...process.execArgv, __filename, "--once", "--components", String(components)], {
            encoding: "utf8",
        });
        return { ...JSON.parse(out), processMs: performance.now() - t0 } as {
            synthMs: number;
            processMs: number;
            peakRssKiB: number;
            resources: number;
            shared: number;
            perComponent: Record<string, number>;
        };
    });
    const median = <T>(xs: T[], f: (x: T) => number) => xs.map(f).sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const r = runs[0];
    console.log(`synth of one environment (staging) with ${components} components, ${runs.length} fresh processes (median)`);
    console.log(
        `  synthesize     ${(median(runs, (x) => x.synthMs) / 1000).toFixed(2)} s (runs: ${runs.map((x) => (x.synthMs / 1000).toFixed(2)).join(", ")})`,
    );
    console.log(`  whole process  ${(median(runs, (x) => x.processMs) / 1000).toFixed(2)} s`);
    console.log(`  peak RSS       ${Math.round(median(runs, (x) => x.peakRssKiB) / 1024)} MiB`);
    console.log(
        `  resources      ${r.resources}: ${r.shared} shared by the environment, ${Object.values(r.perComponent).reduce((a, b) => a + b, 0)} per component`,
    );
    for (const [type, n] of Object.entries(r.perComponent)) console.log(`    ${n}  ${type}  (${WHY[type] ?? ""})`);
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
