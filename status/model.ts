// status/: what runs where, for people who never open a stack file. The matrix model (this file, pure), its
// renderers (terminal, Markdown for the release dashboard issue, a self-contained HTML page), the reads that
// feed it (read.ts) and the dashboard issue (dashboard.ts). A workflow: imports release/, clients/ and
// config/; cli/ and controller/ use it.
//
// The matrix: one row per catalog service, one column per environment in train order, and before them the
// latest green CI build. Every value here is data; the renderers decide how it looks. Pure.
import type { Component, EnvironmentConfig, Weekday } from "../config";
import { localDay } from "../release/train";
import type { StatusSection } from "./section";

/** A pull request or issue of the ops repository, linked through the redirector. */
export interface IssueLink {
    readonly number: number;
    readonly url: string;
}

/** What GitHub says about one environment; absent offline. */
export interface EnvironmentFacts {
    /** The open release-<env> PR and the builds its marker says it brings. */
    readonly openPr?: IssueLink & { readonly versions: ReadonlyMap<string, number> };
    /** The newest merged release PR when it is not labelled `deployed`, and the builds it brought. */
    readonly notDeployed?: IssueLink & { readonly versions: ReadonlyMap<string, number> };
    /** The newest merged release PR labelled `deployed`. */
    readonly lastDeployed?: IssueLink & { readonly mergedAt: string };
    /** The open drift issue of the stack. */
    readonly drift?: IssueLink;
}

export interface StatusInput {
    /** The catalog; only services (components with a port) get a row. */
    readonly catalog: readonly Component[];
    /** In train order. */
    readonly environments: readonly EnvironmentConfig[];
    /** Builds each stack file on the default branch names: env -> component -> build. */
    readonly running: ReadonlyMap<string, ReadonlyMap<string, number>>;
    /** Latest green CI build per component; undefined offline. */
    readonly ci?: { readonly versions: ReadonlyMap<string, number>; readonly missing: ReadonlyMap<string, string> };
    /** Commit of a build, keyed `component#build`, where known: for compare links. */
    readonly revisions?: ReadonlyMap<string, string>;
    /** GitHub's side of each environment; undefined offline. */
    readonly facts?: ReadonlyMap<string, EnvironmentFacts>;
    readonly now: Date;
    /** The train's time zone and hour (Pulumi.org.yaml `releaseController`). */
    readonly timeZone: string;
    readonly trainHour: number;
    /**
     * Prefix of the compare links: the issue-link redirector (`https://<redirectorDomain>`), which sends
     * `/<owner>/<repo>/compare/<range>` on to GitHub.
     */
    readonly linkBase: string;
    /** GitHub owner of the component repositories. */
    readonly owner: string;
}

export interface FreezeWindow {
    readonly from: string;
    readonly to: string;
    readonly reason: string;
}

/** Where the JSON shape is documented (README, "What runs where"). */
export const STATUS_SCHEMA = "conveyor.status/v1";

export interface EnvironmentStatus {
    readonly name: string;
    /** `ci` or the environment it copies. */
    readonly source: string;
    readonly days: readonly Weekday[];
    /** The next day its train leaves (local date in the train's time zone), null when none within a year. */
    readonly nextTrain: { readonly date: string; readonly weekday: Weekday } | null;
    /** The freeze window that holds back a train day before the next one, if any. */
    readonly frozen: FreezeWindow | null;
    /** Null offline or when no release PR was ever deployed. */
    readonly lastDeploy: { readonly pr: number; readonly url: string; readonly mergedAt: string } | null;
    readonly releasePr: IssueLink | null;
    readonly notDeployed: IssueLink | null;
    readonly drift: IssueLink | null;
}

export interface Cell {
    readonly env: string;
    /** The build the stack file on the default branch names; null when the environment does not run it. */
    readonly running: number | null;
    /** The build the environment's release source has (CI's latest green, or the source environment's). */
    readonly source: number | null;
    /** Build numbers between running and source (0 when level or ahead, or either unknown). */
    readonly behind: number;
    /** GitHub compare view running -> source, when both commits are known. */
    readonly compareUrl: string | null;
    /** The build the open release PR would bring, and the PR. */
    readonly pending: { readonly build: number; readonly pr: number; readonly url: string } | null;
    /** The stack file names a build a merged release PR brought, and that PR is not deployed yet. */
    readonly notDeployed: boolean;
    /** The environment has an open drift issue. */
    readonly drift: boolean;
}

export interface ComponentStatus {
    readonly name: string;
    readonly repo: string;
    /** Latest green build of the default branch; null offline or when CI has none (see ciNote). */
    readonly ci: number | null;
    readonly ciNote: string | null;
    readonly cells: readonly Cell[];
}

export interface StatusMatrix {
    readonly schema: typeof STATUS_SCHEMA;
    readonly generatedAt: string;
    readonly offline: boolean;
    readonly timeZone: string;
    readonly environments: readonly EnvironmentStatus[];
    readonly components: readonly ComponentStatus[];
}

const DAY_MS = 86_400_000;
const WEEKDAY_OF_UTC: readonly Weekday[] = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

function localHour(now: Date, timeZone: string): number {
    const h = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", hourCycle: "h23" }).format(now);
    return Number(h);
}

