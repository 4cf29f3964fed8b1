// AWS guard rails: least privilege for IAM, a release controller that cannot run twice at once or lose a
// piece of work, ECS images that name exactly one build, production services that survive a deploy or a
// lost zone, and load balancers open on web ports only.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isProductionStack, stackOfUrn } from "./stacks";

const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const ROLE = "aws:iam/role:Role";
const POLICY = "aws:iam/policy:Policy";
const LAMBDA = "aws:lambda/function:Function";
const QUEUE = "aws:sqs/queue:Queue";
const EVENT_SOURCE_MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping";
const TASK_DEFINITIONS: ReadonlySet<string> = new Set([
    "aws:ecs/taskDefinition:TaskDefinition",
    "aws:ecs/daemonTaskDefinition:DaemonTaskDefinition",
]);
const SERVICE = "aws:ecs/service:Service";
const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
const LISTENER = "aws:lb/listener:Listener";

/**
 * Actions AWS only authorises on `"Resource": "*"` (no resource-level permissions), so a `*` resource is
 * the only way to grant them. Kept short on purpose: adding one here is a reviewed decision.
 */
export const UNSCOPABLE_ACTIONS: ReadonlySet<string> = new Set([
    "ecr:getauthorizationtoken",
    "xray:puttracesegments",
    "xray:puttelemetryrecords",
    "cloudwatch:putmetricdata",
    "logs:describeloggroups",
    "sts:getcalleridentity",
]);

interface Statement {
    Effect?: string;
    Action?: string | string[];
    NotAction?: string | string[];
    Resource?: string | string[];
    NotResource?: string | string[];
    Sid?: string;
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Problems of one IAM policy document (JSON text or object), one message per offending statement. */
export function iamDocumentProblems(document: unknown): string[] {
    let doc: unknown = document;
    if (typeof doc === "string") {
        try {
            doc = JSON.parse(doc);
        } catch {
            return ["policy document is not valid JSON"];
        }
    }
    const raw = (doc as { Statement?: Statement | Statement[] } | undefined)?.Statement;
    const statements = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    const problems: string[] = [];
    statements.forEach((s, i) => {
        // Deny statements only narrow what is granted, whatever their wildcards.
        if (s.Effect !== "Allow") return;
        const label = s.Sid ? `statement ${s.Sid}` : `statement #${i}`;
        // NotAction with Allow grants every action but a few: the broadest possible grant.
        if (s.NotAction !== undefined) problems.push(`${label} allows NotAction (grants every other action)`);
        if (s.NotResource !== undefined) problems.push(`${label} allows NotResource (grants every other resource)`);
        const actions = list(s.Action);
        const wild = actions.filter((a) => a === "*" || /^[^:]+:\*$/.test(a));
        if (wild.length > 0) problems.push(`${label} grants wildcard action ${wild.join(", ")}`);
        if (list(s.Resource).includes("*")) {
            const scopable = actions.filter((a) => !UNSCOPABLE_ACTIONS.has(a.toLowerCase()));
            if (scopable.length > 0) problems.push(`${label} grants ${scopable.join(", ")} on resource "*" although they can be scoped`);
        }
    });
    return problems;
}

export const iamLeastPrivilege: ResourceValidationPolicy = {
    name: "iam-least-privilege",
    description: "IAM policies grant no `*` or `service:*` action and no `*` resource where the actions can be scoped.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        // Applied to every IAM policy, not only the release controller's: the rule costs the environments
        // nothing today and keeps a future role from being the exception.
        const documents: Array<[string, unknown]> = [];
        if (args.type === ROLE_POLICY || args.type === POLICY) documents.push(["policy", args.props.policy]);
        if (args.type === ROLE) {
            for (const p of (args.props.inlinePolicies ?? []) as Array<{ name?: string; policy?: unknown }>) {
                documents.push([`inline policy ${p.name ?? "(unnamed)"}`, p.policy]);
            }
        }
        for (const [where, doc] of documents) {
            if (doc === undefined || doc === "") continue;
            for (const problem of iamDocumentProblems(doc)) reportViolation(`${args.name} ${where}: ${problem}`);
        }
    },
};

/** The release controller's resources are its component's children: their URNs carry its type. */
export const isReleaseController = (urn: string, name: string): boolean =>
    urn.includes("conveyor:release-controller:ReleaseController$") || name === "release-controller";

/** The most receives a release-controller message gets before the dead-letter queue: every retry is bounded. */
export const MAX_RECEIVE_COUNT = 10;

function redriveOf(policy: unknown): { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown } | undefined {
    if (policy === undefined || policy === "") return undefined;
    try {
        return (typeof policy === "string" ? JSON.parse(policy) : policy) as { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
    } catch {
        return {};
    }
}

export const releaseControllerLambda: ResourceValidationPolicy = {
    name: "release-controller-lambda-safe",
    description:
        "The release controller's functions have a timeout; its worker (the function named *-worker) runs one at a time (reserved concurrency 1), from a FIFO queue that hands failed work to a dead-letter queue after a bounded number of receives, with partial batch failures reported.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (!isReleaseController(args.urn, args.name)) return;
        const p = args.props;
        if (args.type === LAMBDA) {
            if (typeof p.timeout !== "number" || p.timeout <= 0) reportViolation(`${args.name} must set an explicit timeout`);
            // Two concurrent runs would race on the same release PR branch.
            if (args.name.endsWith("-worker") && p.reservedConcurrentExecutions !== 1) {
                reportViolation(`${args.name} must set reservedConcurrentExecutions: 1 (got ${String(p.reservedConcurrentExecutions)})`);
            }
        }
        if (args.type === QUEUE && !args.name.endsWith("-dead-letter")) {
            if (p.fifoQueue !== true) reportViolation(`${args.name} must be a FIFO queue: work is done in the order it arrived`);
            const redrive = redriveOf(p.redrivePolicy);
            const receives = redrive?.maxReceiveCount;
            if (!redrive?.deadLetterTargetArn)
                reportViolation(`${args.name} must set a redrivePolicy with a dead-letter queue, so failed work is kept`);
            else if (typeof receives !== "number" || !Number.isInteger(receives) || receives < 1 || receives > MAX_RECEIVE_COUNT) {
                reportViolation(`${args.name} redrivePolicy.maxReceiveCount must be 1-${MAX_RECEIVE_COUNT} (got ${String(receives)})`);
            }
        }
        if (args.type === EVENT_SOURCE_MAPPING && !((p.functionResponseTypes ?? []) as string[]).includes("ReportBatchItemFailures")) {
            reportViolation(
                `${args.name} must report batch item failures (functionResponseTypes: ["ReportBatchItemFailures"]), or one failed message fails its whole batch`,
            );
        }
    },
};

