import * as aws from "@pulumi/aws";
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import type { Component } from "../../config";
import type { Sizing } from "./sizing";

export interface ServiceDeploymentArgs {
    readonly component: Component;
    /** `<registry>/<image>:<build number>`: the only input a release changes. */
    readonly image: string;
    /** `<component>.<environment domain>`. */
    readonly host: string;
    readonly sizing: Sizing;
    readonly clusterArn: pulumi.Input<string>;
    readonly vpcId: pulumi.Input<string>;
    readonly subnetIds: pulumi.Input<string[]>;
    readonly securityGroupId: pulumi.Input<string>;
    readonly listenerArn: pulumi.Input<string>;
    /** Unique per listener. */
    readonly priority: number;
    readonly executionRoleArn: pulumi.Input<string>;
    readonly region: string;
    /** The database password's secret, handed to the task as a secret (never a plain variable). */
    readonly databaseSecretArn?: pulumi.Input<string>;
    readonly dns: { readonly zoneId: string; readonly proxied: boolean; readonly target: pulumi.Input<string> };
}

/** One component running in an environment: task definition, service, routing, logs and DNS. */
export class ServiceDeployment extends pulumi.ComponentResource {
    public readonly taskDefinitionArn: pulumi.Output<string>;

    constructor(name: string, args: ServiceDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("conveyor:environment:Service", name, {}, opts);
        const { component: c, sizing } = args;
        const parent = { parent: this };

        const logs = new aws.cloudwatch.LogGroup(name, { retentionInDays: sizing.logRetentionDays }, parent);
        const containerDefinitions = pulumi.all([logs.name, args.databaseSecretArn]).apply(([logGroup, secretArn]) =>
            JSON.stringify([
                {
                    name: c.name,
                    image: args.image,
                    essential: true,
                    portMappings: [{ containerPort: c.port, protocol: "tcp" }],
                    ...(secretArn ? { secrets: [{ name: "DATABASE_PASSWORD", valueFrom: secretArn }] } : {}),
                    logConfiguration: {
                        logDriver: "awslogs",
                        options: { "awslogs-group": logGroup, "awslogs-region": args.region, "awslogs-stream-prefix": c.name },
                    },
                },
            ]),
        );
        const taskDefinition = new aws.ecs.TaskDefinition(
            name,
            {
                family: name,
                requiresCompatibilities: ["FARGATE"],
                networkMode: "awsvpc",
                cpu: String(sizing.cpu),
                memory: String(sizing.memory),
                executionRoleArn: args.executionRoleArn,
                containerDefinitions,
            },
            parent,
        );
        const targetGroup = new aws.lb.TargetGroup(
            name,
            {
                port: c.port,
                protocol: "HTTP",
                targetType: "ip",
                vpcId: args.vpcId,
                healthCheck: { path: c.health, matcher: "200-399", interval: 15, healthyThreshold: 2, unhealthyThreshold: 3 },
                deregistrationDelay: 30,
            },
            parent,
        );
        new aws.lb.ListenerRule(
            name,
            {
                listenerArn: args.listenerArn,
                priority: args.priority,
                conditions: [{ hostHeader: { values: [args.host] } }],
                actions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
            },
            parent,
        );
        new aws.ecs.Service(
            name,
            {
                cluster: args.clusterArn,
                taskDefinition: taskDefinition.arn,
                desiredCount: sizing.desiredCount,
                launchType: "FARGATE",
                networkConfiguration: { subnets: args.subnetIds, securityGroups: [args.securityGroupId], assignPublicIp: false },
                loadBalancers: [{ targetGroupArn: targetGroup.arn, containerName: c.name, containerPort: c.port! }],
                // A build that does not become healthy is rolled back by ECS itself.
                deploymentCircuitBreaker: { enable: true, rollback: true },
                deploymentMinimumHealthyPercent: 100,
                deploymentMaximumPercent: 200,
                healthCheckGracePeriodSeconds: 60,
                waitForSteadyState: true,
            },
            parent,
        );
        new cloudflare.DnsRecord(
            name,
            { zoneId: args.dns.zoneId, name: args.host, type: "CNAME", content: args.dns.target, proxied: args.dns.proxied, ttl: 1 },
            parent,
        );

        this.taskDefinitionArn = taskDefinition.arn;
        this.registerOutputs({ taskDefinitionArn: this.taskDefinitionArn });
    }
}
