// A delivery world for `conveyor status` on the loopback fakes: staging released and deployed, an open
// release-demo PR, a release-prod PR merged but not deployed, a drift issue on prod, and a clock inside
// prod's year-end freeze.
import { main } from "../../cli/main";
import { FAKE_CIRCLECI_TOKEN } from "../fakes/circleci";
import { releaseAndMerge, startWorld, TOKEN, type World } from "../release-world";
import { fixtureFiles, scratchProject } from "../workspace-fixture";
import { runRelease } from "../../release/release";
import { releaseBranch } from "../../release/pr";

/** Monday 21 December 2026, 12:00 in Paris: prod is frozen until 7 January. */
export const NOW = "2026-12-21T11:00:00Z";

export interface StatusWorld {
    readonly w: World;
    /** Release PR numbers by environment. */
    readonly prs: { staging: number; demo: number; prod: number };
    readonly drift: number;
}

export async function startStatusWorld(latencyMs?: number): Promise<StatusWorld> {
    const w = await startWorld({ latencyMs });
    await releaseAndMerge(w, "staging");
    const staging = prNumber(w, "staging");
    w.ops.addIssueLabels(w.ops.issue(staging)!, ["deployed"]);
    const demo = await runRelease(w.deps(), { env: "demo", mode: "release", dryRun: false });
    if (demo.status !== "opened") throw new Error(`release demo: ${demo.status}`);
    await releaseAndMerge(w, "prod");
    const drift = w.ops.addIssue("Drift in prod", { labels: ["drift"], body: "pulumi preview found changes" }).number;
    return { w, prs: { staging, demo: demo.pr.number, prod: prNumber(w, "prod") }, drift };
}

function prNumber(w: World, env: string): number {
    const pulls = w.ops.pulls.filter((p) => p.head === releaseBranch(env));
    return pulls[pulls.length - 1].number;
}

export const envOf = (w: World): NodeJS.ProcessEnv => ({
    GITHUB_TOKEN: TOKEN,
    GITHUB_API_URL: w.github.url,
    // The fakes have no secondary limit to stay under.
    GITHUB_WRITE_DELAY_MS: "0",
    CIRCLECI_TOKEN: FAKE_CIRCLECI_TOKEN,
    CIRCLECI_API_URL: w.circle.url,
});

export async function cli(
    env: NodeJS.ProcessEnv,
    argv: string[],
    options: { terminal?: { columns: number }; cwd?: string } = {},
): Promise<{ code: number; out: string; err: string; cwd: string }> {
    let out = "";
    let err = "";
    const cwd = options.cwd ?? scratchProject(fixtureFiles());
    const code = await main(argv, { cwd, env, terminal: options.terminal, out: (s) => (out += `${s}\n`), err: (s) => (err += `${s}\n`) });
    return { code, out, err, cwd };
}
