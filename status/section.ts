// What every status renderer shares: the sections appended under the matrix (a later part of the page, the
// dashboard and the terminal output renders itself through this one interface), and the escapes that keep
// a name from config or GitHub from becoming Markdown or HTML. Pure.

/**
 * A part of the status output after the matrix and the trains, in every format. Each method returns text
 * that is already safe for its format: its author escapes every value (escapeMarkdown, escapeHtml).
 */
export interface StatusSection {
    /** Key in `--json` and the HTML anchor: lower-case, letters, digits and dashes. */
    readonly id: string;
    readonly title: string;
    /** Terminal lines, none wider than `columns`. */
    text(columns: number, color: boolean): string[];
    /** Markdown for the dashboard issue, under a `###` heading the renderer writes. */
    markdown(): string;
    /** An HTML fragment for the page, inside a `<section>` with an `<h2>` the renderer writes. */
    html(): string;
    /** The section's data for `--json`, under its id. */
    json(): unknown;
}

/**
 * Text of ours that may carry a name from config (a freeze reason, a component) or GitHub: one line, no
 * Markdown or HTML syntax, no @-mention, no #N that GitHub would turn into a cross-reference.
 */
export function escapeMarkdown(text: string): string {
    return text
        .replace(/[\r\n\t]+/g, " ")
        .replace(/[\\`*_[\]{}()<>#+!|~&]/g, (c) => `&#${c.charCodeAt(0)};`)
        .replace(/@(?=[A-Za-z0-9])/g, "@\u200b")
        .replace(/https?:\/\//g, (m) => m.replace("://", ":\u200b//"));
}

export function escapeHtml(text: string): string {
    return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);
}

/** A web address we built, for an href: http(s) only (no javascript: or data:); anything else is dropped. */
export function safeHref(url: string): string | undefined {
    return /^https?:\/\/[^\s"'<>`]+$/.test(url) ? url : undefined;
}
