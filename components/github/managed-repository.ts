import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import type { DependabotRegistry, ManagedRepositoryConfig } from "../../config";
import { DEPENDABOT_PATH, registriesUsed, registrySecretNames, renderDependabot } from "./dependabot";
import { LabelRenames, renamesOf } from "./label-renames";
import type { Label } from "../../config/labels";
import type { Milestone } from "./milestones";
import { renderStaleWorkflow, STALE_PATH } from "./stale";
import { WeeklyMilestones } from "./weekly-milestones";

export interface ManagedRepositoryArgs {
    /** The organisation (or user) that owns the repository. */
    readonly owner: string;
    /** The repository's name, description, ecosystems and merged settings (defaults + overrides). */
    readonly repo: ManagedRepositoryConfig;
    /** Every private registry of the organisation; the repository uses those its ecosystems name. */
    readonly registries: readonly DependabotRegistry[];
    /** Values of Dependabot secrets by name; only those of `secretScope: repository` registries are used here. */
    readonly dependabotSecrets: ReadonlyMap<string, pulumi.Input<string>>;
    /** The authoritative label set of the repository. */
    readonly labels: readonly Label[];
    /** Weekly milestones to have; past ones drop out of the list and are kept on GitHub. */
    readonly milestones: readonly Milestone[];
    /** Where the generated files say their source lives. */
    readonly opsRepo: string;
    readonly configFile: string;
}

/**
 * One repository of the organisation with everything conveyor manages in it: settings, default-branch
 * ruleset, dependabot.yml, stale workflow, labels (renamed in place first), security updates and weekly
 * milestones. The repository
 * is protected and retained: no config slip can delete it (destroying it only archives it).
 */
export class ManagedRepository extends pulumi.ComponentResource {
    public readonly repository: github.Repository;
    public readonly url: pulumi.Output<string>;
    /** GitHub's numeric repository id (organisation secrets are shared by id). */
    public readonly repoId: pulumi.Output<number>;
    /** Paths of the files conveyor commits to the repository. */
    public readonly files: string[];
    public readonly labelCount: number;

    constructor(name: string, args: ManagedRepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("conveyor:github:ManagedRepository", name, {}, opts);
        const { repo } = args;
        const s = repo.settings;

        this.repository = new github.Repository(
            name,
            {
                name: repo.name,
                description: repo.description,
                visibility: s.visibility,
                topics: [...s.topics].sort(),
                hasIssues: true,
                hasProjects: false,
                hasWiki: false,
                allowMergeCommit: s.merge.allowMergeCommit,
                allowSquashMerge: s.merge.allowSquashMerge,
                allowRebaseMerge: s.merge.allowRebaseMerge,
                allowAutoMerge: s.merge.allowAutoMerge,
                squashMergeCommitTitle: "PR_TITLE",
                squashMergeCommitMessage: "PR_BODY",
                deleteBranchOnMerge: s.deleteBranchOnMerge,
                // The field, not github.RepositoryVulnerabilityAlerts: one resource less to refresh per repository.
                vulnerabilityAlerts: s.vulnerabilityAlerts,
                archiveOnDestroy: true,
                autoInit: true,
            },
            { parent: this, protect: true, retainOnDelete: true },
        );
        const repository = this.repository.name;

        new github.RepositoryRuleset(
            `${name}-default-branch`,
            {
                repository,
                name: "default branch",
                target: "branch",
                enforcement: "active",
                conditions: { refName: { includes: ["~DEFAULT_BRANCH"], excludes: [] } },
                rules: {
                    deletion: true,
                    nonFastForward: true,
                    pullRequest: {
                        requiredApprovingReviewCount: s.branchRule.requiredApprovals,
                        dismissStaleReviewsOnPush: s.branchRule.dismissStaleReviews,
                        requireCodeOwnerReview: s.branchRule.requireCodeOwnerReview,
                    },
                    ...(s.branchRule.statusChecks.length > 0
                        ? {
                              requiredStatusChecks: {
                                  requiredChecks: s.branchRule.statusChecks.map((context) => ({ context })),
                                  strictRequiredStatusChecksPolicy: false,
                              },
                          }
                        : {}),
                },
            },
            { parent: this },
        );

        const files: [string, string][] = [
            [DEPENDABOT_PATH, renderDependabot({ repo, registries: args.registries, opsRepo: args.opsRepo, configFile: args.configFile })],
            [STALE_PATH, renderStaleWorkflow({ repoName: repo.name, stale: s.stale, opsRepo: args.opsRepo, configFile: args.configFile })],
        ];
        for (const [file, content] of files) {
            new github.RepositoryFile(
                `${name}-${file
                    .split("/")
                    .pop()!
                    .replace(/\.ya?ml$/, "")}`,
                {
                    repository,
                    branch: s.defaultBranch,
                    file,
                    content,
                    commitMessage: `chore: update ${file} (managed by conveyor)`,
                    commitAuthor: "conveyor",
                    commitEmail: "conveyor@users.noreply.github.com",
                    overwriteOnCreate: true,
                },
                { parent: this },
            );
        }
        this.files = files.map(([file]) => file);

        const renames = renamesOf(args.labels);
        const renamed =
            renames.length > 0
                ? new LabelRenames(`${name}-label-renames`, { owner: args.owner, repository, renames }, { parent: this })
                : undefined;
        new github.IssueLabels(
            `${name}-labels`,
            { repository, labels: args.labels.map((l) => ({ name: l.name, color: l.color, description: l.description })) },
            // After the renames: the label set would otherwise delete the old labels and strip them from issues.
            { parent: this, dependsOn: renamed ? [renamed] : [] },
        );
        this.labelCount = args.labels.length;

        new github.RepositoryDependabotSecurityUpdates(`${name}-security-updates`, { repository, enabled: true }, { parent: this });

        for (const r of registriesUsed(repo, args.registries).filter((x) => x.secretScope === "repository")) {
            for (const secretName of registrySecretNames(r)) {
                const value = args.dependabotSecrets.get(secretName);
                if (value === undefined) throw new Error(`${name}: Dependabot secret ${secretName} has no value`);
                new github.DependabotSecret(
                    `${name}-dependabot-${secretName}`,
                    { repository, secretName, value: pulumi.secret(value) },
                    { parent: this },
                );
            }
        }

        if (args.milestones.length > 0) {
            new WeeklyMilestones(`${name}-milestones`, { owner: args.owner, repository, milestones: args.milestones }, { parent: this });
        }

        this.url = this.repository.htmlUrl;
        this.repoId = this.repository.repoId;
        this.registerOutputs({ url: this.url, repoId: this.repoId, files: this.files, labelCount: this.labelCount });
    }
}
