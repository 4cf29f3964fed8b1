// Weekly milestones as ONE dynamic resource per repository instead of one github.RepositoryMilestone per
// week: a refresh costs one list call, not one read per week, and the org stays inside GitHub's budget
// of 5,000 requests an hour.
import * as pulumi from "@pulumi/pulumi";
import type { Milestone } from "./milestones";
import { githubRestFromConfig, restSettingsFrom, type RestSettings } from "./rest";

export interface ExistingMilestone {
    readonly number: number;
    readonly title: string;
    readonly description: string | null;
    readonly due_on: string | null;
}

export type MilestoneOp =
    | { readonly kind: "create"; readonly milestone: Milestone }
    | { readonly kind: "update"; readonly number: number; readonly milestone: Milestone };

/** GitHub stores a due date as a timestamp; the day is what we compare. */
const sameDay = (dueOn: string | null, day: string): boolean => dueOn !== null && dueOn.slice(0, 10) === day;

/** Creates the missing weeks and corrects changed ones; never touches a milestone outside the window. */
export function planMilestones(existing: readonly ExistingMilestone[], wanted: readonly Milestone[]): MilestoneOp[] {
    const byTitle = new Map(existing.map((m) => [m.title, m]));
    return wanted.flatMap((milestone): MilestoneOp[] => {
        const have = byTitle.get(milestone.title);
        if (!have) return [{ kind: "create", milestone }];
        if (sameDay(have.due_on, milestone.dueDate) && (have.description ?? "") === milestone.description) return [];
        return [{ kind: "update", number: have.number, milestone }];
    });
}

interface MilestonesInputs {
    readonly owner: string;
    readonly repository: string;
    readonly milestones: Milestone[];
}

interface MilestonesOutputs extends MilestonesInputs {
    /** Title -> GitHub milestone number. */
    readonly numbers: Record<string, number>;
}

export const weeklyMilestonesProvider: pulumi.dynamic.ResourceProvider<MilestonesInputs, MilestonesOutputs> & { settings?: RestSettings } =
    {
        async configure(req) {
            this.settings = restSettingsFrom(req.config);
        },
        async diff(_id, olds, news) {
            const replaces = (["owner", "repository"] as const).filter((k) => olds[k] !== news[k]);
            return { changes: replaces.length > 0 || JSON.stringify(olds.milestones) !== JSON.stringify(news.milestones), replaces };
        },
        async create(inputs) {
            return { id: `${inputs.owner}/${inputs.repository}`, outs: { ...inputs, numbers: await converge(this.settings, inputs) } };
        },
        async update(_id, _olds, news) {
            return { outs: { ...news, numbers: await converge(this.settings, news) } };
        },
        // Refresh: the window as GitHub has it now; a deleted week shows up as a change the next `up` repairs.
        async read(id, props) {
            if (!props) return { id, props };
            const present = await listMilestones(this.settings, props.owner, props.repository);
            const byTitle = new Map(present.map((m) => [m.title, m]));
            const milestones = props.milestones.filter((m) => {
                const have = byTitle.get(m.title);
                return have !== undefined && sameDay(have.due_on, m.dueDate) && (have.description ?? "") === m.description;
            });
            return { id, props: { ...props, milestones } };
        },
        // Past weeks keep their milestone and its issues: planning history is not ours to delete.
        async delete() {},
    };

async function listMilestones(settings: RestSettings | undefined, owner: string, repo: string): Promise<ExistingMilestone[]> {
    const gh = githubRestFromConfig(settings);
    return gh.paginate(gh.rest.issues.listMilestones, { owner, repo, state: "all", per_page: 100 });
}

async function converge(settings: RestSettings | undefined, inputs: MilestonesInputs): Promise<Record<string, number>> {
    const gh = githubRestFromConfig(settings);
    const { owner, repository: repo } = inputs;
    const existing = await listMilestones(settings, owner, repo);
    const numbers: Record<string, number> = Object.fromEntries(existing.map((m) => [m.title, m.number]));
    for (const op of planMilestones(existing, inputs.milestones)) {
        const fields = { title: op.milestone.title, description: op.milestone.description, due_on: `${op.milestone.dueDate}T00:00:00Z` };
        const res =
            op.kind === "create"
                ? await gh.rest.issues.createMilestone({ owner, repo, ...fields })
                : await gh.rest.issues.updateMilestone({ owner, repo, milestone_number: op.number, ...fields });
        numbers[op.milestone.title] = res.data.number;
    }
    return Object.fromEntries(inputs.milestones.map((m) => [m.title, numbers[m.title]]));
}

export interface WeeklyMilestonesArgs {
    readonly owner: pulumi.Input<string>;
    readonly repository: pulumi.Input<string>;
    /** The window of weeks to have; weeks that leave it stay on GitHub. */
    readonly milestones: readonly Milestone[];
}

export class WeeklyMilestones extends pulumi.dynamic.Resource {
    public readonly numbers!: pulumi.Output<Record<string, number>>;

    constructor(name: string, args: WeeklyMilestonesArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            weeklyMilestonesProvider,
            name,
            { ...args, milestones: [...args.milestones], numbers: undefined },
            opts,
            "github",
            "WeeklyMilestones",
        );
    }
}
