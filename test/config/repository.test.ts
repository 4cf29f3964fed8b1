// A managed repository's settings: the org-wide defaults with its override merged on top (maps key by key,
// lists replaced).
import * as assert from "node:assert/strict";
import { parseWorkspace } from "../../config";
import { configProblems, refusedWith, withValue } from "../workspace-fixture";

const settingsOf = (override: unknown, repo = "ops") => {
    const ws = parseWorkspace(withValue("Pulumi.org.yaml", ["config", "conveyor:repositories", "ops"], override));
    return ws.org!.repositories.find((r) => r.name === repo)!.settings;
};

describe("config: repository settings, defaults and overrides", () => {
    it("takes every top-level setting an override gives, and the defaults for the rest", () => {
        const s = settingsOf({
            visibility: "public",
            topics: ["conveyor"],
            defaultBranch: "trunk",
            deleteBranchOnMerge: false,
            vulnerabilityAlerts: false,
        });
        assert.deepEqual(
            [s.visibility, s.topics, s.defaultBranch, s.deleteBranchOnMerge, s.vulnerabilityAlerts],
            ["public", ["conveyor"], "trunk", false, false],
        );
        const d = settingsOf({ description: "Ops" });
        assert.deepEqual(
            [d.visibility, d.topics, d.defaultBranch, d.deleteBranchOnMerge, d.vulnerabilityAlerts],
            ["private", ["acme", "saas"], "main", true, true],
        );
    });

    it("merges the merge buttons, branch rule and stale bot key by key", () => {
        const s = settingsOf({
            merge: { allowRebaseMerge: true },
            branchRule: { requireCodeOwnerReview: true },
            stale: { exemptLabels: ["priority/P2"], operationsPerRun: 30 },
        });
        assert.deepEqual(s.merge, { allowMergeCommit: false, allowSquashMerge: true, allowRebaseMerge: true, allowAutoMerge: true });
        assert.deepEqual(s.branchRule, {
            requiredApprovals: 1,
            statusChecks: ["ci/circleci: build"],
            dismissStaleReviews: true,
            requireCodeOwnerReview: true,
        });
        assert.deepEqual(s.stale.exemptLabels, ["priority/P2"]);
        assert.equal(s.stale.operationsPerRun, 30);
        assert.equal(s.stale.daysBeforeClose, 14, "from the defaults");
    });

    it("refuses a Dependabot group with neither patterns nor update types", () => {
        refusedWith(
            withValue("Pulumi.org.yaml", ["config", "conveyor:repositories", "ops", "dependabot"], { groups: { all: {} } }),
            "Pulumi.org.yaml: conveyor:repositories.ops.dependabot.groups.all: a group needs patterns or updateTypes",
        );
    });

    it("merges Dependabot's schedule key by key and replaces its lists", () => {
        const s = settingsOf({ dependabot: { schedule: { interval: "daily" }, labels: ["type/devops"], openPullRequestsLimit: 2 } });
        assert.deepEqual(s.dependabot.schedule, { interval: "daily", day: "sunday", time: "04:00", timezone: "Europe/Paris" });
        assert.deepEqual(s.dependabot.labels, ["type/devops"]);
        assert.equal(s.dependabot.openPullRequestsLimit, 2);
        assert.deepEqual(s.dependabot.assignees, ["acme-platform-lead"], "from the defaults");
        assert.deepEqual(Object.keys(s.dependabot.groups), ["minor-and-patch"], "from the defaults");
        const timed = settingsOf({ dependabot: { schedule: { time: "06:30" } } });
        assert.deepEqual(timed.dependabot.schedule, { interval: "weekly", day: "sunday", time: "06:30", timezone: "Europe/Paris" });
    });
});

