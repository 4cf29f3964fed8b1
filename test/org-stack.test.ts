// The org stack on Pulumi mocks: what `pulumi up` would create for the example organisation.
import * as assert from "node:assert/strict";
import { parseWorkspace } from "../config";
import { synthesize, type SynthResource, type SynthResult } from "../cli/synth";
import { plannedContexts } from "../components/circleci/contexts";
import { fixtureFiles, WORKSPACE, withFile } from "./workspace-fixture";

const NOW = new Date("2026-11-29T10:00:00Z"); // a Sunday: ISO week 2026-W48
const SECRET_VALUES = {
    "conveyor:circleciSecrets.PROD_AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYPRODKEY",
    "conveyor:circleciSecrets.RELEASE_GITHUB_TOKEN": "ghp_releaseTokenValue0123456789",
    "conveyor:dependabotSecrets.MAVEN_USER": "maven-robot-7f3a",
    "conveyor:dependabotSecrets.MAVEN_PASS": "Sup3r-S3cret-Maven-Pa55",
    "conveyor:dependabotSecrets.NPM_GITHUB_TOKEN": "ghp_npmTokenValue0123456789abcdef",
};
const T = {
    repository: "github:index/repository:Repository",
    ruleset: "github:index/repositoryRuleset:RepositoryRuleset",
    file: "github:index/repositoryFile:RepositoryFile",
    labels: "github:index/issueLabels:IssueLabels",
    securityUpdates: "github:index/repositoryDependabotSecurityUpdates:RepositoryDependabotSecurityUpdates",
    milestones: "pulumi-nodejs:dynamic/github:WeeklyMilestones",
    renames: "pulumi-nodejs:dynamic/github:LabelRenames",
    repoSecret: "github:index/dependabotSecret:DependabotSecret",
    orgSecret: "github:index/dependabotOrganizationSecret:DependabotOrganizationSecret",
};

