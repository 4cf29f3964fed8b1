// Deploys announced where the team talks: "deployed" (what changed, in plain words, every link through the
// redirector) and "failed" (the failed job, the owners named). The messages are pure; `announceDeployed`
// records the send in the "Deployed to" comment the event already wrote (clients/marked-comment.ts
// sentKeys), so a rerun of `deployed` sends nothing new. A failure is announced with the owners' e-mail, on
// the same rule (controller/deploy-events.ts): once per change of the failure comments on GitHub.
import { createHash } from "node:crypto";
import type { Octokit } from "octokit";
import { slackRoutes } from "../config/notifications";
import type { OrgConfig } from "../config";
import { listComments, sentKeys, withSent, type IssueTarget } from "../clients/marked-comment";
import {
    context,
    escapeMrkdwn,
    header,
    link,
    message,
    section,
    sectionsOf,
    typed,
    type Announcer,
    type SlackMessage,
} from "../clients/slack";
import type { MarkerData } from "../release/changelog";
import { redirectLink, type IssueRef } from "../release/references";
import { pullsToTell, type FailedDeploy } from "./notices";

export interface DeployedEvent {
    readonly env: string;
    readonly sha: string;
    readonly buildUrl: string;
    readonly redirectorDomain: string;
    /** The release PR the deploy carried, with its marker, if any. */
    readonly release?: { readonly ref: IssueRef; readonly marker?: MarkerData };
    /** The issues it released, with their titles (typed by people: escaped). */
    readonly issues: readonly { readonly ref: IssueRef; readonly title: string }[];
    /** deploy/<env> PRs it deployed. */
    readonly deployPrs: readonly { readonly ref: IssueRef; readonly title: string }[];
}

const short = (sha: string) => sha.slice(0, 7);

function plainVersions(m: MarkerData | undefined): string[] {
    if (!m) return [];
    return Object.entries(m.versions).map(([c, to]) => {
        const from = m.previous?.[c];
        return `${escapeMrkdwn(c)} ${from === undefined ? `now at build ${to}` : `from build ${from} to ${to}`}`;
    });
}

/** Pure: the "deployed" message. */
export function deployedMessage(e: DeployedEvent): SlackMessage {
    const env = escapeMrkdwn(e.env);
    const versions = plainVersions(e.release?.marker);
    const issueLines = e.issues.map(
        (i) => `• ${link(redirectLink(e.redirectorDomain, i.ref), i.title)} (${escapeMrkdwn(`${i.ref.repo} ${i.ref.number}`)})`,
    );
    const prLines = e.deployPrs.map((p) => `• ${link(redirectLink(e.redirectorDomain, p.ref), p.title)}`);
    const what =
        versions.length > 0
            ? `*${env}* now runs ${versions.join(", ")}.`
            : e.deployPrs.length > 0
              ? `*${env}* was deployed for ${e.deployPrs.length} change${e.deployPrs.length === 1 ? "" : "s"} of the ops repository.`
              : `*${env}* was deployed.`;
    const released =
        e.issues.length > 0
            ? `${e.issues.length} issue${e.issues.length === 1 ? " is" : "s are"} now in ${env}:`
            : "No issue was waiting for this release.";
    const release = e.release ? [link(redirectLink(e.redirectorDomain, e.release.ref), `release PR ${e.release.ref.number}`)] : [];
    return message(`Deployed to ${env} at ${short(e.sha)}: ${versions.length > 0 ? versions.join(", ") : "see the build"}.`, [
        header(`Deployed to ${e.env}`),
        section(what),
        ...(e.release ? [section(released)] : []),
        ...sectionsOf(issueLines, 30, (n) => `…and ${n} more issues; see the release PR.`),
        ...(prLines.length > 0 ? [section("Deployed with it:"), ...sectionsOf(prLines, 5, (n) => `…and ${n} more`)] : []),
        context(link(e.buildUrl, "build"), `commit ${short(e.sha)}`, ...release),
    ]);
}

