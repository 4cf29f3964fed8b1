// The single place that parses and validates conveyor's configuration: Pulumi.yaml (project config, the
// component catalog) and every Pulumi.<stack>.yaml. Nothing else reads config files. Every problem is
// reported as `<file>: <key path>: <reason>` and all problems of a workspace are reported at once.
import * as fs from "fs";
import * as path from "path";
import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { BUILD_NUMBER_EXPECTED, echo, isBuildNumber, kindOf, resolve, sizeProblem, versionAliases, YAML_OPTIONS, yamlErrors } from "./config-yaml";
import { labelTaxonomy } from "./github/labels";
import { InputError } from "./input-error";
import { MAIN_ENVIRONMENTS, stackRole, type EnvironmentRole } from "./stack-names";

export { MAIN_ENVIRONMENTS, stackFileName, stackRole, type EnvironmentRole } from "./stack-names";

export const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export const PROJECT_FILE = "Pulumi.yaml";

/** A config error: every line names the file, the key path and the reason. */
export class ConfigError extends InputError {
    constructor(readonly problems: readonly string[]) {
        super(problems.join("\n"));
        this.name = "ConfigError";
    }
}

/** Where a `secure:` value lives; the program resolves it through Pulumi's (decrypted) config. */
export interface SecretRef {
    readonly file: string;
    /** Full config key, e.g. `conveyor:dependabotSecrets`. */
    readonly key: string;
    /** Path inside the key's value, e.g. `["MAVEN_PASS"]`. */
    readonly path: readonly string[];
}

// ---------------------------------------------------------------------------------------------------
// Value schemas with messages a user can act on.

const withInput = (reason: string) => (iss: { input?: unknown }) => `${reason}, got ${echo(iss.input)}`;

// The one definition of a build number, shared with the stack-file reader (release/stackfile.ts).
const buildNumber = z.custom<number>(isBuildNumber, { error: withInput(BUILD_NUMBER_EXPECTED) });

const weekday = z.enum(WEEKDAYS, { error: withInput(`expected a weekday (${WEEKDAYS.join(", ")})`) });

const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const domain = z.string().regex(DOMAIN, { error: withInput("expected a lower-case DNS domain like app.example.com") });
const email = z.email({ error: withInput("expected an e-mail address") });
const name = (what: string) =>
    z.string().regex(/^[a-z][a-z0-9-]*[a-z0-9]$/, { error: withInput(`expected a ${what} in kebab-case`) });
const repoName = z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, { error: withInput("expected a GitHub repository name") });
const ghLogin = z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, {
    error: withInput("expected a GitHub login"),
});
const topic = z.string().regex(/^[a-z0-9][a-z0-9-]{0,49}$/, {
    error: withInput("expected a GitHub topic (lower-case letters, digits, hyphens; at most 50)"),
});
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: withInput("expected a date YYYY-MM-DD") }).refine(
    (d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
    { error: withInput("expected a real calendar date") },
);
const timezone = z.string().refine(
    (tz) => {
        try {
            new Intl.DateTimeFormat("en", { timeZone: tz });
            return true;
        } catch {
            return false;
        }
    },
    { error: withInput("expected an IANA time zone like Europe/Paris") },
);
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: withInput("expected a time HH:MM (24h)") });
const urlPath = z.string().regex(/^\/[\x21-\x7e]*$/, { error: withInput("expected a URL path starting with /") });
const httpsUrl = z.url({ protocol: /^https$/, error: withInput("expected an https:// URL") });
const SECURE_EXPECTED = "expected a secret ({secure: ...}, set with `pulumi config set --secret`)";
// Never `withInput`: what sits where a secret belongs is most likely the secret itself, in plain text.
const secure = z.strictObject({ secure: z.string().min(1) }, { error: (iss) => `${SECURE_EXPECTED}, got ${kindOf(iss.input)}` });
/** Config keys whose values are secrets: their problems never repeat what was written. */
const SECRET_KEYS = ["conveyor:dependabotSecrets", "conveyor:releaseControllerSecrets", "conveyor:circleciSecrets"];

// ---------------------------------------------------------------------------------------------------
// Pulumi.yaml: the component catalog.

