// How big an environment is: production stacks (prod, <client>-prod) run redundant and keep logs longer;
// every other stack is sized to cost little. Pure.
import type { EnvironmentConfig } from "../../config";

export type Stage = "prod" | "nonprod";

export interface Sizing {
    /** Fargate CPU units and MiB of memory per task. */
    readonly cpu: number;
    readonly memory: number;
    /**
     * Tasks per service: 2 in prod so a deploy or a zone outage never takes a service down. An override below
     * that is kept as written, and the policy pack's ecs-production-redundant fails the preview naming it.
     */
    readonly desiredCount: number;
    readonly logRetentionDays: number;
    /** NAT gateways of a VPC the stack creates: one per zone in prod, one shared otherwise. */
    readonly natGateways: number;
}

const DEFAULTS: Record<Stage, Sizing> = {
    nonprod: { cpu: 256, memory: 512, desiredCount: 1, logRetentionDays: 14, natGateways: 1 },
    prod: { cpu: 512, memory: 1024, desiredCount: 2, logRetentionDays: 90, natGateways: 2 },
};

export function stageOf(env: Pick<EnvironmentConfig, "stack" | "role">): Stage {
    return env.stack === "prod" || (env.role.tier === "client" && env.role.stage === "prod") ? "prod" : "nonprod";
}

export function sizingOf(env: Pick<EnvironmentConfig, "stack" | "role" | "sizing">): Sizing {
    return { ...DEFAULTS[stageOf(env)], ...Object.fromEntries(Object.entries(env.sizing).filter(([, v]) => v !== undefined)) };
}
