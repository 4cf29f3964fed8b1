// The reads behind the status matrix, batched: ONE GraphQL query for everything the ops repository knows
// (every stack file on the default branch, every environment's recent release PRs, the open issues: drift
// issues and the release dashboard), a second page of issues only when more than 100 are open; CircleCI for
// the latest green build of each service and the commits behind compare links, under a concurrency limit.
import type { Octokit } from "octokit";
import { stackFileName, type OrgConfig, type Workspace } from "../config";
import { readVersions } from "../config/stackfile";
import { mapLimit } from "../clients/github";
import { driftTitle, DRIFT_LABEL } from "../pipeline/drift";
import { parseMarker } from "../release/changelog";
import { DEPLOYED_LABEL, releaseBranch } from "../release/pr";
import { redirectLink } from "../release/references";
import { opsRefOf } from "../release/release";
import { ciSlug, offerFromCi, type CiBuilds, type OpsRef } from "../release/sources";
import type { EnvironmentFacts, StatusInput } from "./model";

/** The hidden marker that makes an issue of the ops repository the release dashboard. */
export const DASHBOARD_MARKER = "<!-- conveyor:release-dashboard -->";

/**
 * CircleCI for the status: the release's CiBuilds, and, when the client has it (clients/circleci-pipelines.ts does),
 * one page of a branch's newest pipelines, whose items carry their commits: one request per component gives
 * the commits of every recent build, instead of one request per build.
 */
export interface StatusCi extends CiBuilds {
    pipelinesPage?(slug: string, branch: string): Promise<{ items: readonly { number: number; revision?: string }[] }>;
}

export interface StatusDeps {
    readonly gh: Octokit;
    readonly ci: StatusCi;
    readonly workspace: Workspace;
    /** API root GitHub was reached at, for web links. */
    readonly gitHubApiUrl: string;
    readonly now: Date;
    readonly progress: (line: string) => void;
}

/** An open issue of the ops repository that carries the dashboard marker. */
export interface DashboardIssue {
    readonly number: number;
    readonly body: string;
}

export interface StatusRead {
    readonly input: StatusInput;
    /** Open dashboard issues, oldest first (one, unless two runs raced). */
    readonly dashboards: readonly DashboardIssue[];
}

/** Release PRs read per environment, newest first: enough to find the last deployed one behind a few merged. */
const PRS_PER_ENV = 10;
const ISSUES_PER_PAGE = 100;
const CI_CONCURRENCY = 10;

const gqlString = (s: string): string => JSON.stringify(s);

const ISSUES_FIELD = (after: string | null) =>
    `issues(states: OPEN, first: ${ISSUES_PER_PAGE}, orderBy: {field: CREATED_AT, direction: ASC}${after ? `, after: ${gqlString(after)}` : ""}) {
      pageInfo { hasNextPage endCursor }
      nodes { number title body labels(first: 20) { nodes { name } } }
    }`;

/**
 * The one query: stack files, release PRs per environment and the first page of open issues. Later pages
 * of issues (`after` given) ask for issues alone.
 */
export function statusQuery(ops: OpsRef, envs: readonly string[], after: string | null = null): string {
    const perEnv = envs.map(
        (env, i) => `    f${i}: object(expression: ${gqlString(`${ops.branch}:${stackFileName(env)}`)}) { ... on Blob { text } }
    p${i}: pullRequests(headRefName: ${gqlString(releaseBranch(env))}, states: [OPEN, MERGED], first: ${PRS_PER_ENV}, orderBy: {field: CREATED_AT, direction: DESC}) {
      nodes { number state mergedAt body labels(first: 20) { nodes { name } } }
    }`,
    );
    return `query {
  repository(owner: ${gqlString(ops.owner)}, name: ${gqlString(ops.repo)}) {
${after === null ? `${perEnv.join("\n")}\n` : ""}    ${ISSUES_FIELD(after)}
  }
}`;
}

