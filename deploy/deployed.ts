// `conveyor deployed <env> --sha <sha> --build-url <url>`: after `pulumi up` of an environment, tell the
// people who asked: comment once on every issue of its changelog, move issues along the workflow, comment
// on the PRs that asked for the deploy (turning an earlier failure notice into "resolved"), and label the
// release PR `deployed` last. The label is what says "done" (it unblocks the next release), so it only goes on
// once everything before it landed. Resumable: every comment carries a hidden marker per environment, so a
// rerun after an interruption at any write edits or leaves what is there instead of duplicating it, and a
// label already moved or an issue already closed costs no write.
import type { Octokit } from "octokit";
import type { EnvironmentConfig, Workspace } from "../config";
import { parseMarker } from "../release/changelog";
import { listComments, upsertMarkedComment, type IssueTarget } from "../clients/marked-comment";
import { failureMarker, resolvedText } from "./notices";
import { mapLimit } from "../clients/github";
import { DEPLOYED_LABEL, releaseBranch } from "../release/pr";
import { opsRefOf, requireEnv, requireOrg } from "../release/release";
import { mergedPullsOf, type MergedPull } from "./targets";
import type { IssueRef } from "../release/references";
import type { Announcer } from "../clients/slack";
import type { Sentry } from "../clients/sentry";
import { announceDeployed, type DeployedEvent } from "./announce";
import { recordSentryDeploy, type SentryOutcome } from "./sentry";

export interface OnDeploy {
    readonly relabel?: { readonly from: string; readonly to: string };
    readonly close?: string;
}

/** The environment's own rule, else staging relabels ready-for-staging -> test and prod closes ready issues. */
export function onDeployOf(env: Pick<EnvironmentConfig, "stack" | "release">): OnDeploy {
    if (env.release.onDeploy) return env.release.onDeploy;
    if (env.stack === "staging") return { relabel: { from: "workflow/ready-for-staging", to: "workflow/test" } };
    if (env.stack === "prod") return { close: "workflow/ready" };
    return {};
}

const READ_CONCURRENCY = 10;

export const commentMarker = (kind: "released" | "deployed", env: string): string => `<!-- conveyor:${kind} env=${env} -->`;

export interface IssueState {
    readonly labels: readonly string[];
    readonly state: "open" | "closed";
}

export interface IssuePlan {
    /** The full label set to write, when it must change (one write). */
    readonly labels?: string[];
    readonly close: boolean;
}

/** Pure: what a deploy changes on one issue. */
export function planIssue(issue: IssueState, rule: OnDeploy): IssuePlan {
    let labels: string[] | undefined;
    const { relabel } = rule;
    if (relabel && issue.labels.includes(relabel.from)) {
        labels = [...issue.labels.filter((l) => l !== relabel.from && l !== relabel.to), relabel.to];
    }
    const close = issue.state === "open" && rule.close !== undefined && issue.labels.includes(rule.close);
    return { labels, close };
}

export interface DeployedRequest {
    readonly env: string;
    readonly sha: string;
    readonly buildUrl: string;
    /** The commit's merged PRs, when the caller has them already (from deployTargets): saves a read. */
    readonly pulls?: readonly MergedPull[];
}

/** The feedback loops after a deploy, each optional and none able to fail it. */
export interface DeployFeedback {
    readonly announcer?: Announcer;
    readonly sentry?: Sentry;
    readonly warn: (line: string) => void;
}

export interface DeployedOutcome {
    /** The release PR of the environment the commit merged, if any. */
    readonly releasePr?: number;
    /** `owner/repo#n` of every issue commented on or changed (or already up to date). */
    readonly issues: string[];
    /** deploy/<env> PRs that got a comment. */
    readonly deployPrs: number[];
    readonly writes: number;
    /** What Slack was told ("sent", "already-sent", ...), when it is configured. */
    readonly announced?: string;
    readonly sentry?: SentryOutcome;
}

