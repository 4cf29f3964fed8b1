// Each policy is called directly with args built here, the way the policy server would build them; the
// pack's entry module is never imported because `new PolicyPack` starts a gRPC server.
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { Secret } from "@pulumi/policy";
import { synthesize } from "../../cli/synth";
import { ecsImagesPinned, iamLeastPrivilege, imageProblem, loadBalancerWebPortsOnly, releaseControllerLambda } from "../../policies/aws";
import { servingRecordsProxied } from "../../policies/cloudflare";
import { notAheadOfSource, projectDir } from "../../policies/config";
import { DEPENDABOT_PATH, repositoryIsComplete, repositoryIsProtected, STALE_PATH } from "../../policies/github";
import { looksSecret, secretInputs } from "../../policies/secrets";
import {
    packProblems,
    policyResources,
    resourceArgs,
    specOf,
    stackArgs,
    stackViolationsOf,
    violationsOf,
    type ResourceSpec,
} from "../policy-harness";
import { REPO_ROOT, scratchDir, WORKSPACE } from "../workspace-fixture";

// ---------- github ----------

const REPO_TYPE = "github:index/repository:Repository";
const goodRepository = (over: Partial<ResourceSpec> = {}, props: Record<string, unknown> = {}): ResourceSpec => ({
    type: REPO_TYPE,
    name: "billing-service",
    protect: true,
    retainOnDelete: true,
    ...over,
    props: { name: "billing-service", archiveOnDestroy: true, visibility: "private", ...props },
});

function managedRepositorySet(repo: string, omit: string[] = []): ResourceSpec[] {
    const all: ResourceSpec[] = [
        goodRepository({ name: repo }, { name: repo }),
        {
            type: "github:index/repositoryFile:RepositoryFile",
            name: `${repo}-dependabot`,
            props: { repository: repo, file: DEPENDABOT_PATH, content: "version: 2\n" },
        },
        {
            type: "github:index/repositoryFile:RepositoryFile",
            name: `${repo}-stale`,
            props: { repository: repo, file: STALE_PATH, content: "name: stale\n" },
        },
        { type: "github:index/issueLabels:IssueLabels", name: `${repo}-labels`, props: { repository: repo, labels: [] } },
        {
            type: "github:index/repositoryRuleset:RepositoryRuleset",
            name: `${repo}-default-branch`,
            props: { repository: repo, target: "branch", conditions: { refName: { includes: ["~DEFAULT_BRANCH"], excludes: [] } } },
        },
    ];
    return all.filter((r) => !omit.includes(r.name));
}

describe("policies: github", () => {
    it("github-repository-protected passes a protected, retained, archived repository", async () => {
        assert.deepEqual(await violationsOf(repositoryIsProtected, goodRepository()), []);
    });
    it("github-repository-protected fails without protect", async () => {
        assert.match((await violationsOf(repositoryIsProtected, goodRepository({ protect: false }))).join(), /protect/);
    });
    it("github-repository-protected fails without retainOnDelete", async () => {
        assert.match((await violationsOf(repositoryIsProtected, goodRepository({ retainOnDelete: false }))).join(), /retainOnDelete/);
    });
    it("github-repository-protected fails without archiveOnDestroy", async () => {
        assert.match(
            (await violationsOf(repositoryIsProtected, goodRepository({}, { archiveOnDestroy: false }))).join(),
            /archiveOnDestroy/,
        );
    });

    it("github-repository-complete passes a repository with all four children", async () => {
        assert.deepEqual(
            await stackViolationsOf(repositoryIsComplete, stackArgs([...managedRepositorySet("a"), ...managedRepositorySet("b")])),
            [],
        );
    });
    for (const [child, expected] of [
        ["dependabot", /dependabot\.yml/],
        ["stale", /stale\.yml/],
        ["labels", /label set/],
        ["default-branch", /default-branch ruleset/],
    ] as const) {
        it(`github-repository-complete fails when the ${child} child is missing, naming the repository`, async () => {
            const resources = [...managedRepositorySet("a"), ...managedRepositorySet("b", [`b-${child}`])];
            const v = await stackViolationsOf(repositoryIsComplete, stackArgs(resources));
            assert.equal(v.length, 1);
            assert.match(v[0], /repository b /);
            assert.match(v[0], expected);
        });
    }
    it("github-repository-complete does not count another repository's children", async () => {
        const resources = [...managedRepositorySet("a"), goodRepository({ name: "b" }, { name: "b" })];
        assert.match(
            (await stackViolationsOf(repositoryIsComplete, stackArgs(resources))).join(),
            /repository b is missing: .*dependabot.*stale.*label set.*ruleset/,
        );
    });
});

