// pipeline/: what the ops repository's CircleCI pipeline runs around pulumi (this PR comment, the nightly
// drift issue) and the edits that add stacks to it (new-env, ci-config). A workflow: imports clients/ and
// config/ only.
//
// The one PR comment that sums up `pulumi preview --json` of every stack a PR can affect. CI posts it on
// each push; a hidden marker lets the next push edit it instead of piling up comments.
import type { Octokit } from "octokit";
import { upsertMarkedComment, type IssueTarget } from "../clients/marked-comment";

export const PREVIEW_MARKER = "<!-- conveyor:preview -->";

/** The operations a reviewer cares about; pulumi's changeSummary has more (same, read, refresh...). */
export const COUNTED_OPS = ["create", "update", "delete", "replace"] as const;
export type CountedOp = (typeof COUNTED_OPS)[number];

export interface PolicyViolation {
    readonly level: "mandatory" | "advisory";
    readonly message: string;
    readonly urn?: string;
}

export interface PreviewSummary {
    readonly stack: string;
    /** false when the preview produced no readable JSON or reported an error: its counts mean nothing. */
    readonly ok: boolean;
    readonly counts: Readonly<Record<CountedOp, number>>;
    /** Resources that would change, `op urn`, for the drift issue and a reviewer's curiosity. */
    readonly changes: readonly { op: string; urn: string }[];
    readonly violations: readonly PolicyViolation[];
    readonly errors: readonly string[];
}

interface Diagnostic {
    readonly urn?: string;
    readonly message?: string;
    readonly severity?: string;
}

/** A `policyEvent` of the engine's event log (`pulumi preview --event-log <file>`, one JSON event a line). */
interface PolicyEvent {
    readonly policyName?: string;
    readonly enforcementLevel?: string;
    readonly message?: string;
    readonly resourceUrn?: string;
}

// Ops that leave the cloud as it is; everything else is a change a reviewer (or the drift check) must see.
const QUIET_OPS = new Set(["same", "read", "refresh", "discard", "read-discard"]);

