// What a problem line says: `<file>: <key path>: <reason>`, the reason naming what was expected and what was
// found, without repeating a secret or a huge value.
import * as assert from "node:assert/strict";
import { parseWorkspace } from "../../config";
import { withFeedback } from "../feedback-world";
import { configProblems, fixtureFiles, refusedWith, withFile, withValue } from "../workspace-fixture";

const ORG = "Pulumi.org.yaml";
const SECRET_EXPECTED = "expected a secret ({secure: ...}, set with `pulumi config set --secret`)";
const staging = fixtureFiles().find((f) => f.name === "Pulumi.staging.yaml")!.text;

describe("config: what a problem line says", () => {
    it("names what was written when a value has the wrong type: a string, null, a list or a map", () => {
        refusedWith(
            withValue("Pulumi.prod.yaml", ["config", "conveyor:environment", "release", "owners"], "cto@acme-saas.example"),
            'Pulumi.prod.yaml: conveyor:environment.release.owners: expected array, got "cto@acme-saas.example"',
        );
        refusedWith(
            withFile("Pulumi.staging.yaml", staging.replace(/domain: .*/, "domain: ~")),
            "Pulumi.staging.yaml: conveyor:environment.domain: expected string, got null",
        );
        refusedWith(
            withValue("Pulumi.staging.yaml", ["config", "conveyor:environment", "domain"], ["staging.acme-saas.example"]),
            "Pulumi.staging.yaml: conveyor:environment.domain: expected string, got a list",
        );
        refusedWith(
            withValue("Pulumi.staging.yaml", ["config", "conveyor:environment", "domain"], { name: "staging.acme-saas.example" }),
            "Pulumi.staging.yaml: conveyor:environment.domain: expected string, got a map",
        );
        refusedWith(withFile("Pulumi.staging.yaml", "config: 3\n"), "Pulumi.staging.yaml: config: expected record, got 3");
    });

    it("keeps a field's own words when its value has the wrong type", () => {
        refusedWith(
            withValue(ORG, ["config", "conveyor:circleci", "organizationId"], 42),
            `${ORG}: conveyor:circleci.organizationId: expected the CircleCI organisation id (a UUID), got 42`,
        );
    });

    it("says (required) only when the key is missing", () => {
        refusedWith(
            withFile("Pulumi.staging.yaml", "# nothing here yet\nencryptionsalt: v1:abc\n"),
            "Pulumi.staging.yaml: config: expected record (required)",
        );
        refusedWith(
            withValue(ORG, ["config", "conveyor:dependabotRegistries", "npm-github", "type"], undefined),
            /^Pulumi\.org\.yaml: conveyor:dependabotRegistries\.npm-github\.type: expected a registry type \(cargo-registry, .*, terraform-registry\), got nothing$/,
        );
    });

    it("lists the choices and what was written instead", () => {
        refusedWith(
            withValue("Pulumi.prod.yaml", ["config", "conveyor:environment", "tier"], "production"),
            'Pulumi.prod.yaml: conveyor:environment.tier: expected one of "main", "client", got "production"',
        );
    });

    it("keeps the reason of a check that has no words of its own (a list too short)", () => {
        refusedWith(
            withValue(
                "Pulumi.demo.yaml",
                ["config", "conveyor:environment", "network", "existing", "privateSubnetIds"],
                ["subnet-0a1b2c3d4e5f60011"],
            ),
            "Pulumi.demo.yaml: conveyor:environment.network.existing.privateSubnetIds: Too small: expected array to have >=2 items",
        );
    });

    it("names every unknown key of a block in one line, in the plural when there are several", () => {
        refusedWith(
            withValue("Pulumi.prod.yaml", ["config", "conveyor:environment", "dns", "ttl"], 300).map((f) =>
                f.name === "Pulumi.prod.yaml" ? { ...f, text: f.text.replace("    dns:\n", "    dns:\n      ttl2: 60\n") } : f,
            ),
            'Pulumi.prod.yaml: conveyor:environment.dns: unknown keys "ttl2", "ttl"',
        );
    });

    it("says what a map key must be when one has the wrong form, even a secret's name", () => {
        refusedWith(
            withValue(ORG, ["config", "conveyor:dependabotSecrets", "maven_pass"], { secure: "v1:x" }),
            `${ORG}: conveyor:dependabotSecrets.maven_pass: expected the name of a Dependabot secret (UPPER_SNAKE_CASE), got "maven_pass"`,
        );
        refusedWith(
            withValue(ORG, ["config", "conveyor:circleci", "deploy", "aws_region"], "PULUMI_ACCESS_TOKEN"),
            `${ORG}: conveyor:circleci.deploy.aws_region: expected an environment variable name (UPPER_SNAKE_CASE), got "aws_region"`,
        );
        refusedWith(
            withValue(ORG, ["config", "conveyor:repositories", ""], { topics: ["crm"] }),
            `${ORG}: conveyor:repositories: expected a GitHub repository name, got ""`,
        );
    });

    it("repeats a value of 40 characters whole, and cuts a longer one", () => {
        const reason = "expected a lower-case DNS domain like app.example.com, got";
        refusedWith(
            withValue("Pulumi.staging.yaml", ["config", "conveyor:environment", "domain"], "X".repeat(40)),
            `Pulumi.staging.yaml: conveyor:environment.domain: ${reason} "${"X".repeat(40)}"`,
        );
        refusedWith(
            withValue("Pulumi.staging.yaml", ["config", "conveyor:environment", "domain"], "X".repeat(41)),
            `Pulumi.staging.yaml: conveyor:environment.domain: ${reason} "${"X".repeat(40)}..." (41 characters)`,
        );
    });

    it("says what kind of value stands where a secret belongs, never the value", () => {
        const token = ["config", "conveyor:releaseControllerSecrets", "GITHUB_TOKEN"];
        const at = `${ORG}: conveyor:releaseControllerSecrets.GITHUB_TOKEN`;
        refusedWith(withValue(ORG, token, undefined), `${at}: ${SECRET_EXPECTED}, got nothing`);
        refusedWith(withValue(ORG, token, 12345678), `${at}: ${SECRET_EXPECTED}, got a number`);
        refusedWith(withValue(ORG, token, null), `${at}: ${SECRET_EXPECTED}, got null`);
        refusedWith(withValue(ORG, token, ["ghp_x"]), `${at}: ${SECRET_EXPECTED}, got a list`);
        refusedWith(withValue(ORG, token, true), `${at}: ${SECRET_EXPECTED}, got a boolean`);
        // Inside a secret: the shape is named, the value is not; unknown keys by their names only.
        refusedWith(withValue(ORG, token, { secure: 12345678 }), `${at}.secure: ${SECRET_EXPECTED}; the value is not shown`);
        refusedWith(withValue(ORG, token, { secure: "v1:x", note: "hunter2", owner: "hunter2" }), `${at}: unknown keys "note", "owner"`);
        refusedWith(withValue(ORG, token, { secure: "v1:x", note: "hunter2" }), `${at}: unknown key "note"`);
    });

    it("never repeats a short secret written in place of a whole block of secrets", () => {
        refusedWith(
            withValue(ORG, ["config", "conveyor:dependabotSecrets"], "hunter2"),
            `${ORG}: conveyor:dependabotSecrets: ${SECRET_EXPECTED}; the value is not shown`,
        );
        const lines = configProblems(withFeedback((set) => set(["conveyor:notifications", "slack", "webhooks"], "hunter2")));
        assert.ok(
            lines.includes(`${ORG}: conveyor:notifications.slack.webhooks: ${SECRET_EXPECTED}; the value is not shown`),
            lines.join("\n"),
        );
        for (const l of lines) assert.ok(!l.includes("hunter2"), `echoed a secret: ${l}`);
    });

    it("refuses a date no calendar has, without failing on it", () => {
        refusedWith(
            withValue("Pulumi.prod.yaml", ["config", "conveyor:environment", "release", "freeze", 0, "to"], "2027-13-01"),
            'Pulumi.prod.yaml: conveyor:environment.release.freeze.0.to: expected a real calendar date, got "2027-13-01"',
        );
    });
});