export const ECOSYSTEMS = [
    "bundler", "cargo", "composer", "docker", "github-actions", "gomod", "gradle", "maven", "mix", "npm",
    "nuget", "pip", "pub", "swift", "terraform",
] as const;

const ecosystemEntry = z.strictObject({
    ecosystem: z.enum(ECOSYSTEMS, { error: withInput(`expected a Dependabot ecosystem (${ECOSYSTEMS.join(", ")})`) }),
    directory: urlPath.default("/"),
    registries: z.array(name("registry name")).default([]),
});

const component = z.strictObject({
    repo: repoName,
    description: z.string().min(1),
    image: name("image name").optional(),
    ecosystems: z.array(ecosystemEntry).min(1),
    port: z.number().int().min(1).max(65535).optional(),
    health: urlPath.optional(),
    /** The service reads the environment's database password (handed over as a task secret). */
    database: z.boolean().default(false),
});

const projectFile = z.looseObject({
    name: z.literal("conveyor", { error: withInput('expected the project name "conveyor"') }),
    runtime: z.union([z.literal("nodejs"), z.looseObject({ name: z.literal("nodejs") })], {
        error: withInput("expected the nodejs runtime"),
    }),
    config: z.looseObject({
        "conveyor:catalog": z.strictObject({
            type: z.literal("object").optional(),
            description: z.string().optional(),
            value: z.record(name("component name"), component).refine((c) => Object.keys(c).length > 0, {
                error: "the catalog is empty",
            }),
        }),
        // Where every environment pulls images from: <registry>/<image>:<build number>.
        "conveyor:imageRegistry": z
            .strictObject({
                type: z.literal("string").optional(),
                value: z.string().regex(/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*$/, { error: withInput("expected an image registry like 123456789012.dkr.ecr.eu-west-3.amazonaws.com/acme") }),
            })
            .optional(),
    }),
});

// ---------------------------------------------------------------------------------------------------
// Pulumi.org.yaml: the organisation.

const mergeSettings = z.strictObject({
    allowMergeCommit: z.boolean(),
    allowSquashMerge: z.boolean(),
    allowRebaseMerge: z.boolean(),
    allowAutoMerge: z.boolean(),
});

const branchRule = z.strictObject({
    requiredApprovals: z.number().int().min(1, { error: "a default branch needs at least one approving review" }).max(10),
    statusChecks: z.array(z.string().min(1)),
    dismissStaleReviews: z.boolean(),
    requireCodeOwnerReview: z.boolean().default(false),
});

const dependabotGroup = z
    .strictObject({
        patterns: z.array(z.string().min(1)).optional(),
        updateTypes: z.array(z.enum(["major", "minor", "patch"])).optional(),
    })
    .refine((g) => g.patterns !== undefined || g.updateTypes !== undefined, {
        error: "a group needs patterns or updateTypes",
    });

const dependabotSettings = z.strictObject({
    schedule: z.strictObject({
        interval: z.enum(["daily", "weekly", "monthly"]),
        day: weekday.default("sunday"),
        time: clock.default("04:00"),
        timezone: timezone.default("UTC"),
    }),
    openPullRequestsLimit: z.number().int().min(0).max(100),
    assignees: z.array(ghLogin),
    labels: z.array(z.string().min(1)),
    groups: z.record(name("group name"), dependabotGroup).default({}),
});

const DEFAULT_EXEMPT = ["priority/P1", "workflow/blocked", "workflow/in-progress"];
const staleSettings = z.strictObject({
    daysBeforeStale: z.number().int().min(1).default(90),
    daysBeforeClose: z.number().int().min(1),
    exemptLabels: z.array(z.string().min(1)).default(DEFAULT_EXEMPT),
    operationsPerRun: z.number().int().min(1).max(5000).default(100),
    cron: z.string().regex(/^(\S+\s+){4}\S+$/, { error: withInput("expected a 5-field cron expression") }).default("30 1 * * *"),
    staleIssueMessage: z.string().min(1).default(
        "This issue has had no activity for {days} days. It will be closed in {close} days unless someone comments or removes the stale label.",
    ),
    stalePrMessage: z.string().min(1).default(
        "This pull request has had no activity for {days} days. It will be closed in {close} days unless it is updated.",
    ),
    closeIssueMessage: z.string().min(1).default("Closed after {close} more days without activity. Reopen it if it still matters."),
    closePrMessage: z.string().min(1).default("Closed after {close} more days without activity. Reopen it to continue."),
});

