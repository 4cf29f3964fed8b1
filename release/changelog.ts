// The release PR's body: a changelog a product manager can read, grouped by kind of change, with every
// issue and PR linked through the redirector (GitHub then records no cross-reference on them). Pure.
import type { Bump, ReleasePlan } from "./plan";
import { inert, issueKey, issueRefs, prNumberFromMessage, redirectLink, type IssueRef, type RepoRef } from "./references";

export interface Commit {
    readonly sha: string;
    readonly message: string;
}

export interface PullRequest {
    readonly number: number;
    readonly title: string;
    readonly author: string;
    readonly labels: readonly string[];
    readonly body: string;
    /** Issues GitHub itself links as closed by the PR (across repositories). */
    readonly closingIssues: readonly IssueRef[];
}

export interface ComponentChanges {
    readonly bump: Bump;
    readonly repo: RepoRef;
    readonly fromSha?: string;
    readonly toSha?: string;
    /** Commits between the running and the new build, oldest first. */
    readonly commits: readonly Commit[];
    /** PR number of commits whose message does not say it (from GitHub's commit -> PR association). */
    readonly associations: ReadonlyMap<string, number>;
    /** Details of the PRs the commits belong to, by number. */
    readonly pulls: ReadonlyMap<number, PullRequest>;
    /** Why the commits are unknown (e.g. a build whose revision CircleCI no longer has). */
    readonly note?: string;
}

export interface ChangeEntry {
    readonly component: string;
    readonly repo: RepoRef;
    readonly pull: PullRequest;
    readonly issues: readonly IssueRef[];
}

/** The PR numbers of a component's commits, in order, and how many commits have none. */
export function pullsOf(c: ComponentChanges): { numbers: number[]; withoutPr: number } {
    const numbers: number[] = [];
    let withoutPr = 0;
    for (const commit of c.commits) {
        const n = prNumberFromMessage(commit.message) ?? c.associations.get(commit.sha);
        if (n === undefined) withoutPr++;
        else if (!numbers.includes(n)) numbers.push(n);
    }
    return { numbers, withoutPr };
}

export function entriesOf(c: ComponentChanges): ChangeEntry[] {
    return pullsOf(c)
        .numbers.map((n) => c.pulls.get(n))
        .filter((p): p is PullRequest => p !== undefined)
        .map((pull) => {
            const issues = new Map<string, IssueRef>();
            for (const ref of [...pull.closingIssues, ...issueRefs(`${pull.title}\n${pull.body}`, c.repo)]) {
                const isSelf = ref.number === pull.number && issueKey(ref) === issueKey({ ...c.repo, number: pull.number });
                if (!isSelf && !issues.has(issueKey(ref))) issues.set(issueKey(ref), ref);
            }
            return { component: c.bump.component, repo: c.repo, pull, issues: [...issues.values()] };
        });
}

/** Every issue the release touches, for the marker (post-deploy comments and label moves use it). */
export function issuesOf(changes: readonly ComponentChanges[]): IssueRef[] {
    const all = new Map<string, IssueRef>();
    for (const e of changes.flatMap(entriesOf)) for (const i of e.issues) all.set(issueKey(i), i);
    return [...all.values()];
}

const SECTIONS: readonly [label: string | undefined, title: string][] = [
    ["type/new-feature", "New features"],
    ["type/change-feature", "Changes"],
    ["type/bug", "Bug fixes"],
    ["type/operations", "Operations"],
    ["type/devops", "DevOps and dependencies"],
    [undefined, "Other changes"],
];

export interface BodyContext {
    readonly plan: ReleasePlan;
    readonly changes: readonly ComponentChanges[];
    readonly redirectorDomain: string;
    /** e.g. `https://github.com`, for compare links. */
    readonly webUrl: string;
    /** Where the full changelog lives when the body is cut. */
    readonly fullChangelogUrl: string;
}

export const BODY_LIMIT = 65_000;
export const MARKER_PREFIX = "<!-- conveyor:release ";

/** The marker's data from a PR body, or undefined when the body has none. */
export function parseMarker(body: string | null | undefined): MarkerData | undefined {
    const start = body?.indexOf(MARKER_PREFIX) ?? -1;
    if (!body || start < 0) return undefined;
    const end = body.indexOf(" -->", start);
    try {
        return JSON.parse(body.slice(start + MARKER_PREFIX.length, end)) as MarkerData;
    } catch {
        return undefined;
    }
}

/** Issues by repository: `owner/repo#N` would be a reference even in a comment, should GitHub ever read one. */
export interface MarkerData {
    readonly env: string;
    readonly source: string;
    readonly versions: Record<string, number>;
    readonly issues: Record<string, number[]>;
    /** The builds the environment ran before, where it ran the component (for "41 → 42" after the deploy). */
    readonly previous?: Record<string, number>;
    /** The commits each new build spans, where known (Sentry's release commits). */
    readonly revisions?: Record<string, { readonly from?: string; readonly to: string }>;
}

