// The release PR, one per environment on the fixed branch `release-<env>` (as release-please and Kargo
// do): find it, then update it; adopt an existing PR on 422; write nothing when nothing changed.
import type { Octokit } from "octokit";
import { sentTrailer, withoutSent } from "../clients/marked-comment";
import { readFile, type OpsRef } from "./sources";

export const RELEASE_LABEL = "release";
export const DEPLOYED_LABEL = "deployed";
export const releaseBranch = (env: string): string => `release-${env}`;
const CAS_ATTEMPTS = 3;

export interface PullSummary {
    readonly number: number;
    readonly url: string;
    readonly title: string;
    readonly body: string;
    readonly labels: readonly string[];
    readonly state: "open" | "closed";
    readonly merged: boolean;
}

export interface ReleasePrs {
    readonly open?: PullSummary;
    /** The newest merged release PR of the environment. */
    readonly lastMerged?: PullSummary;
}

function summary(p: {
    number: number;
    html_url: string;
    title: string;
    body: string | null;
    labels: { name?: string }[];
    state: string;
    merged_at: string | null;
}): PullSummary {
    return {
        number: p.number,
        url: p.html_url,
        title: p.title,
        body: p.body ?? "",
        labels: p.labels.map((l) => l.name ?? ""),
        state: p.state === "open" ? "open" : "closed",
        merged: p.merged_at !== null,
    };
}

/** One read: the environment's release PRs, newest first, open and closed. */
export async function findReleasePrs(gh: Octokit, ops: OpsRef, env: string): Promise<ReleasePrs> {
    const res = await gh.rest.pulls.list({
        owner: ops.owner,
        repo: ops.repo,
        head: `${ops.owner}:${releaseBranch(env)}`,
        state: "all",
        per_page: 20,
    });
    const pulls = res.data.map(summary);
    return { open: pulls.find((p) => p.state === "open"), lastMerged: pulls.find((p) => p.merged) };
}

/** Why no new release PR may be opened, if so: the previous one is merged but not deployed yet. */
export function blockedBy(prs: ReleasePrs): string | undefined {
    const m = prs.lastMerged;
    if (m && !m.labels.includes(DEPLOYED_LABEL) && !prs.open) {
        return `release PR #${m.number} (${m.url}) is merged but not labelled "${DEPLOYED_LABEL}" yet: its deploy has not finished or has failed. Deploy it, or label it "${DEPLOYED_LABEL}" by hand, before the next release.`;
    }
    return undefined;
}

export interface ReleaseContent {
    readonly env: string;
    readonly title: string;
    readonly body: string;
    readonly commitMessage: string;
    /** Files to have on the branch, path -> text; the first is the stack file. */
    readonly files: ReadonlyMap<string, string>;
    /** Blob shas of those files on the default branch, where known (saves a read per file). */
    readonly mainShas?: ReadonlyMap<string, string>;
}

export interface Upsert {
    readonly action: "opened" | "updated" | "unchanged";
    readonly number: number;
    readonly url: string;
    /** The PR's body as it is now on GitHub, with its record of announcements. */
    readonly body: string;
}

/** Whether a PR must be rewritten to `want`; its record of announcements is not content. */
const differs = (pr: PullSummary, want: Pick<ReleaseContent, "title" | "body">): boolean =>
    pr.title !== want.title || withoutSent(pr.body) !== want.body;

const status = (e: unknown): number | undefined => (e as { status?: number }).status;

/**
 * Brings the branch and the PR to the wanted content. Reads the branch only when a PR is open; every
 * write is sequential; a rerun with the same content writes nothing.
 */
export async function upsertReleasePr(
    gh: Octokit,
    ops: OpsRef,
    mainSha: string,
    prs: ReleasePrs,
    want: ReleaseContent,
    progress: (s: string) => void,
): Promise<Upsert> {
    const branch = releaseBranch(want.env);
    let wrote = false;
    const onBranch = prs.open ? await branchMatches(gh, ops, branch, want.files) : false;
    if (!onBranch) {
        const fresh = await prepareBranch(gh, ops, branch, mainSha, want.files, progress);
        for (const [path, text] of want.files) {
            // On a branch just made from main, main's blob sha is the current one: no need to read it.
            await commitFile(gh, ops, branch, path, text, want.commitMessage, fresh ? want.mainShas?.get(path) : undefined);
        }
        wrote = true;
    }
    let pr = prs.open;
    let body = pr?.body ?? want.body;
    if (!pr) {
        pr = await openPr(gh, ops, branch, want);
        body = pr.body;
        progress(`opened PR #${pr.number}: ${pr.url}`);
        wrote = true;
    } else if (differs(pr, want)) {
        body = `${want.body}${sentTrailer(pr.body)}`;
        await gh.rest.pulls.update({ owner: ops.owner, repo: ops.repo, pull_number: pr.number, title: want.title, body });
        progress(`refreshed PR #${pr.number}: ${pr.url}`);
        wrote = true;
    }
    if (!pr.labels.includes(RELEASE_LABEL)) {
        await gh.rest.issues.addLabels({ owner: ops.owner, repo: ops.repo, issue_number: pr.number, labels: [RELEASE_LABEL] });
        wrote = true;
    }
    return { action: !wrote ? "unchanged" : prs.open ? "updated" : "opened", number: pr.number, url: pr.url, body };
}

