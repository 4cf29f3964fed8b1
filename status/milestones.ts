// Weekly milestone progress across every managed repository: how far this week's and next week's milestones
// are (open and closed issues and PRs, percent done, what is overdue), by repository and in total. ONE
// GraphQL query reads it all (an alias per repository, an alias per week), whatever the number of
// repositories. The model and the renderers (text, Markdown, an HTML fragment) are pure; the same renderer
// serves `conveyor status --milestones`, the release dashboard issue and the status page.
import type { Octokit } from "octokit";
import type { OrgConfig } from "../config";
import { weekTitles } from "../config/weeks";
import { escapeHtml as html, escapeMarkdown as md, safeHref, type StatusSection } from "./section";
import { cut } from "./text";

export interface Counts {
    readonly openIssues: number;
    readonly closedIssues: number;
    readonly openPulls: number;
    /** Closed or merged. */
    readonly closedPulls: number;
}

export interface RepoMilestone extends Counts {
    readonly repo: string;
    /** Whether the repository has this week's milestone at all. */
    readonly exists: boolean;
    readonly url?: string;
}

export interface WeekProgress {
    /** `2026-W49`. */
    readonly title: string;
    readonly role: "current" | "next";
    /** The Sunday it ends, YYYY-MM-DD. */
    readonly dueOn: string;
    readonly repos: readonly RepoMilestone[];
    readonly total: Counts;
    /** Closed over all, 0-100, rounded down (100 only when nothing is open); undefined when empty. */
    readonly percentDone?: number;
    /** Past its due day with work still open: that open work is overdue. */
    readonly overdue: boolean;
    /** Open issues and PRs past the due day (0 unless overdue). */
    readonly overdueItems: number;
}

export interface MilestoneProgress {
    /** When it was read. */
    readonly at: string;
    readonly weeks: readonly WeekProgress[];
}

const ZERO: Counts = { openIssues: 0, closedIssues: 0, openPulls: 0, closedPulls: 0 };
const add = (a: Counts, b: Counts): Counts => ({
    openIssues: a.openIssues + b.openIssues,
    closedIssues: a.closedIssues + b.closedIssues,
    openPulls: a.openPulls + b.openPulls,
    closedPulls: a.closedPulls + b.closedPulls,
});
const open = (c: Counts) => c.openIssues + c.openPulls;
const closed = (c: Counts) => c.closedIssues + c.closedPulls;

/** Rounded down, so "100%" is never shown while anything is open. */
export function percentDone(c: Counts): number | undefined {
    const all = open(c) + closed(c);
    return all === 0 ? undefined : Math.floor((closed(c) * 100) / all);
}

// ---- the query ----

const WEEK_FIELDS = `nodes { title dueOn url
        openIssues: issues(states: [OPEN]) { totalCount }
        closedIssues: issues(states: [CLOSED]) { totalCount }
        openPulls: pullRequests(states: [OPEN]) { totalCount }
        closedPulls: pullRequests(states: [CLOSED, MERGED]) { totalCount } }`;

/** Pure: the one query, `r<i>` per repository and `w<j>` per week (a title search may match more: filtered exactly after). */
export function milestonesQuery(owner: string, repos: readonly string[], titles: readonly string[]): string {
    const weeks = titles.map((t, j) => `    w${j}: milestones(first: 5, query: ${JSON.stringify(t)}) { ${WEEK_FIELDS} }`).join("\n");
    const body = repos
        .map((r, i) => `  r${i}: repository(owner: ${JSON.stringify(owner)}, name: ${JSON.stringify(r)}) {\n${weeks}\n  }`)
        .join("\n");
    return `query MilestoneProgress {\n${body}\n}`;
}

interface GraphMilestone {
    readonly title: string;
    readonly dueOn: string | null;
    readonly url: string;
    readonly openIssues: { readonly totalCount: number };
    readonly closedIssues: { readonly totalCount: number };
    readonly openPulls: { readonly totalCount: number };
    readonly closedPulls: { readonly totalCount: number };
}

