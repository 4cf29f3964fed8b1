// After a command that changes what runs where (release, rollback, the train, deployed), the release
// dashboard issue is brought up to date. Its own module so that cli/release.ts and cli/status.ts share it
// without importing each other.
import type { Workspace } from "../config";
import { CircleCi } from "../clients/circleci";
import { gitHubFromEnv } from "../clients/github";
import { refreshDashboard, type DashboardOutcome } from "../status/dashboard";
import type { StatusDeps } from "../status/read";
import type { Io } from "./io";

export const describeDashboard = (o: DashboardOutcome): string =>
    `release dashboard: issue #${o.number} ${o.action === "unchanged" ? "already up to date" : o.action}`;

/**
 * Refreshes the dashboard and says so on stderr. A dashboard that cannot be written does not fail the
 * command: the release or deploy it follows is done, and the next command or `conveyor status --dashboard`
 * writes the dashboard again.
 */
export async function refreshAfter(io: Io, workspace: Workspace, partial?: Partial<StatusDeps>): Promise<void> {
    try {
        if (!io.env.CIRCLECI_TOKEN) {
            io.err("release dashboard: not refreshed (CIRCLECI_TOKEN is not set: it holds the latest green builds)");
            return;
        }
        const deps: StatusDeps = {
            gh: gitHubFromEnv(io.env),
            ci: CircleCi.fromEnv(io.env),
            workspace,
            gitHubApiUrl: io.env.GITHUB_API_URL ?? "https://api.github.com",
            now: new Date(),
            progress: () => undefined,
            ...partial,
        };
        io.err(describeDashboard(await refreshDashboard(deps)));
    } catch (e) {
        io.err(`release dashboard: not refreshed: ${(e as Error).message}`);
    }
}
