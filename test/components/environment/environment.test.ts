// Environment stacks on Pulumi mocks: what `pulumi up` would run for staging, prod, demo and a client.
import * as assert from "node:assert/strict";
import { parseWorkspace } from "../../../config";
import { sizingOf } from "../../../components/environment/sizing";
import { synthesize, type SynthResource, type SynthResult } from "../../../cli/synth";
import { fixtureFiles, WORKSPACE, withFile, withValue } from "../../workspace-fixture";

const T = {
    vpc: "aws:ec2/vpc:Vpc",
    nat: "aws:ec2/natGateway:NatGateway",
    subnet: "aws:ec2/subnet:Subnet",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    taskDef: "aws:ecs/taskDefinition:TaskDefinition",
    service: "aws:ecs/service:Service",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    rule: "aws:lb/listenerRule:ListenerRule",
    listener: "aws:lb/listener:Listener",
    logs: "aws:cloudwatch/logGroup:LogGroup",
    dns: "cloudflare:index/dnsRecord:DnsRecord",
    cert: "aws:acm/certificate:Certificate",
    secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
};

const synthOf = (stack: string, files = fixtureFiles()) =>
    synthesize({ dir: WORKSPACE, stack, workspace: parseWorkspace(files), now: new Date("2026-11-30T08:00:00Z") });
const ofType = (r: SynthResult, type: string) => r.resources.filter((x) => x.type === type);
const named = (r: SynthResult, type: string, name: string): SynthResource => {
    const found = r.resources.find((x) => x.type === type && x.name === name);
    assert.ok(found, `${type} ${name}`);
    return found;
};
const container = (r: SynthResult, env: string, component: string) =>
    JSON.parse(String(named(r, T.taskDef, `${env}-${component}`).inputs.containerDefinitions))[0];

