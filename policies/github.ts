// GitHub guard rails: a managed repository must survive a mistaken `pulumi destroy` and always carry the
// files, labels and branch rule that make the delivery process work.
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

export const REPOSITORY = "github:index/repository:Repository";
const REPOSITORY_FILE = "github:index/repositoryFile:RepositoryFile";
const ISSUE_LABELS = "github:index/issueLabels:IssueLabels";
const RULESET = "github:index/repositoryRuleset:RepositoryRuleset";

export const DEPENDABOT_PATH = ".github/dependabot.yml";
export const STALE_PATH = ".github/workflows/stale.yml";

export const repositoryIsProtected: ResourceValidationPolicy = {
    name: "github-repository-protected",
    description: "Every GitHub repository is protected, retained on delete and archived (never deleted) on destroy.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== REPOSITORY) return;
        if (!args.opts.protect) reportViolation(`repository ${args.name} must be created with the \`protect\` option`);
        // @pulumi/policy 1.21 does not forward retainOnDelete to analyzers; judge it only when it is there,
        // otherwise every real update would fail on a field the engine never sends.
        const opts = args.opts as { retainOnDelete?: boolean };
        if (opts.retainOnDelete === false) reportViolation(`repository ${args.name} must be created with the \`retainOnDelete\` option`);
        if (args.props.archiveOnDestroy !== true) reportViolation(`repository ${args.name} must set archiveOnDestroy: true`);
    },
};

/** A property, or undefined while it is unknown (the policy server throws on reading one in preview). */
function known(read: () => unknown): unknown {
    try {
        return read();
    } catch {
        return undefined;
    }
}

/** What a managed repository must have around it, keyed by how its absence is reported. */
const requiredChildren: ReadonlyArray<{ what: string; matches: (r: PolicyResource) => boolean }> = [
    { what: DEPENDABOT_PATH, matches: (r) => r.type === REPOSITORY_FILE && known(() => r.props.file) === DEPENDABOT_PATH },
    { what: STALE_PATH, matches: (r) => r.type === REPOSITORY_FILE && known(() => r.props.file) === STALE_PATH },
    { what: "label set (IssueLabels)", matches: (r) => r.type === ISSUE_LABELS },
    {
        what: "default-branch ruleset",
        matches: (r) =>
            r.type === RULESET &&
            JSON.stringify(
                known(() => (r.props.conditions as { refName?: { includes?: unknown } } | undefined)?.refName?.includes) ?? [],
            ).includes("~DEFAULT_BRANCH"),
    },
];

export const repositoryIsComplete: StackValidationPolicy = {
    name: "github-repository-complete",
    description: "Every managed repository has its dependabot.yml, stale workflow, label set and default-branch ruleset.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        // Children name their repository by the `repository` input (the repository's name), which is
        // what GitHub's API keys them on; the Pulumi parent is a component and says nothing reliable.
        const byRepository = new Map<string, PolicyResource[]>();
        for (const r of args.resources) {
            // A child whose repository is still unknown belongs to a repository created in this same update,
            // which is then unknown too; the next update judges both.
            const repo = known(() => r.props.repository);
            if (typeof repo !== "string") continue;
            byRepository.set(repo, [...(byRepository.get(repo) ?? []), r]);
        }
        for (const repo of args.resources.filter((r) => r.type === REPOSITORY)) {
            const declared = known(() => repo.props.name);
            const name = typeof declared === "string" ? declared : repo.name;
            const children = byRepository.get(name) ?? [];
            const missing = requiredChildren.filter((c) => !children.some(c.matches)).map((c) => c.what);
            if (missing.length > 0) reportViolation(`repository ${name} is missing: ${missing.join(", ")}`, repo.urn);
        }
    },
};

export const githubPolicies = [repositoryIsProtected, repositoryIsComplete];
