// Collects what each bumped component brings: commits (GitHub compare), the PRs they came from and those
// PRs' details. One compare per component, read in parallel under a limit; the PR details of ALL
// components in one or a few GraphQL requests (aliases), not one REST call per PR.
import type { Octokit } from "octokit";
import type { ComponentChanges, Commit, PullRequest } from "./changelog";
import { mapLimit } from "../clients/github";
import type { Bump } from "./plan";
import { prNumberFromMessage, type RepoRef } from "./references";
import type { CiBuilds } from "./sources";

/** octokit's throttling lets 10 requests run at once; more would only queue. */
const READ_CONCURRENCY = 10;
/** ~60 connection nodes per PR: 300 PRs stay far below GitHub's 500,000-node limit per query. */
const PRS_PER_QUERY = 300;
const COMPARE_PAGE = 100;
/** GitHub's compare lists at most this many commits, whatever the paging. */
const COMPARE_MAX = 250;

export interface ChangesInput {
    readonly gh: Octokit;
    readonly ci: CiBuilds;
    readonly owner: string;
    readonly bumps: readonly Bump[];
    /** Commits of the new builds the source already knows (CI gives them). */
    readonly knownRevisions: ReadonlyMap<string, string>;
    readonly progress: (line: string) => void;
}

interface Range {
    readonly bump: Bump;
    readonly repo: RepoRef;
    readonly fromSha?: string;
    readonly toSha?: string;
    readonly commits: Commit[];
    readonly associations: Map<string, number>;
    note?: string;
}

export async function collectChanges(input: ChangesInput): Promise<ComponentChanges[]> {
    const ranges = await mapLimit(input.bumps, READ_CONCURRENCY, (bump) => rangeOf(input, bump));
    const pulls = await pullDetails(input.gh, ranges);
    return ranges.map((r) => ({ ...r, pulls: pulls.get(r.repo.repo) ?? new Map() }));
}

async function rangeOf(input: ChangesInput, bump: Bump): Promise<Range> {
    const repo = { owner: input.owner, repo: bump.repo };
    const slug = `gh/${input.owner}/${bump.repo}`;
    const [fromSha, toSha] = await Promise.all([
        bump.from === undefined ? undefined : input.ci.pipelineRevision(slug, bump.from),
        input.knownRevisions.get(bump.component) ?? input.ci.pipelineRevision(slug, bump.to),
    ]);
    const range: Range = { bump, repo, fromSha, toSha, commits: [], associations: new Map() };
    if (bump.from === undefined) {
        range.note = "first release of this component to the environment";
    } else if (!fromSha || !toSha) {
        range.note = `build ${!fromSha ? bump.from : bump.to} has no revision in CircleCI`;
    } else {
        // A rollback lists what it takes away: the commits from the lower build to the running one.
        const [base, head] = bump.to < bump.from ? [toSha, fromSha] : [fromSha, toSha];
        const { commits, total } = await compare(input.gh, repo, base, head);
        range.commits.push(...commits);
        if (total > commits.length) range.note = `${total - commits.length} more commits than GitHub's compare lists`;
        await associate(input.gh, repo, range);
    }
    input.progress(`${bump.component}: ${bump.from ?? "new"} -> ${bump.to}, ${range.commits.length} commits`);
    return range;
}

async function compare(gh: Octokit, repo: RepoRef, base: string, head: string): Promise<{ commits: Commit[]; total: number }> {
    const commits: Commit[] = [];
    let total = 0;
    for (let page = 1; commits.length < COMPARE_MAX; page++) {
        const res = await gh.rest.repos.compareCommitsWithBasehead({
            ...repo,
            basehead: `${base}...${head}`,
            per_page: COMPARE_PAGE,
            page,
        });
        total = res.data.total_commits;
        for (const c of res.data.commits) {
            commits.push({ sha: c.sha, message: c.commit.message });
        }
        if (res.data.commits.length < COMPARE_PAGE || commits.length >= total) break;
    }
    return { commits, total };
}

