// What a release changes in an environment, and why each component is or is not bumped. Pure.
import type { Component, EnvironmentConfig } from "../config";

export interface Bump {
    readonly component: string;
    readonly repo: string;
    /** The build running now; undefined when the environment does not run the component yet. */
    readonly from?: number;
    readonly to: number;
}

export interface Skip {
    readonly component: string;
    readonly reason: string;
}

export interface ReleasePlan {
    readonly env: string;
    /** `ci`, an environment stack, or `rollback`. */
    readonly source: string;
    readonly bumps: readonly Bump[];
    readonly unchanged: readonly string[];
    readonly skipped: readonly Skip[];
}

export interface PlanInput {
    readonly target: EnvironmentConfig;
    readonly catalog: readonly Component[];
    readonly source: string;
    /** Build numbers the source offers; components it lacks are left alone and reported. */
    readonly offered: ReadonlyMap<string, number>;
    /** Why a component is missing from `offered`, when the source knows (e.g. "no green build on main"). */
    readonly missingReasons?: ReadonlyMap<string, string>;
    /** Only a rollback may lower a version. */
    readonly allowLower?: boolean;
}

/** Components a release considers: every service of the catalog for `ci`, else those either side runs. */
function candidates(input: PlanInput): string[] {
    const services = input.catalog.filter((c) => c.port !== undefined).map((c) => c.name);
    if (input.source === "ci") return services;
    return services.filter((s) => input.offered.has(s) || input.target.versions.has(s));
}

export function planRelease(input: PlanInput): ReleasePlan {
    const byName = new Map(input.catalog.map((c) => [c.name, c]));
    const bumps: Bump[] = [];
    const unchanged: string[] = [];
    const skipped: Skip[] = [];
    for (const component of candidates(input)) {
        const from = input.target.versions.get(component);
        const to = input.offered.get(component);
        if (to === undefined) {
            skipped.push({ component, reason: input.missingReasons?.get(component) ?? `not in ${input.source}` });
        } else if (from === to) {
            unchanged.push(component);
        } else if (from !== undefined && to < from && !input.allowLower) {
            skipped.push({
                component,
                reason: `${input.source} has ${to}, older than the running ${from}; a release never lowers a version (use rollback)`,
            });
        } else {
            bumps.push({ component, repo: byName.get(component)!.repo, from, to });
        }
    }
    return { env: input.target.stack, source: input.source, bumps, unchanged, skipped };
}

/** The versions map a plan leads to, for the stack file edit. */
export function versionChanges(plan: ReleasePlan): Map<string, number> {
    return new Map(plan.bumps.map((b) => [b.component, b.to]));
}