// ---------- secrets ----------

async function remediate(props: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
    const result = await secretInputs.remediateResource!(
        resourceArgs({ type: "aws:secretsmanager/secretVersion:SecretVersion", name: "x", props }),
    );
    return result ?? undefined;
}

describe("policies: secret inputs", () => {
    it("names: secret nouns at the end look secret, references and identifiers do not", () => {
        for (const n of [
            "token",
            "githubToken",
            "password",
            "apiKey",
            "secret",
            "webhookSecret",
            "secretString",
            "secretBinary",
            "NPM_GITHUB_TOKEN",
            "privateKey",
            "credentials",
        ]) {
            assert.equal(looksSecret(n), true, n);
        }
        for (const n of [
            "keyId",
            "secretId",
            "kmsKeyId",
            "secretName",
            "privateSubnetIds",
            "GITHUB_TOKEN_SECRET_ARN",
            "publicKey",
            "hashKey",
            "sortKey",
            "keyName",
            "description",
            "tokenUrl",
        ]) {
            assert.equal(looksSecret(n), false, n);
        }
    });
    it("secret-inputs-are-secrets leaves secret values and non-secret names alone", async () => {
        assert.equal(await remediate({ secretId: "abc", secretString: new Secret("s3cr3t"), description: "a token for CI" }), undefined);
    });
    it("secret-inputs-are-secrets finds values behind @pulumi/policy's secrets-preserving proxy", async () => {
        // The shape the policy server hands remediations: a proxy whose target still holds Secret instances.
        const target = { secretString: new Secret("s3cr3t") };
        const proxied = new Proxy(target, {
            get: (t, p) =>
                p === "__isSpecialProxy"
                    ? true
                    : p === "__getSpecialProxyTarget"
                      ? t
                      : (t as Record<string | symbol, unknown>)[p] instanceof Secret
                        ? ((t as Record<string | symbol, unknown>)[p] as Secret).value
                        : (t as Record<string | symbol, unknown>)[p],
        });
        assert.equal(await remediate(proxied as unknown as Record<string, unknown>), undefined);
    });
    it("secret-inputs-are-secrets makes a plaintext secret-looking input secret, nested ones too", async () => {
        const out = await remediate({
            secretString: "s3cr3t",
            environment: { variables: { API_KEY: "k", REGION: "eu" } },
            description: "d",
        });
        assert.ok(out);
        assert.ok(out.secretString instanceof Secret);
        assert.equal(out.secretString.value, "s3cr3t");
        const vars = (out.environment as { variables: Record<string, unknown> }).variables;
        assert.ok(vars.API_KEY instanceof Secret);
        assert.equal(vars.REGION, "eu");
        assert.equal(out.description, "d");
    });
});

// ---------- aws ----------

