import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import type { OrgConfig } from "../../config";
import { registrySecretNames } from "./dependabot";
import { labelTaxonomy } from "../../config/labels";
import { ManagedRepository } from "./managed-repository";
import { weeklyMilestones } from "./milestones";

export interface OrganizationArgs {
    /** The validated organisation config (Pulumi.org.yaml merged with the catalog). */
    readonly org: OrgConfig;
    /** Environment stacks of the project, for the `deploy/<env>` labels. */
    readonly environments: readonly string[];
    /** Values of the Dependabot secrets by name, as Pulumi secrets. */
    readonly dependabotSecrets: ReadonlyMap<string, pulumi.Input<string>>;
    /** The moment the weekly milestones are counted from. */
    readonly now: Date;
}

/** The GitHub organisation as code: every catalog repository, and secrets shared across them. */
export class Organization extends pulumi.ComponentResource {
    public readonly repositories: Record<string, ManagedRepository>;
    /** Repository name -> web URL. */
    public readonly repositoryUrls: pulumi.Output<Record<string, string>>;
    /** Repository name -> number of labels in its authoritative set. */
    public readonly labelCounts: Record<string, number>;

    constructor(name: string, args: OrganizationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("conveyor:github:Organization", name, {}, opts);
        const { org } = args;
        const labels = labelTaxonomy({ ...org.labels, environments: args.environments });

        this.repositories = {};
        for (const repo of org.repositories) {
            this.repositories[repo.name] = new ManagedRepository(
                repo.name,
                {
                    owner: org.owner,
                    repo,
                    registries: org.registries,
                    dependabotSecrets: args.dependabotSecrets,
                    labels,
                    milestones: weeklyMilestones(args.now, repo.settings.milestones.weeks),
                    opsRepo: org.opsRepo,
                    configFile: org.file,
                },
                { parent: this },
            );
        }

        // An organisation-scoped registry secret is one resource shared with exactly the repositories whose
        // ecosystems use the registry, instead of one secret per repository.
        const sharedWith = new Map<string, Set<string>>();
        for (const r of org.registries.filter((x) => x.secretScope === "organization")) {
            const users = org.repositories.filter((repo) => repo.ecosystems.some((e) => e.registries.includes(r.name)));
            for (const secretName of users.length > 0 ? registrySecretNames(r) : []) {
                const repos = sharedWith.get(secretName) ?? new Set<string>();
                users.forEach((u) => repos.add(u.name));
                sharedWith.set(secretName, repos);
            }
        }
        for (const [secretName, repos] of sharedWith) {
            const value = args.dependabotSecrets.get(secretName);
            if (value === undefined) throw new Error(`${name}: Dependabot secret ${secretName} has no value`);
            new github.DependabotOrganizationSecret(
                `${name}-dependabot-${secretName}`,
                {
                    secretName,
                    value: pulumi.secret(value),
                    visibility: "selected",
                    selectedRepositoryIds: [...repos].map((r) => this.repositories[r].repoId),
                },
                { parent: this },
            );
        }

        this.repositoryUrls = pulumi.output(Object.fromEntries(Object.entries(this.repositories).map(([n, r]) => [n, r.url])));
        this.labelCounts = Object.fromEntries(Object.entries(this.repositories).map(([n, r]) => [n, r.labelCount]));
        this.registerOutputs({ repositoryUrls: this.repositoryUrls, labelCounts: this.labelCounts });
    }
}
