// Where a release's build numbers come from: CI (the newest green pipeline of each component's default
// branch), another environment's stack file on the ops repository's default branch, or, for a rollback,
// the previous release of the environment itself.
import type { Octokit } from "octokit";
import type { OrgConfig, Workspace } from "../config";
import { InputError } from "../config/input-error";
import { mapLimit } from "../clients/github";
import { readVersions } from "../config/stackfile";

/** What the release controller needs from CircleCI (clients/circleci-pipelines.ts implements it). */
export interface CiBuilds {
    /** Newest pipeline of the branch whose workflows all succeeded, if any in the pages it reads. */
    findGreenPipeline(slug: string, branch: string): Promise<{ pipeline?: { number: number; revision: string }; pageCapReached: boolean }>;
    /** The commit a pipeline (build number) ran on, or undefined when CircleCI does not have it. */
    pipelineRevision(slug: string, number: number): Promise<string | undefined>;
}

export interface Offer {
    readonly versions: Map<string, number>;
    /** Commit of each offered build, when the source knows it. */
    readonly revisions: Map<string, string>;
    readonly missingReasons: Map<string, string>;
}

export const ciSlug = (org: OrgConfig, repo: string): string => `gh/${org.owner}/${repo}`;

/** CircleCI answers at most this many of our requests at once. */
const CI_CONCURRENCY = 10;

/** Remembers revision lookups, so the running builds' commits can be fetched while CI is searched. */
export function withRevisionCache(ci: CiBuilds): CiBuilds {
    const cache = new Map<string, Promise<string | undefined>>();
    return {
        findGreenPipeline: (slug, branch) => ci.findGreenPipeline(slug, branch),
        pipelineRevision: (slug, number) => {
            const key = `${slug}#${number}`;
            if (!cache.has(key)) cache.set(key, ci.pipelineRevision(slug, number));
            return cache.get(key)!;
        },
    };
}

/** Starts looking up the commit of every running build; the changelog needs them all. */
export function prefetchRunning(ci: CiBuilds, org: OrgConfig, ws: Workspace, running: ReadonlyMap<string, number>): Promise<unknown> {
    const services = ws.catalog.filter((c) => c.port !== undefined && running.has(c.name));
    // Failures surface later, where the revision is used; here they must not be unhandled.
    return mapLimit(services, CI_CONCURRENCY, (c) => ci.pipelineRevision(ciSlug(org, c.repo), running.get(c.name)!).catch(() => undefined));
}

/** The newest green build of every service, read in parallel under a limit. */
export async function offerFromCi(ws: Workspace, org: OrgConfig, ci: CiBuilds, progress: (line: string) => void): Promise<Offer> {
    const services = ws.catalog.filter((c) => c.port !== undefined);
    const offer: Offer = { versions: new Map(), revisions: new Map(), missingReasons: new Map() };
    await mapLimit(services, CI_CONCURRENCY, async (c) => {
        const branch = org.repositories.find((r) => r.name === c.repo)?.settings.defaultBranch ?? "main";
        const found = await ci.findGreenPipeline(ciSlug(org, c.repo), branch);
        if (found.pipeline) {
            offer.versions.set(c.name, found.pipeline.number);
            offer.revisions.set(c.name, found.pipeline.revision);
            progress(`${c.name}: latest green build on ${branch} is ${found.pipeline.number}`);
        } else {
            const why = `no green pipeline on ${branch}${found.pageCapReached ? " in the pipelines read" : ""}`;
            offer.missingReasons.set(c.name, why);
            progress(`${c.name}: ${why}`);
        }
    });
    return offer;
}

export interface OpsRef {
    readonly owner: string;
    readonly repo: string;
    readonly branch: string;
}

/** A file's text and blob sha at a ref, or undefined when it does not exist there. */
export async function readFile(gh: Octokit, ops: OpsRef, path: string, ref: string): Promise<{ text: string; sha: string } | undefined> {
    try {
        const res = await gh.rest.repos.getContent({ owner: ops.owner, repo: ops.repo, path, ref });
        const data = res.data as { type?: string; content?: string; encoding?: string; sha: string };
        if (data.type !== "file" || data.content === undefined) throw new InputError(`${path} at ${ref} is not a file`);
        return { text: Buffer.from(data.content, "base64").toString("utf8"), sha: data.sha };
    } catch (e) {
        if ((e as { status?: number }).status === 404) return undefined;
        throw e;
    }
}

export function offerFromVersions(versions: Map<string, number>): Offer {
    return { versions, revisions: new Map(), missingReasons: new Map() };
}

/**
 * The versions of the environment's previous release: walking back the stack file's history on the
 * default branch, the first state whose versions differ from today's.
 */
export async function previousRelease(
    gh: Octokit,
    ops: OpsRef,
    file: string,
    current: Map<string, number>,
    maxCommits = 20,
): Promise<{ versions: Map<string, number>; sha: string } | undefined> {
    const history = await gh.rest.repos.listCommits({
        owner: ops.owner,
        repo: ops.repo,
        sha: ops.branch,
        path: file,
        per_page: maxCommits,
    });
    const same = (a: Map<string, number>, b: Map<string, number>) => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
    for (const commit of history.data.slice(1)) {
        const at = await readFile(gh, ops, file, commit.sha);
        if (!at) continue;
        const versions = readVersions(file, at.text);
        if (!same(versions, current)) return { versions, sha: commit.sha };
    }
    return undefined;
}
