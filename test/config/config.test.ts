import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { loadWorkspace, parseWorkspace, stackRole, type SourceFile } from "../../config";
import {
    configProblems as problems,
    fixtureFiles,
    refusedWith,
    scratchProject,
    withFile,
    withValue,
    WORKSPACE,
} from "../workspace-fixture";

describe("config: the (frozen) workspace's files", () => {
    const ws = parseWorkspace(fixtureFiles());

    it("reads the catalog, the org and the environments in train order", () => {
        assert.deepEqual(
            ws.catalog.map((c) => c.name),
            ["marketplace", "billing", "web", "erp-connector", "gateway", "notifications", "ops"],
        );
        assert.deepEqual(
            ws.environments.map((e) => e.stack),
            ["staging", "demo", "prod"],
        );
        assert.equal(ws.environments[2].versions.get("billing"), 860);
        assert.deepEqual(ws.environments[2].release.freeze, [{ from: "2026-12-20", to: "2027-01-07", reason: "Year-end freeze" }]);
    });

    it("merges per-repository overrides over the org defaults", () => {
        const repo = (n: string) => ws.org!.repositories.find((r) => r.name === n)!.settings;
        assert.equal(repo("marketplace-backend").branchRule.requiredApprovals, 2);
        assert.equal(repo("marketplace-backend").branchRule.dismissStaleReviews, true, "keys not overridden come from the defaults");
        assert.equal(repo("billing-service").branchRule.requiredApprovals, 1);
        assert.deepEqual(Object.keys(repo("web-frontend").dependabot.groups), ["react", "minor-and-patch"]);
        assert.equal(repo("web-frontend").dependabot.schedule.day, "sunday");
        assert.equal(repo("ops").stale.daysBeforeClose, 30);
        assert.equal(repo("ops").stale.daysBeforeStale, 90);
        assert.deepEqual(repo("ops").stale.exemptLabels, ["priority/P1", "workflow/blocked", "workflow/in-progress"]);
        assert.equal(repo("ops").milestones.weeks, 2);
        assert.equal(repo("api-gateway").milestones.weeks, 4);
    });

    it("keeps an org-wide default when an override sets a sibling key", () => {
        const files = withValue("Pulumi.org.yaml", ["config", "conveyor:repositoryDefaults", "branchRule", "requireCodeOwnerReview"], true);
        const market = parseWorkspace(files).org!.repositories.find((r) => r.name === "marketplace-backend")!.settings;
        assert.equal(market.branchRule.requireCodeOwnerReview, true);
        assert.equal(market.branchRule.requiredApprovals, 2);
    });
});