const repositorySettings = z.strictObject({
    visibility: z.enum(["private", "internal", "public"]),
    topics: z.array(topic).max(20),
    defaultBranch: z.string().regex(/^[A-Za-z0-9._/-]+$/),
    merge: mergeSettings,
    deleteBranchOnMerge: z.boolean(),
    vulnerabilityAlerts: z.boolean(),
    branchRule,
    dependabot: dependabotSettings,
    stale: staleSettings,
    milestones: z.strictObject({ weeks: z.number().int().min(0).max(26).default(4) }).default({ weeks: 4 }),
});
export type RepositorySettings = z.infer<typeof repositorySettings>;

// Overrides: the same keys, each optional one level down; lists replace, maps merge.
const repositoryOverride = z.strictObject({
    description: z.string().min(1).optional(),
    visibility: repositorySettings.shape.visibility.optional(),
    topics: repositorySettings.shape.topics.optional(),
    defaultBranch: repositorySettings.shape.defaultBranch.optional(),
    merge: mergeSettings.partial().optional(),
    deleteBranchOnMerge: z.boolean().optional(),
    vulnerabilityAlerts: z.boolean().optional(),
    // Spelt out rather than .partial(): a partial of a field with a default would apply the default and
    // silently undo the org-wide setting.
    branchRule: z
        .strictObject({
            requiredApprovals: branchRule.shape.requiredApprovals.optional(),
            statusChecks: branchRule.shape.statusChecks.optional(),
            dismissStaleReviews: z.boolean().optional(),
            requireCodeOwnerReview: z.boolean().optional(),
        })
        .optional(),
    dependabot: z
        .strictObject({
            schedule: z
                .strictObject({
                    interval: z.enum(["daily", "weekly", "monthly"]).optional(),
                    day: weekday.optional(),
                    time: clock.optional(),
                    timezone: timezone.optional(),
                })
                .optional(),
            openPullRequestsLimit: dependabotSettings.shape.openPullRequestsLimit.optional(),
            assignees: dependabotSettings.shape.assignees.optional(),
            labels: dependabotSettings.shape.labels.optional(),
            groups: z.record(name("group name"), dependabotGroup).optional(),
        })
        .optional(),
    stale: z
        .strictObject({
            daysBeforeStale: z.number().int().min(1).optional(),
            daysBeforeClose: z.number().int().min(1).optional(),
            exemptLabels: z.array(z.string().min(1)).optional(),
            operationsPerRun: z.number().int().min(1).max(5000).optional(),
        })
        .optional(),
    milestones: z.strictObject({ weeks: z.number().int().min(0).max(26) }).optional(),
});

export const REGISTRY_TYPES = [
    "cargo-registry", "composer-repository", "docker-registry", "git", "goproxy-server", "helm-registry",
    "hex-organization", "maven-repository", "npm-registry", "nuget-feed", "python-index", "rubygems-server",
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
            .array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}\[bot\]$/, { error: withInput("expected a GitHub App bot login like renovate[bot]") }))
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
            deploy: z.record(envVarName, secretName).refine((v) => Object.keys(v).length > 0, { error: "a deploy context needs variables" }),
            /** Replaces deploy variables in production stacks (prod, <client>-prod): their own cloud credentials. */
            prodDeploy: z.record(envVarName, secretName).default({}),
            release: z.record(envVarName, secretName).refine((v) => Object.keys(v).length > 0, { error: "the release context needs variables" }),
            /** CircleCI project ids allowed to use the contexts (the ops repository's project); none = any. */
            projectRestrictions: z.array(z.uuid({ error: withInput("expected a CircleCI project id (a UUID)") })).default([]),
        })
        .optional(),
    "conveyor:circleciSecrets": z.record(secretName, secure).default({}),
});

