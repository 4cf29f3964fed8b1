// The matrix in Markdown, the body of the release dashboard issue. Stable: the same state renders the same
// text (no timestamp), so an unchanged dashboard is never rewritten. Every state is written in words, and
// every value from config or GitHub is escaped. Pure.
import { localDate, shortDay, type Cell, type EnvironmentStatus, type StatusMatrix } from "./model";
import { escapeMarkdown, safeHref, type StatusSection } from "./section";

const link = (text: string, url: string | null | undefined): string => {
    const href = url ? safeHref(url) : undefined;
    return href ? `[${text}](${href})` : text;
};

export function cellMarkdown(c: Cell): string {
    const parts = [c.running === null ? "—" : `**${c.running}**`];
    if (c.behind > 0) parts.push(link(`${c.behind} behind`, c.compareUrl));
    if (c.pending) parts.push(link(`→ ${c.pending.build} in PR ${c.pending.pr}`, c.pending.url));
    if (c.notDeployed) parts.push("⚠ merged, not deployed");
    if (c.drift) parts.push("⚠ drift");
    return parts.join(" · ");
}

function trainRow(m: StatusMatrix, e: EnvironmentStatus): string {
    const next = e.nextTrain ? shortDay(e.nextTrain) : "none within a year";
    const frozen = e.frozen ? ` (frozen ${e.frozen.from} to ${e.frozen.to}: ${escapeMarkdown(e.frozen.reason)})` : "";
    const last = m.offline
        ? "unknown (offline)"
        : e.lastDeploy
          ? `${link(`release PR ${e.lastDeploy.pr}`, e.lastDeploy.url)}, merged ${localDate(e.lastDeploy.mergedAt, m.timeZone)}`
          : "none yet";
    const waiting = [
        ...(e.releasePr ? [`${link(`release PR ${e.releasePr.number}`, e.releasePr.url)} open`] : []),
        ...(e.notDeployed ? [`⚠ ${link(`release PR ${e.notDeployed.number}`, e.notDeployed.url)} merged, not deployed`] : []),
        ...(e.drift ? [`⚠ ${link(`drift issue ${e.drift.number}`, e.drift.url)}`] : []),
    ];
    return `| ${e.name} | ${e.source} | ${next}${frozen} | ${last} | ${waiting.join("; ") || "—"} |`;
}

export function renderMarkdown(m: StatusMatrix, sections: readonly StatusSection[] = []): string {
    const envs = m.environments.map((e) => e.name);
    const lines = [
        "## What runs where",
        "",
        `One row per component, one column per environment in train order. Each cell is the build the stack file on the default branch names; "N behind" counts build numbers to its release source (linked to the changes); "→ B in PR n" is what the open release PR brings.`,
        "",
        `| component | latest green CI | ${envs.join(" | ")} |`,
        `|---|---:|${envs.map(() => "---|").join("")}`,
        ...m.components.map(
            (c) =>
                `| ${c.name} | ${c.ci === null ? (m.offline ? "—" : `none${c.ciNote ? ` (${escapeMarkdown(c.ciNote)})` : ""}`) : c.ci} | ${c.cells.map(cellMarkdown).join(" | ")} |`,
        ),
        "",
        "### Trains",
        "",
        `Times in ${m.timeZone}.`,
        "",
        "| environment | copies | next train | last deploy | waiting |",
        "|---|---|---|---|---|",
        ...m.environments.map((e) => trainRow(m, e)),
    ];
    for (const s of sections) lines.push("", `### ${escapeMarkdown(s.title)}`, "", s.markdown());
    return `${lines.join("\n")}\n`;
}
