import * as aws from "@pulumi/aws";
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { Component, EnvironmentConfig } from "../../config";
import { Network } from "./network";
import { sizingOf, stageOf } from "./sizing";
import { ServiceDeployment } from "./service";

export interface EnvironmentArgs {
    /** The validated stack file: domain, DNS zone, network, sizing, versions. */
    readonly env: EnvironmentConfig;
    /** Catalog services; those the stack names a version for are run. */
    readonly catalog: readonly Component[];
    /** `<registry>/<image>:<build>` is what every task runs. */
    readonly imageRegistry: string;
}

/** Listener rule priorities must be unique per listener: one block of 10 per service, in catalog order. */
const PRIORITY_STEP = 10;

/**
 * One environment: network, an ECS Fargate cluster behind an HTTPS load balancer with a certificate
 * validated through Cloudflare, a database password in Secrets Manager, and every component at exactly
 * the build number its stack file names.
 */
export class Environment extends pulumi.ComponentResource {
    /** Component -> https URL. */
    public readonly urls: Record<string, string>;
    /** Component -> build number running. */
    public readonly versions: Record<string, number>;
    public readonly loadBalancerDnsName: pulumi.Output<string>;

    constructor(name: string, args: EnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("conveyor:environment:Environment", name, {}, opts);
        const { env } = args;
        const sizing = sizingOf(env);
        const parent = { parent: this };
        const zones: [string, string] = [`${env.region}a`, `${env.region}b`];
        const network = new Network(name, { network: env.network, availabilityZones: zones, natGateways: sizing.natGateways }, parent);
        const services = args.catalog.filter((c) => c.port !== undefined && env.versions.has(c.name));

        const cluster = new aws.ecs.Cluster(
            name,
            { settings: [{ name: "containerInsights", value: stageOf(env) === "prod" ? "enabled" : "disabled" }] },
            parent,
        );

        // Proxied records reach the load balancer only through Cloudflare: accept nothing else.
        const ingressCidrs = env.dns.proxied
            ? cloudflare.getIpRangesOutput({}, parent).apply((r) => r.ipv4Cidrs)
            : pulumi.output(["0.0.0.0/0"]);
        const albSg = new aws.ec2.SecurityGroup(
            `${name}-alb`,
            {
                vpcId: network.vpcId,
                description: `${name} load balancer: HTTPS and HTTP (redirected) only`,
                ingress: [443, 80].map((port) => ({ protocol: "tcp", fromPort: port, toPort: port, cidrBlocks: ingressCidrs })),
                egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
            },
            parent,
        );
        const taskSg = new aws.ec2.SecurityGroup(
            `${name}-tasks`,
            {
                vpcId: network.vpcId,
                description: `${name} tasks: reachable from the load balancer only`,
                ingress: [...new Set(services.map((s) => s.port!))].map((port) => ({
                    protocol: "tcp",
                    fromPort: port,
                    toPort: port,
                    securityGroups: [albSg.id],
                })),
                egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
            },
            parent,
        );
        const alb = new aws.lb.LoadBalancer(
            name,
            {
                loadBalancerType: "application",
                subnets: network.publicSubnetIds,
                securityGroups: [albSg.id],
                dropInvalidHeaderFields: true,
            },
            parent,
        );

        // One wildcard certificate covers every <component>.<domain>; its single validation record goes to Cloudflare.
        const certificate = new aws.acm.Certificate(name, { domainName: `*.${env.domain}`, validationMethod: "DNS" }, parent);
        const validation = certificate.domainValidationOptions.apply((o) => o[0]);
        const validationRecord = new cloudflare.DnsRecord(
            `${name}-certificate-validation`,
            {
                zoneId: env.dns.zoneId,
                name: validation.apply((v) => v.resourceRecordName),
                type: validation.apply((v) => v.resourceRecordType),
                content: validation.apply((v) => v.resourceRecordValue),
                ttl: 60,
                proxied: false,
            },
            parent,
        );
        const validated = new aws.acm.CertificateValidation(
            name,
            { certificateArn: certificate.arn, validationRecordFqdns: [validationRecord.name] },
            parent,
        );

        new aws.lb.Listener(
            `${name}-http`,
            {
                loadBalancerArn: alb.arn,
                port: 80,
                protocol: "HTTP",
                defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
            },
            parent,
        );
        const https = new aws.lb.Listener(
            `${name}-https`,
            {
                loadBalancerArn: alb.arn,
                port: 443,
                protocol: "HTTPS",
                sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
                certificateArn: validated.certificateArn,
                defaultActions: [
                    { type: "fixed-response", fixedResponse: { contentType: "text/plain", messageBody: "Not found", statusCode: "404" } },
                ],
            },
            parent,
        );

        const password = new random.RandomPassword(`${name}-database`, { length: 32, special: false }, parent);
        const databaseSecret = new aws.secretsmanager.Secret(`${name}-database`, { description: `${name}: database password` }, parent);
        new aws.secretsmanager.SecretVersion(`${name}-database`, { secretId: databaseSecret.id, secretString: password.result }, parent);

        const executionRole = new aws.iam.Role(
            `${name}-task-execution`,
            {
                assumeRolePolicy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }],
                }),
            },
            parent,
        );
        new aws.iam.RolePolicyAttachment(
            `${name}-task-execution`,
            { role: executionRole.name, policyArn: "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy" },
            parent,
        );
        // Reading the password is granted on that one secret, and only because some service needs it.
        if (services.some((s) => s.database)) {
            new aws.iam.RolePolicy(
                `${name}-database-secret`,
                {
                    role: executionRole.name,
                    policy: databaseSecret.arn.apply((arn) =>
                        JSON.stringify({
                            Version: "2012-10-17",
                            Statement: [{ Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: arn }],
                        }),
                    ),
                },
                parent,
            );
        }

        this.urls = {};
        this.versions = {};
        services.forEach((component, i) => {
            const version = env.versions.get(component.name)!;
            new ServiceDeployment(
                `${name}-${component.name}`,
                {
                    component,
                    image: `${args.imageRegistry}/${component.image}:${version}`,
                    host: `${component.name}.${env.domain}`,
                    sizing,
                    clusterArn: cluster.arn,
                    vpcId: network.vpcId,
                    subnetIds: network.privateSubnetIds,
                    securityGroupId: taskSg.id,
                    listenerArn: https.arn,
                    priority: (i + 1) * PRIORITY_STEP,
                    executionRoleArn: executionRole.arn,
                    region: env.region,
                    databaseSecretArn: component.database ? databaseSecret.arn : undefined,
                    dns: { zoneId: env.dns.zoneId, proxied: env.dns.proxied, target: alb.dnsName },
                },
                parent,
            );
            this.urls[component.name] = `https://${component.name}.${env.domain}`;
            this.versions[component.name] = version;
        });

        this.loadBalancerDnsName = alb.dnsName;
        this.registerOutputs({ urls: this.urls, versions: this.versions, loadBalancerDnsName: this.loadBalancerDnsName });
    }
}
