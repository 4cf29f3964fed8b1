import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { EnvironmentConfig } from "../../config";

export interface NetworkArgs {
    /** A CIDR for a VPC the stack creates, or an existing VPC and its subnets. */
    readonly network: EnvironmentConfig["network"];
    /** The two availability zones subnets are spread over. */
    readonly availabilityZones: readonly [string, string];
    /** NAT gateways of a created VPC: 1 (shared by both zones) or 2 (one per zone). */
    readonly natGateways: number;
}

const DEFAULT_CIDR = "10.0.0.0/16";

/** The first four blocks 4 bits smaller (a /16 gives /20s): public a, public b, private a, private b. */
export function subnetCidrs(cidr: string): { public: [string, string]; private: [string, string] } {
    const [base, bitsText] = cidr.split("/");
    const bits = Number(bitsText) + 4;
    const start = base.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
    const size = 2 ** (32 - bits);
    const block = (i: number): string => {
        const n = start + i * size;
        return `${[24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".")}/${bits}`;
    };
    return { public: [block(0), block(1)], private: [block(2), block(3)] };
}

/**
 * Where an environment's load balancer (public subnets) and tasks (private subnets) live: a VPC this stack
 * creates over two zones, or one that exists already.
 */
export class Network extends pulumi.ComponentResource {
    public readonly vpcId: pulumi.Output<string>;
    public readonly publicSubnetIds: pulumi.Output<string[]>;
    public readonly privateSubnetIds: pulumi.Output<string[]>;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("conveyor:environment:Network", name, {}, opts);
        const existing = args.network.existing;
        if (existing) {
            this.vpcId = pulumi.output(existing.vpcId);
            this.publicSubnetIds = pulumi.output([...existing.publicSubnetIds]);
            this.privateSubnetIds = pulumi.output([...existing.privateSubnetIds]);
        } else {
            const cidr = args.network.cidr ?? DEFAULT_CIDR;
            const blocks = subnetCidrs(cidr);
            const vpc = new aws.ec2.Vpc(
                name,
                { cidrBlock: cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: name } },
                { parent: this },
            );
            const igw = new aws.ec2.InternetGateway(name, { vpcId: vpc.id, tags: { Name: name } }, { parent: this });
            const publicRt = new aws.ec2.RouteTable(
                `${name}-public`,
                { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }] },
                { parent: this },
            );
            const zones = args.availabilityZones;
            const publics = zones.map((az, i) => {
                const subnet = new aws.ec2.Subnet(
                    `${name}-public-${i}`,
                    {
                        vpcId: vpc.id,
                        cidrBlock: blocks.public[i],
                        availabilityZone: az,
                        mapPublicIpOnLaunch: false,
                        tags: { Name: `${name}-public-${az}` },
                    },
                    { parent: this },
                );
                new aws.ec2.RouteTableAssociation(
                    `${name}-public-${i}`,
                    { subnetId: subnet.id, routeTableId: publicRt.id },
                    { parent: this },
                );
                return subnet;
            });
            const nats = Array.from({ length: Math.min(args.natGateways, zones.length) }, (_, i) => {
                const eip = new aws.ec2.Eip(`${name}-nat-${i}`, { domain: "vpc" }, { parent: this });
                return new aws.ec2.NatGateway(
                    `${name}-nat-${i}`,
                    { subnetId: publics[i].id, allocationId: eip.id },
                    { parent: this, dependsOn: [igw] },
                );
            });
            const privates = zones.map((az, i) => {
                const subnet = new aws.ec2.Subnet(
                    `${name}-private-${i}`,
                    { vpcId: vpc.id, cidrBlock: blocks.private[i], availabilityZone: az, tags: { Name: `${name}-private-${az}` } },
                    { parent: this },
                );
                const nat = nats[Math.min(i, nats.length - 1)];
                const rt = new aws.ec2.RouteTable(
                    `${name}-private-${i}`,
                    { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }] },
                    { parent: this },
                );
                new aws.ec2.RouteTableAssociation(`${name}-private-${i}`, { subnetId: subnet.id, routeTableId: rt.id }, { parent: this });
                return subnet;
            });
            this.vpcId = vpc.id;
            this.publicSubnetIds = pulumi.all(publics.map((s) => s.id));
            this.privateSubnetIds = pulumi.all(privates.map((s) => s.id));
        }
        this.registerOutputs({ vpcId: this.vpcId, publicSubnetIds: this.publicSubnetIds, privateSubnetIds: this.privateSubnetIds });
    }
}
