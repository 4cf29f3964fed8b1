// The environment stacks: what a stack's name says it is, the order of the train, and where each releases from.
import * as assert from "node:assert/strict";
import { parseWorkspace, stackFileName, stackRole, trainOrder } from "../../config";
import { isEnvironmentName } from "../../config/stack-names";
import { configProblems, fixtureFiles, refusedWith, withFile, withValue } from "../workspace-fixture";

const SOURCE = ["config", "conveyor:environment", "release", "source"];
const staging = fixtureFiles().find((f) => f.name === "Pulumi.staging.yaml")!.text;
const asClient = (source: string) => staging.replace("tier: main", "tier: client").replace("source: ci", `source: ${source}`);

describe("config: environment stacks", () => {
    it("runs the train staging, demo, prod, then each client by name, its staging before its prod", () => {
        const stacks = [
            "globex-eu-prod",
            "globex-prod",
            "prod",
            "initech-staging",
            "globex-staging",
            "globex-eu-staging",
            "staging",
            "demo",
        ];
        const envs = stacks.map((stack) => ({ stack, role: stackRole(stack) as Exclude<ReturnType<typeof stackRole>, "org" | undefined> }));
        assert.deepEqual(
            trainOrder(envs).map((e) => e.stack),
            ["staging", "demo", "prod", "globex-staging", "globex-prod", "globex-eu-staging", "globex-eu-prod", "initech-staging"],
        );
        const ws = parseWorkspace([
            ...fixtureFiles(),
            { name: "Pulumi.globex-prod.yaml", text: asClient("globex-staging") },
            { name: "Pulumi.globex-staging.yaml", text: asClient("prod") },
        ]);
        assert.deepEqual(
            ws.environments.map((e) => e.stack),
            ["staging", "demo", "prod", "globex-staging", "globex-prod"],
        );
    });

    it("reads a stack's role from its name alone (at most 72 characters), and names its file", () => {
        assert.equal(stackRole("globex-production"), undefined);
        assert.equal(stackRole("globex-prod-eu"), undefined);
        assert.deepEqual(stackRole(`${"a".repeat(64)}-staging`), { tier: "client", client: "a".repeat(64), stage: "staging" });
        assert.equal(stackRole(`${"a".repeat(68)}-prod`), undefined, "73 characters");
        assert.equal(isEnvironmentName("globex-prod"), true);
        assert.equal(isEnvironmentName("prod"), true);
        assert.equal(isEnvironmentName("org"), false, "the org stack is no environment a release may name");
        assert.equal(isEnvironmentName("qa"), false);
        assert.equal(stackFileName("globex-prod"), "Pulumi.globex-prod.yaml");
    });

    it("refuses an environment that releases from itself, once, without a cycle or a cascade", () => {
        assert.deepEqual(configProblems(withValue("Pulumi.demo.yaml", SOURCE, "demo")), [
            "Pulumi.demo.yaml: conveyor:environment.release.source: an environment cannot release from itself",
        ]);
    });

    it("names the whole cycle of release sources, in each of its stacks", () => {
        assert.deepEqual(configProblems(withValue("Pulumi.staging.yaml", SOURCE, "prod")), [
            "Pulumi.demo.yaml: conveyor:environment.release.source: release sources form a cycle: demo -> staging -> prod -> demo",
            "Pulumi.prod.yaml: conveyor:environment.release.source: release sources form a cycle: prod -> demo -> staging -> prod",
            "Pulumi.staging.yaml: conveyor:environment.release.source: release sources form a cycle: staging -> prod -> demo -> staging",
        ]);
    });

    it("accepts a source whose stack file is broken: that file's problem alone is reported", () => {
        assert.deepEqual(configProblems(withValue("Pulumi.demo.yaml", ["config", "conveyor:environment", "domain"], "Demo")), [
            'Pulumi.demo.yaml: conveyor:environment.domain: expected a lower-case DNS domain like app.example.com, got "Demo"',
        ]);
    });

    it("checks versions against the catalog only when the catalog could be read", () => {
        assert.deepEqual(configProblems(withFile("Pulumi.yaml", "name: conveyor\nruntime: [\n")), [
            "Pulumi.yaml: invalid YAML at line 3, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]",
        ]);
    });

    it("accepts a freeze window of one day, from and to the same date", () => {
        const freeze = [{ from: "2026-12-25", to: "2026-12-25", reason: "Christmas" }];
        const ws = parseWorkspace(withValue("Pulumi.prod.yaml", ["config", "conveyor:environment", "release", "freeze"], freeze));
        assert.deepEqual(ws.environments.find((e) => e.stack === "prod")!.release.freeze, freeze);
    });

    it("refuses a main environment that says it is a client's", () => {
        refusedWith(
            withValue("Pulumi.staging.yaml", ["config", "conveyor:environment", "tier"], "client"),
            'Pulumi.staging.yaml: conveyor:environment.tier: stack "staging" is a main environment by its name, got "client"',
        );
        refusedWith(
            withFile("Pulumi.globex-prod.yaml", staging.replace("source: ci", "source: prod")),
            'Pulumi.globex-prod.yaml: conveyor:environment.tier: stack "globex-prod" is a client environment by its name, got "main"',
        );
    });
});