type GraphData = Record<string, Record<string, { nodes: GraphMilestone[] } | null> | null | undefined>;

/** Pure: the model from the query's answer (a repository the answer lacks counts as having no milestone). */
export function progressOf(
    repos: readonly string[],
    titles: readonly string[],
    dueDates: readonly string[],
    data: GraphData,
    now: Date,
): MilestoneProgress {
    const weeks = titles.map((title, j): WeekProgress => {
        const perRepo = repos.map((repo, i): RepoMilestone => {
            const m = data[`r${i}`]?.[`w${j}`]?.nodes.find((n) => n.title === title);
            if (!m) return { repo, exists: false, ...ZERO };
            return {
                repo,
                exists: true,
                url: m.url,
                openIssues: m.openIssues.totalCount,
                closedIssues: m.closedIssues.totalCount,
                openPulls: m.openPulls.totalCount,
                closedPulls: m.closedPulls.totalCount,
            };
        });
        const total = perRepo.reduce<Counts>(add, ZERO);
        // Due at the end of its Sunday (UTC): overdue from the Monday after.
        const overdue = now.getTime() >= Date.parse(`${dueDates[j]}T00:00:00Z`) + 86_400_000 && open(total) > 0;
        return {
            title,
            role: j === 0 ? "current" : "next",
            dueOn: dueDates[j],
            repos: perRepo,
            total,
            percentDone: percentDone(total),
            overdue,
            overdueItems: overdue ? open(total) : 0,
        };
    });
    return { at: now.toISOString(), weeks };
}

/** Reads the current and next weekly milestones of every managed repository in one GraphQL request. */
export async function readMilestoneProgress(gh: Octokit, org: OrgConfig, now: Date): Promise<MilestoneProgress> {
    const repos = org.repositories.filter((r) => r.settings.milestones.weeks > 0).map((r) => r.name);
    const weeks = weekTitles(now, 2);
    const titles = weeks.map((w) => w.title);
    if (repos.length === 0)
        return progressOf(
            [],
            titles,
            weeks.map((w) => w.dueDate),
            {},
            now,
        );
    let data: GraphData;
    try {
        data = await gh.graphql<GraphData>(milestonesQuery(org.owner, repos, titles));
    } catch (e) {
        // A repository that does not exist yet answers null with an error; the others still count.
        const partial = (e as { data?: GraphData }).data;
        if (!partial) throw e;
        data = partial;
    }
    return progressOf(
        repos,
        titles,
        weeks.map((w) => w.dueDate),
        data,
        now,
    );
}

// ---- renderers ----

const pct = (p: number | undefined) => (p === undefined ? "—" : `${p}%`);
const countsText = (c: Counts) =>
    `issues ${c.closedIssues}/${c.openIssues + c.closedIssues} closed, PRs ${c.closedPulls}/${c.openPulls + c.closedPulls} closed`;
const headline = (w: WeekProgress) =>
    `${w.title} (${w.role}, due ${w.dueOn}): ${pct(w.percentDone)} done${w.overdue ? `, OVERDUE: ${w.overdueItems} open` : ""}`;

/** Plain text for a terminal. */
export function renderMilestonesText(p: MilestoneProgress): string {
    const lines: string[] = [];
    for (const w of p.weeks) {
        lines.push(headline(w), `  total: ${countsText(w.total)}`);
        const width = Math.max(0, ...w.repos.map((r) => r.repo.length));
        for (const r of w.repos)
            lines.push(`  ${r.repo.padEnd(width)}  ${r.exists ? `${pct(percentDone(r)).padStart(4)}  ${countsText(r)}` : "no milestone"}`);
    }
    return lines.join("\n");
}

