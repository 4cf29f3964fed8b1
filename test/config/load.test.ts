// The loader: which files of a directory are config, and how the problems of several files are reported.
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { loadWorkspace, parseWorkspace } from "../../config";
import { withFeedback } from "../feedback-world";
import { configProblems, fixtureFiles, refusedWith, scratchProject, withFile, withValue } from "../workspace-fixture";

const staging = fixtureFiles().find((f) => f.name === "Pulumi.staging.yaml")!.text;

describe("config: loading a workspace", () => {
    it("refuses a workspace without Pulumi.yaml in one line", () => {
        assert.deepEqual(configProblems(fixtureFiles().filter((f) => f.name !== "Pulumi.yaml")), ["Pulumi.yaml: file not found"]);
    });

    it("lists problems file by file in the order of their names, whatever order the files come in", () => {
        const files = withValue("Pulumi.prod.yaml", ["config", "conveyor:versions", "billing"], "latest").map((f) =>
            f.name === "Pulumi.demo.yaml" ? { ...f, text: f.text.replace("days: [friday]", "days: [fri]") } : f,
        );
        assert.deepEqual(
            configProblems([...files].reverse()).map((l) => l.slice(0, l.indexOf(": "))),
            ["Pulumi.demo.yaml", "Pulumi.prod.yaml"],
        );
        // What the CLI prints: the message, one problem a line.
        assert.throws(
            () => parseWorkspace(files),
            (e: Error) => e.message === configProblems(files).join("\n") && e.message.split("\n").length === 2,
        );
    });

    it("refuses a stack file without a config block, and a config key without a namespace", () => {
        assert.deepEqual(configProblems(withFile("Pulumi.staging.yaml", "encryptionsalt: v1:abc\n")), [
            "Pulumi.staging.yaml: config: expected record (required)",
        ]);
        refusedWith(
            withValue("Pulumi.staging.yaml", ["config", "region"], "eu-west-3"),
            'Pulumi.staging.yaml: region: expected a namespaced key like "conveyor:versions"',
        );
    });

    it("refuses a file whose name only looks like a stack file's", () => {
        for (const name of ["Pulumi.prod.yaml.orig", "old-Pulumi.prod.yaml"]) {
            refusedWith(
                withFile(name, staging),
                `${name}: the stack name matches no role: expected org, staging, demo, prod, <client>-staging or <client>-prod (client in kebab-case)`,
            );
        }
        // Nor is it an environment a key of another file may name.
        refusedWith(
            [...withFeedback((set) => set(["conveyor:sentry", "environments", "qa"], "qa")), { name: "old-Pulumi.qa.yaml", text: staging }],
            'Pulumi.org.yaml: conveyor:sentry.environments.qa: environment "qa" has no stack file (environments: demo, prod, staging)',
        );
    });

    it("reads only Pulumi.yaml and Pulumi.<stack>.yaml from a directory, whatever else lies there", () => {
        const dir = scratchProject([
            ...fixtureFiles(),
            { name: "Pulumi.prod.yaml.bak", text: "not: [yaml\n" },
            { name: "old-Pulumi.qa.yaml", text: "config: {}\n" },
            { name: "README.md", text: "# ops\n" },
        ]);
        assert.deepEqual(
            loadWorkspace(dir).environments.map((e) => e.stack),
            ["staging", "demo", "prod"],
        );
        fs.writeFileSync(path.join(dir, "Pulumi.qa.yaml"), staging);
        assert.throws(() => loadWorkspace(dir), /^ConfigError: Pulumi\.qa\.yaml: the stack name matches no role/);
    });

    it("checks an org file's Slack environments against the environment stacks, never the org stack", () => {
        refusedWith(
            withFeedback((set) => set(["conveyor:notifications", "slack", "environments", "org"], "releases")),
            'Pulumi.org.yaml: conveyor:notifications.slack.environments.org: environment "org" has no stack file (environments: demo, prod, staging)',
        );
    });

    it("reads a broken Pulumi.yaml once, and checks nothing against the catalog it could not read", () => {
        const files = withFeedback().map((f) =>
            f.name === "Pulumi.yaml" ? { ...f, text: f.text.replace("name: conveyor", "name: [conveyor") } : f,
        );
        const lines = configProblems(files);
        assert.equal(lines.length, 1, lines.join("\n"));
        assert.match(lines[0], /^Pulumi\.yaml: invalid YAML at line \d+, column \d+: /);
        const invalid = withValue("Pulumi.yaml", ["name"], "conveyer");
        assert.deepEqual(configProblems(invalid), ['Pulumi.yaml: name: expected the project name "conveyor", got "conveyer"']);
    });

    it("names the project conveyor", () => {
        assert.equal(parseWorkspace(fixtureFiles()).project, "conveyor");
    });
});
