import * as pulumi from "@pulumi/pulumi";
import type { EnvironmentConfig, OrgConfig } from "../../config";
import { stageOf } from "../environment/sizing";
import { Context } from "./context";

export interface CiContextsArgs {
    /** organisation id, variable -> secret mappings and project restrictions (conveyor:circleci). */
    readonly circleci: NonNullable<OrgConfig["circleci"]>;
    /** Environment stacks: each gets a `deploy-<env>` context. */
    readonly environments: readonly EnvironmentConfig[];
    /** Values of conveyor:circleciSecrets by name, as Pulumi secrets. */
    readonly secrets: ReadonlyMap<string, pulumi.Input<string>>;
}

export const deployContextName = (stack: string): string => `deploy-${stack}`;
export const RELEASE_CONTEXT = "release";

/** Which contexts exist and which secret each variable comes from. Pure. */
export function plannedContexts(
    circleci: CiContextsArgs["circleci"],
    environments: readonly Pick<EnvironmentConfig, "stack" | "role">[],
): { name: string; variables: Record<string, string> }[] {
    return [
        // The org stack runs production infrastructure (the release controller) besides GitHub and DNS.
        { name: deployContextName("org"), variables: { ...circleci.deploy, ...circleci.prodDeploy } },
        ...environments.map((e) => ({
            name: deployContextName(e.stack),
            variables: stageOf(e) === "prod" ? { ...circleci.deploy, ...circleci.prodDeploy } : { ...circleci.deploy },
        })),
        { name: RELEASE_CONTEXT, variables: { ...circleci.release } },
    ];
}

/** The contexts this repository's CircleCI pipeline runs with: one per stack (org included), one for releases. */
export class CiContexts extends pulumi.ComponentResource {
    /** Context name -> CircleCI context id. */
    public readonly contextIds: pulumi.Output<Record<string, string>>;
    public readonly names: string[];

    constructor(name: string, args: CiContextsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("conveyor:circleci:Contexts", name, {}, opts);
        const { circleci } = args;
        const values = (mapping: Record<string, string>) =>
            Object.fromEntries(Object.entries(mapping).map(([variable, secret]) => [variable, args.secrets.get(secret)!]));
        const contexts = plannedContexts(circleci, args.environments).map(
            ({ name: contextName, variables: mapping }) =>
                [
                    contextName,
                    new Context(
                        `${name}-${contextName}`,
                        {
                            name: contextName,
                            organizationId: circleci.organizationId,
                            variables: values(mapping),
                            projectRestrictions: circleci.projectRestrictions,
                        },
                        { parent: this },
                    ),
                ] as const,
        );
        this.names = contexts.map(([n]) => n);
        this.contextIds = pulumi.output(Object.fromEntries(contexts.map(([n, c]) => [n, c.contextId])));
        this.registerOutputs({ contextIds: this.contextIds });
    }
}
