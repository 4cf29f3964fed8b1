// Pulumi.<env>.yaml: an environment (its tier, domain, network, sizing and release train, and the build
// number of every component it runs), and the order of the train.
import { z } from "zod";
import { buildNumber, domain, email, isoDate, weekday, withInput } from "./fields";
import { parseStackConfig, type Problems } from "./problems";
import { PROJECT_FILE, type Component } from "./project";
import { MAIN_ENVIRONMENTS, type EnvironmentRole } from "./stack-names";

const freezeWindow = z
    .strictObject({ from: isoDate, to: isoDate, reason: z.string().min(1) })
    .refine((f) => f.from <= f.to, { error: "a freeze window must not end before it starts" });

const cidr = z.string().regex(/^(\d{1,3}\.){3}\d{1,3}\/(1[6-9]|2[0-4])$/, {
    error: withInput("expected an IPv4 CIDR block from /16 to /24, like 10.20.0.0/16"),
});
const awsId = (prefix: string) =>
    z.string().regex(new RegExp(`^${prefix}-[0-9a-f]{8,17}$`), { error: withInput(`expected an AWS id like ${prefix}-0123456789abcdef0`) });
const network = z
    .strictObject({
        /** A VPC the stack creates: public and private subnets in two zones. */
        cidr: cidr.optional(),
        /** Or an existing VPC and its subnets (two zones at least). */
        existing: z
            .strictObject({
                vpcId: awsId("vpc"),
                publicSubnetIds: z.array(awsId("subnet")).min(2),
                privateSubnetIds: z.array(awsId("subnet")).min(2),
            })
            .optional(),
    })
    .refine((n) => !(n.cidr && n.existing), { error: "give either cidr (a new VPC) or existing (a VPC of yours), not both" });
const sizing = z.strictObject({
    cpu: z
        .union([z.literal(256), z.literal(512), z.literal(1024), z.literal(2048), z.literal(4096)], {
            error: withInput("expected Fargate CPU units: 256, 512, 1024, 2048 or 4096"),
        })
        .optional(),
    memory: z.number().int().min(512).max(30720).optional(),
    desiredCount: z.number().int().min(1).max(100).optional(),
    logRetentionDays: z
        .union(
            [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653].map((d) => z.literal(d)) as unknown as [
                z.ZodLiteral<number>,
                z.ZodLiteral<number>,
            ],
            {
                error: withInput(
                    "expected a CloudWatch retention: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827 or 3653 days",
                ),
            },
        )
        .optional(),
});

const environmentConfig = z.looseObject({
    "aws:region": z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, { error: withInput("expected an AWS region like eu-west-3") }),
    "conveyor:environment": z.strictObject({
        tier: z.enum(["main", "client"]),
        domain,
        dns: z.strictObject({
            zoneId: z.string().regex(/^[0-9a-f]{32}$/, { error: withInput("expected a Cloudflare zone id (32 hex digits)") }),
            /** Records go through Cloudflare's proxy; the load balancer then only accepts Cloudflare's addresses. */
            proxied: z.boolean().default(true),
        }),
        network: network.default({}),
        sizing: sizing.default({}),
        release: z.strictObject({
            source: z.string().min(1),
            days: z.array(weekday).min(1),
            owners: z.array(email).min(1),
            freeze: z.array(freezeWindow).default([]),
            // What a deploy does to the issues of the release; unset: staging moves ready-for-staging to
            // test, prod closes ready issues, other environments only comment.
            onDeploy: z
                .strictObject({
                    relabel: z.strictObject({ from: z.string().min(1), to: z.string().min(1) }).optional(),
                    close: z.string().min(1).optional(),
                })
                .optional(),
        }),
    }),
    "conveyor:versions": z.record(z.string(), buildNumber),
});

type EnvironmentBlock = z.infer<typeof environmentConfig>["conveyor:environment"];

export interface EnvironmentConfig {
    readonly file: string;
    readonly stack: string;
    readonly role: EnvironmentRole;
    readonly region: string;
    readonly domain: string;
    readonly dns: EnvironmentBlock["dns"];
    readonly network: EnvironmentBlock["network"];
    /** Overrides of the stage's default sizing. */
    readonly sizing: EnvironmentBlock["sizing"];
    readonly release: z.infer<typeof environmentConfig>["conveyor:environment"]["release"];
    readonly versions: ReadonlyMap<string, number>;
}

export function parseEnvironment(
    file: string,
    stack: string,
    role: EnvironmentRole,
    config: Record<string, unknown>,
    catalog: readonly Component[],
    problems: Problems,
): EnvironmentConfig | undefined {
    const c = parseStackConfig(environmentConfig, file, config, problems);
    if (!c) return undefined;
    const env = c["conveyor:environment"];
    if (env.tier !== role.tier) {
        problems.add(file, "conveyor:environment.tier", `stack "${stack}" is a ${role.tier} environment by its name, got "${env.tier}"`);
    }
    const byName = new Map(catalog.map((x) => [x.name, x]));
    for (const cname of Object.keys(c["conveyor:versions"])) {
        const comp = byName.get(cname);
        if (catalog.length === 0) break;
        if (!comp) {
            problems.add(
                file,
                `conveyor:versions.${cname}`,
                `component "${cname}" is not in the catalog (${PROJECT_FILE}); known: ${[...byName.keys()].join(", ")}`,
            );
        } else if (comp.port === undefined) {
            problems.add(
                file,
                `conveyor:versions.${cname}`,
                `component "${cname}" is a repository, not a service (no port in the catalog)`,
            );
        }
    }
    return {
        file,
        stack,
        role,
        region: c["aws:region"],
        domain: env.domain,
        dns: env.dns,
        network: env.network,
        sizing: env.sizing,
        release: env.release,
        versions: new Map(Object.entries(c["conveyor:versions"])),
    };
}

/** staging, demo, prod, then client stacks by client name (staging before prod). */
export function trainOrder<T extends { stack: string; role: EnvironmentRole }>(envs: readonly T[]): T[] {
    // Compared field by field: in one string, localeCompare ignores a separator such as \u0000 and would put
    // globex-eu's stacks before globex's. Main stacks have no client name: they come first.
    const rank = (e: T): [string, number] =>
        e.role.tier === "main"
            ? ["", MAIN_ENVIRONMENTS.indexOf(e.stack as (typeof MAIN_ENVIRONMENTS)[number])]
            : [e.role.client, e.role.stage === "staging" ? 0 : 1];
    return [...envs].sort((a, b) => {
        const [x, y] = [rank(a), rank(b)];
        return x[0].localeCompare(y[0]) || x[1] - y[1];
    });
}