interface Labelled {
    readonly labels: { readonly nodes: readonly { readonly name: string }[] };
}
interface GraphPull extends Labelled {
    readonly number: number;
    readonly state: "OPEN" | "MERGED" | "CLOSED";
    readonly mergedAt: string | null;
    readonly body: string | null;
}
interface GraphIssue extends Labelled {
    readonly number: number;
    readonly title: string;
    readonly body: string | null;
}
interface IssuePage {
    readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null };
    readonly nodes: readonly GraphIssue[];
}

const labelsOf = (x: Labelled): string[] => x.labels.nodes.map((l) => l.name);

function markerVersions(body: string | null): Map<string, number> {
    return new Map(Object.entries(parseMarker(body)?.versions ?? {}));
}

/** What the environment's release PRs (newest first) and the open issues say about it. */
export function factsOf(
    env: string,
    pulls: readonly GraphPull[],
    issues: readonly GraphIssue[],
    link: (n: number) => string,
): EnvironmentFacts {
    const open = pulls.find((p) => p.state === "OPEN");
    const merged = pulls.filter((p) => p.state === "MERGED" && p.mergedAt !== null);
    const newest = merged[0];
    const deployed = merged.find((p) => labelsOf(p).includes(DEPLOYED_LABEL));
    const drift = issues.find((i) => i.title === driftTitle(env) && labelsOf(i).includes(DRIFT_LABEL));
    return {
        ...(open ? { openPr: { number: open.number, url: link(open.number), versions: markerVersions(open.body) } } : {}),
        ...(newest && newest !== deployed
            ? { notDeployed: { number: newest.number, url: link(newest.number), versions: markerVersions(newest.body) } }
            : {}),
        ...(deployed ? { lastDeployed: { number: deployed.number, url: link(deployed.number), mergedAt: deployed.mergedAt! } } : {}),
        ...(drift ? { drift: { number: drift.number, url: link(drift.number) } } : {}),
    };
}

function requireOrgOf(ws: Workspace): OrgConfig {
    if (!ws.org) throw new Error("Pulumi.org.yaml: file not found (it names the GitHub owner and the ops repository)");
    return ws.org;
}

/** The input without GitHub or CircleCI: the stack files of the checkout. */
export function offlineInput(ws: Workspace, now: Date): StatusInput {
    const org = requireOrgOf(ws);
    return {
        catalog: ws.catalog,
        environments: ws.environments,
        running: new Map(ws.environments.map((e) => [e.stack, e.versions])),
        now,
        timeZone: org.releaseController.timezone,
        trainHour: org.releaseController.hour,
        linkBase: `https://${org.releaseController.redirectorDomain}`,
        owner: org.owner,
    };
}

export async function readStatus(deps: StatusDeps): Promise<StatusRead> {
    const { gh, workspace: ws } = deps;
    const org = requireOrgOf(ws);
    const ops = opsRefOf(org);
    const envs = ws.environments.map((e) => e.stack);
    const link = (n: number) => redirectLink(org.releaseController.redirectorDomain, { owner: ops.owner, repo: ops.repo, number: n });

    // GitHub and CircleCI side by side: none waits for another.
    const [repo, offer, recent] = await Promise.all([
        readOps(gh, ops, envs),
        offerFromCi(ws, org, deps.ci, deps.progress),
        recentRevisions(deps.ci, org, ws),
    ]);
    const running = new Map<string, ReadonlyMap<string, number>>();
    for (const [i, env] of envs.entries()) {
        const text = repo.files[i];
        if (text === null) deps.progress(`${env}: ${stackFileName(env)} is not on ${ops.owner}/${ops.repo}@${ops.branch}`);
        running.set(env, text === null ? new Map() : readVersions(stackFileName(env), text));
    }
    const facts = new Map(envs.map((env, i) => [env, factsOf(env, repo.pulls[i], repo.issues, link)]));
    const input: StatusInput = {
        ...offlineInput(ws, deps.now),
        running,
        ci: { versions: offer.versions, missing: offer.missingReasons },
        facts,
    };
    const revisions = await revisionsFor(deps.ci, org, input, offer.revisions, recent);
    const dashboards = repo.issues
        .filter((i) => (i.body ?? "").startsWith(DASHBOARD_MARKER))
        .map((i) => ({ number: i.number, body: i.body ?? "" }))
        .sort((a, b) => a.number - b.number);
    return { input: { ...input, revisions }, dashboards };
}

