// The CircleCI reads of the release controller: a project's pipelines, their workflows and a workflow's jobs,
// and the newest pipeline whose workflows all succeeded ("latest green build").
import { CircleCiHttp, enc, isCircleCiNotFound, type ApiPage, type CircleCiOptions } from "./circleci-http";

/** GitHub-hosted projects (OAuth app integration). GitHub App projects use `circleci/<org-id>/<project-id>`. */
export function projectSlug(owner: string, repo: string): string {
    return `gh/${owner}/${repo}`;
}

export type WorkflowStatus = "success" | "running" | "not_run" | "failed" | "error" | "failing" | "on_hold" | "canceled" | "unauthorized";

export interface Pipeline {
    readonly id: string;
    readonly number: number;
    readonly createdAt: string;
    readonly state: string;
    readonly branch?: string;
    readonly revision?: string;
}

export interface Workflow {
    readonly id: string;
    readonly name: string;
    readonly status: WorkflowStatus;
    readonly pipelineId: string;
    readonly pipelineNumber: number;
}

/** A job's status as CircleCI API v2 reports it (Job schema). */
export type JobStatus =
    | "success"
    | "running"
    | "not_run"
    | "failed"
    | "retried"
    | "queued"
    | "not_running"
    | "infrastructure_fail"
    | "timedout"
    | "on_hold"
    | "terminated-unknown"
    | "blocked"
    | "canceled"
    | "unauthorized";

export interface WorkflowJob {
    readonly name: string;
    readonly status: JobStatus;
    /** Absent until the job starts (blocked or not run) and for approval jobs. */
    readonly jobNumber?: number;
}

/** What the release controller asks CircleCI about a finished deploy workflow. */
export interface CiJobs {
    workflowJobs(workflowId: string): Promise<WorkflowJob[]>;
}

export interface GreenPipeline {
    readonly number: number;
    readonly revision: string;
    readonly id: string;
    readonly createdAt: string;
}

export interface GreenPipelineOptions {
    /** Pages of pipelines (20 each on CircleCI) to look through before giving up. */
    readonly maxPages?: number;
    /** Pipelines whose workflows are fetched at once. */
    readonly concurrency?: number;
}

export interface GreenPipelineSearch {
    readonly pipeline?: GreenPipeline;
    readonly pagesRead: number;
    readonly pipelinesChecked: number;
    /** True when older pipelines were left unread because of `maxPages`: "none found" is then not the whole story. */
    readonly pageCapReached: boolean;
}

// CircleCI's wire shapes, only the fields this client reads.
interface ApiPipeline {
    readonly id: string;
    readonly number: number;
    readonly created_at: string;
    readonly state: string;
    readonly vcs?: { readonly branch?: string; readonly revision?: string };
}

interface ApiWorkflow {
    readonly id: string;
    readonly name: string;
    readonly status: WorkflowStatus;
    readonly pipeline_id: string;
    readonly pipeline_number: number;
}

interface ApiJob {
    readonly name: string;
    readonly status: JobStatus;
    readonly job_number?: number;
}

/** The pipeline reads; `CircleCi` (circleci.ts) adds the contexts. */
export class CircleCiPipelines extends CircleCiHttp {
    // Spelled out: Pulumi's function serialisation (of the context provider, components/circleci/context.ts)
    // writes a derived class's implicit constructor as a `super()` that drops the arguments.
    constructor(options: CircleCiOptions) {
        super(options);
    }

    /** The newest pipeline on `branch` whose workflows all succeeded; undefined when none within the page cap. */
    async latestGreenPipeline(slug: string, branch: string, options: GreenPipelineOptions = {}): Promise<GreenPipeline | undefined> {
        return (await this.findGreenPipeline(slug, branch, options)).pipeline;
    }

    /** `latestGreenPipeline` with the evidence: how far it looked, and whether it stopped at the page cap. */
    async findGreenPipeline(slug: string, branch: string, options: GreenPipelineOptions = {}): Promise<GreenPipelineSearch> {
        const maxPages = options.maxPages ?? 10;
        const concurrency = Math.max(1, options.concurrency ?? 4);
        let pageToken: string | undefined;
        let pagesRead = 0;
        let pipelinesChecked = 0;
        while (pagesRead < maxPages) {
            const page = await this.pipelinesPage(slug, branch, pageToken);
            pagesRead += 1;
            // The API filters by branch already; a server that ignored the filter must not promote another branch.
            const candidates = page.items.filter((p) => p.revision !== undefined && (p.branch ?? branch) === branch);
            const found = await firstInOrder(candidates, concurrency, (p, signal) => this.isGreen(p.id, signal));
            pipelinesChecked += found.checked;
            if (found.index !== undefined) {
                return { pipeline: toGreen(candidates[found.index]), pagesRead, pipelinesChecked, pageCapReached: false };
            }
            pageToken = page.nextPageToken;
            if (!pageToken) return { pagesRead, pipelinesChecked, pageCapReached: false };
        }
        return { pagesRead, pipelinesChecked, pageCapReached: true };
    }

