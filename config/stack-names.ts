// What a stack's name says it is: the one grammar of stack names, shared by the config parser and by anything
// that must judge a name before it has the config (a slash command's environment argument, in the webhook
// intake). No imports, so the intake's bundle stays small.

export const MAIN_ENVIRONMENTS = ["staging", "demo", "prod"] as const;

export type EnvironmentRole =
    { readonly tier: "main" } | { readonly tier: "client"; readonly client: string; readonly stage: "staging" | "prod" };

/** The longest stack name accepted: a client name of a DNS label and its stage. */
export const MAX_STACK_NAME = 72;

export function stackRole(stack: string): "org" | EnvironmentRole | undefined {
    if (stack.length > MAX_STACK_NAME) return undefined;
    if (stack === "org") return "org";
    if ((MAIN_ENVIRONMENTS as readonly string[]).includes(stack)) return { tier: "main" };
    const m = /^([a-z][a-z0-9]*(?:-[a-z0-9]+)*)-(staging|prod)$/.exec(stack);
    if (m && !(MAIN_ENVIRONMENTS as readonly string[]).includes(m[1])) {
        return { tier: "client", client: m[1], stage: m[2] as "staging" | "prod" };
    }
    return undefined;
}

/** An environment stack's name (not org): what `/conveyor release <env>` may name. */
export function isEnvironmentName(name: string): boolean {
    const role = stackRole(name);
    return role !== undefined && role !== "org";
}

export function stackFileName(stack: string): string {
    return `Pulumi.${stack}.yaml`;
}
