// The status page: one self-contained HTML file (inline CSS, no script, no external request) with the
// matrix as a real table (caption, column and row headers), every state in words beside its colour,
// readable on a phone (the table scrolls inside its box, the text keeps its size) and printable (links
// followed by their address, no background needed). Pure.
import { localDate, shortDay, type Cell, type EnvironmentStatus, type StatusMatrix } from "./model";
import { escapeHtml, safeHref, type StatusSection } from "./section";

const a = (text: string, url: string | null | undefined): string => {
    const href = url ? safeHref(url) : undefined;
    return href ? `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>` : escapeHtml(text);
};

// Colours checked for WCAG AA contrast (4.5:1 or more) against their backgrounds.
const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; padding: 1rem; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1f24; background: #fff; }
main { max-width: 72rem; margin: 0 auto; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; }
p { margin: .25rem 0 .75rem; }
a { color: #0a4fb3; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; border: 1px solid #d0d7de; border-radius: 6px; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; padding: .5rem .75rem; font-weight: 600; }
th, td { padding: .4rem .6rem; border-top: 1px solid #d0d7de; vertical-align: top; text-align: left; }
thead th { background: #f3f5f7; white-space: nowrap; }
th[scope=row] { white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.build { font-weight: 700; font-variant-numeric: tabular-nums; }
.state { display: inline-block; margin: .1rem 0 0 .3rem; padding: 0 .35rem; border-radius: 4px; font-size: .85rem; white-space: nowrap; }
.behind { background: #fff3c4; color: #5c4300; }
.pending { background: #ddf4ff; color: #0a3069; }
.alert { background: #ffebe9; color: #82071e; border: 1px solid #cf222e; }
.current { background: #dafbe1; color: #0f5323; }
.none { color: #57606a; }
ul.legend { padding-left: 1.2rem; }
footer { margin-top: 2rem; color: #57606a; font-size: .9rem; }
@media (max-width: 40rem) { body { padding: .5rem; } th, td { padding: .3rem .4rem; } }
@media print {
  body { padding: 0; font-size: 11pt; }
  .scroll { overflow: visible; border: none; }
  thead th, .state { background: none !important; }
  .state { border: 1px solid #57606a; }
  a[href]::after { content: " <" attr(href) ">"; font-size: 8pt; word-break: break-all; }
  tr { break-inside: avoid; }
}
`;

export function cellHtml(c: Cell): string {
    if (c.running === null) return `<span class="none">not run</span>`;
    const parts = [`<span class="build">${c.running}</span>`];
    if (c.behind > 0) parts.push(`<span class="state behind">${a(`${c.behind} behind`, c.compareUrl)}</span>`);
    if (c.pending) parts.push(`<span class="state pending">${a(`→ ${c.pending.build} in PR ${c.pending.pr}`, c.pending.url)}</span>`);
    if (c.notDeployed) parts.push(`<span class="state alert">⚠ merged, not deployed</span>`);
    if (c.drift) parts.push(`<span class="state alert">⚠ drift</span>`);
    if (c.behind === 0 && !c.pending && !c.notDeployed && !c.drift && c.source !== null)
        parts.push(`<span class="state current">✓ up to date</span>`);
    return parts.join(" ");
}

function trainRow(m: StatusMatrix, e: EnvironmentStatus): string {
    const next = e.nextTrain ? escapeHtml(shortDay(e.nextTrain)) : "none within a year";
    const frozen = e.frozen
        ? ` <span class="state alert">frozen ${escapeHtml(e.frozen.from)} to ${escapeHtml(e.frozen.to)}: ${escapeHtml(e.frozen.reason)}</span>`
        : "";
    const last = m.offline
        ? "unknown (offline)"
        : e.lastDeploy
          ? `${a(`release PR ${e.lastDeploy.pr}`, e.lastDeploy.url)}, merged ${escapeHtml(localDate(e.lastDeploy.mergedAt, m.timeZone))}`
          : "none yet";
    const waiting = [
        ...(e.releasePr ? [`${a(`release PR ${e.releasePr.number}`, e.releasePr.url)} open`] : []),
        ...(e.notDeployed
            ? [`<span class="state alert">⚠ ${a(`release PR ${e.notDeployed.number}`, e.notDeployed.url)} merged, not deployed</span>`]
            : []),
        ...(e.drift ? [`<span class="state alert">⚠ ${a(`drift issue ${e.drift.number}`, e.drift.url)}</span>`] : []),
    ];
    return `<tr><th scope="row">${escapeHtml(e.name)}</th><td>${escapeHtml(e.source)}</td><td>${next}${frozen}</td><td>${last}</td><td>${waiting.join("<br>") || "—"}</td></tr>`;
}

export function renderHtml(m: StatusMatrix, sections: readonly StatusSection[] = []): string {
    const envHeaders = m.environments.map((e) => `<th scope="col">${escapeHtml(e.name)}</th>`).join("");
    const rows = m.components.map((c) => {
        const ci = c.ci === null ? `<span class="none">${m.offline ? "offline" : "none"}</span>` : `<span class="build">${c.ci}</span>`;
        const cells = c.cells.map((cell) => `<td data-env="${escapeHtml(cell.env)}">${cellHtml(cell)}</td>`).join("");
        return `<tr data-component="${escapeHtml(c.name)}"><th scope="row">${escapeHtml(c.name)}</th><td class="num">${ci}</td>${cells}</tr>`;
    });
    const extra = sections.map(
        (s) =>
            `<section id="${escapeHtml(s.id)}" aria-labelledby="${escapeHtml(s.id)}-title"><h2 id="${escapeHtml(s.id)}-title">${escapeHtml(s.title)}</h2>${s.html()}</section>`,
    );
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="referrer" content="no-referrer">
<title>What runs where</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>What runs where</h1>
<p>Generated ${escapeHtml(m.generatedAt)}${m.offline ? " from the stack files alone (offline: no CI, pull requests or issues)" : ""}. Each cell is the build the environment's stack file on the default branch names.</p>
<div class="scroll">
<table id="matrix">
<caption>Builds by component and environment (environments in train order)</caption>
<thead><tr><th scope="col">component</th><th scope="col">latest green CI</th>${envHeaders}</tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>
</div>
<ul class="legend">
<li><b>N behind</b>: build numbers between the running build and its release source; the link shows the changes.</li>
<li><b>→ B in PR n</b>: the open release pull request would bring build B.</li>
<li><b>⚠ merged, not deployed</b>: the stack file names a build whose release pull request has not been deployed yet.</li>
<li><b>⚠ drift</b>: the environment has an open drift issue.</li>
</ul>
<h2 id="trains">Trains</h2>
<p>Times in ${escapeHtml(m.timeZone)}.</p>
<div class="scroll">
<table id="trains-table">
<caption>Next train and last deploy of each environment</caption>
<thead><tr><th scope="col">environment</th><th scope="col">copies</th><th scope="col">next train</th><th scope="col">last deploy</th><th scope="col">waiting</th></tr></thead>
<tbody>
${m.environments.map((e) => trainRow(m, e)).join("\n")}
</tbody>
</table>
</div>
${extra.join("\n")}
<footer>conveyor status</footer>
</main>
</body>
</html>
`;
}