describe("config: bad input is refused with file, key and reason", () => {
    it("a version that is not a build number", () => {
        refusedWith(
            withValue("Pulumi.prod.yaml", ["config", "conveyor:versions", "billing"], "latest"),
            'Pulumi.prod.yaml: conveyor:versions.billing: expected a build number (positive integer), got "latest"',
        );
        refusedWith(
            withValue("Pulumi.prod.yaml", ["config", "conveyor:versions", "billing"], 12.5),
            "Pulumi.prod.yaml: conveyor:versions.billing: expected a build number (positive integer), got 12.5",
        );
        refusedWith(
            withValue("Pulumi.staging.yaml", ["config", "conveyor:versions", "web"], 0),
            "Pulumi.staging.yaml: conveyor:versions.web: expected a build number (positive integer), got 0",
        );
    });

    it("a version for a component the catalog does not have", () => {
        refusedWith(
            withValue("Pulumi.demo.yaml", ["config", "conveyor:versions", "billnig"], 12),
            /^Pulumi\.demo\.yaml: conveyor:versions\.billnig: component "billnig" is not in the catalog \(Pulumi\.yaml\); known: marketplace, billing/,
        );
    });

    it("a version for a repository-only component", () => {
        refusedWith(
            withValue("Pulumi.demo.yaml", ["config", "conveyor:versions", "ops"], 12),
            'Pulumi.demo.yaml: conveyor:versions.ops: component "ops" is a repository, not a service (no port in the catalog)',
        );
    });

    it("two components in one repository", () => {
        refusedWith(
            withValue("Pulumi.yaml", ["config", "conveyor:catalog", "value", "billing", "repo"], "marketplace-backend"),
            'Pulumi.yaml: conveyor:catalog.billing.repo: repository "marketplace-backend" is already used by component "marketplace"',
        );
    });

    it("an unknown weekday, in a release train and in a Dependabot schedule", () => {
        refusedWith(
            withValue("Pulumi.demo.yaml", ["config", "conveyor:environment", "release", "days"], ["fridays"]),
            'Pulumi.demo.yaml: conveyor:environment.release.days.0: expected a weekday (monday, tuesday, wednesday, thursday, friday, saturday, sunday), got "fridays"',
        );
        refusedWith(
            withValue("Pulumi.org.yaml", ["config", "conveyor:repositoryDefaults", "dependabot", "schedule", "day"], "sun"),
            /^Pulumi\.org\.yaml: conveyor:repositoryDefaults\.dependabot\.schedule\.day: expected a weekday .*, got "sun"$/,
        );
    });

    it("a malformed e-mail and a malformed domain", () => {
        refusedWith(
            withValue("Pulumi.prod.yaml", ["config", "conveyor:environment", "release", "owners"], ["cto-at-acme"]),
            'Pulumi.prod.yaml: conveyor:environment.release.owners.0: expected an e-mail address, got "cto-at-acme"',
        );
        refusedWith(
            withValue("Pulumi.org.yaml", ["config", "conveyor:releaseController", "owners", 1], "cto@"),
            'Pulumi.org.yaml: conveyor:releaseController.owners.1: expected an e-mail address, got "cto@"',
        );
        refusedWith(
            withValue("Pulumi.staging.yaml", ["config", "conveyor:environment", "domain"], "staging_acme.example"),
            'Pulumi.staging.yaml: conveyor:environment.domain: expected a lower-case DNS domain like app.example.com, got "staging_acme.example"',
        );
        refusedWith(
            withValue("Pulumi.org.yaml", ["config", "conveyor:releaseController", "redirectorDomain"], "https://go.acme.example"),
            /^Pulumi\.org\.yaml: conveyor:releaseController\.redirectorDomain: expected a lower-case DNS domain/,
        );
    });

    it("broken YAML, with its line", () => {
        refusedWith(
            withFile("Pulumi.staging.yaml", "config:\n  conveyor:versions:\n    web: [1\n  aws:region: x\n"),
            /^Pulumi\.staging\.yaml: invalid YAML at line \d+, column \d+: /,
        );
    });

    it("a stack file whose name matches no role", () => {
        const text = fs.readFileSync(path.join(WORKSPACE, "Pulumi.staging.yaml"), "utf8");
        for (const name of ["Pulumi.qa.yaml", "Pulumi.Globex-prod.yaml", "Pulumi.staging-prod.yaml", "Pulumi.globex-dev.yaml"]) {
            refusedWith(
                withFile(name, text),
                `${name}: the stack name matches no role: expected org, staging, demo, prod, <client>-staging or <client>-prod (client in kebab-case)`,
            );
        }
    });

    it("a secret written in plain text, without repeating it", () => {
        const plain = "ghp_plaintextTokenThatMustNotBeEchoed0123";
        refusedWith(
            withValue("Pulumi.org.yaml", ["config", "conveyor:dependabotSecrets", "MAVEN_PASS"], "hunter2"),
            /^Pulumi\.org\.yaml: conveyor:dependabotSecrets\.MAVEN_PASS: expected a secret \(\{secure: \.\.\.\}.*got a plain string$/,
        );
        for (const [key, value] of [
            [["config", "conveyor:releaseControllerSecrets", "GITHUB_TOKEN"], plain],
            [["config", "conveyor:releaseControllerSecrets", "GITHUB_TOKEN"], { secure: 12345678 }],
            [["config", "conveyor:circleciSecrets", "AWS_SECRET_ACCESS_KEY"], { secure: plain, note: plain }],
            // A token pasted over the whole block, and a secret that is a number: the generic messages would repeat them.
            [["config", "conveyor:circleciSecrets"], plain],
            [["config", "conveyor:sentry"], { organization: "acme", authToken: { secure: 12345678 }, projects: {} }],
        ] as const) {
            const lines = problems(withValue("Pulumi.org.yaml", key, value));
            assert.ok(
                lines.some((l) => l.startsWith(`Pulumi.org.yaml: ${key.slice(1).join(".")}`)),
                lines.join("\n"),
            );
            for (const l of lines) assert.ok(!l.includes(plain) && !l.includes("12345678") && !l.includes("ghp_"), `echoed a secret: ${l}`);
        }
    });

    it("a huge value, echoed as a short prefix", () => {
        const huge = `v${"x".repeat(400_000)}`;
        const lines = problems(withValue("Pulumi.staging.yaml", ["config", "conveyor:environment", "domain"], huge));
        const line = lines.find((l) => l.startsWith("Pulumi.staging.yaml: conveyor:environment.domain: "));
        assert.ok(line, lines.join("\n"));
        assert.match(line, /got "vxxxxxxxx.*\.\.\." \(400001 characters\)$/);
        assert.ok(line.length < 200, `${line.length} characters`);
    });

    it("a misspelt key, at the top and deep inside", () => {
        refusedWith(
            withValue("Pulumi.prod.yaml", ["config", "conveyor:version"], { web: 1 }),
            /^Pulumi\.prod\.yaml: conveyor:version: unknown key \(this stack accepts conveyor:environment, conveyor:versions\)$/,
        );
        refusedWith(
            withValue("Pulumi.prod.yaml", ["config", "conveyor:environment", "release", "dayz"], ["monday"]),
            'Pulumi.prod.yaml: conveyor:environment.release: unknown key "dayz"',
        );
    });

    it("a missing required key", () => {
        refusedWith(
            withValue("Pulumi.prod.yaml", ["config", "conveyor:environment", "domain"], undefined),
            "Pulumi.prod.yaml: conveyor:environment.domain: expected string (required)",
        );
    });

    it("a tier that contradicts the stack's name", () => {
        refusedWith(
            withValue("Pulumi.demo.yaml", ["config", "conveyor:environment", "tier"], "client"),
            'Pulumi.demo.yaml: conveyor:environment.tier: stack "demo" is a main environment by its name, got "client"',
        );
    });

    it("a release source that does not exist, or loops", () => {
        refusedWith(
            withValue("Pulumi.prod.yaml", ["config", "conveyor:environment", "release", "source"], "qa"),
            'Pulumi.prod.yaml: conveyor:environment.release.source: expected "ci" or an environment stack (staging, demo, prod), got "qa"',
        );
        const files = withValue("Pulumi.staging.yaml", ["config", "conveyor:environment", "release", "source"], "prod");
        const lines = problems(files);
        assert.ok(
            lines.some((l) => /release sources form a cycle: .*staging.*prod.*demo/.test(l)),
            lines.join("\n"),
        );
    });

    it("a freeze window that ends before it starts, or a date that does not exist", () => {
        refusedWith(
            withValue("Pulumi.prod.yaml", ["config", "conveyor:environment", "release", "freeze", 0, "to"], "2026-12-01"),
            "Pulumi.prod.yaml: conveyor:environment.release.freeze.0: a freeze window must not end before it starts",
        );
        refusedWith(
            withValue("Pulumi.prod.yaml", ["config", "conveyor:environment", "release", "freeze", 0, "to"], "2027-02-30"),
            'Pulumi.prod.yaml: conveyor:environment.release.freeze.0.to: expected a real calendar date, got "2027-02-30"',
        );
    });

    it("a registry the catalog names but the org does not declare, and a secret without a value", () => {
        refusedWith(
            withValue("Pulumi.yaml", ["config", "conveyor:catalog", "value", "gateway", "ecosystems", 0, "registries"], ["goproxy"]),
            'Pulumi.yaml: conveyor:catalog.gateway.ecosystems.0.registries: registry "goproxy" is not declared in Pulumi.org.yaml conveyor:dependabotRegistries',
        );
        refusedWith(
            withValue("Pulumi.org.yaml", ["config", "conveyor:dependabotSecrets", "MAVEN_PASS"], undefined),
            'Pulumi.org.yaml: conveyor:dependabotRegistries.maven-internal.password: secret "MAVEN_PASS" has no value in conveyor:dependabotSecrets',
        );
    });

    it("a label that the taxonomy does not have, handed to Dependabot or the stale bot", () => {
        refusedWith(
            withValue("Pulumi.org.yaml", ["config", "conveyor:repositories", "ops", "dependabot"], { labels: ["dependencies"] }),
            'Pulumi.org.yaml: conveyor:repositories.ops.dependabot.labels: label "dependencies" is not in the label taxonomy',
        );
        refusedWith(
            withValue("Pulumi.org.yaml", ["config", "conveyor:repositoryDefaults", "stale", "exemptLabels"], ["pinned"]),
            'Pulumi.org.yaml: conveyor:repositories.api-gateway.stale.exemptLabels: label "pinned" is not in the label taxonomy',
        );
    });

    it("a rename onto a label the taxonomy lacks, of a live taxonomy label, or claimed twice", () => {
        refusedWith(
            withValue("Pulumi.org.yaml", ["config", "conveyor:labels", "renamedFrom"], { "type/feature": ["feature"] }),
            'Pulumi.org.yaml: conveyor:labels.renamedFrom.type/feature: label "type/feature" is not in the label taxonomy',
        );
        refusedWith(
            withValue("Pulumi.org.yaml", ["config", "conveyor:labels", "renamedFrom"], { "type/change-feature": ["type/bug"] }),
            'Pulumi.org.yaml: conveyor:labels.renamedFrom.type/change-feature: "type/bug" is itself a label of the taxonomy; it cannot also be renamed to type/change-feature',
        );
        refusedWith(
            withValue("Pulumi.org.yaml", ["config", "conveyor:labels", "renamedFrom"], { "type/change-feature": ["Bug"] }),
            'Pulumi.org.yaml: conveyor:labels.renamedFrom.type/change-feature: "Bug" is already renamed to type/bug',
        );
    });

    it("a CircleCI context variable whose secret has no value, and a bad organisation id", () => {
        refusedWith(
            withValue("Pulumi.org.yaml", ["config", "conveyor:circleci", "release", "NPM_TOKEN"], "NPM_TOKEN"),
            'Pulumi.org.yaml: conveyor:circleci.release.NPM_TOKEN: secret "NPM_TOKEN" has no value in conveyor:circleciSecrets',
        );
        refusedWith(
            withValue("Pulumi.org.yaml", ["config", "conveyor:circleci", "organizationId"], "acme-saas"),
            'Pulumi.org.yaml: conveyor:circleci.organizationId: expected the CircleCI organisation id (a UUID), got "acme-saas"',
        );
    });

    it("an override for a repository the catalog does not have", () => {
        refusedWith(
            withValue("Pulumi.org.yaml", ["config", "conveyor:repositories", "legacy-crm"], { topics: ["crm"] }),
            'Pulumi.org.yaml: conveyor:repositories.legacy-crm: repository "legacy-crm" is not in the catalog (Pulumi.yaml)',
        );
    });

    it("an environment's region, DNS zone and network", () => {
        refusedWith(
            withValue("Pulumi.staging.yaml", ["config", "aws:region"], "paris"),
            'Pulumi.staging.yaml: aws:region: expected an AWS region like eu-west-3, got "paris"',
        );
        refusedWith(
            withValue("Pulumi.staging.yaml", ["config", "conveyor:environment", "dns", "zoneId"], "acme-saas.example"),
            'Pulumi.staging.yaml: conveyor:environment.dns.zoneId: expected a Cloudflare zone id (32 hex digits), got "acme-saas.example"',
        );
        refusedWith(
            withValue("Pulumi.staging.yaml", ["config", "conveyor:environment", "network", "cidr"], "10.20.0.0/8"),
            'Pulumi.staging.yaml: conveyor:environment.network.cidr: expected an IPv4 CIDR block from /16 to /24, like 10.20.0.0/16, got "10.20.0.0/8"',
        );
        refusedWith(
            withValue("Pulumi.demo.yaml", ["config", "conveyor:environment", "network", "cidr"], "10.30.0.0/16"),
            "Pulumi.demo.yaml: conveyor:environment.network: give either cidr (a new VPC) or existing (a VPC of yours), not both",
        );
        refusedWith(
            withValue(
                "Pulumi.demo.yaml",
                ["config", "conveyor:environment", "network", "existing", "privateSubnetIds"],
                ["subnet-0a1b2c3d4e5f60011"],
            ),
            /^Pulumi\.demo\.yaml: conveyor:environment\.network\.existing\.privateSubnetIds: /,
        );
        refusedWith(
            withValue("Pulumi.prod.yaml", ["config", "conveyor:environment", "sizing", "cpu"], 300),
            "Pulumi.prod.yaml: conveyor:environment.sizing.cpu: expected Fargate CPU units: 256, 512, 1024, 2048 or 4096, got 300",
        );
    });

    it("a bad time zone and time of day", () => {
        refusedWith(
            withValue("Pulumi.org.yaml", ["config", "conveyor:repositoryDefaults", "dependabot", "schedule", "timezone"], "Europe/Pariss"),
            'Pulumi.org.yaml: conveyor:repositoryDefaults.dependabot.schedule.timezone: expected an IANA time zone like Europe/Paris, got "Europe/Pariss"',
        );
        refusedWith(
            withValue("Pulumi.org.yaml", ["config", "conveyor:repositoryDefaults", "dependabot", "schedule", "time"], "25:00"),
            'Pulumi.org.yaml: conveyor:repositoryDefaults.dependabot.schedule.time: expected a time HH:MM (24h), got "25:00"',
        );
    });

    it("reports every problem of every file at once", () => {
        const files = withValue("Pulumi.prod.yaml", ["config", "conveyor:versions", "billing"], "latest").map((f) =>
            f.name === "Pulumi.demo.yaml" ? { ...f, text: f.text.replace("days: [friday]", "days: [fri]") } : f,
        );
        const lines = problems(files);
        assert.ok(lines.some((l) => l.startsWith("Pulumi.prod.yaml: conveyor:versions.billing")));
        assert.ok(lines.some((l) => l.startsWith("Pulumi.demo.yaml: conveyor:environment.release.days.0")));
    });
});

describe("config: stack roles and files on disk", () => {
    it("names roles from stack names", () => {
        assert.equal(stackRole("org"), "org");
        assert.deepEqual(stackRole("prod"), { tier: "main" });
        assert.deepEqual(stackRole("globex-staging"), { tier: "client", client: "globex", stage: "staging" });
        assert.deepEqual(stackRole("big-bank-prod"), { tier: "client", client: "big-bank", stage: "prod" });
        assert.equal(stackRole("demo-staging"), undefined);
        assert.equal(stackRole("globex"), undefined);
    });

    it("refuses a .yml stack file rather than ignoring it", () => {
        const dir = scratchProject([...fixtureFiles(), { name: "Pulumi.globex-prod.yml", text: "config: {}\n" }]);
        assert.throws(() => loadWorkspace(dir), /Pulumi\.globex-prod\.yml: stack files end in \.yaml; rename it/);
    });

    it("reads the project directory", () => {
        assert.deepEqual(
            loadWorkspace(WORKSPACE).environments.map((e) => e.stack),
            ["staging", "demo", "prod"],
        );
    });
});

describe("config: hostile YAML is a ConfigError naming the file", () => {
    const staging = fixtureFiles().find((f) => f.name === "Pulumi.staging.yaml")!.text;
    const onlyLine = (files: readonly SourceFile[], file: string): string => {
        const lines = problems(files).filter((l) => l.startsWith(`${file}: `));
        assert.equal(lines.length, 1, lines.join("\n"));
        return lines[0];
    };

    it("an alias bomb, before it expands", () => {
        const bomb = [
            "config:",
            "  aws:region: eu-west-3",
            "  conveyor:bomb0: &a0 [x, x, x, x, x, x, x, x, x, x]",
            ...Array.from({ length: 8 }, (_, i) => `  conveyor:bomb${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(", ")}]`),
            "",
        ].join("\n");
        const started = process.hrtime.bigint();
        assert.match(
            onlyLine(withFile("Pulumi.staging.yaml", bomb), "Pulumi.staging.yaml"),
            /^Pulumi\.staging\.yaml: YAML aliases expand too much or point nowhere \(at most 100 alias uses\)/,
        );
        assert.ok(Number(process.hrtime.bigint() - started) / 1e9 < 5, "refused without expanding 10^9 nodes");
    });

    it("an alias to no anchor, without repeating more than 120 characters of the file", () => {
        const name = "x".repeat(5000);
        const line = onlyLine(withFile("Pulumi.staging.yaml", `${staging}  conveyor:note: *${name}\n`), "Pulumi.staging.yaml");
        assert.match(
            line,
            /^Pulumi\.staging\.yaml: YAML aliases expand too much or point nowhere \(at most 100 alias uses\): Unresolved alias/,
        );
        assert.ok(line.length < 300, `${line.length} characters`);
    });

    it("a duplicate key, with its line", () => {
        const dup = staging.replace("conveyor:versions:", "conveyor:versions:\n    twice: 1\n    twice: 2");
        assert.match(
            onlyLine(withFile("Pulumi.staging.yaml", dup), "Pulumi.staging.yaml"),
            /^Pulumi\.staging\.yaml: invalid YAML at line \d+, column \d+: Map keys must be unique$/,
        );
    });

    it("a document over 512 KiB, unparsed", () => {
        const big = `${staging}\n# ${"padding ".repeat(70_000)}\n`;
        assert.equal(
            onlyLine(withFile("Pulumi.staging.yaml", big), "Pulumi.staging.yaml"),
            `Pulumi.staging.yaml: the file is ${Buffer.byteLength(big)} bytes, more than the 512 KiB a config file may have`,
        );
    });

    it("an alias in conveyor:versions, as the stack-file reader refuses it; elsewhere an alias is fine", () => {
        const aliased = staging
            .replace(/^(\s+)web: (\d+)/m, "$1web: *webBuild")
            .replace("conveyor:versions:", "conveyor:pinned: &webBuild 2255\n  conveyor:versions:");
        assert.notEqual(aliased, staging);
        const lines = problems(withFile("Pulumi.staging.yaml", aliased)).filter((l) => l.startsWith("Pulumi.staging.yaml: "));
        assert.ok(
            lines.includes(
                "Pulumi.staging.yaml: conveyor:versions.web: an alias is not allowed here: write the build number itself, one line per component",
            ),
            lines.join("\n"),
        );
        const elsewhere = staging.replace(/^(\s+)aws:region: (\S+)/m, "$1aws:region: &region $2\n$1app:replicaRegion: *region");
        assert.notEqual(elsewhere, staging);
        assert.equal(
            parseWorkspace(withFile("Pulumi.staging.yaml", elsewhere)).environments.find((e) => e.stack === "staging")!.region,
            "eu-west-3",
        );
    });

    it("a build number too large to be exact (1e20), as the stack-file reader refuses it", () => {
        for (const written of ["1e20", "9007199254740993"]) {
            const text = staging.replace(/^(\s+)web: \d+/m, `$1web: ${written}`);
            assert.match(
                onlyLine(withFile("Pulumi.staging.yaml", text), "Pulumi.staging.yaml"),
                /^Pulumi\.staging\.yaml: conveyor:versions\.web: expected a build number \(positive integer\), got \d/,
            );
        }
    });
});