/**
 * An image is pinned when it names one immutable build: a numeric CI build tag (`repo:1234`) or a
 * content digest (`repo@sha256:<64 hex>`). Digests are accepted because they are stricter than a tag;
 * `latest`, a missing tag and floating tags (`stable`, `1.2`) are not, since they move under a deploy.
 */
export function imageProblem(image: unknown): string | undefined {
    if (typeof image !== "string" || image === "") return "has no image";
    if (/@sha256:[0-9a-f]{64}$/.test(image)) return undefined;
    const lastSegment = image.slice(image.lastIndexOf("/") + 1);
    const colon = lastSegment.lastIndexOf(":");
    if (colon < 0) return `image ${image} has no tag (means latest)`;
    const tag = lastSegment.slice(colon + 1);
    if (!/^[0-9]+$/.test(tag)) return `image ${image} has floating tag "${tag}", expected a numeric build number`;
    return undefined;
}

export function containerImages(definitions: unknown): Array<{ name: string; image: unknown }> {
    const parsed = typeof definitions === "string" ? (JSON.parse(definitions) as unknown) : definitions;
    return Array.isArray(parsed) ? parsed.map((c: { name?: string; image?: unknown }) => ({ name: String(c.name), image: c.image })) : [];
}

export const ecsImagesPinned: ResourceValidationPolicy = {
    name: "ecs-image-pinned",
    description:
        "Every ECS container image (services' and daemons' task definitions) is pinned to a numeric build tag or a sha256 digest (never latest, untagged or floating).",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (!TASK_DEFINITIONS.has(args.type)) return;
        // Read outside the try: during preview an unknown value throws @pulumi/policy's own error, which must reach
        // the policy server (it reports "can't run during preview") instead of passing for a JSON problem.
        const definitions: unknown = args.props.containerDefinitions;
        let containers: Array<{ name: string; image: unknown }>;
        try {
            containers = containerImages(definitions);
        } catch {
            reportViolation(`${args.name}: containerDefinitions is not valid JSON`);
            return;
        }
        for (const c of containers) {
            const problem = imageProblem(c.image);
            if (problem) reportViolation(`${args.name} container ${c.name} ${problem}`);
        }
    },
};

/** Fewer tasks than this and a deploy's rolling restart or one lost availability zone takes the service down. */
export const PRODUCTION_MIN_TASKS = 2;

export const ecsProductionRedundant: ResourceValidationPolicy = {
    name: "ecs-production-redundant",
    description: `Every ECS service of a production stack (prod, <client>-prod) runs at least ${PRODUCTION_MIN_TASKS} tasks.`,
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== SERVICE) return;
        const stack = stackOfUrn(args.urn);
        if (!isProductionStack(stack)) return;
        const set: unknown = args.props.desiredCount;
        // Unset means ECS's default of one task.
        const count = typeof set === "number" ? set : 1;
        if (count < PRODUCTION_MIN_TASKS) {
            reportViolation(
                `${args.name} runs ${count} task(s) in production stack ${stack}, at least ${PRODUCTION_MIN_TASKS} are required`,
            );
        }
    },
};

export const WEB_PORTS: ReadonlySet<number> = new Set([80, 443]);

interface Ingress {
    fromPort?: number;
    toPort?: number;
    protocol?: string;
}

export const loadBalancerWebPortsOnly: ResourceValidationPolicy = {
    name: "load-balancer-web-ports-only",
    description: "The load balancer's security group (<env>-alb) and its listeners accept traffic on 443 and 80 only.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type === SECURITY_GROUP && args.name.endsWith("-alb")) {
            for (const rule of (args.props.ingress ?? []) as Ingress[]) {
                // Protocol -1 means every protocol on every port, whatever fromPort/toPort say.
                const open = rule.protocol === "-1" || rule.protocol === "all";
                const ok = !open && rule.fromPort === rule.toPort && WEB_PORTS.has(Number(rule.fromPort));
                if (!ok)
                    reportViolation(
                        `${args.name} ingress ${rule.protocol ?? "?"} ${rule.fromPort ?? "?"}-${rule.toPort ?? "?"} is not 443 or 80`,
                    );
            }
        }
        if (args.type === LISTENER && !WEB_PORTS.has(Number(args.props.port))) {
            reportViolation(`listener ${args.name} listens on port ${String(args.props.port)}, only 443 and 80 are allowed`);
        }
    },
};

export const awsPolicies = [iamLeastPrivilege, releaseControllerLambda, ecsImagesPinned, ecsProductionRedundant, loadBalancerWebPortsOnly];
