// Stand-in for pulumi-aws (7.x is not buildable outside its repository: its upstream is a patched submodule).
// Outputs are shaped like AWS's: ARNs in the right partition and account, EC2 ids with their prefixes,
// a load balancer DNS name, ACM's DNS validation record. Task definitions are replaced on any change, as the
// real provider does (a new revision), so a release previews the way it will apply.
import { digest, plain, serve, type ResourceContext, type ResourceRule } from "./stand-in";

const REGION = process.env.AWS_REGION ?? "eu-west-3";
const ACCOUNT = "123456789012";

const arn = (service: string, resource: string, region = REGION) => `arn:aws:${service}:${region}:${ACCOUNT}:${resource}`;
const named = (ctx: ResourceContext, key = "name") => String(ctx.inputs[key] ?? ctx.name);
const ec2 = (prefix: string): ResourceRule => ({
    id: (c) => `${prefix}-${c.seed.slice(0, 17)}`,
    outputs: (c) => ({ arn: arn("ec2", `${prefix}/${prefix}-${c.seed.slice(0, 17)}`) }),
});
const autoNamed = (service: string, kind: (c: ResourceContext) => string, extra: ResourceRule = {}): ResourceRule => ({
    autoName: "name",
    id: (c) => named(c),
    ...extra,
    outputs: (c) => ({ arn: arn(service, kind(c)), ...(extra.outputs?.(c) ?? {}) }),
});