// ---------------------------------------------------------------------------------------------------
// Pulumi.<env>.yaml: an environment.

const freezeWindow = z
    .strictObject({ from: isoDate, to: isoDate, reason: z.string().min(1) })
    .refine((f) => f.from <= f.to, { error: "a freeze window must not end before it starts" });

const cidr = z.string().regex(/^(\d{1,3}\.){3}\d{1,3}\/(1[6-9]|2[0-4])$/, { error: withInput("expected an IPv4 CIDR block from /16 to /24, like 10.20.0.0/16") });
const awsId = (prefix: string) => z.string().regex(new RegExp(`^${prefix}-[0-9a-f]{8,17}$`), { error: withInput(`expected an AWS id like ${prefix}-0123456789abcdef0`) });
const network = z
    .strictObject({
        /** A VPC the stack creates: public and private subnets in two zones. */
        cidr: cidr.optional(),
        /** Or an existing VPC and its subnets (two zones at least). */
        existing: z
            .strictObject({
                vpcId: awsId("vpc"),
                publicSubnetIds: z.array(awsId("subnet")).min(2),
                privateSubnetIds: z.array(awsId("subnet")).min(2),
            })
            .optional(),
    })
    .refine((n) => !(n.cidr && n.existing), { error: "give either cidr (a new VPC) or existing (a VPC of yours), not both" });
const sizing = z.strictObject({
    cpu: z.union([z.literal(256), z.literal(512), z.literal(1024), z.literal(2048), z.literal(4096)], { error: withInput("expected Fargate CPU units: 256, 512, 1024, 2048 or 4096") }).optional(),
    memory: z.number().int().min(512).max(30720).optional(),
    desiredCount: z.number().int().min(1).max(100).optional(),
    logRetentionDays: z.union([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653].map((d) => z.literal(d)) as unknown as [z.ZodLiteral<number>, z.ZodLiteral<number>], {
        error: withInput("expected a CloudWatch retention: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827 or 3653 days"),
    }).optional(),
});

const environmentConfig = z.looseObject({
    "aws:region": z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, { error: withInput("expected an AWS region like eu-west-3") }),
    "conveyor:environment": z.strictObject({
        tier: z.enum(["main", "client"]),
        domain,
        dns: z.strictObject({
            zoneId: z.string().regex(/^[0-9a-f]{32}$/, { error: withInput("expected a Cloudflare zone id (32 hex digits)") }),
            /** Records go through Cloudflare's proxy; the load balancer then only accepts Cloudflare's addresses. */
            proxied: z.boolean().default(true),
        }),
        network: network.default({}),
        sizing: sizing.default({}),
        release: z.strictObject({
            source: z.string().min(1),
            days: z.array(weekday).min(1),
            owners: z.array(email).min(1),
            freeze: z.array(freezeWindow).default([]),
            // What a deploy does to the issues of the release; unset: staging moves ready-for-staging to
            // test, prod closes ready issues, other environments only comment.
            onDeploy: z
                .strictObject({
                    relabel: z.strictObject({ from: z.string().min(1), to: z.string().min(1) }).optional(),
                    close: z.string().min(1).optional(),
                })
                .optional(),
        }),
    }),
    "conveyor:versions": z.record(z.string(), buildNumber),
});

// ---------------------------------------------------------------------------------------------------
// The parsed model.

export interface Component {
    readonly name: string;
    readonly repo: string;
    readonly description: string;
    readonly image: string;
    readonly ecosystems: readonly { ecosystem: string; directory: string; registries: readonly string[] }[];
    /** Services listen on a port and run in environments; other components are repositories only. */
    readonly port?: number;
    readonly health?: string;
    readonly database: boolean;
}

export type DependabotRegistry = z.infer<typeof registry> & { readonly name: string };

export interface ManagedRepositoryConfig {
    readonly name: string;
    readonly description: string;
    readonly ecosystems: Component["ecosystems"];
    readonly settings: RepositorySettings;
}

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
}
export type LabelDef = z.infer<typeof labelDef>;

type EnvironmentBlock = z.infer<typeof environmentConfig>["conveyor:environment"];

