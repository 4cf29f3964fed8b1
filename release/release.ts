// release/: the release, as pure steps and thin I/O: what to bump (plan), where builds come from
// (sources), what changed (changes, changelog, references), the release PR (pr), this run (release) and
// who is due (train). A workflow: imports clients/ and config/ only; deploy/, controller/ and cli/ use it.
//
// `conveyor release <env>` and `conveyor rollback <env>`: plan from the source, build the changelog, and
// open or refresh the release PR. Shared by the CLI and the Lambda.
import type { Octokit } from "octokit";
import { InputError } from "../config/input-error";
import { stackFileName, type EnvironmentConfig, type OrgConfig, type Workspace } from "../config";
import { announceReleasePr } from "./announce";
import type { Announcer } from "../clients/slack";
import { renderBody, releaseTitle, renderChangelog, type BodyContext } from "./changelog";
import { collectChanges } from "./changes";
import { webUrlOf } from "../clients/github";
import { planRelease, versionChanges, type ReleasePlan } from "./plan";
import { blockedBy, findReleasePrs, releaseBranch, upsertReleasePr, type Upsert } from "./pr";
import {
    offerFromCi,
    offerFromVersions,
    prefetchRunning,
    previousRelease,
    readFile,
    withRevisionCache,
    type CiBuilds,
    type Offer,
    type OpsRef,
} from "./sources";
import { readVersions, setVersions } from "../config/stackfile";

/** Bad input: exit code 2, nothing written. */
export class ReleaseInputError extends InputError {}

export interface ReleaseDeps {
    readonly gh: Octokit;
    readonly ci: CiBuilds;
    readonly workspace: Workspace;
    /** API root GitHub was reached at, for web links in the body. */
    readonly gitHubApiUrl: string;
    /** Progress, one line per step or component (stderr in the CLI). */
    readonly progress: (line: string) => void;
    /** Slack, when `conveyor:notifications` is set and its webhooks are at hand; never fails the release. */
    readonly announcer?: Announcer;
}

export interface ReleaseRequest {
    readonly env: string;
    readonly mode: "release" | "rollback";
    readonly dryRun: boolean;
}

export type ReleaseOutcome =
    | { readonly status: "nothing-to-release"; readonly plan: ReleasePlan }
    | { readonly status: "blocked"; readonly reason: string }
    | { readonly status: "dry-run"; readonly plan: ReleasePlan; readonly title: string; readonly body: string }
    | { readonly status: Upsert["action"]; readonly plan: ReleasePlan; readonly pr: Upsert };

export function requireOrg(ws: Workspace): OrgConfig {
    if (!ws.org) throw new ReleaseInputError("Pulumi.org.yaml: file not found (it names the GitHub owner and the ops repository)");
    return ws.org;
}

export function requireEnv(ws: Workspace, env: string): EnvironmentConfig {
    const e = ws.environments.find((x) => x.stack === env);
    if (!e) throw new ReleaseInputError(`unknown environment "${env}": expected one of ${ws.environments.map((x) => x.stack).join(", ")}`);
    return e;
}

export function opsRefOf(org: OrgConfig): OpsRef {
    const branch = org.repositories.find((r) => r.name === org.opsRepo)?.settings.defaultBranch ?? "main";
    return { owner: org.owner, repo: org.opsRepo, branch };
}

export const changelogPath = (env: string): string => `releases/${env}.md`;

