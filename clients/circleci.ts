// The CircleCI API v2 client: the contexts the CircleCI dynamic provider manages (their environment variables
// and restrictions), on top of the pipeline reads (circleci-pipelines.ts) and the HTTP core (circleci-http.ts).
//
// Restrictions use CircleCI's `restriction_type`/`restriction_value` form; the `project_id`-only form is deprecated.
import { enc, isCircleCiNotFound, type CircleCiOptions } from "./circleci-http";
import { CircleCiPipelines } from "./circleci-pipelines";

export type OwnerType = "organization" | "account";

export interface CircleCiContext {
    readonly id: string;
    readonly name: string;
    readonly createdAt: string;
}

/** CircleCI never returns a context variable's value, only that it exists. */
export interface ContextEnvVar {
    readonly name: string;
    readonly contextId: string;
    readonly createdAt: string;
    readonly updatedAt: string;
}

export type RestrictionType = "project" | "expression" | "group";

export interface ContextRestriction {
    readonly id: string;
    readonly contextId: string;
    readonly type: string;
    /** A project UUID for "project", the rule for "expression". */
    readonly value: string;
    /** Human-readable subject (a project's name); may be absent. */
    readonly name?: string;
}

export interface NewRestriction {
    readonly type: RestrictionType;
    readonly value: string;
}

// CircleCI's wire shapes, only the fields this client reads.
interface ApiContext {
    readonly id: string;
    readonly name: string;
    readonly created_at: string;
}

interface ApiEnvVar {
    readonly variable: string;
    readonly context_id: string;
    readonly created_at: string;
    readonly updated_at: string;
}

interface ApiRestriction {
    readonly id: string;
    readonly context_id?: string;
    readonly project_id?: string | null;
    readonly name?: string | null;
    readonly restriction_type: string;
    readonly restriction_value: string;
}

/** The whole client: the contexts' calls here, the pipeline reads and the transport from the classes below. */
export class CircleCi extends CircleCiPipelines {
    // Spelled out for Pulumi's serialisation, as in CircleCiPipelines.
    constructor(options: CircleCiOptions) {
        super(options);
    }

    /** The CLI's and the Lambda's way in: `CIRCLECI_TOKEN` and `CIRCLECI_API_URL`. */
    static fromEnv(env: NodeJS.ProcessEnv = process.env, options: Omit<CircleCiOptions, "token"> = {}): CircleCi {
        return new CircleCi({ baseUrl: env.CIRCLECI_API_URL, ...options, token: env.CIRCLECI_TOKEN ?? "" });
    }

    async listContexts(ownerId: string, ownerType?: OwnerType): Promise<CircleCiContext[]> {
        const items = await this.listAll<ApiContext>("/context", { "owner-id": ownerId, "owner-type": ownerType });
        return items.map(toContext);
    }

    /** Context names are unique per owner, so a name finds at most one. */
    async findContext(ownerId: string, name: string, ownerType?: OwnerType): Promise<CircleCiContext | undefined> {
        return (await this.listContexts(ownerId, ownerType)).find((c) => c.name === name);
    }

    /** Not retried: a create whose answer was lost may still have landed. Callers find-then-create. */
    async createContext(ownerId: string, name: string, ownerType: OwnerType = "organization"): Promise<CircleCiContext> {
        const body = { name, owner: { id: ownerId, type: ownerType } };
        return toContext(await this.request<ApiContext>("POST", "/context", { body }));
    }

    async getContext(contextId: string): Promise<CircleCiContext | undefined> {
        try {
            return toContext(await this.request<ApiContext>("GET", `/context/${enc(contextId)}`));
        } catch (err) {
            if (isCircleCiNotFound(err)) return undefined;
            throw err;
        }
    }

    /** True when this call deleted it, false when it was already gone. */
    async deleteContext(contextId: string): Promise<boolean> {
        return this.deleteIfPresent(`/context/${enc(contextId)}`);
    }

    async listEnvVars(contextId: string): Promise<ContextEnvVar[]> {
        const items = await this.listAll<ApiEnvVar>(`/context/${enc(contextId)}/environment-variable`);
        return items.map(toEnvVar);
    }

    /** Creates or replaces; the same PUT twice leaves the same state, so it is retried like a read. */
    async putEnvVar(contextId: string, name: string, value: string): Promise<ContextEnvVar> {
        const path = `/context/${enc(contextId)}/environment-variable/${enc(name)}`;
        return toEnvVar(await this.request<ApiEnvVar>("PUT", path, { body: { value }, idempotent: true }));
    }

    /** True when this call deleted it, false when it was already gone. */
    async deleteEnvVar(contextId: string, name: string): Promise<boolean> {
        return this.deleteIfPresent(`/context/${enc(contextId)}/environment-variable/${enc(name)}`);
    }

    async listRestrictions(contextId: string): Promise<ContextRestriction[]> {
        const items = await this.listAll<ApiRestriction>(`/context/${enc(contextId)}/restrictions`);
        return items.map((r) => toRestriction(r, contextId));
    }

    /** Not retried, like every create: list first to see whether an earlier attempt landed. */
    async createRestriction(contextId: string, restriction: NewRestriction): Promise<ContextRestriction> {
        const body = { restriction_type: restriction.type, restriction_value: restriction.value };
        const created = await this.request<ApiRestriction>("POST", `/context/${enc(contextId)}/restrictions`, { body });
        return toRestriction(created, contextId);
    }

    /** True when this call deleted it, false when it was already gone. */
    async deleteRestriction(contextId: string, restrictionId: string): Promise<boolean> {
        return this.deleteIfPresent(`/context/${enc(contextId)}/restrictions/${enc(restrictionId)}`);
    }
}

function toContext(c: ApiContext): CircleCiContext {
    return { id: c.id, name: c.name, createdAt: c.created_at };
}

function toEnvVar(v: ApiEnvVar): ContextEnvVar {
    return { name: v.variable, contextId: v.context_id, createdAt: v.created_at, updatedAt: v.updated_at };
}

function toRestriction(r: ApiRestriction, contextId: string): ContextRestriction {
    const restriction = { id: r.id, contextId: r.context_id ?? contextId, type: r.restriction_type, value: r.restriction_value };
    return r.name ? { ...restriction, name: r.name } : restriction;
}
