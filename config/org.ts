// Pulumi.org.yaml: the organisation (GitHub owner and ops repository, repository settings, Dependabot
// registries, labels, the release controller, CircleCI contexts), checked against the catalog.
import { z } from "zod";
import { domain, email, ghLogin, httpsUrl, name, repoName, secure, timezone, withInput, type SecretRef } from "./fields";
import { parseStackConfig, type Problems } from "./problems";
import { parseFeedback, notificationsSchema, sentrySchema, type NotificationsConfig, type SentryConfig } from "./notifications";
import { PROJECT_FILE, type Component } from "./project";
import { mergeRepositorySettings, repositoryOverride, repositorySettings, type ManagedRepositoryConfig } from "./repository";

export const REGISTRY_TYPES = [
    "cargo-registry",
    "composer-repository",
    "docker-registry",
    "git",
    "goproxy-server",
    "helm-registry",
    "hex-organization",
    "maven-repository",
    "npm-registry",
    "nuget-feed",
    "python-index",
    "rubygems-server",
    "terraform-registry",
] as const;
const secretName = z.string().regex(/^[A-Z][A-Z0-9_]*$/, {
    error: withInput("expected the name of a Dependabot secret (UPPER_SNAKE_CASE)"),
});
const envVarName = z.string().regex(/^[A-Z][A-Z0-9_]*$/, { error: withInput("expected an environment variable name (UPPER_SNAKE_CASE)") });
const registry = z.strictObject({
    type: z.enum(REGISTRY_TYPES, { error: withInput(`expected a registry type (${REGISTRY_TYPES.join(", ")})`) }),
    url: httpsUrl,
    // Credential fields name Dependabot secrets; dependabot.yml refers to them as ${{secrets.NAME}}.
    username: secretName.optional(),
    password: secretName.optional(),
    token: secretName.optional(),
    key: secretName.optional(),
    replacesBase: z.boolean().default(false),
    // organization: one org-level secret shared with the repositories using the registry (one resource
    // for the whole org); repository: one secret per using repository.
    secretScope: z.enum(["organization", "repository"]).default("organization"),
});

const oldLabelNames = z.array(z.string().min(1).max(50)).default([]);
const labelDef = z.strictObject({
    name: name("label name"),
    description: z.string().min(1).max(100),
    /** Existing labels to rename to this one in place, so issues keep them. */
    renamedFrom: oldLabelNames,
});

const orgConfig = z.looseObject({
    "conveyor:github": z.strictObject({ owner: ghLogin, opsRepo: repoName }),
    "conveyor:repositoryDefaults": repositorySettings,
    "conveyor:repositories": z.record(repoName, repositoryOverride).default({}),
    "conveyor:dependabotRegistries": z.record(name("registry name"), registry).default({}),
    "conveyor:dependabotSecrets": z.record(secretName, secure).default({}),
    "conveyor:labels": z
        .strictObject({
            topics: z.array(labelDef).default([]),
            customers: z.array(labelDef).default([]),
            // Renames onto the fixed taxonomy, e.g. `type/change-feature: [improvement]`.
            renamedFrom: z.record(z.string(), oldLabelNames).default({}),
        })
        .default({ topics: [], customers: [], renamedFrom: {} }),
    "conveyor:releaseController": z.strictObject({
        timezone,
        hour: z.number().int().min(0).max(23),
        redirectorDomain: domain,
        redirectorZoneId: z.string().regex(/^[0-9a-f]{32}$/, { error: withInput("expected a Cloudflare zone id (32 hex digits)") }),
        owners: z.array(email).min(1),
        // GitHub App bots whose slash commands run; every other bot is refused (a bot cannot be asked who it is).
        commandBots: z
            .array(
                z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}\[bot\]$/, {
                    error: withInput("expected a GitHub App bot login like renovate[bot]"),
                }),
            )
            .default([]),
    }),
    // The release controller's own credentials, kept in Secrets Manager by the org stack.
    "conveyor:releaseControllerSecrets": z.strictObject({
        GITHUB_TOKEN: secure,
        CIRCLECI_TOKEN: secure,
        GITHUB_WEBHOOK_SECRET: secure,
        CIRCLECI_WEBHOOK_SECRET: secure,
    }),
    // The CircleCI contexts CI runs with: `deploy-<env>` for every environment stack and `release`.
    // Variables map an environment variable name to a secret of conveyor:circleciSecrets.
    "conveyor:circleci": z
        .strictObject({
            organizationId: z.uuid({ error: withInput("expected the CircleCI organisation id (a UUID)") }),
            deploy: z
                .record(envVarName, secretName)
                .refine((v) => Object.keys(v).length > 0, { error: "a deploy context needs variables" }),
            /** Replaces deploy variables in production stacks (prod, <client>-prod): their own cloud credentials. */
            prodDeploy: z.record(envVarName, secretName).default({}),
            release: z
                .record(envVarName, secretName)
                .refine((v) => Object.keys(v).length > 0, { error: "the release context needs variables" }),
            /** CircleCI project ids allowed to use the contexts (the ops repository's project); none = any. */
            projectRestrictions: z.array(z.uuid({ error: withInput("expected a CircleCI project id (a UUID)") })).default([]),
        })
        .optional(),
    "conveyor:circleciSecrets": z.record(secretName, secure).default({}),
    // Optional feedback loops (config/notifications.ts): Slack announcements and Sentry releases.
    "conveyor:notifications": notificationsSchema,
    "conveyor:sentry": sentrySchema,
});

