// `conveyor release <env> [--dry-run]`, `release --due [--now <iso>]`, `rollback <env>`, and the post-merge
// commands `targets --sha <sha>` and `deployed <env> --sha <sha> --build-url <url>`.
import { parseArgs } from "util";
import { loadWorkspace, type Workspace } from "../config";
import { InputError } from "../config/input-error";
import { CircleCi } from "../clients/circleci";
import { gitHubFromEnv, MissingCredentialError } from "../clients/github";
import { requireOrg, runRelease, ReleaseInputError, type ReleaseDeps, type ReleaseOutcome, type ReleaseRequest } from "../release/release";
import { runDeployed } from "../deploy/deployed";
import { deployTargets } from "../deploy/targets";
import { runTrain, trainAt } from "../release/train";
import { refreshAfter } from "./dashboard-refresh";
import { feedbackClients, feedbackSecretsFromEnv } from "../clients/feedback";
import type { Io } from "./io";

/** A command line the command cannot run: printed with a pointer to `conveyor help`. */
export class UsageError extends InputError {}

function parseNow(value: string | undefined): Date {
    const now = value === undefined ? new Date() : new Date(value);
    if (Number.isNaN(now.getTime())) throw new UsageError(`--now: expected an ISO date-time, got "${value}"`);
    return now;
}

/** Clients from the environment; a missing token is bad input, found before anything is read. */
function depsFrom(io: Io, workspace: Workspace, need: { circleci: boolean; announce?: boolean } = { circleci: true }): ReleaseDeps {
    try {
        return {
            gh: gitHubFromEnv(io.env),
            // Commands that never reach CircleCI do not ask for its token.
            ci: need.circleci ? CircleCi.fromEnv(io.env) : { findGreenPipeline: unreachable, pipelineRevision: unreachable },
            workspace,
            gitHubApiUrl: io.env.GITHUB_API_URL ?? "https://api.github.com",
            progress: io.err,
            announcer: need.announce === false ? undefined : feedbackOf(io, workspace).announcer,
        };
    } catch (e) {
        if (e instanceof MissingCredentialError || /TOKEN is not set/.test((e as Error).message))
            throw new ReleaseInputError((e as Error).message);
        throw e;
    }
}

/** Slack and Sentry from SLACK_WEBHOOK_<NAME> and SENTRY_AUTH_TOKEN, when Pulumi.org.yaml asks for them. */
const feedbackOf = (io: Io, workspace: Workspace) =>
    feedbackClients(workspace.org, feedbackSecretsFromEnv(workspace.org, io.env), (line) => io.err(`warning: ${line}`));

const unreachable = (): never => {
    throw new Error("this command does not use CircleCI");
};

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
            io.out(
                `${outcome.plan.env}: ${outcome.status === "unchanged" ? "release PR already up to date" : `release PR ${outcome.status}`}: ${outcome.pr.url}`,
            );
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
        if (mode === "rollback" || positionals.length > 0)
            throw new UsageError("--due takes no environment: it releases every environment due now");
        return train(io, parseNow(values.now), dryRun);
    }
    if (values.now !== undefined) throw new UsageError("--now only goes with --due");
    const [env] = positionals;
    if (!env || positionals.length > 1) throw new UsageError(`${mode} takes exactly one environment, e.g. \`conveyor ${mode} staging\``);
    const workspace = loadWorkspace(io.cwd);
    const deps = depsFrom(io, workspace);
    const code = report(io, await runRelease(deps, { env, mode, dryRun }));
    if (!dryRun) await refreshAfter(io, workspace, { gh: deps.gh, ci: deps.ci });
    return code;
}

/** Every due environment in train order; one failure does not stop the others, but fails the run. */
async function train(io: Io, now: Date, dryRun: boolean): Promise<number> {
    const workspace = loadWorkspace(io.cwd);
    const org = requireOrg(workspace);
    const decisions = trainAt(workspace.environments, now, org.releaseController.timezone);
    for (const d of decisions.filter((x) => !x.due)) io.err(`${d.env}: not due (${d.reason})`);
    if (!decisions.some((d) => d.due)) {
        io.out(`nothing due at ${now.toISOString()} (${org.releaseController.timezone})`);
        return 0;
    }
    let worst = 0;
    for (const run of await runTrain(depsFrom(io, workspace), now, dryRun)) {
        if (run.outcome) worst = Math.max(worst, report(io, run.outcome));
        if (run.error) {
            io.err(`${run.env}: failed: ${run.error.message}`);
            worst = Math.max(worst, run.error instanceof ReleaseInputError ? 2 : 1);
        }
    }
    if (!dryRun) await refreshAfter(io, workspace);
    return worst;
}

const SHA = /^[0-9a-f]{7,40}$/;

function requireSha(value: string | undefined): string {
    if (!value || !SHA.test(value))
        throw new UsageError(`--sha: expected a commit sha, got ${value === undefined ? "nothing" : `"${value}"`}`);
    return value;
}

/** Prints one stack per line on stdout (nothing: nothing to deploy); notes go to stderr. */
export async function targetsCommand(args: string[], io: Io): Promise<number> {
    const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { sha: { type: "string" } } });
    if (positionals.length > 0) throw new UsageError("targets takes no positional argument, only --sha <sha>");
    const sha = requireSha(values.sha);
    const workspace = loadWorkspace(io.cwd);
    const { gh } = depsFrom(io, workspace, { circleci: false, announce: false });
    const targets = await deployTargets(gh, workspace, sha);
    for (const note of targets.notes) io.err(note);
    for (const stack of targets.stacks) io.out(stack);
    return 0;
}

export async function deployedCommand(args: string[], io: Io): Promise<number> {
    const { positionals, values } = parseArgs({
        args,
        allowPositionals: true,
        options: { sha: { type: "string" }, "build-url": { type: "string" } },
    });
    const [env] = positionals;
    if (!env || positionals.length > 1)
        throw new UsageError("deployed takes exactly one environment, e.g. `conveyor deployed staging --sha <sha> --build-url <url>`");
    const sha = requireSha(values.sha);
    const buildUrl = values["build-url"];
    if (!buildUrl || !/^https?:\/\/\S+$/.test(buildUrl))
        throw new UsageError(
            `--build-url: expected the URL of the deploy's CI build, got ${buildUrl === undefined ? "nothing" : `"${buildUrl}"`}`,
        );
    const workspace = loadWorkspace(io.cwd);
    const { gh } = depsFrom(io, workspace, { circleci: false, announce: false });
    const outcome = await runDeployed(gh, workspace, { env, sha, buildUrl }, io.err, {
        ...feedbackOf(io, workspace),
        warn: (line) => io.err(`warning: ${line}`),
    });
    io.out(
        `${env}: ${outcome.releasePr ? `release PR #${outcome.releasePr} deployed, ${outcome.issues.length} issues told` : "no release PR in this commit"}` +
            `${outcome.deployPrs.length ? `, deploy PRs ${outcome.deployPrs.map((n) => `#${n}`).join(", ")}` : ""} (${outcome.writes} writes)`,
    );
    await refreshAfter(io, workspace, { gh });
    return 0;
}
