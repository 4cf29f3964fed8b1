// The files conveyor commits to every repository: structure, schema validity, and what config changes.
import * as assert from "node:assert/strict";
import Ajv from "ajv";
import { parse } from "yaml";
import { parseWorkspace, type ManagedRepositoryConfig, type OrgConfig } from "../../../config";
import { labelTaxonomy } from "../../../config/labels";
import { renderDependabot } from "../../../components/github/dependabot";
import { renderStaleWorkflow, STALE_ACTION } from "../../../components/github/stale";
import { fixtureFiles, withValue } from "../../workspace-fixture";

const ajv = new Ajv({ strict: false, allErrors: true });
const dependabotSchema = ajv.compile(require("../../schemas/dependabot-2.0.json"));
const workflowSchema = ajv.compile(require("../../schemas/github-workflow.json"));

const assertValidDependabot = (doc: unknown): void => assert.ok(dependabotSchema(doc), JSON.stringify(dependabotSchema.errors, null, 2));

const org = parseWorkspace(fixtureFiles()).org!;
const repo = (o: OrgConfig, name: string): ManagedRepositoryConfig => o.repositories.find((r) => r.name === name)!;
const dependabotOf = (o: OrgConfig, name: string) =>
    renderDependabot({ repo: repo(o, name), registries: o.registries, opsRepo: o.opsRepo, configFile: o.file });
const staleOf = (o: OrgConfig, name: string) =>
    renderStaleWorkflow({ repoName: name, stale: repo(o, name).settings.stale, opsRepo: o.opsRepo, configFile: o.file });

