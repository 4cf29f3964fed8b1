// `conveyor status [--offline] [--json] [--html <file>] [--dashboard] [--now <iso>]`: what runs where. The
// matrix on stdout (text for people, --json for machines), the status page with --html, and the release
// dashboard issue brought up to date with --dashboard. --offline reads the stack files of the checkout only.
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { loadWorkspace, type Workspace } from "../config";
import { CircleCi } from "../clients/circleci";
import { gitHubFromEnv, MissingCredentialError } from "../clients/github";
import { ReleaseInputError, requireOrg } from "../release/release";
import { refreshDashboard } from "../status/dashboard";
import { renderHtml } from "../status/html";
import { buildStatus, renderJson, type StatusMatrix } from "../status/model";
import { offlineInput, readStatus, type StatusDeps } from "../status/read";
import { renderText } from "../status/text";
import type { Io } from "./io";
import { describeDashboard } from "./dashboard-refresh";
import { UsageError } from "./release";

/** Clients from the environment; a missing token is bad input, found before anything is read. */
export function statusDeps(io: Io, workspace: Workspace, now: Date): StatusDeps {
    try {
        return {
            gh: gitHubFromEnv(io.env),
            ci: CircleCi.fromEnv(io.env),
            workspace,
            gitHubApiUrl: io.env.GITHUB_API_URL ?? "https://api.github.com",
            now,
            progress: () => undefined,
        };
    } catch (e) {
        if (e instanceof MissingCredentialError || /TOKEN is not set/.test((e as Error).message))
            throw new ReleaseInputError(`${(e as Error).message} (or run \`conveyor status --offline\`)`);
        throw e;
    }
}

export async function statusCommand(args: string[], io: Io): Promise<number> {
    const { positionals, values } = parseArgs({
        args,
        allowPositionals: true,
        options: {
            offline: { type: "boolean" },
            json: { type: "boolean" },
            html: { type: "string" },
            dashboard: { type: "boolean" },
            now: { type: "string" },
        },
    });
    if (positionals.length > 0) throw new UsageError("status takes no positional argument");
    if (values.offline && values.dashboard) throw new UsageError("--dashboard writes to GitHub: it cannot go with --offline");
    if (values.html !== undefined && !values.html.trim()) throw new UsageError("--html: expected a file to write the page to");
    const now = values.now === undefined ? new Date() : new Date(values.now);
    if (Number.isNaN(now.getTime())) throw new UsageError(`--now: expected an ISO date-time, got "${values.now}"`);
    const workspace = loadWorkspace(io.cwd);
    requireOrg(workspace);

    let matrix: StatusMatrix;
    if (values.dashboard) {
        const outcome = await refreshDashboard(statusDeps(io, workspace, now));
        io.err(describeDashboard(outcome));
        matrix = outcome.matrix;
    } else {
        matrix = buildStatus(values.offline ? offlineInput(workspace, now) : (await readStatus(statusDeps(io, workspace, now))).input);
    }
    if (values.html !== undefined) {
        const file = path.resolve(io.cwd, values.html);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, renderHtml(matrix));
        io.err(`status page written to ${path.relative(io.cwd, file) || file}`);
    }
    if (values.json) io.out(renderJson(matrix).trimEnd());
    else if (values.html === undefined || io.terminal) {
        const color = io.terminal !== undefined && !io.env.NO_COLOR;
        io.out(renderText(matrix, { columns: io.terminal?.columns ?? 80, color }));
    }
    return 0;
}