export function markerOf(plan: ReleasePlan, issues: readonly IssueRef[], changes: readonly ComponentChanges[] = []): string {
    const byRepo: Record<string, number[]> = {};
    for (const i of issues) (byRepo[`${i.owner}/${i.repo}`] ??= []).push(i.number);
    const data: MarkerData = {
        env: plan.env,
        source: plan.source,
        versions: Object.fromEntries(plan.bumps.map((b) => [b.component, b.to])),
        issues: byRepo,
        previous: Object.fromEntries(plan.bumps.filter((b) => b.from !== undefined).map((b) => [b.component, b.from!])),
        revisions: Object.fromEntries(
            changes.filter((c) => c.toSha !== undefined).map((c) => [c.bump.component, { from: c.fromSha, to: c.toSha! }]),
        ),
    };
    return `${MARKER_PREFIX}${JSON.stringify(data)} -->`;
}

export function releaseTitle(plan: ReleasePlan): string {
    return `Release ${plan.env}: ${plan.bumps.length} component${plan.bumps.length === 1 ? "" : "s"}`;
}

function issueLink(domain: string, ref: IssueRef): string {
    return `[${inert(`${ref.owner}/${ref.repo}#${ref.number}`)}](${redirectLink(domain, ref)})`;
}

function entryLine(domain: string, e: ChangeEntry): string {
    const pr = issueLink(domain, { ...e.repo, number: e.pull.number });
    const issues = e.issues.length > 0 ? ` — ${e.issues.map((i) => issueLink(domain, i)).join(", ")}` : "";
    return `- **${e.component}**: ${inert(e.pull.title)} (\`${e.pull.author}\`, ${pr})${issues}`;
}

function changelogSections(ctx: BodyContext): string[] {
    const entries = ctx.changes.flatMap(entriesOf);
    const out: string[] = [];
    for (const [label, title] of SECTIONS) {
        const inSection = entries.filter((e) => {
            const type = SECTIONS.find(([l]) => l !== undefined && e.pull.labels.includes(l))?.[0];
            return type === label;
        });
        if (inSection.length === 0) continue;
        out.push(`### ${title}`, "", ...inSection.map((e) => entryLine(ctx.redirectorDomain, e)), "");
    }
    if (entries.length === 0) out.push("No merged pull request in this release.", "");
    const without = ctx.changes
        .map((c) => [c.bump.component, pullsOf(c).withoutPr] as const)
        .filter(([, n]) => n > 0)
        .map(([name, n]) => `${name} ${n}`);
    if (without.length > 0) out.push(`Commits without a pull request: ${without.join(", ")}.`, "");
    const notes = ctx.changes.filter((c) => c.note).map((c) => `- ${c.bump.component}: ${c.note}`);
    if (notes.length > 0) out.push("Changes not listed:", "", ...notes, "");
    return out;
}

function versionTable(ctx: BodyContext): string[] {
    const rows = ctx.changes.map((c) => {
        const { bump, fromSha, toSha } = c;
        // A rollback's commits are those it takes away: GitHub shows them from the lower build to the running one.
        const [base, head] = bump.from !== undefined && bump.to < bump.from ? [toSha, fromSha] : [fromSha, toSha];
        const compare =
            base && head
                ? `[${pullsOf(c).numbers.length} PRs, ${c.commits.length} commits](${ctx.webUrl}/${c.repo.owner}/${c.repo.repo}/compare/${base}...${head})`
                : "—";
        return `| ${bump.component} | ${bump.from ?? "new"} | ${bump.to} | ${compare} |`;
    });
    return ["### Versions", "", "| component | running | new | changes |", "|---|---:|---:|---|", ...rows, ""];
}

function notReleased(plan: ReleasePlan): string[] {
    if (plan.skipped.length === 0) return [];
    return ["### Not in this release", "", ...plan.skipped.map((s) => `- ${s.component}: ${inert(s.reason)}`), ""];
}

function header(ctx: BodyContext): string[] {
    const from =
        ctx.plan.source === "ci"
            ? "the latest green CI build of each component"
            : ctx.plan.source === "rollback"
              ? "the previous deployed release (rollback)"
              : `**${ctx.plan.source}**`;
    // No timestamp: the same release must render the same body, or every rerun would rewrite the PR.
    return [`Promotes ${ctx.plan.env} to ${from}. Merging this PR deploys it.`, ""];
}

/** The full changelog, as committed next to the release when the body must be cut. */
export function renderChangelog(ctx: BodyContext): string {
    return [
        `## ${releaseTitle(ctx.plan)}`,
        "",
        ...header(ctx),
        ...changelogSections(ctx),
        ...versionTable(ctx),
        ...notReleased(ctx.plan),
    ].join("\n");
}

/** The PR body: marker, changelog, versions; cut to GitHub's limit with a link to the full text. */
export function renderBody(ctx: BodyContext): { body: string; cut: boolean } {
    const marker = markerOf(ctx.plan, issuesOf(ctx.changes), ctx.changes);
    const full = `${marker}\n${renderChangelog(ctx)}`;
    if (full.length <= BODY_LIMIT) return { body: full, cut: false };
    const short = [
        marker,
        `## ${releaseTitle(ctx.plan)}`,
        "",
        ...header(ctx),
        `The changelog is too long for a pull request body: read it in full in [the changelog on this branch](${ctx.fullChangelogUrl}).`,
        "",
        ...versionTable(ctx),
        ...notReleased(ctx.plan),
    ].join("\n");
    return { body: short.length <= BODY_LIMIT ? short : `${short.slice(0, BODY_LIMIT - 40)}\n\n… (cut; see the changelog)`, cut: true };
}
