// `pulumi destroy` deletes dependents first and meets a protected resource only when its turn comes: on the
// org stack that meant every label set, ruleset, file, secret and CircleCI context was gone before the
// protected repositories stopped it. The guard is a protected resource that depends on everything else in
// the stack, so it is the first thing a destroy tries to delete, and the destroy stops there, having deleted
// nothing. It holds no state and calls no API; updates never touch it (its edges are plain dependsOn, which
// never force a replacement).
import * as pulumi from "@pulumi/pulumi";

interface GuardInputs {
    /** What the guard tells whoever reads the state: how to destroy the stack on purpose. */
    readonly howToDestroy: string;
}

export const destroyGuardProvider: pulumi.dynamic.ResourceProvider<GuardInputs, GuardInputs> = {
    async diff(_id, olds, news) {
        return { changes: olds.howToDestroy !== news.howToDestroy };
    },
    async create(inputs) {
        return { id: "destroy-guard", outs: inputs };
    },
    async update(_id, _olds, news) {
        return { outs: news };
    },
    // Reached only once the guard is unprotected: the destroy is then meant.
    async delete() {},
};

export interface DestroyGuardArgs {
    /** Every resource of the stack: components stand for all their descendants. */
    readonly guards: readonly pulumi.Resource[];
}

/** Makes `pulumi destroy` of the stack fail before it deletes anything, until the guard is unprotected. */
export class DestroyGuard extends pulumi.dynamic.Resource {
    public readonly howToDestroy!: pulumi.Output<string>;

    constructor(name: string, args: DestroyGuardArgs, opts?: pulumi.CustomResourceOptions) {
        const howToDestroy = `To destroy stack ${pulumi.getStack()} on purpose: pulumi state unprotect --all, then pulumi destroy`;
        super(
            destroyGuardProvider,
            name,
            { howToDestroy },
            { ...opts, protect: true, dependsOn: [...args.guards] },
            "stack",
            "DestroyGuard",
        );
    }
}
