// `conveyor milestones [--now <iso>]`: the weekly milestones' progress across every managed repository, as
// text (status/milestones.ts). Reads GITHUB_TOKEN and GITHUB_API_URL; writes nothing.
import { parseArgs } from "util";
import { loadWorkspace } from "../config";
import { gitHubFromEnv, MissingCredentialError } from "../clients/github";
import { requireOrg, ReleaseInputError } from "../release/release";
import { readMilestoneProgress, renderMilestonesText } from "../status/milestones";
import type { Io } from "./io";
import { UsageError } from "./release";

export async function milestonesCommand(args: string[], io: Io): Promise<number> {
    const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { now: { type: "string" } } });
    if (positionals.length > 0) throw new UsageError("milestones takes no arguments: it reads every managed repository");
    const now = values.now === undefined ? new Date() : new Date(values.now);
    if (Number.isNaN(now.getTime())) throw new UsageError(`--now: expected an ISO date-time, got "${values.now}"`);
    const org = requireOrg(loadWorkspace(io.cwd));
    let gh;
    try {
        gh = gitHubFromEnv(io.env);
    } catch (e) {
        if (e instanceof MissingCredentialError) throw new ReleaseInputError(e.message);
        throw e;
    }
    io.out(renderMilestonesText(await readMilestoneProgress(gh, org, now)));
    return 0;
}