describe("dependabot.yml", () => {
    for (const r of org.repositories) {
        it(`is valid Dependabot v2 config for ${r.name}`, () => {
            const doc = parse(dependabotOf(org, r.name));
            assert.ok(dependabotSchema(doc), JSON.stringify(dependabotSchema.errors, null, 2));
        });
    }

    it("has one update per ecosystem and directory, with the schedule, limits, assignees, labels and groups", () => {
        const doc = parse(dependabotOf(org, "erp-connector"));
        assert.equal(doc.version, 2);
        assert.deepEqual(
            doc.updates.map((u: Record<string, unknown>) => [u["package-ecosystem"], u.directory]),
            [
                ["maven", "/"],
                ["docker", "/docker"],
            ],
        );
        for (const u of doc.updates) {
            assert.deepEqual(u.schedule, { interval: "weekly", day: "sunday", time: "04:00", timezone: "Europe/Paris" });
            assert.equal(u["open-pull-requests-limit"], 5);
            assert.deepEqual(u.assignees, ["acme-platform-lead"]);
            assert.deepEqual(u.labels, ["type/devops", "priority/P3"]);
            assert.deepEqual(u.groups, { "minor-and-patch": { "update-types": ["minor", "patch"] } });
        }
    });

    it("declares the private registry with secret references, only where an ecosystem uses it", () => {
        const doc = parse(dependabotOf(org, "marketplace-backend"));
        assert.deepEqual(doc.registries, {
            "maven-internal": {
                type: "maven-repository",
                url: "https://maven.acme-saas.example/repository/maven-releases",
                username: "${{secrets.MAVEN_USER}}",
                password: "${{secrets.MAVEN_PASS}}",
            },
        });
        assert.deepEqual(doc.updates[0].registries, ["maven-internal"]);
        assert.equal(doc.updates[1].registries, undefined, "docker does not use the Maven registry");
        assert.equal(parse(dependabotOf(org, "api-gateway")).registries, undefined);
    });

    it("quotes the time so YAML 1.1 readers do not read 04:00 as a number", () => {
        assert.match(dependabotOf(org, "ops"), /time: "04:00"/);
    });

    it("follows a per-repository schedule override, keeping the other defaults", () => {
        const o = parseWorkspace(
            withValue("Pulumi.org.yaml", ["config", "conveyor:repositories", "api-gateway"], {
                dependabot: { schedule: { day: "monday", time: "06:30" } },
            }),
        ).org!;
        const doc = parse(dependabotOf(o, "api-gateway"));
        assert.deepEqual(doc.updates[0].schedule, { interval: "weekly", day: "monday", time: "06:30", timezone: "Europe/Paris" });
        assert.equal(parse(dependabotOf(o, "ops")).updates[0].schedule.day, "sunday");
    });

    it("marks a registry that stands in for the public one with replaces-base, and only that one", () => {
        const o = parseWorkspace(
            withValue("Pulumi.org.yaml", ["config", "conveyor:dependabotRegistries", "maven-internal", "replacesBase"], true),
        ).org!;
        assert.equal(parse(dependabotOf(o, "marketplace-backend")).registries["maven-internal"]["replaces-base"], true);
        assert.equal(parse(dependabotOf(org, "marketplace-backend")).registries["maven-internal"]["replaces-base"], undefined);
    });

    it("names no day for a monthly or daily schedule, where Dependabot would ignore it", () => {
        for (const interval of ["monthly", "daily"]) {
            const o = parseWorkspace(
                withValue("Pulumi.org.yaml", ["config", "conveyor:repositories", "api-gateway"], {
                    dependabot: { schedule: { interval } },
                }),
            ).org!;
            assert.deepEqual(parse(dependabotOf(o, "api-gateway")).updates[0].schedule, {
                interval,
                time: "04:00",
                timezone: "Europe/Paris",
            });
        }
    });

    it("leaves out the assignees and groups of a repository that has none: the schema refuses an empty list or map", () => {
        const o = parseWorkspace(
            withValue("Pulumi.org.yaml", ["config", "conveyor:repositories", "api-gateway"], { dependabot: { assignees: [], groups: {} } }),
        ).org!;
        const doc = parse(dependabotOf(o, "api-gateway"));
        assertValidDependabot(doc);
        assert.equal(doc.updates[0].assignees, undefined);
        assert.equal(doc.updates[0].groups, undefined);
        assert.deepEqual(doc.updates[0].labels, ["type/devops", "priority/P3"]);
    });

    it("writes an empty label list for a repository configured with no labels, so Dependabot adds none of its own", () => {
        // Without the key Dependabot applies and creates "dependencies" and an ecosystem label, outside the
        // taxonomy: the managed label set would delete them, stripping them from the pull requests, on every up.
        const o = parseWorkspace(
            withValue("Pulumi.org.yaml", ["config", "conveyor:repositories", "api-gateway"], { dependabot: { labels: [] } }),
        ).org!;
        const doc = parse(dependabotOf(o, "api-gateway"));
        assertValidDependabot(doc);
        for (const u of doc.updates) assert.deepEqual(u.labels, []);
    });

    it("starts with a comment saying conveyor manages it and where to change it", () => {
        const lines = dependabotOf(org, "web-frontend").split("\n");
        assert.match(lines[0], /^# Managed by conveyor/);
        assert.match(
            lines[1],
            /^# Change it in the ops repository: Pulumi\.org\.yaml, key conveyor:repositories\.web-frontend\.dependabot/,
        );
    });
});

describe("stale workflow", () => {
    for (const r of org.repositories) {
        it(`is a valid GitHub Actions workflow for ${r.name}`, () => {
            const doc = parse(staleOf(org, r.name));
            assert.ok(workflowSchema(doc), JSON.stringify(workflowSchema.errors, null, 2));
        });
    }

    it("marks after 90 days, closes after the configured delay, exempts the default labels", () => {
        const doc = parse(staleOf(org, "marketplace-backend"));
        // What the Actions tab lists the runs under (without a name it shows the file's path).
        assert.equal(doc.name, "Stale issues and pull requests");
        const step = doc.jobs.stale.steps[0];
        assert.equal(step.uses, STALE_ACTION);
        assert.equal(step.with["days-before-stale"], 90);
        assert.equal(step.with["days-before-close"], 14);
        assert.equal(step.with["exempt-issue-labels"], "priority/P1,workflow/blocked,workflow/in-progress");
        assert.equal(step.with["exempt-pr-labels"], "priority/P1,workflow/blocked,workflow/in-progress");
        assert.equal(step.with["operations-per-run"], 100);
        assert.deepEqual(doc.permissions, { issues: "write", "pull-requests": "write" });
        assert.ok(doc.on.schedule[0].cron);
    });

    it("runs on a GitHub-hosted runner and marks issues and pull requests with a taxonomy label, which the managed label set keeps", () => {
        // A label outside the taxonomy would be created by actions/stale and deleted by the next up, taking it off
        // every stale issue: they would be marked again and never closed.
        const job = parse(staleOf(org, "ops")).jobs.stale;
        assert.equal(job["runs-on"], "ubuntu-latest");
        const taxonomy = labelTaxonomy({ ...org.labels, environments: [] }).map((l) => l.name);
        for (const key of ["stale-issue-label", "stale-pr-label"])
            assert.ok(taxonomy.includes(job.steps[0].with[key]), `${key}: ${job.steps[0].with[key]}`);
    });

    it("has separate messages for issues and pull requests, with the real delays in them", () => {
        const w = parse(staleOf(org, "ops")).jobs.stale.steps[0].with;
        assert.notEqual(w["stale-issue-message"], w["stale-pr-message"]);
        assert.notEqual(w["close-issue-message"], w["close-pr-message"]);
        assert.match(w["stale-issue-message"], /90 days.*closed in 30 days/);
        assert.doesNotMatch(staleOf(org, "ops"), /\{days\}|\{close\}/);
    });

    it("starts with the managed-by comment", () => {
        assert.match(
            staleOf(org, "ops"),
            /^# Managed by conveyor.*\n# Change it in the ops repository: Pulumi\.org\.yaml, key conveyor:repositories\.ops\.stale/,
        );
    });
});
