// Pulumi.org.yaml: the organisation, checked against the catalog, its secrets and the label taxonomy.
import * as assert from "node:assert/strict";
import { parseWorkspace } from "../../config";
import { echo } from "../../config/yaml";
import { configProblems, fixtureFiles, refusedWith, withValue } from "../workspace-fixture";

const ORG = "Pulumi.org.yaml";
const org = (files = fixtureFiles()) => parseWorkspace(files).org!;

describe("config: the organisation (Pulumi.org.yaml)", () => {
    it("refuses an ops repository the catalog does not have", () => {
        assert.deepEqual(configProblems(withValue(ORG, ["config", "conveyor:github", "opsRepo"], "operations")), [
            `${ORG}: conveyor:github.opsRepo: repository "operations" is not in the catalog (Pulumi.yaml)`,
        ]);
    });

    it("refuses a secret of any CircleCI context that has no value: deploy, prodDeploy and release", () => {
        for (const block of ["deploy", "prodDeploy", "release"]) {
            refusedWith(
                withValue(ORG, ["config", "conveyor:circleci", block, "SENTRY_TOKEN"], "SENTRY_TOKEN"),
                `${ORG}: conveyor:circleci.${block}.SENTRY_TOKEN: secret "SENTRY_TOKEN" has no value in conveyor:circleciSecrets`,
            );
        }
    });

    it("refuses a deploy or release context without variables", () => {
        assert.deepEqual(configProblems(withValue(ORG, ["config", "conveyor:circleci", "deploy"], {})), [
            `${ORG}: conveyor:circleci.deploy: a deploy context needs variables`,
        ]);
        assert.deepEqual(configProblems(withValue(ORG, ["config", "conveyor:circleci", "release"], {})), [
            `${ORG}: conveyor:circleci.release: the release context needs variables`,
        ]);
    });

    it("runs without CircleCI contexts", () => {
        const o = org(withValue(ORG, ["config", "conveyor:circleci"], undefined));
        assert.equal(o.circleci, undefined);
        assert.equal(o.circleciSecrets.get("PULUMI_ACCESS_TOKEN")?.key, "conveyor:circleciSecrets");
    });

    it("refuses a registry credential of any kind whose secret has no value", () => {
        for (const field of ["username", "password", "token", "key"]) {
            refusedWith(
                withValue(ORG, ["config", "conveyor:dependabotRegistries", "npm-github", field], "NPM_MISSING"),
                `${ORG}: conveyor:dependabotRegistries.npm-github.${field}: secret "NPM_MISSING" has no value in conveyor:dependabotSecrets`,
            );
        }
    });

    it("keeps every secret as a reference to its key and name", () => {
        const o = org();
        assert.deepEqual(o.dependabotSecrets.get("MAVEN_PASS"), { file: ORG, key: "conveyor:dependabotSecrets", path: ["MAVEN_PASS"] });
        assert.deepEqual(o.releaseControllerSecrets.get("GITHUB_WEBHOOK_SECRET"), {
            file: ORG,
            key: "conveyor:releaseControllerSecrets",
            path: ["GITHUB_WEBHOOK_SECRET"],
        });
        assert.deepEqual(o.circleciSecrets.get("PROD_AWS_SECRET_ACCESS_KEY"), {
            file: ORG,
            key: "conveyor:circleciSecrets",
            path: ["PROD_AWS_SECRET_ACCESS_KEY"],
        });
        assert.deepEqual(
            o.registries.find((r) => r.name === "npm-github"),
            {
                name: "npm-github",
                type: "npm-registry",
                url: "https://npm.pkg.github.com",
                token: "NPM_GITHUB_TOKEN",
                secretScope: "repository",
                replacesBase: false,
            },
        );
    });

    it("takes a repository's description from its override, else from the catalog", () => {
        const o = org(withValue(ORG, ["config", "conveyor:repositories", "ops", "description"], "Delivery control plane"));
        assert.equal(o.repositories.find((r) => r.name === "ops")!.description, "Delivery control plane");
        assert.equal(o.repositories.find((r) => r.name === "api-gateway")!.description, "Public API gateway (Go)");
    });
});