export interface EnvironmentConfig {
    readonly file: string;
    readonly stack: string;
    readonly role: EnvironmentRole;
    readonly region: string;
    readonly domain: string;
    readonly dns: EnvironmentBlock["dns"];
    readonly network: EnvironmentBlock["network"];
    /** Overrides of the stage's default sizing. */
    readonly sizing: EnvironmentBlock["sizing"];
    readonly release: z.infer<typeof environmentConfig>["conveyor:environment"]["release"];
    readonly versions: ReadonlyMap<string, number>;
}

export interface Workspace {
    readonly project: string;
    readonly catalog: readonly Component[];
    /** Image registry of every component: `<registry>/<image>:<build>`. */
    readonly imageRegistry?: string;
    readonly org?: OrgConfig;
    /** Environment stacks in train order: staging, demo, prod, then client stacks by name. */
    readonly environments: readonly EnvironmentConfig[];
}

// ---------------------------------------------------------------------------------------------------
// Parsing.

/** One problem collector per workspace; file-prefixed lines. */
class Problems {
    readonly lines: string[] = [];
    add(file: string, key: string, reason: string): void {
        this.lines.push(key ? `${file}: ${key}: ${reason}` : `${file}: ${reason}`);
    }
}

function keyPath(configKey: string | undefined, p: readonly PropertyKey[]): string {
    return [configKey, ...p.map(String)].filter((s) => s !== undefined && s !== "").join(".");
}

function zodReason(iss: z.core.$ZodIssue, secret: boolean): string {
    if (secret) {
        // The shape is named, the value is not: an unknown key by its name, anything else by what a secret is.
        if (iss.code === "unrecognized_keys") return `unknown key${iss.keys.length > 1 ? "s" : ""} ${iss.keys.map((k) => echo(k)).join(", ")}`;
        // The secure schema's own message names only the kind of value; anything deeper says nothing of it.
        return iss.message.startsWith(SECURE_EXPECTED) ? iss.message : `${SECURE_EXPECTED}; the value is not shown`;
    }
    switch (iss.code) {
        case "unrecognized_keys":
            return `unknown key${iss.keys.length > 1 ? "s" : ""} ${iss.keys.map((k) => echo(k)).join(", ")}`;
        case "invalid_type":
            if (iss.message.startsWith("Invalid input")) {
                return `expected ${iss.expected}${iss.input === undefined ? " (required)" : `, got ${echo(iss.input)}`}`;
            }
            return iss.message;
        case "invalid_value":
            return iss.message.startsWith("Invalid")
                ? `expected one of ${iss.values.map((v) => JSON.stringify(v)).join(", ")}, got ${echo(iss.input)}`
                : iss.message;
        default:
            return iss.message;
    }
}

function parseWith<T>(
    schema: z.ZodType<T>,
    value: unknown,
    file: string,
    problems: Problems,
    rootKey?: (p: readonly PropertyKey[]) => [string | undefined, readonly PropertyKey[]],
): T | undefined {
    const r = schema.safeParse(value, {
        error: (iss) => (iss.code === "invalid_type" ? { message: "Invalid input" } : undefined),
    });
    if (r.success) return r.data;
    for (const iss of r.error.issues) {
        const [k, rest] = rootKey ? rootKey(iss.path) : [undefined, iss.path];
        problems.add(file, keyPath(k, rest), zodReason(iss, k !== undefined && SECRET_KEYS.includes(k)));
    }
    return undefined;
}

/** Stack files keep their config under `config:`; the key is the first path element. */
const configRoot = (p: readonly PropertyKey[]): [string | undefined, readonly PropertyKey[]] =>
    p.length === 0 ? ["config", []] : [String(p[0]), p.slice(1)];

function readYaml(file: string, text: string, problems: Problems): unknown {
    const tooLarge = sizeProblem(text);
    if (tooLarge) {
        problems.add(file, "", tooLarge);
        return undefined;
    }
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { ...YAML_OPTIONS, lineCounter });
    if (doc.errors.length > 0) {
        for (const line of yamlErrors(doc, lineCounter)) problems.add(file, "", line);
        return undefined;
    }
    const aliases = versionAliases(doc);
    for (const a of aliases) problems.add(file, a.key, a.reason);
    const resolved = resolve(doc);
    if (!resolved.ok) problems.add(file, "", resolved.reason);
    return aliases.length > 0 || !resolved.ok ? undefined : resolved.value;
}

