// The release dashboard: ONE issue of the ops repository, "Release dashboard", found by a hidden marker,
// whose body is the status matrix in Markdown (as Renovate keeps its dependency dashboard). Edited in place,
// never duplicated, left alone when nothing changed. Refreshed after every release, deploy and drift run.
import type { Octokit } from "octokit";
import { renderMarkdown } from "./markdown";
import { readMilestonesSection } from "./milestones";
import { buildStatus, type StatusMatrix } from "./model";
import { DASHBOARD_MARKER, readStatus, type DashboardIssue, type StatusDeps } from "./read";
import type { StatusSection } from "./section";

export const DASHBOARD_TITLE = "Release dashboard";

export function dashboardBody(markdown: string): string {
    return `${DASHBOARD_MARKER}\n${markdown}\n_Kept up to date by conveyor after every release, deploy and drift check; edits by hand are overwritten._\n`;
}

export interface DashboardOutcome {
    readonly action: "opened" | "updated" | "unchanged";
    readonly number: number;
    readonly writes: number;
}

interface Repo {
    readonly owner: string;
    readonly repo: string;
}

/**
 * Brings the dashboard issue to `body`: the oldest open issue with the marker is the dashboard. When two
 * runs raced and both opened one, the newer ones are closed as duplicates pointing at the oldest. An issue
 * POST is never retried blindly (the GitHub client's rule): a lost answer is found by the next run.
 */
export async function upsertDashboard(
    gh: Octokit,
    ops: Repo,
    body: string,
    found: readonly DashboardIssue[],
    recheck: () => Promise<readonly DashboardIssue[]>,
): Promise<DashboardOutcome> {
    const [mine, ...duplicates] = found;
    if (mine) {
        let writes = await closeDuplicates(gh, ops, mine.number, duplicates);
        if (mine.body !== body) {
            await gh.rest.issues.update({ owner: ops.owner, repo: ops.repo, issue_number: mine.number, body });
            writes++;
        }
        return { action: mine.body !== body ? "updated" : "unchanged", number: mine.number, writes };
    }
    const created = await gh.rest.issues.create({ owner: ops.owner, repo: ops.repo, title: DASHBOARD_TITLE, body });
    // Find-then-create can race: look again, and keep only the oldest.
    const now = await recheck();
    const oldest = now[0];
    if (oldest && oldest.number !== created.data.number) {
        const writes = 1 + (await closeDuplicates(gh, ops, oldest.number, now.slice(1)));
        if (oldest.body !== body) await gh.rest.issues.update({ owner: ops.owner, repo: ops.repo, issue_number: oldest.number, body });
        return { action: "updated", number: oldest.number, writes: writes + (oldest.body !== body ? 1 : 0) };
    }
    return { action: "opened", number: created.data.number, writes: 1 };
}

async function closeDuplicates(gh: Octokit, ops: Repo, keep: number, duplicates: readonly DashboardIssue[]): Promise<number> {
    for (const d of duplicates) {
        await gh.rest.issues.update({
            owner: ops.owner,
            repo: ops.repo,
            issue_number: d.number,
            state: "closed",
            state_reason: "not_planned",
            body: `${DASHBOARD_TITLE}: a duplicate of the one kept up to date, issue ${keep} of this repository.`,
        });
    }
    return duplicates.length;
}

/**
 * Reads the status and the weekly milestones' progress (a second GraphQL request), renders both, and brings
 * the dashboard issue to them; returns the matrix and the sections it wrote too.
 */
export async function refreshDashboard(
    deps: StatusDeps,
): Promise<DashboardOutcome & { readonly matrix: StatusMatrix; readonly sections: readonly StatusSection[] }> {
    const org = deps.workspace.org!;
    const [read, milestones] = await Promise.all([readStatus(deps), readMilestonesSection(deps.gh, org, deps.now)]);
    const sections = milestones ? [milestones] : [];
    const matrix = buildStatus(read.input);
    const body = dashboardBody(renderMarkdown(matrix, sections));
    const ops = { owner: org.owner, repo: org.opsRepo };
    const recheck = async () => (await readStatus({ ...deps, ci: NO_CI, progress: () => undefined })).dashboards;
    return { ...(await upsertDashboard(deps.gh, ops, body, read.dashboards, recheck)), matrix, sections };
}

/** A recheck only needs the issues: it asks CircleCI nothing. */
const NO_CI = {
    findGreenPipeline: () => Promise.resolve({ pageCapReached: false }),
    pipelineRevision: () => Promise.resolve(undefined),
};
