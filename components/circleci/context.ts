// CircleCI contexts as code: a Pulumi dynamic resource over CircleCI API v2 (clients/circleci.ts).
//
// Values are secret from end to end. The resource wraps `variables` in pulumi.secret, so the engine stores the
// inputs encrypted; the provider sends each value to CircleCI and nowhere else. Outputs hold variable names and
// per-variable digests (marked secret, see variableDigest in context-plan.ts); errors name the context, the
// variable and the API path, never a value.
//
// Drift: CircleCI never returns a value, only that a variable exists. A refresh therefore sees variables added
// or removed by hand, and restrictions changed by hand, but not a value changed by hand; the digests only tell
// whether the value in config differs from the one this provider last wrote.
import * as pulumi from "@pulumi/pulumi";
import { CircleCi, type CircleCiContext, type ContextRestriction } from "../../clients/circleci";
import type { CircleCiError } from "../../clients/circleci-http";
import {
    checkInputs,
    diffContext,
    normalizeId,
    normalizeRestrictions,
    planRestrictions,
    planVariables,
    projectRestrictionsOf,
    variableDigest,
    type ContextInputs,
    type ContextOutputs,
} from "./context-plan";

export interface ContextProviderSettings {
    /** Stack config `circleci:token`; `CIRCLECI_TOKEN` when unset. */
    readonly token?: string;
    /** Stack config `circleci:apiUrl`; `CIRCLECI_API_URL`, else CircleCI cloud, when unset. */
    readonly apiUrl?: string;
    /**
     * Tells Pulumi's closure serialiser to write `undefined` in place of these settings, so a provider that was
     * configured in this process (as in tests) is never serialised with its token.
     */
    readonly doNotCapture: true;
}

type ContextProvider = pulumi.dynamic.ResourceProvider<ContextInputs, ContextOutputs> & { settings?: ContextProviderSettings };

/** The inputs with ids normalised: what CircleCI should end up holding. */
interface Wanted {
    readonly name: string;
    readonly organizationId: string;
    readonly variables: Readonly<Record<string, string>>;
    readonly projectRestrictions: string[];
}

/** What is known to be on CircleCI so far in one operation, so a failure halfway records the truth. */
interface Progress {
    readonly contextId: string;
    readonly wanted: Wanted;
    readonly names: Set<string>;
    readonly digests: Record<string, string>;
    restrictions: string[];
    wrote: boolean;
}

const NO_TOKEN =
    "circleci:token is not set: create a personal API token in CircleCI, then `pulumi config set --secret circleci:token <token>` (or export CIRCLECI_TOKEN)";

/**
 * The dynamic provider. It captures no client and no credential: `configure` receives the stack config in
 * the provider process, and each operation builds its client from it.
 */
export const contextProvider: ContextProvider = {
    async configure(req) {
        this.settings = { token: req.config.get("circleci:token"), apiUrl: req.config.get("circleci:apiUrl"), doNotCapture: true };
    },
    async check(_olds, news) {
        return { inputs: news, failures: checkInputs(news) };
    },
    async diff(_id, olds, news) {
        return diffContext(olds, news);
    },
    async create(inputs) {
        const circle = circleFor(this.settings);
        const wanted = wantedOf(inputs);
        const what = `CircleCI context "${wanted.name}"`;
        const context = await explained(`${what}: finding or creating it`, () => findOrCreate(circle, wanted));
        const progress = startProgress(context.id, wanted);
        try {
            return { id: context.id, outs: await converge(circle, progress, {}) };
        } catch (err) {
            throw partialFailure(explain(`${what}: setting it up`, err), progress, inputs.__provider);
        }
    },
    async update(id, olds, news) {
        const circle = circleFor(this.settings);
        const wanted = wantedOf(news);
        const what = `CircleCI context "${wanted.name}"`;
        const progress = startProgress(olds.contextId || id, wanted);
        try {
            return { outs: await converge(circle, progress, olds.variableDigests ?? {}) };
        } catch (err) {
            if (isStatus(err, 404)) throw gone(what, progress.contextId);
            const failure = explain(`${what}: updating it`, err);
            throw progress.wrote ? partialFailure(failure, progress, news.__provider) : failure;
        }
    },
    async read(id, props) {
        const circle = circleFor(this.settings);
        const what = `CircleCI context "${props?.name ?? id}"`;
        return explained(`${what}: reading it`, () => readContext(circle, id, props));
    },
    async delete(id, props) {
        const circle = circleFor(this.settings);
        // A 404 is the answer when it is already gone, by hand or by an earlier attempt.
        await explained(`CircleCI context "${props?.name ?? id}": deleting it`, () => circle.deleteContext(props?.contextId || id));
    },
};

// The serialised provider carries the CircleCI client by value: a `require` of a local .ts file would not
// resolve in the engine's provider process.