describe("config: labels of Pulumi.org.yaml", () => {
    const labels = (value: unknown) => withValue(ORG, ["config", "conveyor:labels"], value);
    const topic = (name: string, renamedFrom?: string[]) => ({
        name,
        description: `${name} work`,
        ...(renamedFrom ? { renamedFrom } : {}),
    });

    it("refuses a topic or a customer twice, but lets a topic and a customer share a name", () => {
        assert.deepEqual(configProblems(labels({ topics: [topic("erp"), topic("api"), topic("erp")] })), [
            `${ORG}: conveyor:labels.topics.2.name: duplicate label "erp"`,
        ]);
        assert.deepEqual(configProblems(labels({ customers: [topic("globex"), topic("globex")] })), [
            `${ORG}: conveyor:labels.customers.1.name: duplicate label "globex"`,
        ]);
        const o = org(labels({ topics: [topic("globex")], customers: [topic("globex")] }));
        assert.deepEqual(
            [...o.labels.topics, ...o.labels.customers].map((l) => l.name),
            ["globex", "globex"],
        );
    });

    it("refuses renaming a taxonomy label, whatever its case", () => {
        refusedWith(
            labels({ renamedFrom: { "type/change-feature": ["Priority/p1"] } }),
            `${ORG}: conveyor:labels.renamedFrom.type/change-feature: "Priority/p1" is itself a label of the taxonomy; it cannot also be renamed to type/change-feature`,
        );
    });

    it("names where a label renamed twice is declared: a topic, a customer, or the built-in renames", () => {
        refusedWith(
            labels({ topics: [topic("bugs", ["bug"])] }),
            `${ORG}: conveyor:labels.topics.0.renamedFrom: "bug" is already renamed to type/bug`,
        );
        refusedWith(
            labels({ topics: [topic("billing", ["payments"])], customers: [topic("acme", ["payments"])] }),
            `${ORG}: conveyor:labels.customers.0.renamedFrom: "payments" is already renamed to topic/billing`,
        );
        refusedWith(
            labels({ renamedFrom: { "type/bug": ["enhancement"] } }),
            `${ORG}: conveyor:labels: "enhancement" is already renamed to type/bug`,
        );
    });
});

describe("config: the organisation's names, ids and bots at their edges", () => {
    const HEX32 = "3f1c2a9d8e7b6c5d4e3f2a1b0c9d8e7f";
    const RC = ["config", "conveyor:releaseController"];
    const problemsWith = (key: readonly string[], value: unknown) => configProblems(withValue(ORG, key, value));

    it("the redirector's Cloudflare zone id, whole", () => {
        for (const zoneId of [`x${HEX32}`, `${HEX32}0`]) {
            assert.deepEqual(problemsWith([...RC, "redirectorZoneId"], zoneId), [
                `${ORG}: conveyor:releaseController.redirectorZoneId: expected a Cloudflare zone id (32 hex digits), got ${JSON.stringify(zoneId)}`,
            ]);
        }
    });

    it("command bots: GitHub App logins ending in [bot], none unless listed", () => {
        assert.deepEqual(org().releaseController?.commandBots, []);
        const bots = ["renovate[bot]", "a[bot]", `${"b".repeat(39)}[bot]`];
        assert.deepEqual(org(withValue(ORG, [...RC, "commandBots"], bots)).releaseController?.commandBots, bots);
        for (const bot of ["renovate", "-renovate[bot]", "renovate[bot]x", `${"b".repeat(40)}[bot]`, "reno_vate[bot]"]) {
            assert.deepEqual(problemsWith([...RC, "commandBots"], [bot]), [
                `${ORG}: conveyor:releaseController.commandBots.0: expected a GitHub App bot login like renovate[bot], got ${echo(bot)}`,
            ]);
        }
    });

    it("CircleCI project restrictions: UUIDs, none meaning any project", () => {
        assert.deepEqual(
            org(withValue(ORG, ["config", "conveyor:circleci", "projectRestrictions"], undefined)).circleci?.projectRestrictions,
            [],
        );
        assert.deepEqual(problemsWith(["config", "conveyor:circleci", "projectRestrictions"], ["ops"]), [
            `${ORG}: conveyor:circleci.projectRestrictions.0: expected a CircleCI project id (a UUID), got "ops"`,
        ]);
    });

    it("topic labels and registries are named in kebab-case", () => {
        assert.deepEqual(problemsWith(["config", "conveyor:labels", "topics", 0, "name"] as string[], "UI/UX"), [
            `${ORG}: conveyor:labels.topics.0.name: expected a label name in kebab-case, got "UI/UX"`,
        ]);
        assert.deepEqual(
            problemsWith(["config", "conveyor:dependabotRegistries", "Maven_Internal"], {
                type: "maven-repository",
                url: "https://maven.example",
            }),
            [`${ORG}: conveyor:dependabotRegistries.Maven_Internal: expected a registry name in kebab-case, got "Maven_Internal"`],
        );
    });

    it("secret and variable names in UPPER_SNAKE_CASE, whole", () => {
        for (const bad of ["maven_PASS", "MAVEN-PASS", "1MAVEN"]) {
            assert.deepEqual(problemsWith(["config", "conveyor:dependabotSecrets", bad], { secure: "v1:x" }), [
                `${ORG}: conveyor:dependabotSecrets.${bad}: expected the name of a Dependabot secret (UPPER_SNAKE_CASE), got ${JSON.stringify(bad)}`,
            ]);
        }
        for (const bad of ["aws_KEY", "AWS-KEY"]) {
            assert.deepEqual(problemsWith(["config", "conveyor:circleci", "deploy", bad], "PULUMI_ACCESS_TOKEN"), [
                `${ORG}: conveyor:circleci.deploy.${bad}: expected an environment variable name (UPPER_SNAKE_CASE), got ${JSON.stringify(bad)}`,
            ]);
        }
    });
});