/** Pure: the "deploy failed" message. */
export function deployFailedMessage(f: FailedDeploy, owners: readonly string[], redirectorDomain: string): SlackMessage {
    const failed = f.envs.filter((e) => e.result === "failed");
    const notRun = f.envs.filter((e) => e.result === "not-run").map((e) => escapeMrkdwn(e.env));
    const names = failed.map((e) => escapeMrkdwn(e.env));
    const title = failed.length > 0 ? `Deploy of ${failed.map((e) => e.env).join(", ")} failed` : "Deploy workflow failed";
    const jobs = f.failedJobs.map((j) => `• job ${link(j.url, j.name)} (${typed(j.status, 20)})`);
    const [owner, repo] = f.repo.split("/");
    const asked = pullsToTell(f).map(
        ({ pull, env }) =>
            `• ${escapeMrkdwn(env)}: ${link(redirectLink(redirectorDomain, { owner, repo, number: pull.number }), pull.title ?? `PR ${pull.number}`)}`,
    );
    return message(
        `${escapeMrkdwn(title)} at ${short(f.sha)}. Release owners: ${owners.map(escapeMrkdwn).join(", ")}. ${f.failedJobs[0] ? `Failed job: ${f.failedJobs[0].url}` : f.workflow.url}`,
        [
            header(title),
            section(
                [
                    failed.length > 0
                        ? `The deploy of *${names.join(", ")}* at \`${short(f.sha)}\` failed.`
                        : `The deploy workflow at \`${short(f.sha)}\` failed.`,
                    ...(notRun.length > 0 ? [`Not deployed (an earlier job failed): ${notRun.join(", ")}.`] : []),
                ].join("\n"),
            ),
            ...sectionsOf(jobs, 3, (n) => `…and ${n} more failed jobs`),
            section(`*Release owners:* ${owners.map(escapeMrkdwn).join(", ")}. Rerun the workflow once the cause is fixed.`),
            ...(asked.length > 0 ? [section("Asked for by:"), ...sectionsOf(asked, 3, (n) => `…and ${n} more`)] : []),
            context(link(f.workflow.url, `workflow ${f.workflow.name}`), `commit ${short(f.sha)}`),
        ],
    );
}

/** The event's key: the environment and the commit deployed. */
export function deployedKey(env: string, sha: string): string {
    return `dep-${createHash("sha256")
        .update(JSON.stringify([env, sha]))
        .digest("hex")
        .slice(0, 16)}`;
}

/**
 * Announces a deploy unless the "Deployed to" comment on `recordOn` (the release PR, else the first PR that
 * asked for the deploy) records it. With no PR at all there is nowhere to record it: it is announced and a
 * rerun would announce it again. Never throws.
 */
export async function announceDeployed(
    gh: Octokit,
    org: OrgConfig,
    announcer: Announcer,
    e: DeployedEvent,
    recordOn: { readonly target: IssueTarget; readonly marker: string } | undefined,
    warn: (line: string) => void,
): Promise<"sent" | "already-sent" | "not-sent" | "nowhere"> {
    const routes = slackRoutes(org.notifications?.slack, e.env, Object.keys(e.release?.marker?.versions ?? {}));
    if (routes.length === 0) return "nowhere";
    const key = deployedKey(e.env, e.sha);
    try {
        const comment = recordOn ? (await listComments(gh, recordOn.target)).find((c) => c.body?.startsWith(recordOn.marker)) : undefined;
        if (comment && sentKeys(comment.body).includes(key)) return "already-sent";
        const took = await announcer.post(routes, deployedMessage(e));
        if (took.length === 0) return "not-sent";
        if (comment && recordOn)
            await gh.rest.issues.updateComment({
                owner: recordOn.target.owner,
                repo: recordOn.target.repo,
                comment_id: comment.id,
                body: withSent(comment.body ?? "", key),
            });
        else warn(`deployed ${e.env}: announced, with no PR comment to record it on; a rerun announces again`);
        return "sent";
    } catch (err) {
        warn(`deployed ${e.env}: announcement: ${(err as Error).message}`);
        return "not-sent";
    }
}

/** Announces a failed deploy; the caller decides it is new (never throws). */
export async function announceFailure(org: OrgConfig, announcer: Announcer, f: FailedDeploy): Promise<string[]> {
    const routes = [...new Set(f.envs.flatMap((e) => slackRoutes(org.notifications?.slack, e.env, [])))];
    if (routes.length === 0) return [];
    return announcer.post(routes, deployFailedMessage(f, org.releaseController.owners, org.releaseController.redirectorDomain));
}