    /** The commit a pipeline ran on: how a build number maps to a revision. Undefined when CircleCI has no such pipeline. */
    async pipelineRevision(slug: string, number: number): Promise<string | undefined> {
        try {
            const p = await this.request<ApiPipeline>("GET", `/project/${encodeSlug(slug)}/pipeline/${number}`);
            return toPipeline(p).revision;
        } catch (err) {
            if (isCircleCiNotFound(err)) return undefined;
            throw err;
        }
    }

    /** One page of a project's pipelines on a branch, newest first. */
    async pipelinesPage(slug: string, branch: string, pageToken?: string): Promise<{ items: Pipeline[]; nextPageToken?: string }> {
        const page = await this.request<ApiPage<ApiPipeline>>("GET", `/project/${encodeSlug(slug)}/pipeline`, {
            query: { branch, "page-token": pageToken },
        });
        return { items: page.items.map(toPipeline), nextPageToken: page.next_page_token ?? undefined };
    }

    async workflows(pipelineId: string, signal?: AbortSignal): Promise<Workflow[]> {
        const items = await this.listAll<ApiWorkflow>(`/pipeline/${enc(pipelineId)}/workflow`, {}, signal);
        return items.map(toWorkflow);
    }

    /** Every job of a workflow, in CircleCI's order (GET /workflow/{id}/job). */
    async workflowJobs(workflowId: string): Promise<WorkflowJob[]> {
        const items = await this.listAll<ApiJob>(`/workflow/${enc(workflowId)}/job`);
        return items.map((j) => ({
            name: j.name,
            status: j.status,
            ...(typeof j.job_number === "number" ? { jobNumber: j.job_number } : {}),
        }));
    }

    /** Green means at least one workflow and every one a success; stops reading at the first that is not. */
    private async isGreen(pipelineId: string, signal: AbortSignal): Promise<boolean> {
        let seen = 0;
        for await (const items of this.pages<ApiWorkflow>(`/pipeline/${enc(pipelineId)}/workflow`, {}, signal)) {
            if (items.some((w) => w.status !== "success")) return false;
            seen += items.length;
        }
        return seen > 0;
    }
}

/**
 * The first item, in order, that passes `check`, with at most `limit` checks in flight: order decides, parallelism
 * only hides latency. Checks still running when the answer is known are aborted.
 */
async function firstInOrder<T>(
    items: readonly T[],
    limit: number,
    check: (item: T, signal: AbortSignal) => Promise<boolean>,
): Promise<{ index?: number; checked: number }> {
    const abort = new AbortController();
    const started: Array<Promise<boolean>> = [];
    const startUpTo = (count: number): void => {
        while (started.length < Math.min(count, items.length)) {
            const pending = check(items[started.length], abort.signal);
            // Awaited later, or abandoned after the answer: either way it must not become an unhandled rejection.
            pending.catch(() => undefined);
            started.push(pending);
        }
    };
    try {
        for (let i = 0; i < items.length; i++) {
            startUpTo(i + limit);
            if (await started[i]) return { index: i, checked: i + 1 };
        }
        return { checked: items.length };
    } finally {
        abort.abort();
    }
}

/** Slugs keep their slashes: CircleCI's routes take `vcs/org/repo` as three segments. */
function encodeSlug(slug: string): string {
    return slug.split("/").map(enc).join("/");
}

function toPipeline(p: ApiPipeline): Pipeline {
    return { id: p.id, number: p.number, createdAt: p.created_at, state: p.state, branch: p.vcs?.branch, revision: p.vcs?.revision };
}

function toGreen(p: Pipeline): GreenPipeline {
    return { number: p.number, revision: p.revision!, id: p.id, createdAt: p.createdAt };
}

function toWorkflow(w: ApiWorkflow): Workflow {
    return { id: w.id, name: w.name, status: w.status, pipelineId: w.pipeline_id, pipelineNumber: w.pipeline_number };
}