// pulumi prints ANSI colour codes into diagnostic messages unless told not to; they are noise in Markdown.
// eslint-disable-next-line no-control-regex -- an ANSI code starts with the ESC control character
const ANSI_CODE = /\u001b\[[0-9;]*m/g;
const plain = (s: string): string =>
    s
        .replace(ANSI_CODE, "")
        .replace(/<\{%[^%]*%\}>/g, "")
        .trim();

// What the CLI says when it stops because of something this summary already holds: "preview failed" after a
// mandatory policy violation, and the --expect-no-changes refusal after changes. Anything else is an error.
const PREVIEW_FAILED = /^(error: )?preview failed$/;
const CHANGES_REFUSED = /^(error: )?no changes were expected( for \S+)? but changes were proposed$/;

/**
 * The policy violations in an event log. The engine also files "can't run policy X during preview" (a value it
 * cannot know yet) as a policy event: that is no violation, and a reviewer must not read it as one.
 */
export function policyViolations(eventLog: string): PolicyViolation[] {
    const out: PolicyViolation[] = [];
    for (const line of eventLog.split("\n")) {
        if (line.trim() === "") continue;
        let event: { policyEvent?: PolicyEvent };
        try {
            event = JSON.parse(line) as typeof event;
        } catch {
            continue; // a line cut short by a killed preview
        }
        const e = event.policyEvent;
        if (!e || /^can't run policy /.test(e.message ?? "")) continue;
        const level =
            e.enforcementLevel === "mandatory" || e.enforcementLevel === "remediate"
                ? "mandatory"
                : e.enforcementLevel === "advisory"
                  ? "advisory"
                  : undefined;
        if (level)
            out.push({
                level,
                message: plain(`${e.policyName ? `${e.policyName}: ` : ""}${(e.message ?? "").replace(/\n+/g, " ")}`),
                urn: e.resourceUrn,
            });
    }
    return out;
}

/**
 * Reads what `pulumi preview --json` printed and, when given, the event log of the same run (policy violations
 * are only there). Text that is not that JSON (the preview died before printing it) is a failed preview, never
 * a clean one: an empty file must not pass as "no changes".
 */
export function summarizePreview(stack: string, text: string, eventLog = ""): PreviewSummary {
    const empty = { create: 0, update: 0, delete: 0, replace: 0 };
    let doc: { steps?: { op?: string; urn?: string }[]; changeSummary?: Record<string, number>; diagnostics?: Diagnostic[] };
    try {
        doc = JSON.parse(text) as typeof doc;
        if (doc === null || typeof doc !== "object" || Array.isArray(doc)) throw new Error("not an object");
    } catch {
        const first = text.trim().split("\n")[0] ?? "";
        return {
            stack,
            ok: false,
            counts: empty,
            changes: [],
            violations: [],
            errors: [first ? `no preview JSON: ${first.slice(0, 200)}` : "no preview JSON (empty output)"],
        };
    }
    const steps = (doc.steps ?? []).filter((s): s is { op: string; urn: string } => typeof s.op === "string" && typeof s.urn === "string");
    const changes = steps.filter((s) => !QUIET_OPS.has(s.op)).map((s) => ({ op: s.op, urn: s.urn }));
    // changeSummary is pulumi's own tally; steps are the fallback for an older CLI that omits it.
    const counts = Object.fromEntries(
        COUNTED_OPS.map((op) => [op, doc.changeSummary ? (doc.changeSummary[op] ?? 0) : steps.filter((s) => s.op === op).length]),
    ) as Record<CountedOp, number>;

    const violations = policyViolations(eventLog);
    const errors = (doc.diagnostics ?? [])
        .filter((d) => d.severity === "error")
        .map((d) => plain(d.message ?? ""))
        .filter((m) => !(PREVIEW_FAILED.test(m) && violations.some((v) => v.level === "mandatory")))
        .filter((m) => !(CHANGES_REFUSED.test(m) && changes.length > 0));
    return { stack, ok: errors.length === 0, counts, changes, violations, errors };
}

/** Whether the PR must not merge as it is: a failed preview or a mandatory policy violation. */
export function blocksMerge(s: PreviewSummary): boolean {
    return !s.ok || s.violations.some((v) => v.level === "mandatory");
}

const cell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n+/g, " ");

/** The comment's Markdown (without the marker). Pure, so a rerun with the same previews changes nothing. */
export function renderPreviewComment(
    summaries: readonly PreviewSummary[],
    buildUrl?: string,
    notPreviewed: readonly string[] = [],
): string {
    const lines = ["### `pulumi preview` of the stacks this PR can affect", ""];
    if (summaries.length === 0 && notPreviewed.length === 0) {
        lines.push("No stack is affected by this PR.");
    } else {
        lines.push("| stack | create | update | delete | replace | policy violations | |", "|---|--:|--:|--:|--:|---|---|");
        for (const s of summaries) {
            const mandatory = s.violations.filter((v) => v.level === "mandatory").length;
            const advisory = s.violations.length - mandatory;
            const policy =
                s.violations.length === 0
                    ? "none"
                    : [mandatory && `${mandatory} mandatory`, advisory && `${advisory} advisory`].filter(Boolean).join(", ");
            const verdict = !s.ok
                ? "❌ preview failed"
                : mandatory > 0
                  ? "❌ blocked by policy"
                  : COUNTED_OPS.some((op) => s.counts[op] > 0)
                    ? "changes"
                    : "no changes";
            const counts = s.ok ? COUNTED_OPS.map((op) => String(s.counts[op])) : ["–", "–", "–", "–"];
            lines.push(`| \`${s.stack}\` | ${counts.join(" | ")} | ${policy} | ${verdict} |`);
        }
        // Said out loud, so a reviewer never reads a missing row as "no changes".
        for (const stack of notPreviewed) lines.push(`| \`${stack}\` | – | – | – | – | – | ⚠️ not previewed in CI: preview it by hand |`);
        for (const s of summaries.filter((x) => x.errors.length > 0 || x.violations.length > 0)) {
            lines.push(
                "",
                `<details><summary><code>${s.stack}</code>: ${s.errors.length} errors, ${s.violations.length} policy violations</summary>`,
                "",
            );
            for (const e of s.errors) lines.push(`- error: ${cell(e)}`);
            for (const v of s.violations) lines.push(`- ${v.level}: ${cell(v.message)}${v.urn ? ` (\`${v.urn}\`)` : ""}`);
            lines.push("", "</details>");
        }
    }
    if (buildUrl) lines.push("", `From [this build](${buildUrl}); updated on every push.`);
    return lines.join("\n");
}

/** Edits the PR's preview comment, or creates it the first time; returns the writes made (0 or 1). */
export async function upsertPreviewComment(
    gh: Octokit,
    pr: IssueTarget,
    summaries: readonly PreviewSummary[],
    buildUrl?: string,
    notPreviewed: readonly string[] = [],
): Promise<number> {
    return upsertMarkedComment(gh, pr, PREVIEW_MARKER, renderPreviewComment(summaries, buildUrl, notPreviewed));
}