describe("config: repository settings at their edges", () => {
    const DEFAULTS = ["config", "conveyor:repositoryDefaults"];
    const withDefault = (key: readonly string[], value: unknown) => withValue("Pulumi.org.yaml", [...DEFAULTS, ...key], value);
    const opsOf = (files: ReturnType<typeof withValue>) => parseWorkspace(files).org!.repositories.find((r) => r.name === "ops")!.settings;
    const problemsWith = (key: readonly string[], value: unknown) => configProblems(withDefault(key, value));
    const at = (key: string, message: string) => `Pulumi.org.yaml: conveyor:repositoryDefaults.${key}: ${message}`;

    it("the stale bot's defaults: 90 days, 100 operations, 01:30 UTC daily, the exempt labels and the messages", () => {
        const files = withDefault(["stale"], { daysBeforeClose: 14 });
        const stale = parseWorkspace(files).org!.repositories.find((r) => r.name === "web-frontend")!.settings.stale;
        assert.deepEqual(stale, {
            daysBeforeStale: 90,
            daysBeforeClose: 14,
            exemptLabels: ["priority/P1", "workflow/blocked", "workflow/in-progress"],
            operationsPerRun: 100,
            cron: "30 1 * * *",
            staleIssueMessage:
                "This issue has had no activity for {days} days. It will be closed in {close} days unless someone comments or removes the stale label.",
            stalePrMessage:
                "This pull request has had no activity for {days} days. It will be closed in {close} days unless it is updated.",
            closeIssueMessage: "Closed after {close} more days without activity. Reopen it if it still matters.",
            closePrMessage: "Closed after {close} more days without activity. Reopen it to continue.",
        });
    });

    it("the stale bot's own texts, schedule and budget, up to 5000 operations a run", () => {
        const own = {
            daysBeforeClose: 14,
            operationsPerRun: 5000,
            cron: "*/15 2 * * 1-5",
            staleIssueMessage: "Stale issue.",
            stalePrMessage: "Stale PR.",
            closeIssueMessage: "Closed issue.",
            closePrMessage: "Closed PR.",
        };
        assert.deepEqual(
            { ...opsOf(withDefault(["stale"], own)).stale, daysBeforeClose: 14, daysBeforeStale: 90 },
            {
                ...own,
                daysBeforeStale: 90,
                exemptLabels: ["priority/P1", "workflow/blocked", "workflow/in-progress"],
            },
        );
        assert.equal(
            opsOf(withValue("Pulumi.org.yaml", ["config", "conveyor:repositories", "ops", "stale"], { daysBeforeStale: 60 })).stale
                .daysBeforeStale,
            60,
        );
        assert.deepEqual(problemsWith(["stale", "operationsPerRun"], 5001), [
            at("stale.operationsPerRun", "Too big: expected number to be <=5000"),
        ]);
        for (const cron of ["30 1 * *", "30 1 * * * *", "30 1 * * *x y", ""]) {
            assert.deepEqual(problemsWith(["stale", "cron"], cron), [
                at("stale.cron", `expected a 5-field cron expression, got ${JSON.stringify(cron)}`),
            ]);
        }
        for (const cron of ["30  1 * * *", "0 0 1 1 0"]) assert.equal(opsOf(withDefault(["stale", "cron"], cron)).stale.cron, cron);
    });

    it("Dependabot runs on sunday at 04:00 UTC unless told otherwise; groups are named in kebab-case", () => {
        const schedule = opsOf(withDefault(["dependabot", "schedule"], { interval: "weekly" })).dependabot.schedule;
        assert.deepEqual(schedule, { interval: "weekly", day: "sunday", time: "04:00", timezone: "UTC" });
        const groups = opsOf(withDefault(["dependabot", "groups"], { majors: { updateTypes: ["major"] } })).dependabot.groups;
        assert.deepEqual(groups, { majors: { updateTypes: ["major"] } });
        assert.deepEqual(problemsWith(["dependabot", "groups"], { Minor_Patch: { updateTypes: ["minor"] } }), [
            at("dependabot.groups.Minor_Patch", 'expected a group name in kebab-case, got "Minor_Patch"'),
        ]);
        assert.deepEqual(
            configProblems(
                withValue("Pulumi.org.yaml", ["config", "conveyor:repositories", "ops", "dependabot", "groups"], {
                    Minor_Patch: { updateTypes: ["minor"] },
                }),
            ),
            [
                'Pulumi.org.yaml: conveyor:repositories.ops.dependabot.groups.Minor_Patch: expected a group name in kebab-case, got "Minor_Patch"',
            ],
        );
    });

    it("a branch rule needs a review, asks no code owner unless told; a repository may be internal; a branch name is whole", () => {
        assert.equal(opsOf(withDefault(["branchRule", "requireCodeOwnerReview"], undefined)).branchRule.requireCodeOwnerReview, false);
        assert.deepEqual(problemsWith(["branchRule", "requiredApprovals"], 0), [
            at("branchRule.requiredApprovals", "a default branch needs at least one approving review"),
        ]);
        assert.equal(opsOf(withDefault(["visibility"], "internal")).visibility, "internal");
        assert.equal(opsOf(withDefault(["defaultBranch"], "release/2026.12")).defaultBranch, "release/2026.12");
        for (const branch of ["main branch", "main!", "ma:in"]) {
            assert.deepEqual(problemsWith(["defaultBranch"], branch), [
                at("defaultBranch", `expected a branch name (letters, digits, . _ / -), got ${JSON.stringify(branch)}`),
            ]);
        }
    });
});
