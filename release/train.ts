// The weekly train: which environments are due for a release at a given moment (pure), and running it.
import type { EnvironmentConfig, Weekday } from "../config";
import { ReleaseInputError, runRelease, type ReleaseDeps, type ReleaseOutcome } from "./release";

export interface TrainDecision {
    readonly env: string;
    readonly due: boolean;
    /** Why not, when not due. */
    readonly reason?: string;
}

/** Weekday and calendar date of an instant in a time zone. */
export function localDay(now: Date, timeZone: string): { weekday: Weekday; date: string } {
    const weekday = new Intl.DateTimeFormat("en-US", { timeZone, weekday: "long" }).format(now).toLowerCase() as Weekday;
    const date = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
    return { weekday, date };
}

/** Every environment in train order, due or not, with the reason; freeze windows include both ends. */
export function trainAt(envs: readonly EnvironmentConfig[], now: Date, timeZone: string): TrainDecision[] {
    const { weekday, date } = localDay(now, timeZone);
    return envs.map((e): TrainDecision => {
        if (!e.release.days.includes(weekday))
            return { env: e.stack, due: false, reason: `releases on ${e.release.days.join(", ")}, not ${weekday}` };
        const freeze = e.release.freeze.find((f) => f.from <= date && date <= f.to);
        if (freeze) return { env: e.stack, due: false, reason: `frozen from ${freeze.from} to ${freeze.to}: ${freeze.reason}` };
        return { env: e.stack, due: true };
    });
}

export interface TrainRun {
    readonly env: string;
    /** The release's outcome, or why it did not run or failed. */
    readonly outcome?: ReleaseOutcome;
    readonly skipped?: string;
    readonly error?: Error;
}

/**
 * Releases every environment due at `now`, in train order. One failure does not stop the others: a stuck
 * prod must not keep staging from moving. Shared by `conveyor release --due` and the scheduled Lambda.
 */
export async function runTrain(deps: ReleaseDeps, now: Date, dryRun: boolean): Promise<TrainRun[]> {
    const org = deps.workspace.org;
    if (!org) throw new ReleaseInputError("Pulumi.org.yaml: file not found (it holds the train's time zone)");
    const runs: TrainRun[] = [];
    for (const d of trainAt(deps.workspace.environments, now, org.releaseController.timezone)) {
        if (!d.due) {
            runs.push({ env: d.env, skipped: d.reason });
            continue;
        }
        try {
            runs.push({ env: d.env, outcome: await runRelease(deps, { env: d.env, mode: "release", dryRun }) });
        } catch (e) {
            runs.push({ env: d.env, error: e as Error });
        }
    }
    return runs;
}
