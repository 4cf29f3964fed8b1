// Weekly planning milestones: one per ISO week, named after it (`2026-W49`, due on its Sunday). Pure. Here, at
// the bottom, because both what creates them (components/github) and what reads their progress (status/) name
// the weeks the same way; `milestones.weeks` in the repository settings says how many.

export interface Milestone {
    /** e.g. `2026-W49`: sorts by time and names the week unambiguously across years. */
    readonly title: string;
    /** The Sunday that ends the ISO week, YYYY-MM-DD. */
    readonly dueDate: string;
    readonly description: string;
}

const DAY = 86_400_000;

function isoDate(t: number): string {
    return new Date(t).toISOString().slice(0, 10);
}

/** ISO-8601 week-numbering year and week of a UTC day. */
export function isoWeek(t: number): { year: number; week: number } {
    const d = new Date(t);
    const dayNum = (d.getUTCDay() + 6) % 7; // Monday = 0
    const thursday = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - dayNum * DAY + 3 * DAY;
    const year = new Date(thursday).getUTCFullYear();
    const week = 1 + Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * DAY));
    return { year, week };
}

/** The current ISO week and the weeks after it, `count` in all. */
export function weekTitles(now: Date, count: number): Milestone[] {
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    const monday = today - ((now.getUTCDay() + 6) % 7) * DAY;
    return Array.from({ length: count }, (_, i) => {
        const start = monday + i * 7 * DAY;
        const { year, week } = isoWeek(start);
        const title = `${year}-W${String(week).padStart(2, "0")}`;
        return {
            title,
            dueDate: isoDate(start + 6 * DAY),
            description: `Week ${week} of ${year}: Monday ${isoDate(start)} to Sunday ${isoDate(start + 6 * DAY)}. Created by conveyor.`,
        };
    });
}