describe("config: YAML that is refused before it is read", () => {
    it("a file of exactly 512 KiB is read; one byte more, counted in UTF-8 bytes, is refused", () => {
        const pad = 512 * 1024 - Buffer.byteLength(staging) - 2;
        const exact = `${staging}#${"x".repeat(pad)}\n`;
        assert.equal(Buffer.byteLength(exact), 512 * 1024);
        assert.equal(parseWorkspace(withFile("Pulumi.staging.yaml", exact)).environments.length, 3);
        refusedWith(
            withFile("Pulumi.staging.yaml", `${staging}#${"x".repeat(pad + 1)}\n`),
            `Pulumi.staging.yaml: the file is ${512 * 1024 + 1} bytes, more than the 512 KiB a config file may have`,
        );
        // Exactly 512 Ki characters, one of them two bytes long: one byte over.
        const edge = `${staging}#é${"x".repeat(pad - 1)}\n`;
        assert.equal(edge.length, 512 * 1024);
        refusedWith(
            withFile("Pulumi.staging.yaml", edge),
            `Pulumi.staging.yaml: the file is ${512 * 1024 + 1} bytes, more than the 512 KiB a config file may have`,
        );
        // Over 512 Ki characters, two bytes each: the message counts bytes, not characters.
        const huge = `${staging}#${"é".repeat(600_000)}\n`;
        refusedWith(
            withFile("Pulumi.staging.yaml", huge),
            `Pulumi.staging.yaml: the file is ${Buffer.byteLength(huge)} bytes, more than the 512 KiB a config file may have`,
        );
        // Two bytes a character: under 512 Ki characters, over 512 KiB.
        const wide = `${staging}#${"é".repeat(270_000)}\n`;
        assert.ok(wide.length < 512 * 1024);
        refusedWith(
            withFile("Pulumi.staging.yaml", wide),
            `Pulumi.staging.yaml: the file is ${Buffer.byteLength(wide)} bytes, more than the 512 KiB a config file may have`,
        );
    });

    it("broken YAML: its position, and at most 200 characters of what yaml quotes from it", () => {
        const header = `|${"x".repeat(300)}`;
        const lines = configProblems(withFile("Pulumi.staging.yaml", staging.replace("tier: main", `tier: ${header}\n      main`)));
        assert.deepEqual(lines, [
            `Pulumi.staging.yaml: invalid YAML at line 5, column 12: Block scalar header includes extra characters: |${"x".repeat(152)}`,
        ]);
    });

    it("conveyor:versions written as an alias of a whole map, or with an alias as a key", () => {
        refusedWith(
            withFile(
                "Pulumi.staging.yaml",
                staging.replace("conveyor:versions:", "conveyor:pinned: &all {web: 1}\n  conveyor:versions: *all\n  conveyor:old:"),
            ),
            "Pulumi.staging.yaml: conveyor:versions: an alias is not allowed here: write the build number itself, one line per component",
        );
        refusedWith(
            withFile(
                "Pulumi.staging.yaml",
                staging.replace("conveyor:versions:", "conveyor:pinned: &k web\n  conveyor:versions:\n    *k : 12"),
            ),
            "Pulumi.staging.yaml: conveyor:versions.(alias): an alias is not allowed here: write the build number itself, one line per component",
        );
    });
});