/** Built per operation from the engine-provided config: a dynamic provider must capture no client. */
function circleFor(settings: ContextProviderSettings | undefined): CircleCi {
    const token = settings?.token || process.env.CIRCLECI_TOKEN;
    if (!token) throw new Error(NO_TOKEN);
    return new CircleCi({ token, baseUrl: settings?.apiUrl || process.env.CIRCLECI_API_URL || undefined });
}

function wantedOf(inputs: ContextInputs): Wanted {
    return {
        name: inputs.name,
        organizationId: normalizeId(inputs.organizationId),
        variables: inputs.variables ?? {},
        projectRestrictions: normalizeRestrictions(inputs.projectRestrictions),
    };
}

function startProgress(contextId: string, wanted: Wanted): Progress {
    return { contextId, wanted, names: new Set(), digests: {}, restrictions: [], wrote: false };
}

/** Adopts a context of that name rather than duplicating it: a rerun after a failed create lands here too. */
async function findOrCreate(circle: CircleCi, wanted: Wanted): Promise<CircleCiContext> {
    const existing = await circle.findContext(wanted.organizationId, wanted.name);
    if (existing) return existing;
    try {
        return await circle.createContext(wanted.organizationId, wanted.name);
    } catch (err) {
        // The POST is sent once. A lost answer may hide a create that landed, and a 409 one that another run made.
        if (!mayHaveLanded(err)) throw err;
        const landed = await circle.findContext(wanted.organizationId, wanted.name);
        if (landed) return landed;
        throw err;
    }
}

/** Brings the context's variables and restrictions to what is wanted, recording each step in `progress`. */
async function converge(circle: CircleCi, progress: Progress, recorded: Readonly<Record<string, string>>): Promise<ContextOutputs> {
    await convergeVariables(circle, progress, recorded);
    await convergeRestrictions(circle, progress);
    return outputsOf(progress);
}

async function convergeVariables(circle: CircleCi, progress: Progress, recorded: Readonly<Record<string, string>>): Promise<void> {
    const { contextId, wanted } = progress;
    const live = await circle.listEnvVars(contextId);
    live.forEach((v) => progress.names.add(v.name));
    const digestOf = (name: string, value: string): string => variableDigest(contextId, name, value);
    const plan = planVariables(wanted.variables, [...progress.names], recorded, digestOf);
    for (const name of Object.keys(wanted.variables)) if (!plan.put.includes(name)) progress.digests[name] = recorded[name]!;
    for (const name of plan.put) {
        await circle.putEnvVar(contextId, name, wanted.variables[name]);
        progress.wrote = true;
        progress.names.add(name);
        progress.digests[name] = digestOf(name, wanted.variables[name]);
    }
    for (const name of plan.remove) {
        await circle.deleteEnvVar(contextId, name);
        progress.wrote = true;
        progress.names.delete(name);
    }
}

/**
 * Adds before it removes: a context whose last project restriction is gone is open to every project, so
 * moving from [A] to [B] passes through [A, B], never through [].
 */
async function convergeRestrictions(circle: CircleCi, progress: Progress): Promise<void> {
    const { contextId, wanted } = progress;
    const live: ContextRestriction[] = await circle.listRestrictions(contextId);
    progress.restrictions = projectRestrictionsOf(live);
    const plan = planRestrictions(live, wanted.projectRestrictions);
    for (const projectId of plan.create) {
        await createRestriction(circle, contextId, projectId);
        progress.wrote = true;
        progress.restrictions = normalizeRestrictions([...progress.restrictions, projectId]);
    }
    const remaining = [...live];
    for (const restrictionId of plan.remove) {
        await circle.deleteRestriction(contextId, restrictionId);
        progress.wrote = true;
        remaining.splice(
            remaining.findIndex((r) => r.id === restrictionId),
            1,
        );
        progress.restrictions = normalizeRestrictions([...projectRestrictionsOf(remaining), ...plan.create]);
    }
}

/** A 409 means an earlier attempt whose answer was lost did land: the restriction is there. */
async function createRestriction(circle: CircleCi, contextId: string, projectId: string): Promise<void> {
    try {
        await circle.createRestriction(contextId, { type: "project", value: projectId });
    } catch (err) {
        if (!isStatus(err, 409)) throw err;
    }
}

/** Refresh: the context as CircleCI has it. Digests are kept only for names still there. */
async function readContext(
    circle: CircleCi,
    id: string,
    props: ContextOutputs | undefined,
): Promise<pulumi.dynamic.ReadResult<ContextOutputs>> {
    const contextId = props?.contextId || id;
    const context = await circle.getContext(contextId);
    // No id tells the engine the context is gone; the next `pulumi up` creates it again.
    if (!context) return {};
    const names = (await circle.listEnvVars(contextId)).map((v) => v.name).sort();
    const restrictions = projectRestrictionsOf(await circle.listRestrictions(contextId));
    const recorded = props?.variableDigests ?? {};
    const digests = Object.fromEntries(names.filter((n) => recorded[n] !== undefined).map((n) => [n, recorded[n]]));
    const outs: ContextOutputs = {
        ...props,
        contextId,
        name: context.name,
        organizationId: props?.organizationId ?? "",
        projectRestrictions: restrictions,
        variableNames: names,
        variableDigests: digests,
    };
    return { id: contextId, props: outs };
}