const policyDoc = (statements: object[]): string => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const goodStatements = [
    {
        Sid: "Logs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: ["arn:aws:logs:eu-west-3:1:log-group:/aws/lambda/rc:*"],
    },
    { Sid: "Ecr", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
    { Sid: "DenyAll", Effect: "Deny", Action: "*", Resource: "*" },
];
const rolePolicy = (statements: object[]): ResourceSpec => ({
    type: "aws:iam/rolePolicy:RolePolicy",
    name: "release-controller",
    props: { role: "rc", policy: policyDoc(statements) },
});

describe("policies: aws", () => {
    it("iam-least-privilege passes scoped RolePolicy, Policy and Role inline policies", async () => {
        assert.deepEqual(await violationsOf(iamLeastPrivilege, rolePolicy(goodStatements)), []);
        assert.deepEqual(
            await violationsOf(iamLeastPrivilege, {
                type: "aws:iam/policy:Policy",
                name: "p",
                props: { policy: JSON.parse(policyDoc(goodStatements)) },
            }),
            [],
        );
        assert.deepEqual(
            await violationsOf(iamLeastPrivilege, {
                type: "aws:iam/role:Role",
                name: "r",
                props: { assumeRolePolicy: "{}", inlinePolicies: [{ name: "i", policy: policyDoc(goodStatements) }] },
            }),
            [],
        );
    });
    it("iam-least-privilege fails on a `*` action", async () => {
        assert.match(
            (
                await violationsOf(iamLeastPrivilege, rolePolicy([{ Effect: "Allow", Action: "*", Resource: "arn:aws:sqs:eu-west-3:1:q" }]))
            ).join(),
            /wildcard action \*/,
        );
    });
    it("iam-least-privilege fails on a `service:*` action, in a Role's inline policy too", async () => {
        const role: ResourceSpec = {
            type: "aws:iam/role:Role",
            name: "r",
            props: {
                inlinePolicies: [
                    { name: "i", policy: policyDoc([{ Effect: "Allow", Action: ["sqs:*"], Resource: "arn:aws:sqs:eu-west-3:1:q" }]) },
                ],
            },
        };
        assert.match((await violationsOf(iamLeastPrivilege, role)).join(), /inline policy i: .*wildcard action sqs:\*/);
    });
    it("iam-least-privilege fails on a `*` resource for scopable actions (aws:iam/policy:Policy)", async () => {
        const v = await violationsOf(iamLeastPrivilege, {
            type: "aws:iam/policy:Policy",
            name: "p",
            props: { policy: policyDoc([{ Sid: "Secrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: "*" }]) },
        });
        assert.match(v.join(), /statement Secrets grants secretsmanager:GetSecretValue on resource "\*"/);
    });
    it("iam-least-privilege fails on Allow with NotAction", async () => {
        assert.match(
            (
                await violationsOf(iamLeastPrivilege, rolePolicy([{ Effect: "Allow", NotAction: "iam:*", Resource: "arn:aws:s3:::b" }]))
            ).join(),
            /NotAction/,
        );
    });

    it("iam-least-privilege fails on Allow with NotResource, and lets a Deny with NotResource narrow a grant", async () => {
        const notResource = { Sid: "AllButLogs", NotResource: "arn:aws:logs:eu-west-3:1:*", Action: ["sqs:SendMessage"] };
        assert.deepEqual(await violationsOf(iamLeastPrivilege, rolePolicy([{ ...notResource, Effect: "Allow" }])), [
            "release-controller policy: statement AllButLogs allows NotResource (grants every other resource)",
        ]);
        assert.deepEqual(await violationsOf(iamLeastPrivilege, rolePolicy([...goodStatements, { ...notResource, Effect: "Deny" }])), []);
    });

    const child = (type: string, name: string, props: Record<string, unknown>): ResourceSpec => ({
        type,
        name,
        parentType: "conveyor:release-controller:ReleaseController",
        props,
    });
    const worker = (props: Record<string, unknown>) =>
        child("aws:lambda/function:Function", "release-controller-worker", { timeout: 900, reservedConcurrentExecutions: 1, ...props });
    const intake = (props: Record<string, unknown>) =>
        child("aws:lambda/function:Function", "release-controller-intake", { timeout: 10, ...props });
    const redrive = (maxReceiveCount: unknown) =>
        JSON.stringify({ deadLetterTargetArn: "arn:aws:sqs:eu-west-3:1:dlq.fifo", maxReceiveCount });
    const queue = (props: Record<string, unknown>) =>
        child("aws:sqs/queue:Queue", "release-controller-queue", { fifoQueue: true, redrivePolicy: redrive(5), ...props });
    const mapping = (props: Record<string, unknown>) =>
        child("aws:lambda/eventSourceMapping:EventSourceMapping", "release-controller-worker", {
            functionResponseTypes: ["ReportBatchItemFailures"],
            ...props,
        });
    it("release-controller-lambda-safe passes the controller's settings", async () => {
        for (const r of [
            worker({}),
            intake({}),
            queue({}),
            mapping({}),
            child("aws:sqs/queue:Queue", "release-controller-dead-letter", { fifoQueue: true }),
        ]) {
            assert.deepEqual(await violationsOf(releaseControllerLambda, r), [], r.name);
        }
    });
    it("release-controller-lambda-safe fails without a timeout, on either function", async () => {
        assert.match((await violationsOf(releaseControllerLambda, worker({ timeout: undefined }))).join(), /timeout/);
        assert.match((await violationsOf(releaseControllerLambda, intake({ timeout: undefined }))).join(), /timeout/);
    });
    it("release-controller-lambda-safe fails unless the worker's reserved concurrency is exactly 1; the intake needs none", async () => {
        assert.match(
            (await violationsOf(releaseControllerLambda, worker({ reservedConcurrentExecutions: 2 }))).join(),
            /reservedConcurrentExecutions/,
        );
        assert.match(
            (await violationsOf(releaseControllerLambda, worker({ reservedConcurrentExecutions: undefined }))).join(),
            /reservedConcurrentExecutions/,
        );
        assert.deepEqual(await violationsOf(releaseControllerLambda, intake({ reservedConcurrentExecutions: undefined })), []);
    });
    it("release-controller-lambda-safe fails on a work queue without a dead-letter queue, with unbounded receives, or not FIFO", async () => {
        assert.match(
            (await violationsOf(releaseControllerLambda, queue({ redrivePolicy: undefined }))).join(),
            /redrivePolicy with a dead-letter queue/,
        );
        assert.match(
            (await violationsOf(releaseControllerLambda, queue({ redrivePolicy: redrive(100) }))).join(),
            /maxReceiveCount must be 1-10 \(got 100\)/,
        );
        assert.match((await violationsOf(releaseControllerLambda, queue({ fifoQueue: false }))).join(), /FIFO/);
    });
    it("release-controller-lambda-safe fails on an event source mapping without partial batch failures", async () => {
        assert.match(
            (await violationsOf(releaseControllerLambda, mapping({ functionResponseTypes: [] }))).join(),
            /ReportBatchItemFailures/,
        );
    });
    it("release-controller-lambda-safe ignores other functions and queues", async () => {
        assert.deepEqual(
            await violationsOf(releaseControllerLambda, { type: "aws:lambda/function:Function", name: "other", props: {} }),
            [],
        );
        assert.deepEqual(await violationsOf(releaseControllerLambda, { type: "aws:sqs/queue:Queue", name: "other", props: {} }), []);
    });

    const taskDefinition = (...images: string[]): ResourceSpec => ({
        type: "aws:ecs/taskDefinition:TaskDefinition",
        name: "prod-billing",
        props: { containerDefinitions: JSON.stringify(images.map((image, i) => ({ name: `c${i}`, image }))) },
    });
    it("ecs-image-pinned passes numeric build tags (registry ports included) and sha256 digests", async () => {
        const digest = `acme/billing@sha256:${"a".repeat(64)}`;
        assert.deepEqual(
            await violationsOf(
                ecsImagesPinned,
                taskDefinition("123456789012.dkr.ecr.eu-west-3.amazonaws.com/acme/billing:860", "registry:5000/web:12", digest),
            ),
            [],
        );
    });
    for (const [image, why] of [
        ["acme/billing:latest", /floating tag "latest"/],
        ["registry:5000/acme/billing", /no tag/],
        ["acme/billing:stable", /floating tag "stable"/],
        ["acme/billing:1.2", /floating tag "1.2"/],
    ] as const) {
        it(`ecs-image-pinned fails on ${image}`, async () => {
            assert.match((await violationsOf(ecsImagesPinned, taskDefinition(image))).join(), why);
        });
    }
    it("ecs-image-pinned fails on a container without an image", async () => {
        const spec: ResourceSpec = {
            type: "aws:ecs/taskDefinition:TaskDefinition",
            name: "t",
            props: { containerDefinitions: JSON.stringify([{ name: "web" }]) },
        };
        assert.match((await violationsOf(ecsImagesPinned, spec)).join(), /container web has no image/);
        assert.equal(imageProblem(""), "has no image");
    });

    const albGroup = (ingress: object[]): ResourceSpec => ({
        type: "aws:ec2/securityGroup:SecurityGroup",
        name: "prod-alb",
        props: { ingress },
    });
    const web = [
        { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["192.0.2.0/24"] },
        { protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: ["192.0.2.0/24"] },
    ];
    it("load-balancer-web-ports-only passes 443/80 ingress and listeners", async () => {
        assert.deepEqual(await violationsOf(loadBalancerWebPortsOnly, albGroup(web)), []);
        assert.deepEqual(
            await violationsOf(loadBalancerWebPortsOnly, {
                type: "aws:lb/listener:Listener",
                name: "prod-https",
                props: { port: 443, protocol: "HTTPS" },
            }),
            [],
        );
        // The tasks' group is not the load balancer's: its container ports are fine.
        assert.deepEqual(
            await violationsOf(loadBalancerWebPortsOnly, {
                type: "aws:ec2/securityGroup:SecurityGroup",
                name: "prod-tasks",
                props: { ingress: [{ protocol: "tcp", fromPort: 8080, toPort: 8080 }] },
            }),
            [],
        );
    });
    it("load-balancer-web-ports-only fails on another port, a port range or protocol -1 in the ALB group", async () => {
        assert.match(
            (await violationsOf(loadBalancerWebPortsOnly, albGroup([...web, { protocol: "tcp", fromPort: 22, toPort: 22 }]))).join(),
            /22-22/,
        );
        assert.match(
            (await violationsOf(loadBalancerWebPortsOnly, albGroup([{ protocol: "tcp", fromPort: 80, toPort: 443 }]))).join(),
            /80-443/,
        );
        assert.match(
            (await violationsOf(loadBalancerWebPortsOnly, albGroup([{ protocol: "-1", fromPort: 443, toPort: 443 }]))).join(),
            /-1 443-443/,
        );
    });
    it("load-balancer-web-ports-only fails on a listener on another port", async () => {
        assert.match(
            (
                await violationsOf(loadBalancerWebPortsOnly, {
                    type: "aws:lb/listener:Listener",
                    name: "admin",
                    props: { port: 8443, protocol: "HTTPS" },
                })
            ).join(),
            /port 8443/,
        );
    });
});

// ---------- cloudflare ----------

const dns = (props: Record<string, unknown>): ResourceSpec => ({
    type: "cloudflare:index/dnsRecord:DnsRecord",
    name: "prod-web",
    props: { type: "CNAME", name: "web.app.acme-saas.example", content: "prod-1.elb.amazonaws.com", proxied: true, ...props },
});

describe("policies: cloudflare", () => {
    it("cloudflare-serving-records-proxied passes proxied records and unproxied validation records", async () => {
        assert.deepEqual(await violationsOf(servingRecordsProxied, dns({})), []);
        assert.deepEqual(await violationsOf(servingRecordsProxied, dns({ type: "AAAA", content: "100::" })), []);
        assert.deepEqual(
            await violationsOf(
                servingRecordsProxied,
                dns({ name: "_8afc828.app.acme-saas.example.", content: "_8afc828.acm-validations.aws.", proxied: false }),
            ),
            [],
        );
        assert.deepEqual(await violationsOf(servingRecordsProxied, dns({ type: "TXT", content: "v=spf1 -all", proxied: false })), []);
    });
    it("cloudflare-serving-records-proxied fails on an unproxied CNAME to a load balancer", async () => {
        assert.match((await violationsOf(servingRecordsProxied, dns({ proxied: false }))).join(), /web\.app\.acme-saas\.example .*proxied/);
    });
    it("cloudflare-serving-records-proxied fails on an unproxied A record", async () => {
        assert.match(
            (await violationsOf(servingRecordsProxied, dns({ type: "A", content: "192.0.2.1", proxied: false }))).join(),
            /must be proxied/,
        );
    });
    it("cloudflare-serving-records-proxied treats an unknown CNAME target (preview) as serving", async () => {
        const record: Record<string, unknown> = { type: "CNAME", name: "web.x.example", proxied: false };
        const props = new Proxy(record, {
            get: (t, p) => {
                if (p === "content") throw new Error("unknown during preview");
                return t[p as string];
            },
        });
        assert.equal(
            (await violationsOf(servingRecordsProxied, { type: "cloudflare:index/dnsRecord:DnsRecord", name: "x", props })).length,
            1,
        );
    });
});

// ---------- config (stack-level) ----------

/** A project folder holding these stack files, removed after the test. */
function projectWith(files: Record<string, string>): string {
    const dir = scratchDir("conveyor-policy-");
    for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
    return dir;
}
const envFile = (source: string, versions: Record<string, number>): string =>
    `config:\n  conveyor:environment:\n    tier: main\n    release:\n      source: ${source}\n  conveyor:versions:\n${Object.entries(
        versions,
    )
        .map(([k, v]) => `    ${k}: ${v}\n`)
        .join("")}`;
const running = (stack: string, versions: Record<string, number>): ResourceSpec[] => [
    { type: "pulumi:pulumi:Stack", name: `conveyor-${stack}`, stack, props: {} },
    ...Object.entries(versions).map(([c, v]) => ({
        type: "aws:ecs/taskDefinition:TaskDefinition",
        name: `${stack}-${c}`,
        stack,
        props: { containerDefinitions: JSON.stringify([{ name: c, image: `123.dkr.ecr.eu-west-3.amazonaws.com/acme/${c}:${v}` }]) },
    })),
];

describe("policies: config", () => {
    // Staging from CI, demo from staging, prod from demo; each test gets its own folder.
    const DEMO = { billing: 866, web: 2271 };
    const train = (prod: Record<string, number>) =>
        projectWith({
            "Pulumi.staging.yaml": envFile("ci", { billing: 870, web: 2280 }),
            "Pulumi.demo.yaml": envFile("staging", DEMO),
            "Pulumi.prod.yaml": envFile("demo", prod),
        });
    const prodViolations = async (dir: string, builds: Record<string, number>) =>
        stackViolationsOf(notAheadOfSource, stackArgs(running("prod", builds), { projectDir: dir }));

    it("environment-not-ahead-of-release-source passes when prod runs its source's builds or older ones", async () => {
        assert.deepEqual(await prodViolations(train(DEMO), DEMO), [], "exactly demo's builds");
        assert.deepEqual(await prodViolations(train({ billing: 860, web: 2271 }), { billing: 860, web: 2271 }), [], "one older, one equal");
        // The same folder judges a build one above demo's: the pass above is a verdict, not an early return.
        assert.equal((await prodViolations(train(DEMO), { billing: 867, web: 2271 })).length, 1);
    });
    it("environment-not-ahead-of-release-source lists every component ahead of the source", async () => {
        const v = await prodViolations(train({ billing: 900, web: 2300 }), { billing: 900, web: 2300 });
        assert.equal(v.length, 1);
        assert.match(v[0], /prod runs builds newer than its release source demo: billing 900 > 866, web 2300 > 2271/);
        assert.equal(notAheadOfSource.enforcementLevel, "advisory");
    });
    it("environment-not-ahead-of-release-source names a release source without a stack file", async () => {
        const dir = projectWith({ "Pulumi.prod.yaml": envFile("demo", DEMO) });
        assert.deepEqual(await prodViolations(dir, DEMO), [`release source demo of prod has no Pulumi.demo.yaml in ${dir}`]);
    });
    it("environment-not-ahead-of-release-source skips stacks released from CI", async () => {
        assert.deepEqual(
            await stackViolationsOf(notAheadOfSource, stackArgs(running("staging", { billing: 99999 }), { projectDir: train(DEMO) })),
            [],
        );
    });
    it("environment-not-ahead-of-release-source finds the project from the pack's folder by default", () => {
        assert.equal(projectDir(), REPO_ROOT);
    });
});

// ---------- the program passes its own pack ----------

describe("policies: the program passes its own pack", () => {
    for (const stack of ["org", "prod"]) {
        it(`every resource of the ${stack} synth passes every policy`, async () => {
            const result = await synthesize({ dir: WORKSPACE, stack });
            assert.deepEqual(await packProblems(result, WORKSPACE), []);
            const custom = policyResources(result);
            // Proof the secret check sees real inputs: unwrapped (as if the program forgot pulumi.secret),
            // the stack's secret-looking inputs would be remediated.
            const plaintext = [];
            for (const r of custom)
                if (await secretInputs.remediateResource!(resourceArgs(specOf(stack, r, false)))) plaintext.push(r.name);
            assert.ok(plaintext.length > 0, "no secret-looking input in the synth");
            // The synth must actually contain what the policies judge, or this test proves nothing.
            const types = new Set(custom.map((r) => r.type));
            for (const t of stack === "org"
                ? [REPO_TYPE, "aws:lambda/function:Function", "aws:iam/rolePolicy:RolePolicy"]
                : ["aws:ecs/taskDefinition:TaskDefinition", "aws:lb/listener:Listener", "cloudflare:index/dnsRecord:DnsRecord"]) {
                assert.ok(types.has(t), t);
            }
        });
    }
});
