// The messages on the release controller's work queue: what the webhook intake (and the schedule) hand to the
// worker. The intake keeps only what it validated and the worker acts on; the worker checks every message
// again, since a queue is one more place input comes from. Pure, and small enough for the intake's bundle.
import { createHash } from "node:crypto";
import * as z from "zod/mini";
import { isEnvironmentName } from "../config/stack-names";
import { GITHUB_LOGIN } from "./webhooks";

/** A slash command on the ops repository, once its signature, age, author and grammar were checked. */
export interface CommandItem {
    readonly kind: "command";
    readonly commentId: number;
    /** The comment's `created_at`: part of its identity, so an edit-and-replay is not the same command. */
    readonly createdAt: string;
    readonly issue: number;
    readonly login: string;
    /** A bot the configuration allows (it has no collaborator permission to look up). */
    readonly allowedBot: boolean;
    readonly mode: "release" | "rollback";
    readonly env: string;
}

/** A deploy workflow of the ops repository reached a terminal status. */
export interface DeployFinishedItem {
    readonly kind: "deploy-finished";
    /** CircleCI's id of the event: its identity. */
    readonly eventId: string;
    readonly workflow: { readonly id: string; readonly name: string; readonly status: string; readonly url: string };
    readonly sha: string;
    readonly branch?: string;
}

/** The schedule fired: run the train as of the time it was scheduled for, however late the run starts. */
export interface TrainItem {
    readonly kind: "train";
    readonly scheduledTime: string;
}

export type WorkItem = CommandItem | DeployFinishedItem | TrainItem;

const isoTime = z.iso.datetime({ offset: true });
const schema = z.discriminatedUnion("kind", [
    z.object({
        kind: z.literal("command"),
        commentId: z.number().check(z.int(), z.positive()),
        createdAt: isoTime,
        issue: z.number().check(z.int(), z.positive()),
        login: z.string().check(z.regex(GITHUB_LOGIN)),
        allowedBot: z.boolean(),
        mode: z.enum(["release", "rollback"]),
        env: z.string().check(z.refine(isEnvironmentName, "not an environment stack name")),
    }),
    z.object({
        kind: z.literal("deploy-finished"),
        eventId: z.string().check(z.minLength(1), z.maxLength(100)),
        workflow: z.object({
            id: z.string().check(z.minLength(1), z.maxLength(100)),
            name: z.string().check(z.maxLength(200)),
            status: z.string().check(z.maxLength(40)),
            url: z.string().check(z.regex(/^https?:\/\/[^\s()<>]+$/)),
        }),
        sha: z.string().check(z.regex(/^[0-9a-f]{40}$/)),
        branch: z.optional(z.string().check(z.maxLength(255))),
    }),
    z.object({ kind: z.literal("train"), scheduledTime: isoTime }),
]);

export class BadWorkItemError extends Error {}

/** The body of a queue message, checked; throws BadWorkItemError naming the first problem (never the body). */
export function parseWorkItem(body: string): WorkItem {
    let json: unknown;
    try {
        json = JSON.parse(body);
    } catch {
        throw new BadWorkItemError("work item: the message body is not JSON");
    }
    const result = schema.safeParse(json);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    throw new BadWorkItemError(`work item: ${issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "invalid"}`);
}

/**
 * The queue's deduplication id for a piece of work: a digest of its identity as the sender signed it (the
 * comment id and time, CircleCI's event id), never of a delivery header an attacker can change. SQS drops a
 * message whose id it saw in the last five minutes.
 */
export function deduplicationId(item: CommandItem | DeployFinishedItem): string {
    const identity = item.kind === "command" ? `github-comment:${item.commentId}:${item.createdAt}` : `circleci-event:${item.eventId}`;
    return createHash("sha256").update(identity).digest("hex");
}
