// The AWS policies (policies/aws.ts): least-privilege IAM, pinned images, the load balancer's ports and the
// release controller's functions; called directly, as in github.test.ts.
import * as assert from "node:assert/strict";
import {
    ecsImagesPinned,
    ecsProductionRedundant,
    iamLeastPrivilege,
    imageProblem,
    loadBalancerWebPortsOnly,
    releaseControllerLambda,
} from "../../policies/aws";
import { violationsOf, type ResourceSpec } from "../policy-harness";

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
    it("iam-least-privilege fails on Allow with NotAction, with one message that names no action the statement does not list", async () => {
        assert.deepEqual(await violationsOf(iamLeastPrivilege, rolePolicy([{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }])), [
            "release-controller policy: statement #0 allows NotAction (grants every other action)",
        ]);
    });
    it("iam-least-privilege names every offending action of a statement in one readable message", async () => {
        const broad = { Sid: "Broad", Effect: "Allow", Action: ["sqs:*", "s3:*"], Resource: "*" };
        assert.deepEqual(await violationsOf(iamLeastPrivilege, rolePolicy([broad])), [
            "release-controller policy: statement Broad grants wildcard action sqs:*, s3:*",
            'release-controller policy: statement Broad grants sqs:*, s3:* on resource "*" although they can be scoped',
        ]);
    });
    it("iam-least-privilege lets prefix and suffix wildcards (s3:Get*, s3:*Object) through on a scoped resource", async () => {
        const partial = { Effect: "Allow", Action: ["s3:Get*", "s3:*Object"], Resource: "arn:aws:s3:::releases/*" };
        assert.deepEqual(await violationsOf(iamLeastPrivilege, rolePolicy([partial])), []);
    });
    it("iam-least-privilege reads a single Statement object like a list of one, naming it by its position", async () => {
        const single = { type: "aws:iam/rolePolicy:RolePolicy", name: "release-controller", props: { role: "rc" } };
        const policy = JSON.stringify({
            Version: "2012-10-17",
            Statement: { Effect: "Allow", Action: "*", Resource: "arn:aws:sqs:eu-west-3:1:q" },
        });
        assert.deepEqual(await violationsOf(iamLeastPrivilege, { ...single, props: { ...single.props, policy } }), [
            "release-controller policy: statement #0 grants wildcard action *",
        ]);
    });
    it("iam-least-privilege fails on a policy document that is not JSON, naming the resource", async () => {
        const spec: ResourceSpec = { type: "aws:iam/policy:Policy", name: "p", props: { policy: '{"Statement": [' } };
        assert.deepEqual(await violationsOf(iamLeastPrivilege, spec), ["p policy: policy document is not valid JSON"]);
    });
    it("iam-least-privilege leaves resource policies alone: a KMS key policy's kms:* on * means this key only", async () => {
        const keyPolicy = { Effect: "Allow", Principal: { AWS: "arn:aws:iam::1:root" }, Action: "kms:*", Resource: "*" };
        assert.deepEqual(
            await violationsOf(iamLeastPrivilege, { type: "aws:kms/key:Key", name: "k", props: { policy: policyDoc([keyPolicy]) } }),
            [],
        );
    });
    it("iam-least-privilege passes the empty inline block that clears a role's inline policies, and names an unnamed one", async () => {
        const role = (inlinePolicies: object[]): ResourceSpec => ({ type: "aws:iam/role:Role", name: "r", props: { inlinePolicies } });
        assert.deepEqual(await violationsOf(iamLeastPrivilege, role([{ name: "", policy: "" }])), []);
        const sqsAll = policyDoc([{ Effect: "Allow", Action: "sqs:*", Resource: "arn:aws:sqs:eu-west-3:1:q" }]);
        assert.deepEqual(await violationsOf(iamLeastPrivilege, role([{ policy: sqsAll }])), [
            "r inline policy (unnamed): statement #0 grants wildcard action sqs:*",
        ]);
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
    it("release-controller-lambda-safe fails without a timeout or with a zero one, on either function", async () => {
        assert.match((await violationsOf(releaseControllerLambda, worker({ timeout: undefined }))).join(), /timeout/);
        assert.match((await violationsOf(releaseControllerLambda, intake({ timeout: undefined }))).join(), /timeout/);
        assert.deepEqual(await violationsOf(releaseControllerLambda, intake({ timeout: 0 })), [
            "release-controller-intake must set an explicit timeout",
        ]);
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
    it("release-controller-lambda-safe accepts 1 to 10 receives before the dead-letter queue, and refuses 0 or 11", async () => {
        for (const n of [1, 10])
            assert.deepEqual(await violationsOf(releaseControllerLambda, queue({ redrivePolicy: redrive(n) })), [], String(n));
        for (const n of [0, 11]) {
            assert.deepEqual(await violationsOf(releaseControllerLambda, queue({ redrivePolicy: redrive(n) })), [
                `release-controller-queue redrivePolicy.maxReceiveCount must be 1-10 (got ${n})`,
            ]);
        }
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
    it("release-controller-lambda-safe judges a function named release-controller even outside its component", async () => {
        assert.deepEqual(
            await violationsOf(releaseControllerLambda, { type: "aws:lambda/function:Function", name: "release-controller", props: {} }),
            ["release-controller must set an explicit timeout"],
        );
    });

    const taskDefinition = (...images: string[]): ResourceSpec => ({
        type: "aws:ecs/taskDefinition:TaskDefinition",
        name: "prod-billing",
        props: { containerDefinitions: JSON.stringify(images.map((image, i) => ({ name: `c${i}`, image }))) },
    });
    it("ecs-image-pinned passes numeric build tags (with or without a registry, registry ports included) and sha256 digests", async () => {
        const digest = `acme/billing@sha256:${"a".repeat(64)}`;
        assert.deepEqual(
            await violationsOf(
                ecsImagesPinned,
                taskDefinition(
                    "123456789012.dkr.ecr.eu-west-3.amazonaws.com/acme/billing:860",
                    "registry:5000/web:12",
                    digest,
                    "billing:861",
                ),
            ),
            [],
        );
    });
    for (const [image, why] of [
        ["acme/billing:latest", /floating tag "latest"/],
        ["registry:5000/acme/billing", /no tag/],
        ["acme/billing:stable", /floating tag "stable"/],
        ["acme/billing:1.2", /floating tag "1.2"/],
        [`acme/billing@sha256:${"a".repeat(65)}`, /container c0 image acme\/billing@sha256:a{65} has floating tag/],
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
    it("ecs-image-pinned fails on container definitions that are not JSON, naming the task definition", async () => {
        const spec: ResourceSpec = {
            type: "aws:ecs/taskDefinition:TaskDefinition",
            name: "t",
            props: { containerDefinitions: '[{"image": ' },
        };
        assert.deepEqual(await violationsOf(ecsImagesPinned, spec), ["t: containerDefinitions is not valid JSON"]);
    });
    it("ecs-image-pinned judges a daemon task definition's containers too", async () => {
        const daemon = (image: string): ResourceSpec => ({
            type: "aws:ecs/daemonTaskDefinition:DaemonTaskDefinition",
            name: "prod-log-router",
            props: { containerDefinitions: [{ name: "router", image }] },
        });
        assert.deepEqual(await violationsOf(ecsImagesPinned, daemon("acme/log-router:412")), []);
        assert.deepEqual(await violationsOf(ecsImagesPinned, daemon("acme/log-router:latest")), [
            'prod-log-router container router image acme/log-router:latest has floating tag "latest", expected a numeric build number',
        ]);
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
    const service = (stack: string, desiredCount?: number): ResourceSpec => ({
        type: "aws:ecs/service:Service",
        name: `${stack}-billing`,
        stack,
        props: desiredCount === undefined ? {} : { desiredCount },
    });
    it("ecs-production-redundant passes production services at two tasks or more, and any count outside production", async () => {
        for (const spec of [
            service("prod", 2),
            service("globex-prod", 3),
            service("staging", 1),
            service("globex-staging", 1),
            // A client whose name starts like a production stack's is still judged by its stage.
            service("globex-products-staging", 1),
            service("demo"),
        ])
            assert.deepEqual(await violationsOf(ecsProductionRedundant, spec), [], spec.stack);
        assert.deepEqual(
            await violationsOf(ecsProductionRedundant, { ...service("prod", 1), type: "aws:ecs/taskDefinition:TaskDefinition" }),
            [],
        );
    });
    for (const [stack, count, shown] of [
        ["prod", 1, 1],
        ["globex-prod", 1, 1],
        ["acme-eu-prod", 0, 0],
        ["prod", undefined, 1],
    ] as const) {
        it(`ecs-production-redundant fails on ${stack} at ${count ?? "the default count of"} task(s)`, async () => {
            assert.deepEqual(await violationsOf(ecsProductionRedundant, service(stack, count)), [
                `${stack}-billing runs ${shown} task(s) in production stack ${stack}, at least 2 are required`,
            ]);
            assert.equal(ecsProductionRedundant.enforcementLevel, "mandatory");
        });
    }
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
    it("load-balancer-web-ports-only fails on protocol all, and shows what a rule leaves unset as ?", async () => {
        assert.deepEqual(await violationsOf(loadBalancerWebPortsOnly, albGroup([{ protocol: "all", fromPort: 443, toPort: 443 }])), [
            "prod-alb ingress all 443-443 is not 443 or 80",
        ]);
        const loose = [
            { protocol: "-1", cidrBlocks: ["192.0.2.0/24"] },
            { fromPort: 8080, toPort: 8080, cidrBlocks: ["192.0.2.0/24"] },
        ];
        assert.deepEqual(await violationsOf(loadBalancerWebPortsOnly, albGroup(loose)), [
            "prod-alb ingress -1 ?-? is not 443 or 80",
            "prod-alb ingress ? 8080-8080 is not 443 or 80",
        ]);
    });
    it("load-balancer-web-ports-only leaves a network ACL named *-alb alone: a stateless ACL must let replies in on ephemeral ports", async () => {
        const acl: ResourceSpec = {
            type: "aws:ec2/networkAcl:NetworkAcl",
            name: "prod-alb",
            props: { ingress: [{ ruleNo: 100, action: "allow", protocol: "tcp", fromPort: 1024, toPort: 65535, cidrBlock: "0.0.0.0/0" }] },
        };
        assert.deepEqual(await violationsOf(loadBalancerWebPortsOnly, acl), []);
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
