// `conveyor release <env> [--dry-run]`, `conveyor release --due [--now <iso>]`, `conveyor rollback <env>`.
import { parseArgs } from "util";
import { loadWorkspace, type Workspace } from "../components/config";
import { CircleCi } from "../release/circleci";
import { gitHubFromEnv, MissingCredentialError } from "../release/github";
import { requireOrg, runRelease, ReleaseInputError, type ReleaseDeps, type ReleaseOutcome, type ReleaseRequest } from "../release/release";
import { trainAt } from "../release/train";
import type { Io } from "./main";

export class UsageError extends Error {}

function parseNow(value: string | undefined): Date {
    const now = value === undefined ? new Date() : new Date(value);
    if (Number.isNaN(now.getTime())) throw new UsageError(`--now: expected an ISO date-time, got "${value}"`);
    return now;
}

/** Clients from the environment; a missing token is bad input, found before anything is read. */
function depsFrom(io: Io, workspace: Workspace): ReleaseDeps {
    try {
        return {
            gh: gitHubFromEnv(io.env),
            ci: CircleCi.fromEnv(io.env),
            workspace,
            gitHubApiUrl: io.env.GITHUB_API_URL ?? "https://api.github.com",
            progress: io.err,
        };
    } catch (e) {
        if (e instanceof MissingCredentialError || /TOKEN is not set/.test((e as Error).message)) throw new ReleaseInputError((e as Error).message);
        throw e;
    }
}

function report(io: Io, outcome: ReleaseOutcome): number {
    switch (outcome.status) {
        case "blocked":
            io.err(`refused: ${outcome.reason}`);
            return 1;
        case "nothing-to-release":
            io.out(`${outcome.plan.env}: nothing to release`);
            return 0;
        case "dry-run": {
            const { plan } = outcome;
            io.out(`Plan for ${plan.env} (source: ${plan.source})`);
            for (const b of plan.bumps) io.out(`  ${b.component.padEnd(20)} ${String(b.from ?? "new").padStart(8)} -> ${b.to}`);
            if (plan.unchanged.length > 0) io.out(`  unchanged: ${plan.unchanged.join(", ")}`);
            for (const s of plan.skipped) io.out(`  skipped: ${s.component} (${s.reason})`);
            io.out(`\nTitle: ${outcome.title}\n\n${outcome.body}`);
            io.out("\n(dry run: nothing was written)");
            return 0;
        }
        default:
            io.out(`${outcome.plan.env}: ${outcome.status === "unchanged" ? "release PR already up to date" : `release PR ${outcome.status}`}: ${outcome.pr.url}`);
            return 0;
    }
}

export async function releaseCommand(args: string[], io: Io, mode: ReleaseRequest["mode"]): Promise<number> {
    const { positionals, values } = parseArgs({
        args,
        allowPositionals: true,
        options: { "dry-run": { type: "boolean" }, due: { type: "boolean" }, now: { type: "string" } },
    });
    const dryRun = values["dry-run"] === true;
    if (values.due) {
        if (mode === "rollback" || positionals.length > 0) throw new UsageError("--due takes no environment: it releases every environment due now");
        return train(io, parseNow(values.now), dryRun);
    }
    if (values.now !== undefined) throw new UsageError("--now only goes with --due");
    const [env] = positionals;
    if (!env || positionals.length > 1) throw new UsageError(`${mode} takes exactly one environment, e.g. \`conveyor ${mode} staging\``);
    const workspace = loadWorkspace(io.cwd);
    const deps = depsFrom(io, workspace);
    return report(io, await runRelease(deps, { env, mode, dryRun }));
}

/** Every due environment in train order; one failure does not stop the others, but fails the run. */
async function train(io: Io, now: Date, dryRun: boolean): Promise<number> {
    const workspace = loadWorkspace(io.cwd);
    const org = requireOrg(workspace);
    const decisions = trainAt(workspace.environments, now, org.releaseController.timezone);
    const due = decisions.filter((d) => d.due);
    for (const d of decisions.filter((x) => !x.due)) io.err(`${d.env}: not due (${d.reason})`);
    if (due.length === 0) {
        io.out(`nothing due at ${now.toISOString()} (${org.releaseController.timezone})`);
        return 0;
    }
    const deps = depsFrom(io, workspace);
    let worst = 0;
    for (const d of due) {
        try {
            worst = Math.max(worst, report(io, await runRelease(deps, { env: d.env, mode: "release", dryRun })));
        } catch (e) {
            io.err(`${d.env}: failed: ${(e as Error).message}`);
            worst = Math.max(worst, e instanceof ReleaseInputError ? 2 : 1);
        }
    }
    return worst;
}
