// `conveyor status [--offline] [--json] [--html <file>] [--milestones] [--dashboard] [--now <iso>]`: what runs
// where. The matrix on stdout (text for people, --json for machines), the status page with --html, and the
// release dashboard issue brought up to date with --dashboard. --milestones adds the weekly milestones'
// progress to all of them (the dashboard always has it). --offline reads the stack files of the checkout only.
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { loadWorkspace, type Workspace } from "../config";
import { CircleCi } from "../clients/circleci";
import { gitHubFromEnv, MissingCredentialError } from "../clients/github";
import { ReleaseInputError, requireOrg } from "../release/release";
import { refreshDashboard } from "../status/dashboard";
import { renderHtml } from "../status/html";
import { readMilestonesSection } from "../status/milestones";
import { buildStatus, renderJson, type StatusMatrix } from "../status/model";
import { offlineInput, readStatus, type StatusDeps } from "../status/read";
import type { StatusSection } from "../status/section";
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
            milestones: { type: "boolean" },
            now: { type: "string" },
        },
    });
    if (positionals.length > 0) throw new UsageError("status takes no positional argument");
    if (values.offline && values.dashboard) throw new UsageError("--dashboard writes to GitHub: it cannot go with --offline");
    if (values.offline && values.milestones) throw new UsageError("--milestones reads GitHub: it cannot go with --offline");
    if (values.html !== undefined && !values.html.trim()) throw new UsageError("--html: expected a file to write the page to");
    const now = values.now === undefined ? new Date() : new Date(values.now);
    if (Number.isNaN(now.getTime())) throw new UsageError(`--now: expected an ISO date-time, got "${values.now}"`);
    const workspace = loadWorkspace(io.cwd);
    const org = requireOrg(workspace);

    let matrix: StatusMatrix;
    let sections: readonly StatusSection[] = [];
    if (values.dashboard) {
        const outcome = await refreshDashboard(statusDeps(io, workspace, now));
        io.err(describeDashboard(outcome));
        matrix = outcome.matrix;
        if (values.milestones) sections = outcome.sections;
    } else if (values.offline) {
        matrix = buildStatus(offlineInput(workspace, now));
    } else {
        const deps = statusDeps(io, workspace, now);
        const [read, milestones] = await Promise.all([
            readStatus(deps),
            values.milestones ? readMilestonesSection(deps.gh, org, now) : undefined,
        ]);
        matrix = buildStatus(read.input);
        sections = milestones ? [milestones] : [];
    }
    if (values.html !== undefined) {
        const file = path.resolve(io.cwd, values.html);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, renderHtml(matrix, sections));
        io.err(`status page written to ${path.relative(io.cwd, file) || file}`);
    }
    if (values.json) io.out(renderJson(matrix, sections).trimEnd());
    else if (values.html === undefined || io.terminal) {
        const color = io.terminal !== undefined && !io.env.NO_COLOR;
        io.out(renderText(matrix, { columns: io.terminal?.columns ?? 80, color }, sections));
    }
    return 0;
}