export async function runRelease(given: ReleaseDeps, req: ReleaseRequest): Promise<ReleaseOutcome> {
    const deps = { ...given, ci: withRevisionCache(given.ci) };
    const { gh, workspace: ws, progress } = deps;
    const org = requireOrg(ws);
    const env = requireEnv(ws, req.env);
    const ops = opsRefOf(org);
    const file = stackFileName(env.stack);

    const ref = await gh.rest.git.getRef({ owner: ops.owner, repo: ops.repo, ref: `heads/${ops.branch}` });
    const mainSha = ref.data.object.sha;
    const [mainFile, prs] = await Promise.all([readFile(gh, ops, file, mainSha), findReleasePrs(gh, ops, env.stack)]);
    if (!mainFile) throw new ReleaseInputError(`${file}: not on ${ops.owner}/${ops.repo}@${ops.branch}; merge the environment first`);
    const running = readVersions(file, mainFile.text);

    const blocked = blockedBy(prs);
    if (blocked && !req.dryRun) return { status: "blocked", reason: blocked };

    const [offer] = await Promise.all([
        offerFor(deps, org, ops, env, req.mode, mainSha, running),
        prefetchRunning(deps.ci, org, ws, running),
    ]);
    const plan = planRelease({
        target: { ...env, versions: running },
        catalog: ws.catalog,
        source: req.mode === "rollback" ? "rollback" : env.release.source,
        offered: offer.versions,
        missingReasons: offer.missingReasons,
        allowLower: req.mode === "rollback",
    });
    for (const s of plan.skipped) progress(`${s.component}: skipped, ${s.reason}`);
    if (plan.bumps.length === 0) {
        progress(`${env.stack}: nothing to release (${plan.unchanged.length} components already at the source's build)`);
        return { status: "nothing-to-release", plan };
    }

    const changes = await collectChanges({
        gh,
        ci: deps.ci,
        owner: org.owner,
        bumps: plan.bumps,
        knownRevisions: offer.revisions,
        progress,
    });
    const webUrl = webUrlOf(deps.gitHubApiUrl);
    const ctx: BodyContext = {
        plan,
        changes,
        redirectorDomain: org.releaseController.redirectorDomain,
        webUrl,
        fullChangelogUrl: `${webUrl}/${ops.owner}/${ops.repo}/blob/${releaseBranch(env.stack)}/${changelogPath(env.stack)}`,
    };
    const { body, cut } = renderBody(ctx);
    const title = releaseTitle(plan);
    if (req.dryRun) return { status: "dry-run", plan, title, body };

    const files = new Map([[file, setVersions(file, mainFile.text, versionChanges(plan))]]);
    if (cut) files.set(changelogPath(env.stack), `${renderChangelog(ctx)}\n`);
    const commitMessage = `${title}\n\n${plan.bumps.map((b) => `${b.component}: ${b.from ?? "new"} -> ${b.to}`).join("\n")}`;
    const mainShas = new Map([[file, mainFile.sha]]);
    const pr = await upsertReleasePr(gh, ops, mainSha, prs, { env: env.stack, title, body, commitMessage, files, mainShas }, progress);
    if (deps.announcer) {
        const announced = await announceReleasePr(gh, ops, org, deps.announcer, plan, pr, progress);
        if (announced === "sent") progress(`release PR #${pr.number}: announced on Slack`);
    }
    return { status: pr.action, plan, pr };
}

async function offerFor(
    deps: ReleaseDeps,
    org: OrgConfig,
    ops: OpsRef,
    env: EnvironmentConfig,
    mode: ReleaseRequest["mode"],
    mainSha: string,
    running: Map<string, number>,
): Promise<Offer> {
    if (mode === "rollback") {
        const file = stackFileName(env.stack);
        const previous = await previousRelease(deps.gh, ops, file, running);
        if (!previous) throw new ReleaseInputError(`${file}: no earlier release in its history on ${ops.branch} to roll back to`);
        deps.progress(`${env.stack}: rolling back to the versions of ${previous.sha.slice(0, 7)}`);
        return offerFromVersions(previous.versions);
    }
    if (env.release.source === "ci") return offerFromCi(deps.workspace, org, deps.ci, deps.progress);
    const sourceFile = stackFileName(env.release.source);
    const source = await readFile(deps.gh, ops, sourceFile, mainSha);
    if (!source)
        throw new ReleaseInputError(`${sourceFile}: the release source of ${env.stack} is not on ${ops.owner}/${ops.repo}@${ops.branch}`);
    return offerFromVersions(readVersions(sourceFile, source.text));
}
