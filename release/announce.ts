// The release PR, announced where the team talks: one Slack message when the PR opens and one each time the
// builds it carries change (a refreshed changelog alone is not news). The message is pure; sending it is
// recorded in the PR's own body (clients/marked-comment.ts sentKeys), so a rerun, or a redelivered
// schedule, finds the record and sends nothing new.
import { createHash } from "node:crypto";
import type { Octokit } from "octokit";
import type { OrgConfig } from "../config";
import { slackRoutes } from "../config/notifications";
import { sentKeys, withSent } from "../clients/marked-comment";
import { context, escapeMrkdwn, header, link, message, section, sectionsOf, type Announcer, type SlackMessage } from "../clients/slack";
import type { Bump, ReleasePlan } from "./plan";
import type { Upsert } from "./pr";
import type { OpsRef } from "./sources";

export interface ReleasePrEvent {
    readonly plan: Pick<ReleasePlan, "env" | "source" | "bumps">;
    readonly pr: { readonly number: number; readonly url: string };
    /** First announcement of this PR, or its builds changed since the last one. */
    readonly change: "opened" | "changed";
}

const builds = (b: Bump): string => (b.from === undefined ? `new at ${b.to}` : `${b.from} → ${b.to}`);

/** Pure: the Block Kit message, with its plain-words fallback. */
export function releasePrMessage(e: ReleasePrEvent): SlackMessage {
    const env = escapeMrkdwn(e.plan.env);
    const n = e.plan.bumps.length;
    const what = `${n} component${n === 1 ? "" : "s"}`;
    const verb = e.change === "opened" ? "opened" : "updated";
    const from = e.plan.source === "rollback" ? "a rollback" : `from ${escapeMrkdwn(e.plan.source)}`;
    const lines = e.plan.bumps.map((b) => `• *${escapeMrkdwn(b.component)}* ${builds(b)}`);
    return message(
        `Release PR #${e.pr.number} ${verb} for ${env}: ${e.plan.bumps.map((b) => `${escapeMrkdwn(b.component)} ${builds(b)}`).join(", ")}`,
        [
            header(`Release ${e.plan.env}: ${what}`),
            section(`${link(e.pr.url, `Release PR #${e.pr.number}`)} ${verb}: *${what}* for *${env}*, ${from}.`),
            ...sectionsOf(lines, 40, (left) => `…and ${left} more components; see the PR.`),
            context(`Merging the PR deploys *${env}*; the changelog is in the PR.`),
        ],
    );
}

/** The event's key: the environment, the PR and the builds it carries. */
export function releasePrKey(env: string, prNumber: number, bumps: readonly Bump[]): string {
    const builds = bumps.map((b) => `${b.component}=${b.to}`).sort();
    const digest = createHash("sha256")
        .update(JSON.stringify([env, prNumber, builds]))
        .digest("hex")
        .slice(0, 16);
    return `pr-${digest}`;
}

export type AnnounceResult = "sent" | "already-sent" | "not-sent" | "nowhere";

/**
 * Announces the release PR unless its body records this very event. The record is written after the send:
 * a run that dies in between announces again on the next run (late twice rather than never). Nothing here
 * throws: a failure is logged and the release goes on.
 */
export async function announceReleasePr(
    gh: Octokit,
    ops: OpsRef,
    org: OrgConfig,
    announcer: Announcer,
    plan: ReleasePlan,
    pr: Upsert,
    warn: (line: string) => void,
): Promise<AnnounceResult> {
    const routes = slackRoutes(
        org.notifications?.slack,
        plan.env,
        plan.bumps.map((b) => b.component),
    );
    if (routes.length === 0) return "nowhere";
    const key = releasePrKey(plan.env, pr.number, plan.bumps);
    const earlier = sentKeys(pr.body);
    if (earlier.includes(key)) return "already-sent";
    const change = earlier.some((k) => k.startsWith("pr-")) ? "changed" : "opened";
    const took = await announcer.post(routes, releasePrMessage({ plan, pr, change }));
    if (took.length === 0) return "not-sent";
    try {
        await gh.rest.pulls.update({ owner: ops.owner, repo: ops.repo, pull_number: pr.number, body: withSent(pr.body, key) });
    } catch (e) {
        warn(
            `release PR #${pr.number}: announced, but the record of it was not written (${(e as Error).message}); a rerun announces again`,
        );
    }
    return "sent";
}
