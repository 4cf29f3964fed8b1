// The label taxonomy every repository carries. Pure: config in, labels out.

export interface Label {
    readonly name: string;
    /** Six hex digits, no `#` (GitHub's format). */
    readonly color: string;
    readonly description: string;
    /** Existing labels renamed to this one in place, so the issues that carry them keep their meaning. */
    readonly renamedFrom: readonly string[];
}

/** A label as config declares it (conveyor:labels topics and customers): the taxonomy gives it its colour. */
export type ConfiguredLabel = Omit<Label, "color">;

export interface TaxonomyInput {
    readonly topics: readonly ConfiguredLabel[];
    readonly customers: readonly ConfiguredLabel[];
    /** Environment stacks of the project; each gets a `deploy/<env>` label. */
    readonly environments: readonly string[];
    /** Extra renames onto taxonomy labels: label name -> old names. */
    readonly renamedFrom?: Readonly<Record<string, readonly string[]>>;
}

/** One hue per family; members vary in lightness so they stay distinguishable but clearly related. */
const FAMILY_HUE = {
    type: 0,
    priority: 28,
    effort: 270,
    workflow: 212,
    topic: 140,
    customer: 180,
    delivery: 48,
} as const;

function hslHex(h: number, s: number, l: number): string {
    const a = s * Math.min(l, 1 - l);
    const f = (n: number): string => {
        const k = (n + h / 30) % 12;
        const c = l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
        return Math.round(c * 255)
            .toString(16)
            .padStart(2, "0");
    };
    return `${f(0)}${f(8)}${f(4)}`.toUpperCase();
}

/** The i-th of n colours of a family: from dark (most pressing) to light. */
export function familyColor(family: keyof typeof FAMILY_HUE, i: number, n: number): string {
    const lightness = n <= 1 ? 0.45 : 0.35 + (0.45 * i) / (n - 1);
    return hslHex(FAMILY_HUE[family], 0.65, lightness);
}

type Entry = readonly [name: string, description: string, renamedFrom?: readonly string[]];

const labelEntry = (l: ConfiguredLabel): Entry => [l.name, l.description, l.renamedFrom];

function family(familyName: keyof typeof FAMILY_HUE, prefix: string, entries: readonly Entry[]): Label[] {
    return entries.map(([n, description, renamedFrom], i) => ({
        name: `${prefix}${n}`,
        color: familyColor(familyName, i, entries.length),
        description,
        renamedFrom: renamedFrom ?? [],
    }));
}

/** The label the stale workflow (actions/stale) marks inactive issues and pull requests with. */
export const STALE_LABEL = "stale";

export function labelTaxonomy(input: TaxonomyInput): Label[] {
    const extra = input.renamedFrom ?? {};
    return fixedAndConfigured(input).map((l) => ({ ...l, renamedFrom: [...l.renamedFrom, ...(extra[l.name] ?? [])] }));
}

function fixedAndConfigured(input: TaxonomyInput): Label[] {
    return [
        // GitHub's default `bug` and `enhancement` are adopted as renames: the issues keep their meaning.
        ...family("type", "type/", [
            ["bug", "Something does not work as it should", ["bug"]],
            ["new-feature", "A capability the product does not have yet", ["enhancement"]],
            ["change-feature", "A change to an existing capability"],
            ["operations", "Running the platform: incidents, data fixes, customer requests"],
            ["devops", "Build, delivery, dependencies and infrastructure"],
        ]),
        ...family("priority", "priority/", [
            ["P1", "Critical: drop everything"],
            ["P2", "High: this week"],
            ["P3", "Normal: planned in a coming milestone"],
            ["P4", "Low: when there is time"],
        ]),
        ...family("effort", "effort/", [
            ["light", "Hours of work"],
            ["medium", "A few days of work"],
            ["high", "A week or more of work"],
            ["epic", "Several weeks: split it into issues"],
        ]),
        ...family("workflow", "workflow/", [
            ["in-progress", "Someone is working on it"],
            ["ready-for-staging", "Merged; goes to staging with the next release"],
            ["test", "On staging, waiting for verification"],
            ["ready", "Verified on staging; closes when it reaches prod"],
            ["awaiting-feedback", "Waiting for an answer from the reporter or a customer"],
            ["blocked", "Cannot progress until something else is done"],
        ]),
        ...family("topic", "topic/", input.topics.map(labelEntry)),
        ...family("customer", "customer/", input.customers.map(labelEntry)),
        ...family("delivery", "", [
            ["release", "A release pull request opened by conveyor"],
            ["deployed", "This release has been deployed"],
            ["drift", "A stack differs from its code (nightly drift check)"],
            // In the set, or the set would delete it after actions/stale adds it, unmarking every stale issue.
            [STALE_LABEL, "No activity for a while: closed soon unless someone comments"],
            ...input.environments.map((e) => [`deploy/${e}`, `Deploy the ${e} stack when this PR is merged`] as const),
        ]),
    ];
}