function collectSecrets(file: string, key: string, value: unknown, out: Map<string, SecretRef>): void {
    if (value && typeof value === "object" && !Array.isArray(value)) {
        for (const [name] of Object.entries(value)) out.set(name, { file, key, path: [name] });
    }
}

function mergeSettings_(defaults: RepositorySettings, o: z.infer<typeof repositoryOverride>): RepositorySettings {
    const pick = <T>(a: T | undefined, b: T): T => (a === undefined ? b : a);
    return {
        visibility: pick(o.visibility, defaults.visibility),
        topics: pick(o.topics, defaults.topics),
        defaultBranch: pick(o.defaultBranch, defaults.defaultBranch),
        merge: { ...defaults.merge, ...stripUndefined(o.merge) },
        deleteBranchOnMerge: pick(o.deleteBranchOnMerge, defaults.deleteBranchOnMerge),
        vulnerabilityAlerts: pick(o.vulnerabilityAlerts, defaults.vulnerabilityAlerts),
        branchRule: { ...defaults.branchRule, ...stripUndefined(o.branchRule) },
        dependabot: {
            ...defaults.dependabot,
            ...stripUndefined({ ...o.dependabot, schedule: undefined }),
            schedule: { ...defaults.dependabot.schedule, ...stripUndefined(o.dependabot?.schedule) },
        },
        stale: { ...defaults.stale, ...stripUndefined(o.stale) },
        milestones: o.milestones ?? defaults.milestones,
    };
}

function stripUndefined<T extends object>(o: T | undefined): Partial<T> {
    return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export interface SourceFile {
    /** File name relative to the project directory, e.g. `Pulumi.prod.yaml`. */
    readonly name: string;
    readonly text: string;
}

/**
 * Parses and cross-checks a whole workspace: Pulumi.yaml and every Pulumi.<stack>.yaml. Pure: callers
 * pass the file texts. Throws ConfigError listing every problem found.
 */
export function parseWorkspace(files: readonly SourceFile[]): Workspace {
    const problems = new Problems();
    const projectSource = files.find((f) => f.name === PROJECT_FILE);
    if (!projectSource) throw new ConfigError([`${PROJECT_FILE}: file not found`]);

    const projectRaw = readYaml(PROJECT_FILE, projectSource.text, problems);
    const project = projectRaw === undefined ? undefined : parseWith(projectFile, projectRaw, PROJECT_FILE, problems);
    const catalog: Component[] = [];
    if (project) {
        const repos = new Map<string, string>();
        for (const [cname, c] of Object.entries(project.config["conveyor:catalog"].value)) {
            const key = `conveyor:catalog.${cname}`;
            const owner = repos.get(c.repo.toLowerCase());
            if (owner) problems.add(PROJECT_FILE, `${key}.repo`, `repository "${c.repo}" is already used by component "${owner}"`);
            repos.set(c.repo.toLowerCase(), cname);
            if ((c.port === undefined) !== (c.health === undefined)) {
                problems.add(PROJECT_FILE, key, "a service needs both port and health; a repository-only component neither");
            }
            const seen = new Set<string>();
            c.ecosystems.forEach((e, i) => {
                const id = `${e.ecosystem} ${e.directory}`;
                if (seen.has(id)) problems.add(PROJECT_FILE, `${key}.ecosystems.${i}`, `duplicate update for ${e.ecosystem} in ${e.directory}`);
                seen.add(id);
            });
            catalog.push({ name: cname, ...c, image: c.image ?? cname });
        }
    }

    const stackFiles = files.filter((f) => f.name !== PROJECT_FILE).sort((a, b) => a.name.localeCompare(b.name));
    let org: OrgConfig | undefined;
    const environments: EnvironmentConfig[] = [];
    for (const f of stackFiles) {
        const m = /^Pulumi\.(.+)\.yaml$/.exec(f.name);
        const stack = m?.[1];
        const role = stack === undefined ? undefined : stackRole(stack);
        if (stack === undefined || role === undefined) {
            problems.add(
                f.name,
                "",
                "the stack name matches no role: expected org, staging, demo, prod, <client>-staging or <client>-prod (client in kebab-case)",
            );
            continue;
        }
        const raw = readYaml(f.name, f.text, problems);
        if (raw === undefined) continue;
        const doc = parseWith(z.looseObject({ config: z.record(z.string(), z.unknown()) }), raw, f.name, problems);
        if (!doc) continue;
        const config = doc.config;
        for (const key of Object.keys(config)) {
            if (!key.includes(":")) problems.add(f.name, key, 'expected a namespaced key like "conveyor:versions"');
        }
        if (role === "org") {
            org = parseOrg(f.name, config, catalog, problems);
        } else {
            const env = parseEnvironment(f.name, stack, role, config, catalog, problems);
            if (env) environments.push(env);
        }
    }
    const stackNames = stackFiles.map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f.name)?.[1]).filter((n): n is string => n !== undefined);
    checkReleaseSources(environments, stackNames, problems);
    if (org) checkLabelReferences(org, environments, problems);
    if (problems.lines.length > 0) throw new ConfigError(problems.lines);
    return { project: "conveyor", catalog, imageRegistry: project?.config["conveyor:imageRegistry"]?.value, org, environments: trainOrder(environments) };
}

