// Calls the policies directly with args built the way the policy server builds them; the pack's entry
// module is never imported because `new PolicyPack` starts a gRPC server.
import {
    Secret,
    type PolicyResource,
    type ResourceValidationArgs,
    type ResourceValidationPolicy,
    type StackValidationArgs,
    type StackValidationPolicy,
} from "@pulumi/policy";
import { SECRET_PLACEHOLDER, type SynthResult, type SynthResource } from "../cli/synth";
import { awsPolicies } from "../policies/aws";
import { cloudflarePolicies } from "../policies/cloudflare";
import { configPolicies } from "../policies/config";
import { githubPolicies } from "../policies/github";
import { secretInputs, secretPolicies } from "../policies/secrets";

export interface ResourceSpec {
    type: string;
    name: string;
    props: Record<string, unknown>;
    stack?: string;
    parentType?: string;
    protect?: boolean;
    retainOnDelete?: boolean;
}

const urnOf = (s: ResourceSpec): string =>
    `urn:pulumi:${s.stack ?? "test"}::conveyor::${s.parentType ? `${s.parentType}$` : ""}${s.type}::${s.name}`;

export function resourceArgs(s: ResourceSpec): ResourceValidationArgs {
    const opts = {
        protect: s.protect ?? false,
        retainOnDelete: s.retainOnDelete ?? false,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
    };
    return {
        type: s.type,
        name: s.name,
        urn: urnOf(s),
        props: s.props,
        opts,
        stackTags: new Map(),
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => ({}) as T,
        notApplicable: (reason?: string): never => {
            throw new Error(`not applicable: ${reason}`);
        },
    } as ResourceValidationArgs;
}

function policyResource(s: ResourceSpec): PolicyResource {
    const a = resourceArgs(s);
    return {
        type: a.type,
        name: a.name,
        urn: a.urn,
        props: a.props,
        opts: a.opts,
        dependencies: [],
        propertyDependencies: {},
    } as unknown as PolicyResource;
}

export function stackArgs(specs: ResourceSpec[], config: object = {}): StackValidationArgs {
    return {
        resources: specs.map(policyResource),
        stackTags: new Map(),
        getConfig: <T extends object>() => config as T,
        notApplicable: (reason?: string): never => {
            throw new Error(`not applicable: ${reason}`);
        },
    };
}

export async function violationsOf(policy: ResourceValidationPolicy, spec: ResourceSpec): Promise<string[]> {
    const out: string[] = [];
    const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
    for (const v of validations) if (v) await v(resourceArgs(spec), (m) => out.push(m));
    return out;
}

export async function stackViolationsOf(policy: StackValidationPolicy, args: StackValidationArgs): Promise<string[]> {
    const out: string[] = [];
    await policy.validateStack(args, (m) => out.push(m));
    return out;
}

/** Synth inputs as the policy server would present them: "[secret]" placeholders become Secret values. */
function asPolicyProps(v: unknown): unknown {
    if (v === SECRET_PLACEHOLDER) return new Secret(SECRET_PLACEHOLDER);
    if (Array.isArray(v)) return v.map(asPolicyProps);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, asPolicyProps(x)]));
    return v;
}
const unwrapSecrets = (v: unknown): unknown =>
    v instanceof Secret
        ? unwrapSecrets(v.value)
        : Array.isArray(v)
          ? v.map(unwrapSecrets)
          : v && typeof v === "object"
            ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrapSecrets(x)]))
            : v;

export function specOf(stack: string, r: SynthResource, withSecrets: boolean): ResourceSpec {
    const props = asPolicyProps(r.inputs) as Record<string, unknown>;
    return {
        type: r.type,
        name: r.name,
        stack,
        parentType: r.parent?.split("::")[0],
        protect: r.protect,
        retainOnDelete: r.retainOnDelete,
        // Validations see secrets unwrapped, remediations see them as Secret: mirror both.
        props: withSecrets ? props : (unwrapSecrets(props) as Record<string, unknown>),
    };
}

/** The resources a policy sees: the custom ones and the stack. */
export const policyResources = (result: SynthResult): SynthResource[] =>
    result.resources.filter((r) => r.custom || r.type === "pulumi:pulumi:Stack");

/**
 * What `pulumi preview --policy-pack policies` would report on a synth: every violation of every policy of
 * the pack (advisory ones included), and every resource the secrets remediation would change, one line each.
 */
export async function packProblems(result: SynthResult, projectDir: string): Promise<string[]> {
    const pack = [...githubPolicies, ...secretPolicies, ...awsPolicies, ...cloudflarePolicies, ...configPolicies];
    const resources = policyResources(result);
    const problems: string[] = [];
    for (const r of resources) {
        for (const p of pack) {
            if ("validateResource" in p)
                problems.push(...(await violationsOf(p, specOf(result.stack, r, false))).map((m) => `${p.name}: ${m}`));
        }
        const remediated = await secretInputs.remediateResource!(resourceArgs(specOf(result.stack, r, true)));
        if (remediated) problems.push(`${secretInputs.name}: ${r.type} ${r.name} has plaintext secret-looking inputs`);
    }
    const args = stackArgs(
        resources.map((r) => specOf(result.stack, r, false)),
        { projectDir },
    );
    for (const p of pack) if ("validateStack" in p) problems.push(...(await stackViolationsOf(p, args)).map((m) => `${p.name}: ${m}`));
    return problems;
}