async function readOps(
    gh: Octokit,
    ops: OpsRef,
    envs: readonly string[],
): Promise<{ files: (string | null)[]; pulls: GraphPull[][]; issues: GraphIssue[] }> {
    type Repo = Record<string, { text?: string | null } | { nodes: GraphPull[] } | IssuePage | null>;
    const first = (await gh.graphql<{ repository: Repo }>(statusQuery(ops, envs))).repository;
    const files = envs.map((_, i) => (first[`f${i}`] as { text?: string | null } | null)?.text ?? null);
    const pulls = envs.map((_, i) => (first[`p${i}`] as { nodes: GraphPull[] } | null)?.nodes ?? []);
    let page = first.issues as IssuePage;
    const issues = [...page.nodes];
    // Bounded: an ops repository with thousands of open issues has other problems; 10 pages is 1,000 issues.
    for (let n = 1; page.pageInfo.hasNextPage && n < 10; n++) {
        page = (await gh.graphql<{ repository: { issues: IssuePage } }>(statusQuery(ops, envs, page.pageInfo.endCursor))).repository.issues;
        issues.push(...page.nodes);
    }
    return { files, pulls, issues };
}

const branchOf = (org: OrgConfig, repo: string): string => org.repositories.find((r) => r.name === repo)?.settings.defaultBranch ?? "main";

/** `component#build` -> commit of every build in the first page of each service's default-branch pipelines. */
async function recentRevisions(ci: StatusCi, org: OrgConfig, ws: Workspace): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    const page = ci.pipelinesPage?.bind(ci);
    if (!page) return found;
    await mapLimit(
        ws.catalog.filter((c) => c.port !== undefined),
        CI_CONCURRENCY,
        async (c) => {
            // A page that cannot be read only costs the per-build lookups below.
            const items = await page(ciSlug(org, c.repo), branchOf(org, c.repo)).then(
                (p) => p.items,
                () => [],
            );
            for (const p of items) if (p.revision) found.set(`${c.name}#${p.number}`, p.revision);
        },
    );
    return found;
}

/**
 * Commits of the builds at both ends of every "behind" cell, for compare links: from what is known already,
 * else one lookup per build; unknown ones are left out (the cell then has no link).
 */
async function revisionsFor(
    ci: CiBuilds,
    org: OrgConfig,
    input: StatusInput,
    known: ReadonlyMap<string, string>,
    recent: ReadonlyMap<string, string>,
): Promise<Map<string, string>> {
    const revisions = new Map<string, string>([
        ...recent,
        ...[...known].map(([c, sha]): [string, string] => [`${c}#${input.ci?.versions.get(c)}`, sha]),
    ]);
    const wanted = new Map<string, { component: string; repo: string; build: number }>();
    for (const c of input.catalog.filter((x) => x.port !== undefined)) {
        for (const env of input.environments) {
            const running = input.running.get(env.stack)?.get(c.name);
            const source =
                env.release.source === "ci" ? input.ci?.versions.get(c.name) : input.running.get(env.release.source)?.get(c.name);
            if (running === undefined || source === undefined || source <= running) continue;
            for (const build of [running, source]) {
                const key = `${c.name}#${build}`;
                if (!revisions.has(key)) wanted.set(key, { component: c.name, repo: c.repo, build });
            }
        }
    }
    await mapLimit([...wanted], CI_CONCURRENCY, async ([key, w]) => {
        const sha = await ci.pipelineRevision(ciSlug(org, w.repo), w.build).catch(() => undefined);
        if (sha) revisions.set(key, sha);
    });
    return revisions;
}