function outputsOf(progress: Progress): ContextOutputs {
    const { wanted } = progress;
    const variableNames = [...progress.names].sort();
    const variableDigests = Object.fromEntries(
        variableNames.filter((n) => progress.digests[n] !== undefined).map((n) => [n, progress.digests[n]]),
    );
    return {
        contextId: progress.contextId,
        name: wanted.name,
        organizationId: wanted.organizationId,
        projectRestrictions: [...progress.restrictions],
        variableNames,
        variableDigests,
    };
}

/**
 * An error the engine takes as "created but failed to initialise": it keeps the context in state under its id,
 * with what is known to be on CircleCI, and the next `pulumi up` updates it instead of creating it again.
 * Digests are left out (every variable is rewritten next time) because nothing guarantees that state written
 * on this path gets `additionalSecretOutputs` applied. `__provider` goes in so a destroy can still run.
 */
function partialFailure(err: Error, progress: Progress, provider: string | undefined): Error {
    const properties = { ...outputsOf(progress), variableDigests: {}, ...(provider ? { __provider: provider } : {}) };
    return Object.assign(new Error(err.message), { id: progress.contextId, properties, reasons: [err.message] });
}

function gone(what: string, contextId: string): Error {
    return new Error(
        `${what}: context ${contextId} no longer exists on CircleCI; run \`pulumi refresh\` so Pulumi forgets it, and the next \`pulumi up\` creates it again`,
    );
}

async function explained<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
        return await run();
    } catch (err) {
        throw explain(what, err);
    }
}

/** Says which context and which step; the client's messages already carry status, method and path, no value. */
function explain(what: string, err: unknown): Error {
    if (isStatus(err, 401)) {
        const { method, path } = err as CircleCiError;
        return new Error(
            `${what}: CircleCI refused the token (401 on ${method} ${path}). Use a current personal API token with access to the organisation: ` +
                "`pulumi config set --secret circleci:token <token>` (or export CIRCLECI_TOKEN)",
        );
    }
    return new Error(`${what}: ${err instanceof Error ? err.message : String(err)}`);
}

/**
 * Duck-typed rather than `instanceof`: the serialised provider carries its own copy of the client's classes,
 * and a check against another copy would silently fail.
 */
function isStatus(err: unknown, status: number): boolean {
    return (
        typeof err === "object" &&
        err !== null &&
        (err as { name?: unknown }).name === "CircleCiError" &&
        (err as { status?: unknown }).status === status
    );
}

/** No answer, a 5xx, or a 409: a POST that may have landed. Other 4xx are answers. */
function mayHaveLanded(err: unknown): boolean {
    if (typeof err !== "object" || err === null || (err as { name?: unknown }).name !== "CircleCiError") return false;
    const status = (err as { status?: number }).status;
    return status === undefined || status >= 500 || status === 409;
}

export interface ContextArgs {
    /** Context name, unique in the CircleCI organisation. Changing it replaces the context. */
    readonly name: pulumi.Input<string>;
    /** CircleCI organisation id (a UUID). Changing it replaces the context. */
    readonly organizationId: pulumi.Input<string>;
    /**
     * Environment variables, name -> value; values are secrets. The context holds exactly these: a variable
     * added to it by hand is removed on the next update.
     */
    readonly variables: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /**
     * Project ids the context is restricted to (CircleCI "project" restrictions); none = unrestricted.
     * Expression and group restrictions set by hand are left alone.
     */
    readonly projectRestrictions?: pulumi.Input<pulumi.Input<string>[]>;
}

/**
 * A CircleCI context with its environment variables and project restrictions. A context of the same name
 * already in the organisation is adopted, not duplicated.
 */
export class Context extends pulumi.dynamic.Resource {
    // `declare`, not `!`: with ES2022 class fields a plain declaration would reset what super() set to undefined.
    /** CircleCI's id of the context. */
    declare public readonly contextId: pulumi.Output<string>;
    /** Names of the variables the context holds; CircleCI never returns values. */
    declare public readonly variableNames: pulumi.Output<string[]>;

    constructor(name: string, args: ContextArgs, opts?: pulumi.CustomResourceOptions) {
        const props = {
            name: args.name,
            organizationId: args.organizationId,
            variables: pulumi.secret(args.variables),
            projectRestrictions: args.projectRestrictions ?? [],
            contextId: undefined,
            variableNames: undefined,
        };
        super(contextProvider, name, props, contextOptions(opts), "circleci", "Context");
    }
}

/** Delete before replace, see diffContext; digests are secret whatever the caller passes. */
function contextOptions(opts: pulumi.CustomResourceOptions | undefined): pulumi.CustomResourceOptions {
    const secretOutputs = new Set([...(opts?.additionalSecretOutputs ?? []), "variableDigests"]);
    return { deleteBeforeReplace: true, ...opts, additionalSecretOutputs: [...secretOutputs] };
}
