// The settings of a managed repository: org-wide defaults (`conveyor:repositoryDefaults`) and the
// per-repository overrides (`conveyor:repositories.<repo>`) merged onto them (maps key by key, lists replace).
import { z } from "zod";
import { clock, ghLogin, name, timezone, topic, weekday, withInput } from "./fields";
import type { Component } from "./project";

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
    cron: z
        .string()
        .regex(/^(\S+\s+){4}\S+$/, { error: withInput("expected a 5-field cron expression") })
        .default("30 1 * * *"),
    staleIssueMessage: z
        .string()
        .min(1)
        .default(
            "This issue has had no activity for {days} days. It will be closed in {close} days unless someone comments or removes the stale label.",
        ),
    stalePrMessage: z
        .string()
        .min(1)
        .default("This pull request has had no activity for {days} days. It will be closed in {close} days unless it is updated."),
    closeIssueMessage: z.string().min(1).default("Closed after {close} more days without activity. Reopen it if it still matters."),
    closePrMessage: z.string().min(1).default("Closed after {close} more days without activity. Reopen it to continue."),
});

export const repositorySettings = z.strictObject({
    visibility: z.enum(["private", "internal", "public"]),
    topics: z.array(topic).max(20),
    defaultBranch: z.string().regex(/^[A-Za-z0-9._/-]+$/, { error: withInput("expected a branch name (letters, digits, . _ / -)") }),
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
export const repositoryOverride = z.strictObject({
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

export interface ManagedRepositoryConfig {
    readonly name: string;
    readonly description: string;
    readonly ecosystems: Component["ecosystems"];
    readonly settings: RepositorySettings;
}

export function mergeRepositorySettings(defaults: RepositorySettings, o: z.infer<typeof repositoryOverride>): RepositorySettings {
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
