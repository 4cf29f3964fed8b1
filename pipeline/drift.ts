// The nightly drift check: a stack whose preview wants to change something has drifted from its code.
// One open issue per stack says so; the next clean night closes it. The verdict comes from the preview's
// JSON, not its exit code: `--expect-no-changes` fails the same way for drift and for a broken preview,
// and only the second is CI's problem.
import type { Octokit } from "octokit";
import type { IssueTarget } from "../clients/marked-comment";
import { summarizePreview, type PreviewSummary } from "./preview-comment";

export const DRIFT_LABEL = "drift";
export const driftTitle = (stack: string): string => `Drift in ${stack}`;

export type DriftVerdict =
    | { readonly kind: "clean"; readonly summary: PreviewSummary }
    | { readonly kind: "drift"; readonly summary: PreviewSummary }
    /** The preview itself failed: no verdict, and no issue is touched. */
    | { readonly kind: "unknown"; readonly summary: PreviewSummary };

export function judgeDrift(stack: string, previewJson: string): DriftVerdict {
    const summary = summarizePreview(stack, previewJson);
    if (!summary.ok) return { kind: "unknown", summary };
    return { kind: summary.changes.length > 0 || Object.values(summary.counts).some((n) => n > 0) ? "drift" : "clean", summary };
}

/** The issue body: what would change. Pure and stable, so an unchanged drift edits nothing. */
export function renderDriftBody(summary: PreviewSummary, buildUrl?: string): string {
    const counts = Object.entries(summary.counts)
        .filter(([, n]) => n > 0)
        .map(([op, n]) => `${n} to ${op}`)
        .join(", ");
    const lines = [
        `\`pulumi preview --expect-no-changes --stack ${summary.stack}\` found changes the code does not explain: ${counts || "see below"}.`,
        "",
        "Someone changed these resources outside `pulumi up`, or a provider now reads them differently. Either " +
            "bring the code in line (and merge it) or run `pulumi up` to put the resources back; the nightly check " +
            "closes this issue once the stack is clean.",
        "",
        "| op | resource |",
        "|---|---|",
        ...summary.changes.map((c) => `| ${c.op} | \`${c.urn}\` |`),
    ];
    if (buildUrl) lines.push("", `Last seen by [this build](${buildUrl}).`);
    return lines.join("\n");
}

export type DriftAction = "opened" | "updated" | "unchanged" | "closed" | "none" | "skipped";

/**
 * Opens, edits or closes the stack's drift issue in the ops repository. The issue is found by label and
 * exact title among open issues, so a rename by hand detaches it (and the next drift opens a new one).
 */
export async function reconcileDriftIssue(
    gh: Octokit,
    ops: Omit<IssueTarget, "number">,
    verdict: DriftVerdict,
    buildUrl?: string,
): Promise<{ action: DriftAction; number?: number }> {
    if (verdict.kind === "unknown") return { action: "skipped" };
    const title = driftTitle(verdict.summary.stack);
    const open = await gh.paginate(gh.rest.issues.listForRepo, {
        owner: ops.owner,
        repo: ops.repo,
        state: "open",
        labels: DRIFT_LABEL,
        per_page: 100,
    });
    const existing = open.find((i) => i.title === title && !i.pull_request);
    if (verdict.kind === "clean") {
        if (!existing) return { action: "none" };
        await gh.rest.issues.createComment({
            owner: ops.owner,
            repo: ops.repo,
            issue_number: existing.number,
            body: `The stack is clean again${buildUrl ? ` ([build](${buildUrl}))` : ""}; closing.`,
        });
        await gh.rest.issues.update({
            owner: ops.owner,
            repo: ops.repo,
            issue_number: existing.number,
            state: "closed",
            state_reason: "completed",
        });
        return { action: "closed", number: existing.number };
    }
    // The build link changes every night; leaving it out of the comparison keeps a steady drift quiet.
    const body = renderDriftBody(verdict.summary, buildUrl);
    if (existing) {
        if (renderDriftBody(verdict.summary) === stripBuildLine(existing.body ?? ""))
            return { action: "unchanged", number: existing.number };
        await gh.rest.issues.update({ owner: ops.owner, repo: ops.repo, issue_number: existing.number, body });
        return { action: "updated", number: existing.number };
    }
    const created = await gh.rest.issues.create({ owner: ops.owner, repo: ops.repo, title, body, labels: [DRIFT_LABEL] });
    return { action: "opened", number: created.data.number };
}

const stripBuildLine = (body: string): string => body.replace(/\n\nLast seen by \[this build\]\([^)]*\)\.$/, "");