/** Writes are sequential: GitHub's content-creation limits punish bursts, and octokit spaces them. */
export async function runDeployed(
    gh: Octokit,
    ws: Workspace,
    req: DeployedRequest,
    progress: (s: string) => void,
    feedback?: DeployFeedback,
): Promise<DeployedOutcome> {
    const env = requireEnv(ws, req.env);
    const ops = opsRefOf(requireOrg(ws));
    const pulls = req.pulls ?? (await mergedPullsOf(gh, ws, req.sha));
    const release = pulls.find((p) => p.head === releaseBranch(env.stack));
    let writes = 0;
    const count = (n: number) => (writes += n);
    const opsTarget = (p: MergedPull): IssueTarget => ({ owner: ops.owner, repo: ops.repo, number: p.number });
    const link = `[build](${req.buildUrl})`;

    const issues: string[] = [];
    const titled: DeployedEvent["issues"][number][] = [];
    if (release) {
        const rule = onDeployOf(env);
        // Reads in parallel under a limit; writes one after another.
        const refs = releasedIssues(release);
        const states = await mapLimit(refs, READ_CONCURRENCY, (ref) => readIssue(gh, ref));
        for (const [i, ref] of refs.entries()) {
            count(await settleIssue(gh, ref, states[i], env.stack, link, rule));
            issues.push(`${ref.owner}/${ref.repo}#${ref.number}`);
            titled.push({ ref, title: states[i].title });
            progress(`${ref.owner}/${ref.repo}#${ref.number}: released to ${env.stack}`);
        }
    }
    const deployPrs: number[] = [];
    for (const p of pulls.filter((x) => x !== release && x.labels.includes(`deploy/${env.stack}`))) {
        count(await tellPull(gh, opsTarget(p), env.stack, req));
        deployPrs.push(p.number);
        progress(`PR #${p.number}: deployed to ${env.stack}`);
    }
    if (release) {
        count(await tellPull(gh, opsTarget(release), env.stack, req));
        if (!release.labels.includes(DEPLOYED_LABEL)) {
            await gh.rest.issues.addLabels({ ...opsIssue(opsTarget(release)), labels: [DEPLOYED_LABEL] });
            count(1);
        }
        progress(`release PR #${release.number}: labelled ${DEPLOYED_LABEL}`);
    }
    const org = requireOrg(ws);
    const marker = release ? parseMarker(release.body) : undefined;
    // After the label: the deploy is done whatever Slack or Sentry say, and a rerun reaches them again.
    let sentry: SentryOutcome | undefined;
    if (feedback?.sentry && org.sentry && marker) {
        sentry = await recordSentryDeploy(feedback.sentry, org.sentry, ws.catalog, org.owner, { ...req, marker }, feedback.warn);
        // Each record by name, so the deploy's log says which builds Sentry now knows as deployed; each failure was warned.
        const failed = sentry.failed.length > 0 ? `, ${sentry.failed.length} failed` : "";
        const deploys = sentry.deploys.length > 0 ? `: ${sentry.deploys.join(", ")}` : "";
        progress(`sentry: ${sentry.releases.length} releases, ${sentry.deploys.length} deploys${failed}${deploys}`);
    }
    let announced: string | undefined;
    if (feedback?.announcer) {
        const recordOn = release ?? pulls.find((p) => p.labels.includes(`deploy/${env.stack}`));
        const event: DeployedEvent = {
            env: env.stack,
            sha: req.sha,
            buildUrl: req.buildUrl,
            redirectorDomain: org.releaseController.redirectorDomain,
            release: release ? { ref: { owner: ops.owner, repo: ops.repo, number: release.number }, marker } : undefined,
            issues: titled,
            deployPrs: pulls
                .filter((p) => p !== release && p.labels.includes(`deploy/${env.stack}`))
                .map((p) => ({ ref: { owner: ops.owner, repo: ops.repo, number: p.number }, title: p.title ?? `PR ${p.number}` })),
        };
        announced = await announceDeployed(
            gh,
            org,
            feedback.announcer,
            event,
            recordOn ? { target: opsTarget(recordOn), marker: commentMarker("deployed", env.stack) } : undefined,
            feedback.warn,
        );
        if (announced === "sent") progress(`${env.stack}: deploy announced on Slack`);
    }
    return { releasePr: release?.number, issues, deployPrs, writes, announced, sentry };
}

/** "Deployed to <env>" on a PR that asked for the deploy, and an earlier failure notice marked resolved. */
async function tellPull(gh: Octokit, pr: IssueTarget, env: string, req: DeployedRequest): Promise<number> {
    const comments = await listComments(gh, pr);
    let writes = await upsertMarkedComment(
        gh,
        pr,
        commentMarker("deployed", env),
        `Deployed to **${env}** ([build](${req.buildUrl})).`,
        comments,
    );
    const failed = failureMarker(env);
    if (comments.some((c) => c.body?.startsWith(failed)))
        writes += await upsertMarkedComment(gh, pr, failed, resolvedText(env, req.sha, req.buildUrl), comments);
    return writes;
}

const opsIssue = (t: IssueTarget) => ({ owner: t.owner, repo: t.repo, issue_number: t.number });

function releasedIssues(pr: MergedPull): IssueRef[] {
    const marker = parseMarker(pr.body);
    if (!marker) return [];
    return Object.entries(marker.issues).flatMap(([full, numbers]) => {
        const [owner, repo] = full.split("/");
        return numbers.map((number) => ({ owner, repo, number }));
    });
}

interface LiveIssue extends IssueState {
    readonly title: string;
    readonly comments: readonly { id: number; body?: string | null }[];
}

async function readIssue(gh: Octokit, ref: IssueRef): Promise<LiveIssue> {
    const target = { owner: ref.owner, repo: ref.repo, issue_number: ref.number };
    const [issue, comments] = await Promise.all([
        gh.rest.issues.get(target),
        gh.paginate(gh.rest.issues.listComments, { ...target, per_page: 100 }),
    ]);
    return {
        labels: issue.data.labels.map((l) => (typeof l === "string" ? l : (l.name ?? ""))),
        state: issue.data.state === "closed" ? "closed" : "open",
        title: issue.data.title,
        comments,
    };
}

/** Comment (or edit the comment) and move the issue along; at most 3 writes, none when already done. */
async function settleIssue(gh: Octokit, ref: IssueRef, live: LiveIssue, env: string, link: string, rule: OnDeploy): Promise<number> {
    const target = { owner: ref.owner, repo: ref.repo, issue_number: ref.number };
    let writes = await upsertMarkedComment(gh, ref, commentMarker("released", env), `Released to **${env}** (${link}).`, live.comments);
    const plan = planIssue(live, rule);
    if (plan.labels) {
        await gh.rest.issues.setLabels({ ...target, labels: plan.labels });
        writes++;
    }
    if (plan.close) {
        await gh.rest.issues.update({ ...target, state: "closed", state_reason: "completed" });
        writes++;
    }
    return writes;
}
