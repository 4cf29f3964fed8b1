// Checks across files, once every file is parsed: release sources name existing environments without a
// cycle, and every label config hands to Dependabot or the stale bot exists in the taxonomy.
import { trainOrder, type EnvironmentConfig } from "./environment";
import { labelTaxonomy } from "./labels";
import type { OrgConfig } from "./org";
import type { Problems } from "./problems";

/** `stackNames`: every stack file present, parsed or not, so one broken file does not cascade. */
export function checkReleaseSources(envs: readonly EnvironmentConfig[], stackNames: readonly string[], problems: Problems): void {
    const byStack = new Map(trainOrder(envs).map((e) => [e.stack, e]));
    for (const e of envs) {
        const src = e.release.source;
        if (src === "ci") continue;
        if (src === e.stack) problems.add(e.file, "conveyor:environment.release.source", "an environment cannot release from itself");
        else if (!byStack.has(src) && !stackNames.includes(src)) {
            problems.add(
                e.file,
                "conveyor:environment.release.source",
                `expected "ci" or an environment stack (${[...byStack.keys()].join(", ")}), got "${src}"`,
            );
        }
    }
    // The walk ends at "ci" (no stack has that name) and at a stack that releases from itself: that one is
    // reported above, once, and not again as a cycle of one nor in the cycles of the stacks that release from it.
    for (const e of envs) {
        const seen = new Set<string>([e.stack]);
        for (let s = byStack.get(e.release.source); s && s.release.source !== s.stack; s = byStack.get(s.release.source)) {
            if (seen.has(s.stack)) {
                problems.add(
                    e.file,
                    "conveyor:environment.release.source",
                    `release sources form a cycle: ${[...seen, s.stack].join(" -> ")}`,
                );
                break;
            }
            seen.add(s.stack);
        }
    }
}

/** Labels that config hands to Dependabot or the stale bot must exist, or GitHub silently ignores them. */
export function checkLabelReferences(org: OrgConfig, envs: readonly EnvironmentConfig[], problems: Problems): void {
    const taxonomy = labelTaxonomy({ ...org.labels, environments: envs.map((e) => e.stack) });
    const known = new Set(taxonomy.map((l) => l.name));
    for (const target of Object.keys(org.labels.renamedFrom)) {
        if (!known.has(target))
            problems.add(org.file, `conveyor:labels.renamedFrom.${target}`, `label "${target}" is not in the label taxonomy`);
    }
    const claimedBy = new Map<string, string>();
    const lowerKnown = new Set([...known].map((n) => n.toLowerCase()));
    for (const l of taxonomy) {
        for (const old of l.renamedFrom) {
            const key = old.toLowerCase();
            const where = renameLocation(org, l.name, old);
            if (lowerKnown.has(key))
                problems.add(org.file, where, `"${old}" is itself a label of the taxonomy; it cannot also be renamed to ${l.name}`);
            else if (claimedBy.has(key)) problems.add(org.file, where, `"${old}" is already renamed to ${claimedBy.get(key)}`);
            claimedBy.set(key, l.name);
        }
    }
    for (const repo of org.repositories) {
        const refs: [string, readonly string[]][] = [
            ["dependabot.labels", repo.settings.dependabot.labels],
            ["stale.exemptLabels", repo.settings.stale.exemptLabels],
        ];
        for (const [key, labels] of refs) {
            for (const l of labels.filter((x) => !known.has(x))) {
                problems.add(org.file, `conveyor:repositories.${repo.name}.${key}`, `label "${l}" is not in the label taxonomy`);
            }
        }
    }
}

/** The config key that declares a rename (built-in renames have none of their own). */
function renameLocation(org: OrgConfig, target: string, old: string): string {
    if (org.labels.renamedFrom[target]?.includes(old)) return `conveyor:labels.renamedFrom.${target}`;
    for (const kind of ["topics", "customers"] as const) {
        const i = org.labels[kind].findIndex((l) => `${kind === "topics" ? "topic" : "customer"}/${l.name}` === target);
        if (i >= 0) return `conveyor:labels.${kind}.${i}.renamedFrom`;
    }
    return "conveyor:labels";
}
