// Commands only the CircleCI pipeline runs: `preview-comment --pr <n> [--not-previewed <stack>]...
// [--event-log <stack>=<events.jsonl>]... <stack>=<file.json> ...` after the
// PR previews, and `drift <stack> --preview <file.json>` after the nightly preview of each stack.
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { loadWorkspace, stackRole } from "../config";
import { InputError } from "../config/input-error";
import { judgeDrift, reconcileDriftIssue } from "../pipeline/drift";
import { gitHubFromEnv, MissingCredentialError } from "../clients/github";
import {
    blocksMerge,
    renderPreviewComment,
    summarizePreview,
    upsertPreviewComment,
    type PreviewSummary,
} from "../pipeline/preview-comment";
import { ReleaseInputError, requireOrg } from "../release/release";
import type { Io } from "./io";
import { UsageError } from "./release";

function gitHub(io: Io) {
    try {
        return gitHubFromEnv(io.env);
    } catch (e) {
        if (e instanceof MissingCredentialError) throw new ReleaseInputError(e.message);
        throw e;
    }
}

function requireStack(stack: string): string {
    if (!stackRole(stack))
        throw new UsageError(`"${stack}" is not a stack name: expected org, staging, demo, prod, <client>-staging or <client>-prod`);
    return stack;
}

// A missing file is bad input (the pipeline lost track of its own files); an empty or broken one is a
// failed preview, judged by the caller.
function readPreview(io: Io, file: string): string {
    const full = path.resolve(io.cwd, file);
    if (!fs.existsSync(full) || !fs.statSync(full).isFile()) throw new InputError(`${file}: no such preview file`);
    return fs.readFileSync(full, "utf8");
}

const buildUrlOf = (io: Io, value: string | undefined): string | undefined => value ?? io.env.CIRCLE_BUILD_URL;

/** Posts or edits the PR's preview comment; exits 1 when a preview failed or a mandatory policy says no. */
export async function previewCommentCommand(args: string[], io: Io): Promise<number> {
    const { positionals, values } = parseArgs({
        args,
        allowPositionals: true,
        options: {
            pr: { type: "string" },
            "build-url": { type: "string" },
            "dry-run": { type: "boolean" },
            "not-previewed": { type: "string", multiple: true },
            "event-log": { type: "string", multiple: true },
        },
    });
    // Policy violations are only in the engine's event log (`pulumi preview --event-log`), one per stack.
    const eventLogs = new Map<string, string>();
    for (const e of values["event-log"] ?? []) {
        const m = /^([^=]+)=(.+)$/.exec(e);
        if (!m) throw new UsageError(`--event-log: expected <stack>=<events file>, got "${e}"`);
        eventLogs.set(requireStack(m[1]), readPreview(io, m[2]));
    }
    const notPreviewed = (values["not-previewed"] ?? []).map(requireStack);
    const pr = Number(values.pr);
    if (!values.pr || !Number.isInteger(pr) || pr <= 0)
        throw new UsageError(`--pr: expected a pull request number, got ${values.pr === undefined ? "nothing" : `"${values.pr}"`}`);
    const summaries: PreviewSummary[] = positionals.map((p) => {
        const m = /^([^=]+)=(.+)$/.exec(p);
        if (!m) throw new UsageError(`expected <stack>=<preview.json>, got "${p}"`);
        return summarizePreview(requireStack(m[1]), readPreview(io, m[2]), eventLogs.get(m[1]) ?? "");
    });
    const blocking = summaries.filter(blocksMerge);
    for (const s of blocking) io.err(`${s.stack}: ${s.ok ? "mandatory policy violation" : `preview failed: ${s.errors.join("; ")}`}`);
    if (values["dry-run"]) {
        io.out(renderPreviewComment(summaries, buildUrlOf(io, values["build-url"]), notPreviewed));
        return blocking.length > 0 ? 1 : 0;
    }
    const org = requireOrg(loadWorkspace(io.cwd));
    const writes = await upsertPreviewComment(
        gitHub(io),
        { owner: org.owner, repo: org.opsRepo, number: pr },
        summaries,
        buildUrlOf(io, values["build-url"]),
        notPreviewed,
    );
    io.out(`PR #${pr}: preview comment ${writes ? "written" : "already up to date"} (${summaries.length} stacks)`);
    return blocking.length > 0 ? 1 : 0;
}

/**
 * Opens, edits or closes the stack's drift issue. Drift exits 0: the issue is the alarm, and a nightly job
 * that stays red for as long as an issue is open would teach people to ignore red. A failed preview exits 1.
 */
export async function driftCommand(args: string[], io: Io): Promise<number> {
    const { positionals, values } = parseArgs({
        args,
        allowPositionals: true,
        options: { preview: { type: "string" }, "build-url": { type: "string" } },
    });
    const [stack] = positionals;
    if (!stack || positionals.length > 1)
        throw new UsageError("drift takes exactly one stack, e.g. `conveyor drift staging --preview previews/staging.json`");
    requireStack(stack);
    if (!values.preview) throw new UsageError("--preview: expected the file `pulumi preview --expect-no-changes --json` wrote");
    const verdict = judgeDrift(stack, readPreview(io, values.preview));
    if (verdict.kind === "unknown") {
        // No verdict is not "clean": the issue stays as it is, and the red job says why.
        io.err(`${stack}: preview failed, drift unknown: ${verdict.summary.errors.join("; ")}`);
        return 1;
    }
    const org = requireOrg(loadWorkspace(io.cwd));
    const result = await reconcileDriftIssue(
        gitHub(io),
        { owner: org.owner, repo: org.opsRepo },
        verdict,
        buildUrlOf(io, values["build-url"]),
    );
    io.out(`${stack}: ${verdict.kind}; drift issue ${result.action}${result.number ? ` #${result.number}` : ""}`);
    return 0;
}