/**
 * The next day the environment's train leaves: today when it is a train day and the train's hour has not
 * come yet, else the first later train day outside every freeze window (both ends frozen, as the train
 * itself counts them). The calendar is counted on local dates, so daylight-saving changes cannot skip a day.
 */
export function nextTrain(
    release: { readonly days: readonly Weekday[]; readonly freeze: readonly FreezeWindow[] },
    now: Date,
    timeZone: string,
    trainHour: number,
): { date: string; weekday: Weekday; frozen: FreezeWindow | null } | null {
    const today = localDay(now, timeZone).date;
    const start = Date.parse(`${today}T00:00:00Z`) + (localHour(now, timeZone) >= trainHour ? DAY_MS : 0);
    let frozen: FreezeWindow | null = null;
    for (let i = 0; i <= 366; i++) {
        const day = new Date(start + i * DAY_MS);
        const date = day.toISOString().slice(0, 10);
        const weekday = WEEKDAY_OF_UTC[day.getUTCDay()];
        if (!release.days.includes(weekday)) continue;
        const freeze = release.freeze.find((f) => f.from <= date && date <= f.to);
        if (freeze) {
            frozen ??= { from: freeze.from, to: freeze.to, reason: freeze.reason };
            continue;
        }
        return { date, weekday, frozen };
    }
    return null;
}

/** The source's build of a component, for an environment: CI's latest green, or the source stack's. */
function sourceBuild(env: EnvironmentConfig, component: string, input: StatusInput): number | null {
    if (env.release.source === "ci") return input.ci?.versions.get(component) ?? null;
    return input.running.get(env.release.source)?.get(component) ?? null;
}

function compareUrl(input: StatusInput, c: Component, from: number | null, to: number | null): string | null {
    if (from === null || to === null || from === to) return null;
    const a = input.revisions?.get(`${c.name}#${from}`);
    const b = input.revisions?.get(`${c.name}#${to}`);
    return a && b ? `${input.linkBase}/${input.owner}/${c.repo}/compare/${a}...${b}` : null;
}

export function buildStatus(input: StatusInput): StatusMatrix {
    const services = input.catalog.filter((c) => c.port !== undefined);
    const environments = input.environments.map((env): EnvironmentStatus => {
        const facts = input.facts?.get(env.stack);
        const next = nextTrain(env.release, input.now, input.timeZone, input.trainHour);
        const link = (l: IssueLink | undefined): IssueLink | null => (l ? { number: l.number, url: l.url } : null);
        return {
            name: env.stack,
            source: env.release.source,
            days: env.release.days,
            nextTrain: next ? { date: next.date, weekday: next.weekday } : null,
            frozen: next?.frozen ?? null,
            lastDeploy: facts?.lastDeployed
                ? { pr: facts.lastDeployed.number, url: facts.lastDeployed.url, mergedAt: facts.lastDeployed.mergedAt }
                : null,
            releasePr: link(facts?.openPr),
            notDeployed: link(facts?.notDeployed),
            drift: link(facts?.drift),
        };
    });
    const components = services.map((c): ComponentStatus => {
        const cells = input.environments.map((env): Cell => {
            const facts = input.facts?.get(env.stack);
            const running = input.running.get(env.stack)?.get(c.name) ?? null;
            const source = sourceBuild(env, c.name, input);
            const offered = facts?.openPr?.versions.get(c.name);
            return {
                env: env.stack,
                running,
                source,
                behind: running !== null && source !== null && source > running ? source - running : 0,
                compareUrl: compareUrl(input, c, running, source !== null && running !== null && source > running ? source : null),
                pending:
                    facts?.openPr && offered !== undefined && offered !== running
                        ? { build: offered, pr: facts.openPr.number, url: facts.openPr.url }
                        : null,
                notDeployed: facts?.notDeployed?.versions.get(c.name) !== undefined && facts.notDeployed.versions.get(c.name) === running,
                drift: facts?.drift !== undefined,
            };
        });
        return {
            name: c.name,
            repo: c.repo,
            ci: input.ci?.versions.get(c.name) ?? null,
            ciNote: input.ci?.missing.get(c.name) ?? null,
            cells,
        };
    });
    return {
        schema: STATUS_SCHEMA,
        generatedAt: input.now.toISOString(),
        offline: input.ci === undefined && input.facts === undefined,
        timeZone: input.timeZone,
        environments,
        components,
    };
}

/** Local date of an ISO time in the train's time zone, for "last deploy" lines. */
export function localDate(iso: string, timeZone: string): string {
    return localDay(new Date(iso), timeZone).date;
}

/** "Mon 2026-12-07", the way every renderer writes a train day. */
export function shortDay(d: { date: string; weekday: Weekday }): string {
    return `${d.weekday.slice(0, 1).toUpperCase()}${d.weekday.slice(1, 3)} ${d.date}`;
}

/** `--json`: the matrix, and each appended section's data under its id (README, "What runs where"). */
export function renderJson(m: StatusMatrix, sections: readonly StatusSection[] = []): string {
    return `${JSON.stringify({ ...m, ...Object.fromEntries(sections.map((s) => [s.id, s.json()])) }, null, 2)}\n`;
}