function unknownConveyorKeys(file: string, config: Record<string, unknown>, allowed: readonly string[], problems: Problems): void {
    for (const key of Object.keys(config)) {
        if (key.startsWith("conveyor:") && !allowed.includes(key)) {
            problems.add(file, key, `unknown key (this stack accepts ${allowed.join(", ")})`);
        }
    }
}

function parseOrg(file: string, config: Record<string, unknown>, catalog: readonly Component[], problems: Problems): OrgConfig | undefined {
    unknownConveyorKeys(file, config, Object.keys(orgConfig.shape).filter((k) => k.startsWith("conveyor:")), problems);
    const c = parseWith(orgConfig, config, file, problems, configRoot);
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
            if (!circleciSecrets.has(secret)) problems.add(file, `conveyor:circleci.${block}.${variable}`, `secret "${secret}" has no value in conveyor:circleciSecrets`);
        }
    }
    const registries = Object.entries(c["conveyor:dependabotRegistries"]).map(([rname, r]) => ({ name: rname, ...r }));
    for (const r of registries) {
        for (const field of ["username", "password", "token", "key"] as const) {
            const s = r[field];
            if (s !== undefined && !secrets.has(s)) {
                problems.add(file, `conveyor:dependabotRegistries.${r.name}.${field}`, `secret "${s}" has no value in conveyor:dependabotSecrets`);
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
    const defaults = c["conveyor:repositoryDefaults"];
    const repositories = catalog.map((comp): ManagedRepositoryConfig => {
        const o = c["conveyor:repositories"][comp.repo] ?? {};
        return { name: comp.repo, description: o.description ?? comp.description, ecosystems: comp.ecosystems, settings: mergeSettings_(defaults, o) };
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
    };
}

function parseEnvironment(
    file: string,
    stack: string,
    role: EnvironmentRole,
    config: Record<string, unknown>,
    catalog: readonly Component[],
    problems: Problems,
): EnvironmentConfig | undefined {
    unknownConveyorKeys(file, config, Object.keys(environmentConfig.shape).filter((k) => k.startsWith("conveyor:")), problems);
    const c = parseWith(environmentConfig, config, file, problems, configRoot);
    if (!c) return undefined;
    const env = c["conveyor:environment"];
    if (env.tier !== role.tier) {
        problems.add(file, "conveyor:environment.tier", `stack "${stack}" is a ${role.tier} environment by its name, got "${env.tier}"`);
    }
    const byName = new Map(catalog.map((x) => [x.name, x]));
    for (const cname of Object.keys(c["conveyor:versions"])) {
        const comp = byName.get(cname);
        if (catalog.length === 0) break;
        if (!comp) {
            problems.add(file, `conveyor:versions.${cname}`, `component "${cname}" is not in the catalog (${PROJECT_FILE}); known: ${[...byName.keys()].join(", ")}`);
        } else if (comp.port === undefined) {
            problems.add(file, `conveyor:versions.${cname}`, `component "${cname}" is a repository, not a service (no port in the catalog)`);
        }
    }
    return {
        file,
        stack,
        role,
        region: c["aws:region"],
        domain: env.domain,
        dns: env.dns,
        network: env.network,
        sizing: env.sizing,
        release: env.release,
        versions: new Map(Object.entries(c["conveyor:versions"])),
    };
}

/** `stackNames`: every stack file present, parsed or not, so one broken file does not cascade. */
function checkReleaseSources(envs: readonly EnvironmentConfig[], stackNames: readonly string[], problems: Problems): void {
    const byStack = new Map(trainOrder(envs).map((e) => [e.stack, e]));
    for (const e of envs) {
        const src = e.release.source;
        if (src === "ci") continue;
        if (src === e.stack) problems.add(e.file, "conveyor:environment.release.source", "an environment cannot release from itself");
        else if (!byStack.has(src) && !stackNames.includes(src)) {
            problems.add(e.file, "conveyor:environment.release.source", `expected "ci" or an environment stack (${[...byStack.keys()].join(", ")}), got "${src}"`);
        }
    }
    for (const e of envs) {
        const seen = new Set<string>([e.stack]);
        for (let s = byStack.get(e.release.source); s && s.release.source !== "ci"; s = byStack.get(s.release.source)) {
            if (seen.has(s.stack)) {
                problems.add(e.file, "conveyor:environment.release.source", `release sources form a cycle: ${[...seen, s.stack].join(" -> ")}`);
                break;
            }
            seen.add(s.stack);
        }
    }
}

/** Labels that config hands to Dependabot or the stale bot must exist, or GitHub silently ignores them. */
function checkLabelReferences(org: OrgConfig, envs: readonly EnvironmentConfig[], problems: Problems): void {
    const taxonomy = labelTaxonomy({ ...org.labels, environments: envs.map((e) => e.stack) });
    const known = new Set(taxonomy.map((l) => l.name));
    for (const target of Object.keys(org.labels.renamedFrom)) {
        if (!known.has(target)) problems.add(org.file, `conveyor:labels.renamedFrom.${target}`, `label "${target}" is not in the label taxonomy`);
    }
    const claimedBy = new Map<string, string>();
    const lowerKnown = new Set([...known].map((n) => n.toLowerCase()));
    for (const l of taxonomy) {
        for (const old of l.renamedFrom) {
            const key = old.toLowerCase();
            const where = renameLocation(org, l.name, old);
            if (lowerKnown.has(key)) problems.add(org.file, where, `"${old}" is itself a label of the taxonomy; it cannot also be renamed to ${l.name}`);
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

/** staging, demo, prod, then client stacks by client name (staging before prod). */
export function trainOrder<T extends { stack: string; role: EnvironmentRole }>(envs: readonly T[]): T[] {
    const rank = (e: T): string =>
        e.role.tier === "main"
            ? `0${MAIN_ENVIRONMENTS.indexOf(e.stack as (typeof MAIN_ENVIRONMENTS)[number])}`
            : `1${e.role.client}\u0000${e.role.stage === "staging" ? 0 : 1}`;
    return [...envs].sort((a, b) => rank(a).localeCompare(rank(b)));
}

/** Reads Pulumi.yaml and every Pulumi.<stack>.yaml of a project directory and parses them. */
export function loadWorkspace(dir: string): Workspace {
    const names = fs.readdirSync(dir).filter((n) => n === PROJECT_FILE || /^Pulumi\..+\.ya?ml$/.test(n));
    const wrongExt = names.filter((n) => n.endsWith(".yml"));
    if (wrongExt.length > 0) {
        throw new ConfigError(wrongExt.map((n) => `${n}: stack files end in .yaml; rename it`));
    }
    return parseWorkspace(names.map((n) => ({ name: n, text: fs.readFileSync(path.join(dir, n), "utf8") })));
}
