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

describe("config: an environment's region, zone, network and sizing at their edges", () => {
    const ENV = ["config", "conveyor:environment"];
    const problemsWith = (key: readonly string[], value: unknown) => configProblems(withValue("Pulumi.staging.yaml", key, value));
    const accepts = (key: readonly string[], value: unknown) => void parseWorkspace(withValue("Pulumi.staging.yaml", key, value));
    const at = (key: string, message: string) => `Pulumi.staging.yaml: ${key}: ${message}`;
    const HEX32 = "3f1c2a9d8e7b6c5d4e3f2a1b0c9d8e7f";
    const subnets = (n: number) => Array.from({ length: n }, (_, i) => `subnet-0123456789abcdef${i}`);

    it("an AWS region and a Cloudflare zone id, whole; records go through Cloudflare's proxy unless told", () => {
        for (const region of ["eu-west-3", "us-gov-west-1"]) accepts(["config", "aws:region"], region);
        for (const region of ["xeu-west-3", "eu-west-3x", "eu-west-31", "EU-west-3"]) {
            assert.deepEqual(problemsWith(["config", "aws:region"], region), [
                at("aws:region", `expected an AWS region like eu-west-3, got ${JSON.stringify(region)}`),
            ]);
        }
        assert.equal(
            parseWorkspace(withValue("Pulumi.staging.yaml", [...ENV, "dns", "proxied"], undefined)).environments.find(
                (e) => e.stack === "staging",
            )!.dns.proxied,
            true,
        );
        assert.equal(
            parseWorkspace(withValue("Pulumi.staging.yaml", [...ENV, "dns", "proxied"], false)).environments.find(
                (e) => e.stack === "staging",
            )!.dns.proxied,
            false,
        );
        for (const zoneId of [`x${HEX32}`, `${HEX32}0`, HEX32.slice(1), HEX32.toUpperCase()]) {
            assert.deepEqual(problemsWith([...ENV, "dns", "zoneId"], zoneId), [
                at("conveyor:environment.dns.zoneId", `expected a Cloudflare zone id (32 hex digits), got ${JSON.stringify(zoneId)}`),
            ]);
        }
    });

    it("a new VPC's block from /16 to /24, or an existing VPC with two subnets or more of each kind", () => {
        for (const cidr of ["10.20.0.0/16", "10.20.1.0/20", "10.20.0.128/24", "172.16.100.0/24"]) accepts([...ENV, "network"], { cidr });
        for (const cidr of [
            "10.20.0.0/15",
            "10.20.0.0/25",
            "x10.20.0.0/16",
            "10.20.0.0/16x",
            "10.20.0.0",
            "10.20.0.1000/16",
            "10.20.0/16",
        ]) {
            assert.deepEqual(problemsWith([...ENV, "network"], { cidr }), [
                at(
                    "conveyor:environment.network.cidr",
                    `expected an IPv4 CIDR block from /16 to /24, like 10.20.0.0/16, got ${JSON.stringify(cidr)}`,
                ),
            ]);
        }
        const existing = { vpcId: "vpc-0123456789abcdef0", publicSubnetIds: subnets(2), privateSubnetIds: subnets(3) };
        accepts([...ENV, "network"], { existing });
        accepts([...ENV, "network"], { existing: { ...existing, vpcId: "vpc-01234567" } });
        assert.deepEqual(problemsWith([...ENV, "network"], { existing: { ...existing, vpcId: "vpc-0123", publicSubnetIds: subnets(1) } }), [
            at("conveyor:environment.network.existing.vpcId", 'expected an AWS id like vpc-0123456789abcdef0, got "vpc-0123"'),
            at("conveyor:environment.network.existing.publicSubnetIds", "Too small: expected array to have >=2 items"),
        ]);
        for (const id of ["subnet-0123456789ABCDEF0", "xsubnet-01234567", "subnet-01234567x", "vpc-0123456789abcdef0"]) {
            assert.deepEqual(problemsWith([...ENV, "network"], { existing: { ...existing, privateSubnetIds: [id, ...subnets(2)] } }), [
                at(
                    "conveyor:environment.network.existing.privateSubnetIds.0",
                    `expected an AWS id like subnet-0123456789abcdef0, got ${JSON.stringify(id)}`,
                ),
            ]);
        }
    });

    it("sizing: Fargate's CPU units, 512 to 30720 MiB of memory, and CloudWatch's retentions", () => {
        for (const sizing of [
            { cpu: 256 },
            { cpu: 4096 },
            { memory: 512 },
            { memory: 30720 },
            { logRetentionDays: 1 },
            { logRetentionDays: 3653 },
        ]) {
            accepts([...ENV, "sizing"], sizing);
        }
        assert.deepEqual(problemsWith([...ENV, "sizing"], { cpu: 300, memory: 511 }), [
            at("conveyor:environment.sizing.cpu", "expected Fargate CPU units: 256, 512, 1024, 2048 or 4096, got 300"),
            at("conveyor:environment.sizing.memory", "Too small: expected number to be >=512"),
        ]);
        assert.deepEqual(problemsWith([...ENV, "sizing"], { memory: 30721, logRetentionDays: 2 }), [
            at("conveyor:environment.sizing.memory", "Too big: expected number to be <=30720"),
            at(
                "conveyor:environment.sizing.logRetentionDays",
                "expected a CloudWatch retention: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827 or 3653 days, got 2",
            ),
        ]);
    });

    it("what a deploy does to issues: labels and a close label of any length, none empty", () => {
        accepts([...ENV, "release", "onDeploy"], {
            relabel: { from: "workflow/ready-for-demo", to: "workflow/demo" },
            close: "workflow/done",
        });
        assert.deepEqual(problemsWith([...ENV, "release", "onDeploy"], { relabel: { from: "", to: "workflow/demo" }, close: "" }), [
            at("conveyor:environment.release.onDeploy.relabel.from", "Too small: expected string to have >=1 characters"),
            at("conveyor:environment.release.onDeploy.close", "Too small: expected string to have >=1 characters"),
        ]);
    });
});