export const resources: Record<string, ResourceRule> = {
    "aws:ec2/vpc:Vpc": ec2("vpc"),
    "aws:ec2/subnet:Subnet": ec2("subnet"),
    "aws:ec2/internetGateway:InternetGateway": ec2("igw"),
    "aws:ec2/routeTable:RouteTable": ec2("rtb"),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": { id: (c) => `rtbassoc-${c.seed.slice(0, 17)}` },
    "aws:ec2/eip:Eip": {
        id: (c) => `eipalloc-${c.seed.slice(0, 17)}`,
        outputs: (c) => ({
            allocationId: `eipalloc-${c.seed.slice(0, 17)}`,
            publicIp: `203.0.113.${parseInt(c.seed.slice(0, 2), 16) % 250}`,
        }),
    },
    "aws:ec2/natGateway:NatGateway": { id: (c) => `nat-${c.seed.slice(0, 17)}` },
    "aws:ec2/securityGroup:SecurityGroup": {
        autoName: "name",
        id: (c) => `sg-${c.seed.slice(0, 17)}`,
        replaceOn: ["name", "description", "vpcId"],
        outputs: (c) => ({ arn: arn("ec2", `security-group/sg-${c.seed.slice(0, 17)}`) }),
    },
    "aws:ecs/cluster:Cluster": autoNamed("ecs", (c) => `cluster/${named(c)}`, { id: (c) => arn("ecs", `cluster/${named(c)}`) }),
    "aws:ecs/taskDefinition:TaskDefinition": {
        replaceOn: "*",
        // ECS numbers revisions per family; a digest of the definition stands in for the number.
        id: (c) => `${c.inputs.family}`,
        outputs: (c) => {
            const revision = (parseInt(digest(c.urn + JSON.stringify(plain(c.inputs.containerDefinitions))).slice(0, 6), 16) % 9000) + 1;
            return {
                revision,
                arn: arn("ecs", `task-definition/${c.inputs.family}:${revision}`),
                arnWithoutRevision: arn("ecs", `task-definition/${c.inputs.family}`),
            };
        },
    },
    "aws:ecs/service:Service": {
        autoName: "name",
        replaceOn: ["name", "cluster", "launchType"],
        id: (c) => arn("ecs", `service/${named(c)}`),
    },
    "aws:lb/loadBalancer:LoadBalancer": autoNamed("elasticloadbalancing", (c) => `loadbalancer/app/${named(c)}/${c.seed.slice(0, 16)}`, {
        outputs: (c) => ({
            dnsName: `${named(c)}-${parseInt(c.seed.slice(0, 8), 16)}.${REGION}.elb.amazonaws.com`,
            zoneId: "Z3Q77PNBQS71R4",
            arnSuffix: `app/${named(c)}/${c.seed.slice(0, 16)}`,
        }),
    }),
    "aws:lb/targetGroup:TargetGroup": autoNamed("elasticloadbalancing", (c) => `targetgroup/${named(c)}/${c.seed.slice(0, 16)}`, {
        replaceOn: ["name", "port", "protocol", "vpcId", "targetType"],
    }),
    "aws:lb/listener:Listener": { outputs: (c) => ({ arn: arn("elasticloadbalancing", `listener/app/${c.name}/${c.seed.slice(0, 16)}`) }) },
    "aws:lb/listenerRule:ListenerRule": {
        outputs: (c) => ({ arn: arn("elasticloadbalancing", `listener-rule/app/${c.name}/${c.seed.slice(0, 16)}`) }),
    },
    "aws:acm/certificate:Certificate": {
        replaceOn: ["domainName", "validationMethod", "subjectAlternativeNames"],
        outputs: (c) => {
            const domain = String(c.inputs.domainName ?? "").replace(/^\*\./, "");
            return {
                arn: arn(
                    "acm",
                    `certificate/${c.seed.slice(0, 8)}-${c.seed.slice(8, 12)}-${c.seed.slice(12, 16)}-${c.seed.slice(16, 20)}-${c.seed.slice(20, 32)}`,
                ),
                domainValidationOptions: [
                    {
                        domainName: c.inputs.domainName,
                        resourceRecordName: `_${c.seed.slice(0, 32)}.${domain}.`,
                        resourceRecordType: "CNAME",
                        resourceRecordValue: `_${c.seed.slice(32, 64)}.acm-validations.aws.`,
                    },
                ],
                status: "ISSUED",
            };
        },
    },
    "aws:acm/certificateValidation:CertificateValidation": { id: (c) => String(c.inputs.certificateArn ?? c.seed) },
    "aws:cloudwatch/logGroup:LogGroup": autoNamed("logs", (c) => `log-group:${named(c)}`),
    "aws:cloudwatch/metricAlarm:MetricAlarm": autoNamed("cloudwatch", (c) => `alarm:${named(c)}`),
    "aws:iam/role:Role": {
        autoName: "name",
        id: (c) => named(c),
        outputs: (c) => ({ arn: `arn:aws:iam::${ACCOUNT}:role/${named(c)}`, uniqueId: `AROA${c.seed.slice(0, 17).toUpperCase()}` }),
    },
    "aws:iam/rolePolicy:RolePolicy": { autoName: "name", id: (c) => `${c.inputs.role}:${named(c)}` },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": { id: (c) => `${c.inputs.role}-${c.seed.slice(0, 8)}` },
    "aws:lambda/function:Function": autoNamed("lambda", (c) => `function:${named(c)}`, {
        outputs: (c) => ({
            invokeArn: `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${arn("lambda", `function:${named(c)}`)}/invocations`,
            qualifiedArn: arn("lambda", `function:${named(c)}:$LATEST`),
            version: "$LATEST",
        }),
    }),
    "aws:lambda/functionUrl:FunctionUrl": {
        outputs: (c) => ({ functionUrl: `https://${c.seed.slice(0, 32)}.lambda-url.${REGION}.on.aws/`, urlId: c.seed.slice(0, 32) }),
    },
    "aws:lambda/permission:Permission": { id: (c) => c.name },
    "aws:scheduler/schedule:Schedule": autoNamed("scheduler", (c) => `schedule/default/${named(c)}`),
    "aws:secretsmanager/secret:Secret": autoNamed("secretsmanager", (c) => `secret:${named(c)}-${c.seed.slice(0, 6)}`, {
        id: (c) => arn("secretsmanager", `secret:${named(c)}-${c.seed.slice(0, 6)}`),
    }),
    "aws:secretsmanager/secretVersion:SecretVersion": {
        outputs: (c) => ({
            versionId: `${c.seed.slice(0, 8)}-${c.seed.slice(8, 12)}-${c.seed.slice(12, 16)}-${c.seed.slice(16, 20)}-${c.seed.slice(20, 32)}`,
        }),
    },
    "aws:sns/topic:Topic": autoNamed("sns", (c) => named(c), { id: (c) => arn("sns", named(c)) }),
    "aws:sns/topicSubscription:TopicSubscription": {
        outputs: (c) => ({
            arn: `${c.inputs.topic}:${c.seed.slice(0, 8)}-${c.seed.slice(8, 12)}-${c.seed.slice(12, 16)}-${c.seed.slice(16, 20)}-${c.seed.slice(20, 32)}`,
        }),
    },
    "aws:sqs/queue:Queue": autoNamed("sqs", (c) => named(c), {
        id: (c) => `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${named(c)}`,
        outputs: (c) => ({ url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${named(c)}` }),
    }),
};

if (require.main === module) serve({ pkg: "aws", resources, invokes: {} });
