// Renaming labels in place before the authoritative label set is applied.
//
// github.IssueLabels owns the whole label set of a repository: a label missing from it is deleted, and
// deleting a label strips it from every issue. A rename in config would therefore erase history; GitHub's
// own rename (PATCH the label) keeps it on every issue. This step runs first and does the PATCH.
import * as pulumi from "@pulumi/pulumi";
import type { Label } from "../../config/labels";
import { githubRestFromConfig, restSettingsFrom, type RestSettings } from "./rest";

export interface LabelRename {
    readonly to: string;
    readonly from: readonly string[];
    readonly color: string;
    readonly description: string;
}

export interface ExistingLabel {
    readonly name: string;
}

export interface RenameOp {
    readonly from: string;
    readonly to: string;
    readonly color: string;
    readonly description: string;
}

/**
 * The PATCHes that carry old labels over to their new names. GitHub compares label names without case.
 * A target that already exists is left alone: the old label (if any) is then not ours to merge, and the
 * label set will remove it.
 */
export function planRenames(existing: readonly ExistingLabel[], renames: readonly LabelRename[]): RenameOp[] {
    const have = new Map(existing.map((l) => [l.name.toLowerCase(), l.name]));
    const ops: RenameOp[] = [];
    for (const r of renames) {
        if (have.has(r.to.toLowerCase())) continue;
        const old = r.from.map((f) => have.get(f.toLowerCase())).find((n): n is string => n !== undefined);
        if (old === undefined) continue;
        ops.push({ from: old, to: r.to, color: r.color, description: r.description });
        have.delete(old.toLowerCase());
        have.set(r.to.toLowerCase(), r.to);
    }
    return ops;
}

export function renamesOf(labels: readonly Label[]): LabelRename[] {
    return labels
        .filter((l) => l.renamedFrom.length > 0)
        .map((l) => ({ to: l.name, from: [...l.renamedFrom], color: l.color, description: l.description }));
}

interface RenameInputs {
    readonly owner: string;
    readonly repository: string;
    readonly renames: LabelRename[];
}

interface RenameOutputs extends RenameInputs {
    /** `old -> new` for every rename this resource performed, for the record. */
    readonly renamed: string[];
}

/**
 * The dynamic provider. It captures no client: each operation builds one from the stack's `github:token`
 * (`github:baseUrl` for GitHub Enterprise, `github:writeDelayMs` for its pacing), given to `configure` by the engine.
 */
export const labelRenamesProvider: pulumi.dynamic.ResourceProvider<RenameInputs, RenameOutputs> & { settings?: RestSettings } = {
    async configure(req) {
        this.settings = restSettingsFrom(req.config);
    },
    async diff(_id, olds, news) {
        const replaces = (["owner", "repository"] as const).filter((k) => olds[k] !== news[k]);
        const changes = replaces.length > 0 || JSON.stringify(olds.renames) !== JSON.stringify(news.renames);
        return { changes, replaces };
    },
    async create(inputs) {
        const renamed = await applyRenames(this.settings, inputs);
        return { id: `${inputs.owner}/${inputs.repository}`, outs: { ...inputs, renamed } };
    },
    async update(_id, olds, news) {
        const renamed = await applyRenames(this.settings, news);
        return { outs: { ...news, renamed: [...olds.renamed, ...renamed] } };
    },
    // Deleting the step renames nothing back: the labels now have their new names on purpose.
    async delete() {},
};

async function applyRenames(settings: RestSettings | undefined, inputs: RenameInputs): Promise<string[]> {
    const gh = githubRestFromConfig(settings);
    const { owner, repository: repo } = inputs;
    const existing = await gh.paginate(gh.rest.issues.listLabelsForRepo, { owner, repo, per_page: 100 });
    const ops = planRenames(existing, inputs.renames);
    for (const op of ops) {
        await gh.rest.issues.updateLabel({
            owner,
            repo,
            name: op.from,
            new_name: op.to,
            color: op.color,
            description: op.description,
        });
    }
    return ops.map((op) => `${op.from} -> ${op.to}`);
}

export interface LabelRenamesArgs {
    readonly owner: pulumi.Input<string>;
    readonly repository: pulumi.Input<string>;
    readonly renames: readonly LabelRename[];
}

/** Renames old labels to their taxonomy names in place; order the label set after it. */
export class LabelRenames extends pulumi.dynamic.Resource {
    public readonly renamed!: pulumi.Output<string[]>;

    constructor(name: string, args: LabelRenamesArgs, opts?: pulumi.CustomResourceOptions) {
        super(labelRenamesProvider, name, { ...args, renames: [...args.renames], renamed: undefined }, opts, "github", "LabelRenames");
    }
}
