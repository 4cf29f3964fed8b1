// The weekly train: which environments are due for a release at a given moment. Pure.
import type { EnvironmentConfig, Weekday } from "../components/config";

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
        if (!e.release.days.includes(weekday)) return { env: e.stack, due: false, reason: `releases on ${e.release.days.join(", ")}, not ${weekday}` };
        const freeze = e.release.freeze.find((f) => f.from <= date && date <= f.to);
        if (freeze) return { env: e.stack, due: false, reason: `frozen from ${freeze.from} to ${freeze.to}: ${freeze.reason}` };
        return { env: e.stack, due: true };
    });
}