// Repository names and milestone titles come from config and our own week names, but a rendered table
// must not become markup whatever they hold: the status renderers' escapes (section.ts) apply.
/** Markdown for the release dashboard issue: one table per week, under the section's `###` heading. */
export function renderMilestonesMarkdown(p: MilestoneProgress): string {
    const out: string[] = [];
    for (const w of p.weeks) {
        out.push(
            `#### ${md(w.title)} — ${w.role === "current" ? "this week" : "next week"}, due ${w.dueOn}: ${pct(w.percentDone)} done${w.overdue ? ` — **overdue: ${w.overdueItems} open**` : ""}`,
            "",
            "| repository | done | open issues | closed issues | open PRs | closed PRs |",
            "|---|---:|---:|---:|---:|---:|",
        );
        for (const r of w.repos) {
            const url = r.url && safeHref(r.url);
            const name = url ? `[${md(r.repo)}](${url})` : md(r.repo);
            out.push(
                r.exists
                    ? `| ${name} | ${pct(percentDone(r))} | ${r.openIssues} | ${r.closedIssues} | ${r.openPulls} | ${r.closedPulls} |`
                    : `| ${name} | no milestone | | | | |`,
            );
        }
        const t = w.total;
        out.push(`| **total** | **${pct(w.percentDone)}** | ${t.openIssues} | ${t.closedIssues} | ${t.openPulls} | ${t.closedPulls} |`, "");
    }
    return out.join("\n");
}

/** An HTML fragment for the status page: a section per week with a progress bar and a table. */
export function renderMilestonesHtml(p: MilestoneProgress): string {
    const out: string[] = ['<div class="milestones">'];
    for (const w of p.weeks) {
        const done = w.percentDone ?? 0;
        out.push(
            `<section class="milestone${w.overdue ? " overdue" : ""}" data-week="${html(w.title)}">`,
            `<h3>${html(w.title)} <small>${w.role === "current" ? "this week" : "next week"}, due ${html(w.dueOn)}</small></h3>`,
            `<progress max="100" value="${done}">${pct(w.percentDone)}</progress> <span class="percent">${pct(w.percentDone)}</span>${w.overdue ? ` <strong class="overdue">overdue: ${w.overdueItems} open</strong>` : ""}`,
            "<table><thead><tr><th>repository</th><th>done</th><th>open issues</th><th>closed issues</th><th>open PRs</th><th>closed PRs</th></tr></thead><tbody>",
        );
        for (const r of w.repos) {
            const url = r.url && safeHref(r.url);
            const name = url ? `<a href="${html(url)}">${html(r.repo)}</a>` : html(r.repo);
            out.push(
                r.exists
                    ? `<tr><td>${name}</td><td>${pct(percentDone(r))}</td><td>${r.openIssues}</td><td>${r.closedIssues}</td><td>${r.openPulls}</td><td>${r.closedPulls}</td></tr>`
                    : `<tr class="missing"><td>${name}</td><td colspan="5">no milestone</td></tr>`,
            );
        }
        const t = w.total;
        out.push(
            `<tr class="total"><th>total</th><th>${pct(w.percentDone)}</th><th>${t.openIssues}</th><th>${t.closedIssues}</th><th>${t.openPulls}</th><th>${t.closedPulls}</th></tr>`,
            "</tbody></table></section>",
        );
    }
    out.push("</div>");
    return out.join("\n");
}

/**
 * The milestones as a section of `conveyor status --milestones`, the release dashboard and the status page:
 * one renderer per format, the same model under each.
 */
export function milestonesSection(p: MilestoneProgress): StatusSection {
    return {
        id: "milestones",
        title: "Weekly milestones",
        text: (columns) =>
            renderMilestonesText(p)
                .split("\n")
                .map((line) => cut(line, columns)),
        markdown: () => renderMilestonesMarkdown(p),
        html: () => renderMilestonesHtml(p),
        json: () => p,
    };
}

/** The section, read in one request; undefined when no managed repository keeps weekly milestones. */
export async function readMilestonesSection(gh: Octokit, org: OrgConfig, now: Date): Promise<StatusSection | undefined> {
    const progress = await readMilestoneProgress(gh, org, now);
    return progress.weeks.every((w) => w.repos.length === 0) ? undefined : milestonesSection(progress);
}
