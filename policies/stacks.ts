// Which stack a resource belongs to, and what kind of stack that is, read from its URN: the pack imports
// nothing of conveyor, so the naming rule of config/stack-names.ts is restated here.

/** `urn:pulumi:<stack>::<project>::…` -> stack */
export const stackOfUrn = (urn: string): string => urn.split("::")[0].replace(/^urn:pulumi:/, "");

/** Production stacks: prod, and <client>-prod with the client in kebab-case. */
export const isProductionStack = (stack: string): boolean => stack === "prod" || /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*-prod$/.test(stack);