describe("environment stacks", function () {
    this.timeout(60_000);
    const ws = parseWorkspace(fixtureFiles());
    const services = ["marketplace", "billing", "web", "erp-connector", "gateway", "notifications"];
    let staging: SynthResult;
    let prod: SynthResult;
    before(async () => {
        staging = await synthOf("staging");
        prod = await synthOf("prod");
    });

    it("runs every component at exactly the build its stack file names", () => {
        for (const [result, env] of [
            [staging, "staging"],
            [prod, "prod"],
        ] as const) {
            const versions = ws.environments.find((e) => e.stack === env)!.versions;
            for (const c of services) {
                assert.equal(container(result, env, c).image, `123456789012.dkr.ecr.eu-west-3.amazonaws.com/acme/${c}:${versions.get(c)}`);
            }
            assert.deepEqual(result.outputs.versions, Object.fromEntries(versions));
        }
    });

    it("gives each component a task definition, target group with its health path, host rule, service, logs and DNS", () => {
        for (const type of [T.taskDef, T.service, T.targetGroup, T.rule, T.logs]) assert.equal(ofType(staging, type).length, 6, type);
        assert.equal(ofType(staging, T.dns).length, 6 + 1, "one record per component plus the certificate's validation");
        const tg = named(staging, T.targetGroup, "staging-marketplace").inputs as {
            healthCheck: { path: string };
            port: number;
            targetType: string;
        };
        assert.equal(tg.healthCheck.path, "/actuator/health");
        assert.equal(tg.port, 8080);
        assert.equal(tg.targetType, "ip");
        const rule = named(staging, T.rule, "staging-web").inputs as { conditions: { hostHeader: { values: string[] } }[] };
        assert.deepEqual(rule.conditions[0].hostHeader.values, ["web.staging.acme-saas.example"]);
        const priorities = ofType(staging, T.rule).map((r) => r.inputs.priority);
        assert.equal(new Set(priorities).size, priorities.length, "rule priorities are unique");
        const record = named(staging, T.dns, "staging-gateway").inputs;
        assert.deepEqual([record.name, record.type, record.proxied], ["gateway.staging.acme-saas.example", "CNAME", true]);
        assert.deepEqual((staging.outputs.urls as Record<string, string>).billing, "https://billing.staging.acme-saas.example");
    });

    it("rolls back a bad build by itself: deployment circuit breaker with rollback", () => {
        for (const s of ofType(prod, T.service)) assert.deepEqual(s.inputs.deploymentCircuitBreaker, { enable: true, rollback: true });
    });

    it("sizes by stage: one task, one NAT, 14-day logs outside prod; prod at least two tasks, a NAT per zone, 90 days", () => {
        for (const s of ofType(staging, T.service)) assert.equal(s.inputs.desiredCount, 1);
        for (const s of ofType(prod, T.service)) assert.equal(s.inputs.desiredCount, 3, "prod's stack file asks for 3");
        assert.equal(ofType(staging, T.nat).length, 1);
        assert.equal(ofType(prod, T.nat).length, 2);
        assert.equal(named(staging, T.logs, "staging-web").inputs.retentionInDays, 14);
        assert.equal(named(prod, T.logs, "prod-web").inputs.retentionInDays, 90);
        assert.equal(named(prod, T.taskDef, "prod-web").inputs.cpu, "512");
    });

    it("takes prod's task count override as written, for the policy pack to refuse rather than quietly overrule", () => {
        const env = ws.environments.find((e) => e.stack === "prod")!;
        assert.equal(sizingOf({ ...env, sizing: { desiredCount: 1 } }).desiredCount, 1);
        assert.equal(sizingOf({ ...env, sizing: {} }).desiredCount, 2);
    });

    it("sizes a client's staging like staging and its prod like prod; an override changes only what it names", () => {
        const client = (stage: "staging" | "prod", sizing = {}) =>
            sizingOf({ stack: `globex-${stage}`, role: { tier: "client", client: "globex", stage }, sizing });
        assert.deepEqual(client("staging"), { cpu: 256, memory: 512, desiredCount: 1, logRetentionDays: 14, natGateways: 1 });
        assert.deepEqual(client("prod"), { cpu: 512, memory: 1024, desiredCount: 2, logRetentionDays: 90, natGateways: 2 });
        assert.deepEqual(client("staging", { memory: 2048, cpu: undefined }), {
            cpu: 256,
            memory: 2048,
            desiredCount: 1,
            logRetentionDays: 14,
            natGateways: 1,
        });
    });

    it("creates a VPC over two zones, or uses the one a stack names", async () => {
        assert.equal(ofType(staging, T.vpc).length, 1);
        assert.deepEqual(
            ofType(staging, T.subnet)
                .map((s) => [s.inputs.cidrBlock, s.inputs.availabilityZone])
                .sort(),
            [
                ["10.20.0.0/20", "eu-west-3a"],
                ["10.20.16.0/20", "eu-west-3b"],
                ["10.20.32.0/20", "eu-west-3a"],
                ["10.20.48.0/20", "eu-west-3b"],
            ],
        );
        const demo = await synthOf("demo");
        assert.equal(ofType(demo, T.vpc).length + ofType(demo, T.subnet).length + ofType(demo, T.nat).length, 0);
        const svc = named(demo, T.service, "demo-web").inputs as { networkConfiguration: { subnets: string[]; assignPublicIp: boolean } };
        assert.deepEqual(svc.networkConfiguration.subnets, ["subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60012"]);
        assert.equal(svc.networkConfiguration.assignPublicIp, false);
    });

    it("lets only Cloudflare reach the load balancer, on 443 and 80, and only the load balancer reach the tasks", () => {
        const alb = named(staging, T.sg, "staging-alb").inputs as { ingress: { fromPort: number; toPort: number; cidrBlocks: string[] }[] };
        assert.deepEqual(alb.ingress.map((i) => i.fromPort).sort(), [443, 80].sort());
        for (const i of alb.ingress) {
            assert.equal(i.fromPort, i.toPort);
            assert.deepEqual(i.cidrBlocks, ["192.0.2.0/24", "198.51.100.0/24"], "the mock's Cloudflare ranges");
        }
        const tasks = named(staging, T.sg, "staging-tasks").inputs as { ingress: { securityGroups?: string[]; cidrBlocks?: string[] }[] };
        for (const i of tasks.ingress) {
            assert.deepEqual(i.securityGroups, ["staging-alb-id"]);
            assert.equal(i.cidrBlocks, undefined);
        }
    });

    it("opens the load balancer to everyone when records are not proxied", async () => {
        const r = await synthOf("staging", withValue("Pulumi.staging.yaml", ["config", "conveyor:environment", "dns", "proxied"], false));
        for (const i of (named(r, T.sg, "staging-alb").inputs as { ingress: { cidrBlocks: string[] }[] }).ingress)
            assert.deepEqual(i.cidrBlocks, ["0.0.0.0/0"]);
        assert.equal(named(r, T.dns, "staging-web").inputs.proxied, false);
    });

    it("serves HTTPS with a wildcard certificate validated in Cloudflare, and redirects HTTP", () => {
        assert.equal(named(staging, T.cert, "staging").inputs.domainName, "*.staging.acme-saas.example");
        const https = named(staging, T.listener, "staging-https").inputs as { port: number; protocol: string; certificateArn: string };
        assert.deepEqual([https.port, https.protocol], [443, "HTTPS"]);
        const http = named(staging, T.listener, "staging-http").inputs as {
            defaultActions: { type: string; redirect: { protocol: string; statusCode: string } }[];
        };
        assert.deepEqual(http.defaultActions[0].redirect, { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" });
        assert.equal(named(staging, T.dns, "staging-certificate-validation").inputs.proxied, false);
    });

    it("keeps the database password secret: in Secrets Manager, handed to tasks as a secret, never plain", () => {
        assert.equal(named(staging, T.secretVersion, "staging-database").inputs.secretString, "[secret]");
        const market = container(staging, "staging", "marketplace");
        assert.deepEqual(
            market.secrets.map((s: { name: string }) => s.name),
            ["DATABASE_PASSWORD"],
        );
        assert.equal(market.environment, undefined);
        assert.equal(container(staging, "staging", "web").secrets, undefined, "web does not use the database");
        assert.doesNotMatch(JSON.stringify(staging), /mock-password/);
    });

    it("sizes a client prod stack without a sizing block like prod: two tasks, a NAT per zone, 90-day logs", async () => {
        // Main prod's file asks for 3 tasks; a client's stack written without that override gets the defaults.
        const prodText = fixtureFiles().find((f) => f.name === "Pulumi.prod.yaml")!.text;
        assert.match(prodText, /\n {4}sizing:\n {6}desiredCount: 3\n/);
        const clientText = prodText
            .replace(/\n {4}sizing:\n {6}desiredCount: 3\n/, "\n")
            .replace("tier: main", "tier: client")
            .replace("domain: app.acme-saas.example", "domain: globex.acme-saas.example")
            .replace("source: demo", "source: prod");
        const r = await synthOf("globex-prod", withFile("Pulumi.globex-prod.yaml", clientText));
        assert.equal(ofType(r, T.service).length, 6);
        for (const s of ofType(r, T.service)) assert.equal(s.inputs.desiredCount, 2, s.name);
        assert.equal(ofType(r, T.nat).length, 2);
        assert.equal(named(r, T.logs, "globex-prod-web").inputs.retentionInDays, 90);
        assert.equal(named(r, T.taskDef, "globex-prod-web").inputs.cpu, "512");
        assert.equal((r.outputs.urls as Record<string, string>).web, "https://web.globex.acme-saas.example");
    });

    it("a one-line version change touches exactly that component's task definition", async () => {
        const bumped = await synthOf("staging", withValue("Pulumi.staging.yaml", ["config", "conveyor:versions", "billing"], 874));
        const key = (r: SynthResource) => `${r.type}::${r.name}`;
        const before = new Map(staging.resources.map((r) => [key(r), JSON.stringify(r)]));
        const changed = bumped.resources.filter((r) => before.get(key(r)) !== JSON.stringify(r)).map(key);
        assert.deepEqual(changed, [`${T.taskDef}::staging-billing`]);
        assert.equal(bumped.resources.length, staging.resources.length);
    });
});
