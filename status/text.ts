// The matrix for a terminal: fits `columns` (80 by default) without ever wrapping a row: long names are
// cut with "…", and when the environments do not fit side by side the matrix is printed in blocks of
// environments, each with the component column. Colour only when asked (a TTY), and never alone: every
// state is also a character, explained in the legend. Pure.
import { localDate, shortDay, type Cell, type StatusMatrix } from "./model";
import type { StatusSection } from "./section";

export interface TextOptions {
    readonly columns?: number;
    readonly color?: boolean;
}

const NAME_MAX = 18;
const HEADER_MAX = 12;
const GAP = "  ";

const ANSI = { green: "32", yellow: "33", cyan: "36", red: "31", bold: "1", dim: "2" } as const;
const paint = (on: boolean, code: keyof typeof ANSI, s: string): string => (on && s.trim() ? `\u001b[${ANSI[code]}m${s}\u001b[0m` : s);

/** "1412", "873-4>877!~": running build, builds behind, what the open PR brings, then the marks. */
export function cellText(c: Cell): string {
    let s = c.running === null ? "-" : String(c.running);
    if (c.behind > 0) s += `-${c.behind}`;
    if (c.pending) s += `>${c.pending.build}`;
    if (c.notDeployed) s += "!";
    if (c.drift) s += "~";
    return s;
}

function cellColor(c: Cell): keyof typeof ANSI {
    if (c.notDeployed || c.drift) return "red";
    if (c.pending) return "cyan";
    if (c.behind > 0) return "yellow";
    return c.running === null ? "dim" : "green";
}

/** Cut to `width` with a trailing "…" when longer. */
export function cut(s: string, width: number): string {
    return s.length <= width ? s : `${s.slice(0, Math.max(0, width - 1))}…`;
}

// eslint-disable-next-line no-control-regex -- an ANSI code starts with the ESC control character
const ANSI_CODE = /\u001b\[[0-9;]*m/g;
/** Width on screen: colour codes take none. */
export const visible = (s: string): number => s.replace(ANSI_CODE, "").length;

/**
 * Parts joined by " · " after `first`, broken into lines of at most `width` on screen, continuation lines
 * indented. A part is never cut (a cut URL is a wrong URL): callers keep parts short.
 */
export function fitLines(first: string, parts: readonly string[], width: number, indent = 4): string[] {
    const lines: string[] = [];
    let line = first;
    for (const p of parts) {
        const sep = line.trim() === "" ? "" : line === first ? "  " : " · ";
        if (visible(line + sep + p) <= width) line += sep + p;
        else {
            lines.push(line);
            line = " ".repeat(indent) + p;
        }
    }
    lines.push(line);
    return lines;
}

function matrixLines(m: StatusMatrix, columns: number, color: boolean): string[] {
    const nameWidth = Math.min(NAME_MAX, Math.max("component".length, ...m.components.map((c) => c.name.length)));
    const ciCells = m.components.map((c) => (c.ci === null ? "-" : String(c.ci)));
    const ciWidth = Math.max(2, ...ciCells.map((s) => s.length));
    const texts = m.components.map((c) => c.cells.map(cellText));
    const widths = m.environments.map((e, i) => Math.max(Math.min(e.name.length, HEADER_MAX), ...texts.map((row) => row[i].length)));
    // Blocks of environments that fit beside the component and CI columns.
    const fixed = nameWidth + GAP.length + ciWidth;
    const blocks: number[][] = [];
    let block: number[] = [];
    let used = fixed;
    widths.forEach((w, i) => {
        if (block.length > 0 && used + GAP.length + w > columns) {
            blocks.push(block);
            block = [];
            used = fixed;
        }
        block.push(i);
        used += GAP.length + w;
    });
    if (block.length > 0 || blocks.length === 0) blocks.push(block);

    const out: string[] = [];
    for (const [b, envs] of blocks.entries()) {
        if (b > 0) out.push("");
        const header = [
            "component".padEnd(nameWidth),
            "CI".padStart(ciWidth),
            ...envs.map((i) => cut(m.environments[i].name, widths[i]).padStart(widths[i])),
        ].join(GAP);
        out.push(paint(color, "bold", header));
        m.components.forEach((c, r) => {
            const cells = envs.map((i) => paint(color, cellColor(c.cells[i]), texts[r][i].padStart(widths[i])));
            out.push([cut(c.name, nameWidth).padEnd(nameWidth), ciCells[r].padStart(ciWidth), ...cells].join(GAP));
        });
    }
    return out;
}

function trainLines(m: StatusMatrix, columns: number, color: boolean): string[] {
    const width = Math.min(HEADER_MAX, Math.max(...m.environments.map((e) => e.name.length)));
    return m.environments.flatMap((e) => {
        const parts = [
            e.nextTrain ? `next train ${shortDay(e.nextTrain)}` : "no train day within a year",
            ...(e.frozen ? [`${paint(color, "red", `frozen ${e.frozen.from}..${e.frozen.to}`)} (${cut(e.frozen.reason, 30)})`] : []),
            `from ${e.source}`,
            ...(m.offline
                ? []
                : [
                      e.lastDeploy
                          ? `last deploy #${e.lastDeploy.pr} merged ${localDate(e.lastDeploy.mergedAt, m.timeZone)}`
                          : "no deploy yet",
                  ]),
            // A link stays with its words: a part is never cut, and fits a line with its indent.
            ...(e.releasePr ? [`release PR #${e.releasePr.number} ${e.releasePr.url}`] : []),
            ...(e.notDeployed ? [`${paint(color, "red", `! #${e.notDeployed.number} merged, not deployed`)} ${e.notDeployed.url}`] : []),
            ...(e.drift ? [`${paint(color, "red", `~ drift issue #${e.drift.number}`)} ${e.drift.url}`] : []),
        ];
        return fitLines(cut(e.name, width).padEnd(width), parts, columns);
    });
}

export const LEGEND =
    "N-k: k builds behind its release source · >B: the open release PR brings build B · !: merged, not deployed · ~: open drift issue · -: not run";

export function renderText(m: StatusMatrix, options: TextOptions = {}, sections: readonly StatusSection[] = []): string {
    const columns = Math.max(40, options.columns ?? 80);
    const color = options.color ?? false;
    const lines = [
        ...matrixLines(m, columns, color),
        "",
        ...fitLines("", LEGEND.split(" · "), columns, 0),
        "",
        ...trainLines(m, columns, color),
    ];
    if (m.offline) lines.push("", ...fitLines("", ["offline: stack files of this checkout only; no CI, PRs or issues"], columns));
    for (const s of sections) lines.push("", paint(color, "bold", cut(s.title, columns)), ...s.text(columns, color));
    return lines.join("\n");
}
