// A managed repository's settings: the org-wide defaults with its override merged on top (maps key by key,
// lists replaced).
import * as assert from "node:assert/strict";
import { parseWorkspace } from "../../config";
import { refusedWith, withValue } from "../workspace-fixture";

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