describe("org stack", function () {
    let result: SynthResult;
    const ws = parseWorkspace(fixtureFiles());
    const repos = ws.org!.repositories.map((r) => r.name);
    const ofType = (type: string) => result.resources.filter((r) => r.type === type);
    const inRepo = (type: string, repo: string) => ofType(type).filter((r) => r.parent === `conveyor:github:ManagedRepository::${repo}`);

    before(async () => {
        result = await synthesize({ dir: WORKSPACE, stack: "org", now: NOW, secretValues: SECRET_VALUES });
    });

    it("manages every catalog repository, protected, retained and archived on destroy", () => {
        const created = ofType(T.repository);
        assert.deepEqual(created.map((r) => r.inputs.name).sort(), [...repos].sort());
        for (const r of created) {
            assert.equal(r.protect, true, `${r.name} protect`);
            assert.equal(r.retainOnDelete, true, `${r.name} retainOnDelete`);
            assert.equal(r.inputs.archiveOnDestroy, true, `${r.name} archiveOnDestroy`);
        }
    });

    it("applies the repository settings from defaults and overrides", () => {
        const market = ofType(T.repository).find((r) => r.name === "marketplace-backend")!.inputs;
        assert.equal(market.visibility, "private");
        assert.deepEqual(market.topics, ["acme", "java", "marketplace", "saas"]);
        assert.equal(market.allowSquashMerge, true);
        assert.equal(market.allowMergeCommit, false);
        assert.equal(market.deleteBranchOnMerge, true);
        assert.equal(market.vulnerabilityAlerts, true);
        assert.equal(market.description, "Marketplace backend (Java 21, Spring Boot, Maven)");
    });

    it("guards each default branch: reviews, status checks, no force-push, no deletion", () => {
        for (const repo of repos) {
            const [rule] = inRepo(T.ruleset, repo);
            assert.ok(rule, `${repo} has a ruleset`);
            const i = rule.inputs as { conditions: { refName: { includes: string[] } }; enforcement: string; rules: Record<string, any> };
            assert.deepEqual(i.conditions.refName.includes, ["~DEFAULT_BRANCH"]);
            assert.equal(i.enforcement, "active");
            assert.equal(i.rules.deletion, true);
            assert.equal(i.rules.nonFastForward, true);
            assert.ok(i.rules.pullRequest.requiredApprovingReviewCount >= 1);
        }
        const market = inRepo(T.ruleset, "marketplace-backend")[0].inputs.rules as Record<string, any>;
        assert.equal(market.pullRequest.requiredApprovingReviewCount, 2);
        assert.deepEqual(
            market.requiredStatusChecks.requiredChecks.map((c: { context: string }) => c.context),
            ["ci/circleci: build", "ci/circleci: integration-tests"],
        );
    });

    it("commits dependabot.yml and the stale workflow to each default branch, and writes them out", () => {
        for (const repo of repos) {
            const files = inRepo(T.file, repo);
            assert.deepEqual(files.map((f) => f.inputs.file).sort(), [".github/dependabot.yml", ".github/workflows/stale.yml"]);
            for (const f of files) {
                assert.equal(f.inputs.branch, "main");
                assert.equal(f.inputs.overwriteOnCreate, true);
            }
        }
        assert.deepEqual(
            result.files
                .map((f) => f.path)
                .filter((p) => p.startsWith("acme-saas/ops/"))
                .sort(),
            ["acme-saas/ops/.github/dependabot.yml", "acme-saas/ops/.github/workflows/stale.yml"],
        );
        assert.equal(result.files.length, repos.length * 2);
    });

    it("gives each repository ONE authoritative label set with the whole taxonomy", () => {
        assert.equal(ofType(T.labels).length, repos.length);
        const labels = inRepo(T.labels, "ops")[0].inputs.labels as { name: string; color: string; description: string }[];
        const names = labels.map((l) => l.name);
        const expected = [
            "type/bug",
            "type/new-feature",
            "type/change-feature",
            "type/operations",
            "type/devops",
            "priority/P1",
            "priority/P2",
            "priority/P3",
            "priority/P4",
            "effort/light",
            "effort/medium",
            "effort/high",
            "effort/epic",
            "workflow/in-progress",
            "workflow/ready-for-staging",
            "workflow/test",
            "workflow/ready",
            "workflow/awaiting-feedback",
            "workflow/blocked",
            "topic/ui-ux",
            "topic/billing",
            "topic/erp",
            "topic/api",
            "customer/globex",
            "customer/initech",
            "release",
            "deployed",
            "drift",
            "stale",
            "deploy/staging",
            "deploy/demo",
            "deploy/prod",
        ];
        assert.deepEqual(names, expected);
        for (const l of labels) {
            assert.match(l.color, /^[0-9A-F]{6}$/, `${l.name} colour`);
            assert.ok(l.description.length > 0 && l.description.length <= 100, `${l.name} description`);
        }
        assert.equal(new Set(labels.map((l) => l.color)).size, labels.length, "every label has its own colour");
    });

    it("colours each prefix as one family: one hue per prefix, different hues across prefixes", () => {
        const labels = inRepo(T.labels, "ops")[0].inputs.labels as { name: string; color: string }[];
        const hue = (hex: string): number => {
            const [r, g, b] = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
            const max = Math.max(r, g, b);
            const d = max - Math.min(r, g, b);
            const h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
            return Math.round((h * 60 + 360) % 360);
        };
        const byPrefix = new Map<string, Set<number>>();
        for (const l of labels) {
            const prefix = l.name.includes("/") ? l.name.split("/")[0] : "delivery";
            const family = prefix === "deploy" ? "delivery" : prefix;
            byPrefix.set(family, (byPrefix.get(family) ?? new Set()).add(Math.round(hue(l.color) / 4)));
        }
        const hues = [...byPrefix.values()].map((s) => [...s]);
        for (const [family, set] of byPrefix) assert.equal(set.size, 1, `${family} labels share one hue`);
        assert.equal(new Set(hues.map((h) => h[0])).size, byPrefix.size, "families have distinct hues");
    });

    it("adds a deploy label for every environment stack file, clients included", async () => {
        const staging = fixtureFiles().find((f) => f.name === "Pulumi.staging.yaml")!.text;
        const client = staging.replace("tier: main", "tier: client").replace("source: ci", "source: prod");
        const withClient = await synthesize({
            dir: WORKSPACE,
            stack: "org",
            now: NOW,
            workspace: parseWorkspace(withFile("Pulumi.globex-staging.yaml", client)),
        });
        const labels = withClient.resources.find((r) => r.type === T.labels)!.inputs.labels as { name: string }[];
        assert.ok(labels.some((l) => l.name === "deploy/globex-staging"));
    });

    it("enables Dependabot security updates everywhere", () => {
        for (const repo of repos) {
            const [s] = inRepo(T.securityUpdates, repo);
            assert.equal(s?.inputs.enabled, true, repo);
        }
    });

    it("shares organisation-scoped registry secrets with exactly the repositories that use them", () => {
        const secrets = ofType(T.orgSecret);
        assert.deepEqual(secrets.map((s) => s.inputs.secretName).sort(), ["MAVEN_PASS", "MAVEN_USER"]);
        const mavenUsers = ws.org!.repositories.filter((r) => r.ecosystems.some((e) => e.registries.includes("maven-internal")));
        for (const s of secrets) {
            assert.equal(s.inputs.visibility, "selected");
            assert.equal((s.inputs.selectedRepositoryIds as number[]).length, mavenUsers.length);
            assert.equal(s.inputs.value, "[secret]");
        }
    });

    it("creates repository-scoped registry secrets in the repositories that use them", () => {
        const secrets = ofType(T.repoSecret);
        assert.deepEqual(
            secrets.map((s) => [s.parent, s.inputs.secretName]),
            [["conveyor:github:ManagedRepository::web-frontend", "NPM_GITHUB_TOKEN"]],
        );
        assert.equal(secrets[0].inputs.value, "[secret]");
    });

    it("never lets a secret value reach the synth output", () => {
        const everything = JSON.stringify(result);
        for (const value of Object.values(SECRET_VALUES)) assert.ok(!everything.includes(value), "secret value leaked");
    });

    it("plans the current ISO week and the next ones as milestones, in one resource per repository", () => {
        const weeks = (repo: string) => {
            const all = inRepo(T.milestones, repo);
            assert.equal(all.length, 1, `${repo} has one milestones resource`);
            return (all[0].inputs.milestones as { title: string; dueDate: string }[]).map((m) => [m.title, m.dueDate]);
        };
        assert.deepEqual(weeks("api-gateway"), [
            ["2026-W48", "2026-11-29"],
            ["2026-W49", "2026-12-06"],
            ["2026-W50", "2026-12-13"],
            ["2026-W51", "2026-12-20"],
        ]);
        assert.deepEqual(
            weeks("ops"),
            [
                ["2026-W48", "2026-11-29"],
                ["2026-W49", "2026-12-06"],
            ],
            "ops overrides weeks: 2",
        );
    });

    it("renames GitHub's defaults and configured old labels in place before applying the label set", () => {
        for (const repo of repos) {
            const [step] = inRepo(T.renames, repo);
            assert.ok(step, `${repo} has a rename step`);
            const renames = step.inputs.renames as { to: string; from: string[] }[];
            assert.deepEqual(
                renames.map((r) => [r.to, r.from]),
                [
                    ["type/bug", ["bug"]],
                    ["type/new-feature", ["enhancement"]],
                    ["type/change-feature", ["improvement"]],
                    ["topic/billing", ["payments"]],
                ],
            );
            const [labels] = inRepo(T.labels, repo);
            assert.ok(labels.dependencies.includes(`${T.renames}::${step.name}`), `${repo}: the label set waits for the renames`);
        }
    });

    it("keeps each repository to at most 8 resources that GitHub reads on every refresh", () => {
        for (const repo of repos) {
            const own = result.resources.filter((r) => r.custom && r.parent === `conveyor:github:ManagedRepository::${repo}`);
            // The rename step has no read: a refresh costs it nothing.
            const refreshed = own.filter((r) => r.type !== T.renames);
            assert.ok(refreshed.length <= 8, `${repo}: ${refreshed.length} resources: ${refreshed.map((r) => r.name).join(", ")}`);
            const repoSecrets = own.filter((r) => r.type === T.repoSecret).length;
            assert.equal(own.length, 8 + repoSecrets, `${repo}: 8 resources plus its repository-scoped secrets`);
        }
    });

    it("declares the CircleCI contexts CI needs: deploy-<env> per environment and release, values secret", () => {
        const contexts = ofType("pulumi-nodejs:dynamic/circleci:Context");
        assert.deepEqual(contexts.map((c) => c.inputs.name).sort(), [
            "deploy-demo",
            "deploy-org",
            "deploy-prod",
            "deploy-staging",
            "release",
        ]);
        for (const c of contexts) {
            assert.equal(c.inputs.variables, "[secret]");
            assert.equal(c.inputs.organizationId, "6f0c9a1e-2b3d-4c5e-8f70-1a2b3c4d5e6f");
            assert.deepEqual(c.inputs.projectRestrictions, ["0d5c3b2a-1f4e-4a6b-9c8d-7e6f5a4b3c2d"]);
        }
        assert.deepEqual(result.outputs.circleciContexts, ["deploy-org", "deploy-staging", "deploy-demo", "deploy-prod", "release"]);
    });

    it("gives production deploy contexts their own cloud credentials", () => {
        const planned = new Map(plannedContexts(ws.org!.circleci!, ws.environments).map((c) => [c.name, c.variables]));
        assert.equal(planned.get("deploy-prod")!.AWS_ACCESS_KEY_ID, "PROD_AWS_ACCESS_KEY_ID");
        assert.equal(planned.get("deploy-org")!.AWS_ACCESS_KEY_ID, "PROD_AWS_ACCESS_KEY_ID", "the release controller is production");
        assert.equal(planned.get("deploy-staging")!.AWS_ACCESS_KEY_ID, "NONPROD_AWS_ACCESS_KEY_ID");
        assert.equal(planned.get("deploy-prod")!.PULUMI_ACCESS_TOKEN, "PULUMI_ACCESS_TOKEN");
        assert.deepEqual(Object.keys(planned.get("release")!), ["GITHUB_TOKEN", "CIRCLECI_TOKEN"]);
    });

    it("exports repository URLs and label counts", () => {
        const urls = result.outputs.repositoryUrls as Record<string, string>;
        assert.equal(urls["billing-service"], "https://github.com/acme-saas/billing-service");
        assert.deepEqual(Object.keys(urls).sort(), [...repos].sort());
        assert.equal((result.outputs.labelCounts as Record<string, number>).ops, 32);
    });

    it("stops pulumi destroy before it deletes anything: a protected guard waits on every other resource", () => {
        const guards = result.resources.filter((r) => r.type === "pulumi-nodejs:dynamic/stack:DestroyGuard");
        assert.equal(guards.length, 1);
        const [guard] = guards;
        assert.equal(guard.protect, true);
        // A destroy deletes dependents first: waiting on every custom resource puts the guard first in line.
        const everyOther = result.resources.filter((r) => r.custom && r !== guard).map((r) => `${r.type}::${r.name}`);
        assert.ok(everyOther.length > 50, `the whole org, got ${everyOther.length}`);
        assert.deepEqual(
            everyOther.filter((urn) => !guard.dependencies.includes(urn)),
            [],
            "resources a destroy would reach before the guard",
        );
        assert.match(String(guard.inputs.howToDestroy), /pulumi state unprotect --all, then pulumi destroy/);
    });

    it("keeps every child under its component, named from it", () => {
        const orphans = result.resources.filter(
            (r: SynthResource) => r.type.startsWith("github:") && !r.parent?.startsWith("conveyor:github:"),
        );
        assert.deepEqual(orphans, []);
        for (const r of result.resources.filter((x) => x.parent?.startsWith("conveyor:github:ManagedRepository::"))) {
            assert.ok(r.name.startsWith(r.parent!.split("::")[1]), `${r.name} is named from its repository`);
        }
    });
});
