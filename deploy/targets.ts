// deploy/: what happens after a merge on the ops repository: which stacks CI deploys (targets), then
// telling the PRs and issues (deployed). A workflow: imports release/, clients/ and config/ only.
//
// `conveyor targets --sha <sha>`: the stacks a commit on the default branch must deploy.
import type { Octokit } from "octokit";
import { stackFileName, type Workspace } from "../config";
import { releaseBranch } from "../release/pr";
import { requireOrg, opsRefOf } from "../release/release";

export interface MergedPull {
    readonly number: number;
    readonly head: string;
    readonly labels: readonly string[];
    readonly body: string;
    /** Typed by people: escaped wherever it is shown. */
    readonly title?: string;
}

export interface Targets {
    /** Stacks to deploy, org first, then environments in train order. */
    readonly stacks: string[];
    /** What was skipped and why (unknown environments in labels). */
    readonly notes: string[];
    /** The merged PRs the commit came from. */
    readonly pulls: MergedPull[];
}

/** The PRs a commit of the default branch was merged from (usually one). */
export async function mergedPullsOf(gh: Octokit, ws: Workspace, sha: string): Promise<MergedPull[]> {
    const ops = opsRefOf(requireOrg(ws));
    const res = await gh.rest.repos.listPullRequestsAssociatedWithCommit({ owner: ops.owner, repo: ops.repo, commit_sha: sha });
    return res.data
        .filter((p) => p.merged_at !== null && p.base.ref === ops.branch)
        .map((p) => ({ number: p.number, head: p.head.ref, labels: p.labels.map((l) => l.name), body: p.body ?? "", title: p.title }));
}

/** Pure: which stacks the merged PRs and the changed files call for. */
export function targetsOf(ws: Workspace, pulls: readonly MergedPull[], changedFiles: readonly string[]): Omit<Targets, "pulls"> {
    const envs = ws.environments.map((e) => e.stack);
    const wanted = new Set<string>();
    const notes: string[] = [];
    for (const p of pulls) {
        const release = envs.find((e) => p.head === releaseBranch(e));
        if (release) wanted.add(release);
        for (const label of p.labels.filter((l) => l.startsWith("deploy/"))) {
            const env = label.slice("deploy/".length);
            if (envs.includes(env)) wanted.add(env);
            else notes.push(`PR #${p.number}: label "${label}" names no environment stack (${envs.join(", ")}); skipped`);
        }
    }
    for (const env of envs) if (changedFiles.includes(stackFileName(env))) wanted.add(env);
    if (changedFiles.includes(stackFileName("org"))) wanted.add("org");
    // ws.environments is already in train order; org goes first because environments may depend on it.
    const stacks = [...(wanted.has("org") ? ["org"] : []), ...envs.filter((e) => wanted.has(e))];
    return { stacks, notes };
}

const FILES_PER_PAGE = 100;
/** GET /commits/{ref} lists at most this many files of a commit, over pages. */
const COMMIT_FILES_LIMIT = 3000;

/**
 * Every file a commit changes (and the old name of each renamed one). GET /commits/{ref} pages its files and
 * repeats the commit on every page; octokit's paginate knows only list-shaped answers, so this walks the pages
 * itself: until a short page, and never past GitHub's limit. `complete` is false when the limit was reached:
 * the files past it are not listed anywhere.
 */
async function changedFilesOf(gh: Octokit, ws: Workspace, sha: string): Promise<{ files: string[]; complete: boolean }> {
    const ops = opsRefOf(requireOrg(ws));
    const files: string[] = [];
    for (let page = 1; page <= COMMIT_FILES_LIMIT / FILES_PER_PAGE; page++) {
        const { data } = await gh.rest.repos.getCommit({ owner: ops.owner, repo: ops.repo, ref: sha, per_page: FILES_PER_PAGE, page });
        const slice = data.files ?? [];
        files.push(...slice.flatMap((f) => [f.filename, ...(f.previous_filename ? [f.previous_filename] : [])]));
        if (slice.length < FILES_PER_PAGE) return { files, complete: true };
    }
    return { files, complete: false };
}

/**
 * The stack files a commit changes, asked one by one: for a commit whose file list GitHub cut short. A commit
 * changes a path when it is the newest commit of its own history to touch it.
 */
async function stackFilesChangedBy(gh: Octokit, ws: Workspace, sha: string): Promise<string[]> {
    const ops = opsRefOf(requireOrg(ws));
    const paths = ["org", ...ws.environments.map((e) => e.stack)].map(stackFileName);
    const touched = await Promise.all(
        paths.map(async (path) => {
            const { data } = await gh.rest.repos.listCommits({ owner: ops.owner, repo: ops.repo, sha, path, per_page: 1 });
            return data[0]?.sha === sha;
        }),
    );
    return paths.filter((_, i) => touched[i]);
}

export async function deployTargets(gh: Octokit, ws: Workspace, sha: string): Promise<Targets> {
    const [pulls, listed] = await Promise.all([mergedPullsOf(gh, ws, sha), changedFilesOf(gh, ws, sha)]);
    if (listed.complete) return { ...targetsOf(ws, pulls, listed.files), pulls };
    const targets = targetsOf(ws, pulls, [...listed.files, ...(await stackFilesChangedBy(gh, ws, sha))]);
    const cut = `commit ${sha.slice(0, 7)} changes more than the ${COMMIT_FILES_LIMIT} files GitHub lists: its stack files were asked for one by one`;
    return { ...targets, notes: [...targets.notes, cut], pulls };
}