export type DependabotRegistry = z.infer<typeof registry> & { readonly name: string };

export interface OrgConfig {
    readonly file: string;
    readonly owner: string;
    readonly opsRepo: string;
    readonly repositories: readonly ManagedRepositoryConfig[];
    readonly registries: readonly DependabotRegistry[];
    readonly dependabotSecrets: ReadonlyMap<string, SecretRef>;
    readonly labels: {
        readonly topics: readonly LabelDef[];
        readonly customers: readonly LabelDef[];
        readonly renamedFrom: Readonly<Record<string, readonly string[]>>;
    };
    readonly releaseController: z.infer<typeof orgConfig>["conveyor:releaseController"];
    readonly circleci?: z.infer<typeof orgConfig>["conveyor:circleci"];
    readonly circleciSecrets: ReadonlyMap<string, SecretRef>;
    readonly releaseControllerSecrets: ReadonlyMap<string, SecretRef>;
    /** Slack release announcements, when configured. */
    readonly notifications?: NotificationsConfig;
    /** Sentry releases and deploys, when configured. */
    readonly sentry?: SentryConfig;
}
export type LabelDef = z.infer<typeof labelDef>;

function collectSecrets(file: string, key: string, value: Readonly<Record<string, unknown>>, out: Map<string, SecretRef>): void {
    for (const name of Object.keys(value)) out.set(name, { file, key, path: [name] });
}

export function parseOrg(
    file: string,
    config: Record<string, unknown>,
    catalog: readonly Component[],
    problems: Problems,
): OrgConfig | undefined {
    const c = parseStackConfig(orgConfig, file, config, problems);
    if (!c) return undefined;
    const byRepo = new Map(catalog.map((x) => [x.repo, x]));
    const gh = c["conveyor:github"];
    if (catalog.length > 0 && !byRepo.has(gh.opsRepo)) {
        problems.add(file, "conveyor:github.opsRepo", `repository "${gh.opsRepo}" is not in the catalog (${PROJECT_FILE})`);
    }
    for (const repo of Object.keys(c["conveyor:repositories"])) {
        if (catalog.length > 0 && !byRepo.has(repo)) {
            problems.add(file, `conveyor:repositories.${repo}`, `repository "${repo}" is not in the catalog (${PROJECT_FILE})`);
        }
    }
    const secrets = new Map<string, SecretRef>();
    collectSecrets(file, "conveyor:dependabotSecrets", c["conveyor:dependabotSecrets"], secrets);
    const releaseControllerSecrets = new Map<string, SecretRef>();
    collectSecrets(file, "conveyor:releaseControllerSecrets", c["conveyor:releaseControllerSecrets"], releaseControllerSecrets);
    const circleciSecrets = new Map<string, SecretRef>();
    collectSecrets(file, "conveyor:circleciSecrets", c["conveyor:circleciSecrets"], circleciSecrets);
    const ci = c["conveyor:circleci"];
    for (const block of ["deploy", "prodDeploy", "release"] as const) {
        for (const [variable, secret] of Object.entries(ci?.[block] ?? {})) {
            if (!circleciSecrets.has(secret))
                problems.add(file, `conveyor:circleci.${block}.${variable}`, `secret "${secret}" has no value in conveyor:circleciSecrets`);
        }
    }
    const registries = Object.entries(c["conveyor:dependabotRegistries"]).map(([rname, r]) => ({ name: rname, ...r }));
    for (const r of registries) {
        for (const field of ["username", "password", "token", "key"] as const) {
            const s = r[field];
            if (s !== undefined && !secrets.has(s)) {
                problems.add(
                    file,
                    `conveyor:dependabotRegistries.${r.name}.${field}`,
                    `secret "${s}" has no value in conveyor:dependabotSecrets`,
                );
            }
        }
    }
    for (const comp of catalog) {
        comp.ecosystems.forEach((e, i) => {
            for (const r of e.registries) {
                if (!registries.some((x) => x.name === r)) {
                    problems.add(
                        PROJECT_FILE,
                        `conveyor:catalog.${comp.name}.ecosystems.${i}.registries`,
                        `registry "${r}" is not declared in ${file} conveyor:dependabotRegistries`,
                    );
                }
            }
        });
    }
    const labelNames = new Set<string>();
    for (const kind of ["topics", "customers"] as const) {
        c["conveyor:labels"][kind].forEach((l, i) => {
            if (labelNames.has(`${kind}/${l.name}`)) problems.add(file, `conveyor:labels.${kind}.${i}.name`, `duplicate label "${l.name}"`);
            labelNames.add(`${kind}/${l.name}`);
        });
    }
    const feedback = parseFeedback(file, c["conveyor:notifications"], c["conveyor:sentry"], catalog, problems);
    const defaults = c["conveyor:repositoryDefaults"];
    const repositories = catalog.map((comp): ManagedRepositoryConfig => {
        const o = c["conveyor:repositories"][comp.repo] ?? {};
        return {
            name: comp.repo,
            description: o.description ?? comp.description,
            ecosystems: comp.ecosystems,
            settings: mergeRepositorySettings(defaults, o),
        };
    });
    return {
        file,
        owner: gh.owner,
        opsRepo: gh.opsRepo,
        repositories,
        registries,
        dependabotSecrets: secrets,
        labels: c["conveyor:labels"],
        releaseController: c["conveyor:releaseController"],
        circleci: c["conveyor:circleci"],
        circleciSecrets,
        releaseControllerSecrets,
        ...feedback,
    };
}
