// What the release-controller benchmarks share: a synthetic workspace of N services on fresh loopback fakes
// answering at a given latency, sized from the command line, and the wall time of one awaited call.
import { performance } from "perf_hooks";
import { parseArgs } from "util";
import type { Workspace } from "../config";
import { startWorld, type World } from "../test/release-world";
import { syntheticWorkspace } from "./synthetic-workspace";

export interface WorldSize {
    readonly components: number;
    /** Merged PRs per component since the build staging runs. */
    readonly prs: number;
    /** Delay of every answer of the fakes. */
    readonly latencyMs: number;
}

/** `--components N --prs N --latency MS`, plus the boolean `flags` a benchmark takes; unset ones default. */
export function sizeFromArgs<F extends string>(defaults: WorldSize, flags: readonly F[] = []): WorldSize & Record<F, boolean> {
    const booleans = Object.fromEntries(flags.map((f) => [f, { type: "boolean" as const }]));
    const { values } = parseArgs({
        options: { components: { type: "string" }, prs: { type: "string" }, latency: { type: "string" }, ...booleans },
    });
    const given = values as Record<string, string | boolean | undefined>;
    return {
        components: Number(given.components ?? defaults.components),
        prs: Number(given.prs ?? defaults.prs),
        latencyMs: Number(given.latency ?? defaults.latencyMs),
        ...(Object.fromEntries(flags.map((f) => [f, given[f] === true])) as Record<F, boolean>),
    };
}

/** A release world whose staging runs `size.components` synthetic services. */
export async function syntheticWorld(size: WorldSize): Promise<{ world: World; ws: Workspace }> {
    const { ws, staging } = syntheticWorkspace(size.components);
    const world = await startWorld({
        workspace: ws,
        stackFiles: { "Pulumi.staging.yaml": staging },
        prsPerComponent: size.prs,
        latencyMs: size.latencyMs,
    });
    return { world, ws };
}

/** The value of `fn` and the seconds it took. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number }> {
    const t0 = performance.now();
    const value = await fn();
    return { value, seconds: (performance.now() - t0) / 1000 };
}

/** Runs a benchmark's main; a failure exits 1 with its stack. */
export function runBenchmark(main: () => Promise<void>): void {
    main().catch((e: unknown) => {
        console.error(e);
        process.exit(1);
    });
}