/** Commits whose message names no PR (rebase merges, direct pushes): ask GitHub which PR they belong to. */
async function associate(gh: Octokit, repo: RepoRef, range: Range): Promise<void> {
    const unknown = range.commits.filter((c) => prNumberFromMessage(c.message) === undefined);
    await mapLimit(unknown, 4, async (c) => {
        const res = await gh.rest.repos.listPullRequestsAssociatedWithCommit({ ...repo, commit_sha: c.sha });
        const merged = res.data.find((p) => p.merged_at !== null) ?? res.data[0];
        if (merged) range.associations.set(c.sha, merged.number);
    });
}

const PR_FIELDS =
    "number title body author { login } labels(first: 30) { nodes { name } } closingIssuesReferences(first: 30) { nodes { number repository { nameWithOwner } } }";

interface GraphPull {
    number: number;
    title: string;
    body: string;
    author: { login: string } | null;
    labels: { nodes: { name: string }[] };
    closingIssuesReferences: { nodes: { number: number; repository: { nameWithOwner: string } }[] };
}

/** PR details of every range, by repository then number, in batches of aliased GraphQL queries. */
async function pullDetails(gh: Octokit, ranges: readonly Range[]): Promise<Map<string, Map<number, PullRequest>>> {
    const wanted: { repo: RepoRef; number: number }[] = [];
    for (const r of ranges) {
        const numbers = new Set<number>();
        for (const c of r.commits) {
            const n = prNumberFromMessage(c.message) ?? r.associations.get(c.sha);
            if (n !== undefined) numbers.add(n);
        }
        for (const number of numbers) wanted.push({ repo: r.repo, number });
    }
    const out = new Map<string, Map<number, PullRequest>>();
    for (let i = 0; i < wanted.length; i += PRS_PER_QUERY) {
        const batch = wanted.slice(i, i + PRS_PER_QUERY);
        const byRepo = new Map<string, { repo: RepoRef; numbers: number[] }>();
        for (const w of batch) {
            const entry = byRepo.get(w.repo.repo) ?? { repo: w.repo, numbers: [] };
            entry.numbers.push(w.number);
            byRepo.set(w.repo.repo, entry);
        }
        const repos = [...byRepo.values()];
        const query = `query {\n${repos
            .map(
                (r, ri) =>
                    `  r${ri}: repository(owner: ${JSON.stringify(r.repo.owner)}, name: ${JSON.stringify(r.repo.repo)}) {\n${r.numbers
                        .map((n) => `    p${n}: pullRequest(number: ${n}) { ${PR_FIELDS} }`)
                        .join("\n")}\n  }`,
            )
            .join("\n")}\n}`;
        const data = await graphqlPartial(gh, query);
        repos.forEach((r, ri) => {
            const found = out.get(r.repo.repo) ?? new Map<number, PullRequest>();
            for (const n of r.numbers) {
                const p = (data?.[`r${ri}`] as Record<string, GraphPull | null> | null)?.[`p${n}`];
                if (p) found.set(n, toPullRequest(p));
            }
            out.set(r.repo.repo, found);
        });
    }
    return out;
}

/** GraphQL answers a missing PR with null plus an error; the rest of the data is still good. */
async function graphqlPartial(gh: Octokit, query: string): Promise<Record<string, unknown> | undefined> {
    try {
        return await gh.graphql<Record<string, unknown>>(query);
    } catch (e) {
        const partial = (e as { data?: Record<string, unknown> }).data;
        if (partial) return partial;
        throw e;
    }
}

function toPullRequest(p: GraphPull): PullRequest {
    return {
        number: p.number,
        title: p.title,
        author: p.author?.login ?? "ghost",
        body: p.body ?? "",
        labels: p.labels.nodes.map((l) => l.name),
        closingIssues: p.closingIssuesReferences.nodes.map((i) => {
            const [owner, repo] = i.repository.nameWithOwner.split("/");
            return { owner, repo, number: i.number };
        }),
    };
}