async function branchMatches(gh: Octokit, ops: OpsRef, branch: string, files: ReadonlyMap<string, string>): Promise<boolean> {
    for (const [path, text] of files) {
        const have = await readFile(gh, ops, path, branch);
        if (have?.text !== text) return false;
    }
    return true;
}

/**
 * The branch starts again from the default branch head, so the PR shows only this release's lines. A
 * branch that already holds the wanted files is left alone: a concurrent run got there first, and
 * resetting it would take its commit away under it.
 */
async function prepareBranch(
    gh: Octokit,
    ops: OpsRef,
    branch: string,
    sha: string,
    files: ReadonlyMap<string, string>,
    progress: (s: string) => void,
): Promise<boolean> {
    try {
        await gh.rest.git.createRef({ owner: ops.owner, repo: ops.repo, ref: `refs/heads/${branch}`, sha });
        progress(`created branch ${branch} at ${sha.slice(0, 7)}`);
        return true;
    } catch (e) {
        if (status(e) !== 422) throw e;
        if (await branchMatches(gh, ops, branch, files)) return false;
        await gh.rest.git.updateRef({ owner: ops.owner, repo: ops.repo, ref: `heads/${branch}`, sha, force: true });
        progress(`reset branch ${branch} to ${sha.slice(0, 7)}`);
        return true;
    }
}

/** Contents API write with the blob sha as compare-and-swap: on 409, read again and retry, bounded. */
async function commitFile(
    gh: Octokit,
    ops: OpsRef,
    branch: string,
    path: string,
    text: string,
    message: string,
    knownSha?: string,
): Promise<void> {
    for (let attempt = 1; ; attempt++) {
        const current = attempt === 1 && knownSha ? { text: undefined, sha: knownSha } : await readFile(gh, ops, path, branch);
        if (current?.text === text) return; // a concurrent run already wrote it
        try {
            await gh.rest.repos.createOrUpdateFileContents({
                owner: ops.owner,
                repo: ops.repo,
                path,
                branch,
                message,
                content: Buffer.from(text, "utf8").toString("base64"),
                ...(current ? { sha: current.sha } : {}),
            });
            return;
        } catch (e) {
            if (status(e) !== 409 || attempt >= CAS_ATTEMPTS) throw e;
        }
    }
}

const answer = (e: unknown): string => JSON.stringify((e as { response?: { data?: unknown } }).response?.data ?? "");

/**
 * A PR POST is never retried blindly. On 422 "already exists" the PR another run opened is adopted; on
 * 422 "No commits between" a concurrent run reset the branch under us: commit again, then ask once more.
 */
async function openPr(gh: Octokit, ops: OpsRef, branch: string, want: ReleaseContent): Promise<PullSummary> {
    for (let attempt = 1; ; attempt++) {
        try {
            const res = await gh.rest.pulls.create({
                owner: ops.owner,
                repo: ops.repo,
                head: branch,
                base: ops.branch,
                title: want.title,
                body: want.body,
            });
            return summary({ ...res.data, labels: [] });
        } catch (e) {
            if (status(e) !== 422) throw e;
            if (/already exists/i.test(answer(e))) return adopt(gh, ops, want, e);
            if (!/no commits between/i.test(answer(e)) || attempt >= CAS_ATTEMPTS) throw e;
            for (const [path, text] of want.files) await commitFile(gh, ops, branch, path, text, want.commitMessage);
        }
    }
}

async function adopt(gh: Octokit, ops: OpsRef, want: ReleaseContent, cause: unknown): Promise<PullSummary> {
    const again = await findReleasePrs(gh, ops, want.env);
    if (!again.open) throw cause;
    if (!differs(again.open, want)) return again.open;
    const body = `${want.body}${sentTrailer(again.open.body)}`;
    await gh.rest.pulls.update({ owner: ops.owner, repo: ops.repo, pull_number: again.open.number, title: want.title, body });
    return { ...again.open, title: want.title, body };
}
