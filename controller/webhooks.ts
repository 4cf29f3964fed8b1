// The pure half of the release controller's webhooks: the raw body of a Lambda function URL request, the
// signatures GitHub and CircleCI put on it, and the payload fields acted on. Nothing here does I/O, so every
// rule is tested without a server. The webhook intake bundles this file: zod's tree-shakable "mini" build
// keeps that bundle a few kilobytes instead of the half megabyte of the full one.
import { createHmac, timingSafeEqual } from "node:crypto";
import * as z from "zod/mini";
import { isEnvironmentName } from "../config/stack-names";

/** Larger bodies are refused unread: both senders' payloads for these events are a few kilobytes. */
export const MAX_BODY_BYTES = 1024 * 1024;

export type RawBody = { readonly ok: true; readonly bytes: Buffer } | { readonly ok: false; readonly reason: "too-large" };

/**
 * The exact bytes the sender signed. A function URL hands over text bodies as they came and anything else
 * base64-encoded; the size is judged before decoding, so a huge body costs no work.
 */
export function rawBodyOf(body: string | undefined, isBase64Encoded: boolean | undefined): RawBody {
    const text = body ?? "";
    if (isBase64Encoded) {
        if (text.length > Math.ceil(MAX_BODY_BYTES / 3) * 4) return { ok: false, reason: "too-large" };
        const bytes = Buffer.from(text, "base64");
        return bytes.length > MAX_BODY_BYTES ? { ok: false, reason: "too-large" } : { ok: true, bytes };
    }
    // UTF-8 never takes fewer bytes than UTF-16 code units, so a long string is too large without encoding it.
    if (text.length > MAX_BODY_BYTES) return { ok: false, reason: "too-large" };
    const bytes = Buffer.from(text, "utf8");
    return bytes.length > MAX_BODY_BYTES ? { ok: false, reason: "too-large" } : { ok: true, bytes };
}

const SHA256_HEX = /^[0-9a-f]{64}$/i;

function hmacSha256(secret: string, raw: Buffer): Buffer {
    return createHmac("sha256", secret).update(raw).digest();
}

/**
 * Compares every candidate with the expected digest in constant time, without stopping at the first match,
 * so the time taken says nothing about which part of which candidate was right.
 */
function anyDigestMatches(expected: Buffer, candidates: readonly string[]): boolean {
    let matched = false;
    for (const hex of candidates) {
        // A well-formed candidate has the digest's length, so timingSafeEqual compares equal-length buffers;
        // the shape check only looks at the attacker's own input.
        if (!SHA256_HEX.test(hex)) continue;
        matched = timingSafeEqual(expected, Buffer.from(hex, "hex")) || matched;
    }
    return matched;
}

/**
 * CircleCI's `circleci-signature`: comma-separated `<version>=<value>` pairs, today `v1=<hex HMAC-SHA256 of
 * the body>`. Versions this code does not know are skipped, so CircleCI can add one without breaking us.
 */
export function verifyCircleCiSignature(secret: string, raw: Buffer, header: string | undefined): boolean {
    if (!secret || !header) return false;
    const v1 = header
        .split(",")
        .map((pair) => pair.trim())
        .filter((pair) => pair.startsWith("v1="))
        .map((pair) => pair.slice("v1=".length));
    return anyDigestMatches(hmacSha256(secret, raw), v1);
}

/** GitHub's `x-hub-signature-256: sha256=<hex HMAC-SHA256 of the body>`. */
export function verifyGitHubSignature(secret: string, raw: Buffer, header: string | undefined): boolean {
    if (!secret || !header?.startsWith("sha256=")) return false;
    return anyDigestMatches(hmacSha256(secret, raw), [header.slice("sha256=".length)]);
}

/** How a test (or a sender) signs a body; the handler never calls these. */
export const signCircleCi = (secret: string, raw: Buffer | string): string =>
    `v1=${createHmac("sha256", secret).update(raw).digest("hex")}`;
export const signGitHub = (secret: string, raw: Buffer | string): string =>
    `sha256=${createHmac("sha256", secret).update(raw).digest("hex")}`;

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export function parseJson(raw: Buffer): Parsed<unknown> {
    try {
        return { ok: true, value: JSON.parse(raw.toString("utf8")) };
    } catch (e) {
        return { ok: false, reason: `body is not JSON: ${(e as Error).message}` };
    }
}

function parseWith<T>(schema: z.ZodMiniType<T>, value: unknown, what: string): Parsed<T> {
    const result = schema.safeParse(value);
    if (result.success) return { ok: true, value: result.data };
    const issue = result.error.issues[0];
    return { ok: false, reason: `${what}: ${issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "invalid"}` };
}

// ---- CircleCI: workflow-completed ----------------------------------------------------------------------

// Only the fields acted on; CircleCI's payloads are open maps that gain fields without notice.
const workflowCompleted = z.object({
    id: z.string().check(z.minLength(1), z.maxLength(100)),
    happened_at: z.iso.datetime({ offset: true }),
    // The link goes into comments as Markdown: a web address, or nothing.
    workflow: z.object({
        id: z.string().check(z.minLength(1), z.maxLength(100)),
        name: z.string(),
        status: z.string(),
        url: z.string().check(z.regex(/^https?:\/\/[^\s()<>]+$/)),
    }),
    pipeline: z.object({
        id: z.string(),
        number: z.number(),
        // Absent for GitLab and GitHub App projects, which this controller does not serve.
        vcs: z.optional(z.object({ revision: z.string().check(z.regex(/^[0-9a-f]{40}$/)), branch: z.optional(z.string()) })),
    }),
    project: z.object({ slug: z.string() }),
});

export type WorkflowCompleted = z.infer<typeof workflowCompleted>;

export function parseWorkflowCompleted(value: unknown): Parsed<WorkflowCompleted> {
    return parseWith(workflowCompleted, value, "workflow-completed payload");
}

/** A terminal workflow status as this controller reads it. */
export type DeployResult = "succeeded" | "failed";

/** `unauthorized` (a restricted context refused the job) means the deploy did not happen: a failure too. */
export function deployResultOf(status: string): DeployResult | undefined {
    if (status === "success") return "succeeded";
    if (["failed", "error", "canceled", "unauthorized"].includes(status)) return "failed";
    return undefined;
}

// ---- GitHub: issue_comment -----------------------------------------------------------------------------

/** A GitHub login; GitHub App bots carry a `[bot]` suffix. Checked before a login is ever written into a comment. */
export const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/;

const issueComment = z.object({
    action: z.string(),
    issue: z.object({ number: z.number().check(z.int(), z.positive()) }),
    comment: z.object({
        id: z.number().check(z.int(), z.positive()),
        body: z.nullable(z.string()),
        // Signed with the body: what replay protection and the age limit rest on.
        created_at: z.iso.datetime({ offset: true }),
        user: z.object({ login: z.string().check(z.regex(GITHUB_LOGIN)), type: z.string() }),
    }),
    repository: z.object({ name: z.string(), owner: z.object({ login: z.string() }) }),
});

export type IssueCommentEvent = z.infer<typeof issueComment>;

export function parseIssueComment(value: unknown): Parsed<IssueCommentEvent> {
    return parseWith(issueComment, value, "issue_comment payload");
}

export interface SlashCommand {
    readonly mode: "release" | "rollback";
    readonly env: string;
}

/** Why a command was refused before anything was read or written; it never repeats what was typed. */
export interface RefusedCommand {
    readonly refused: string;
}

export const NOT_A_STACK_NAME =
    "the environment argument is not an environment stack name (staging, demo, prod, <client>-staging, <client>-prod)";

/**
 * `/conveyor release <env>` or `/conveyor rollback <env>`, alone on its one line; anything else is chat. The
 * environment must have the grammar of a stack name before anything is done with it: it ends up in comments
 * and in API paths.
 */
export function parseSlashCommand(body: string | null): SlashCommand | RefusedCommand | undefined {
    const m = /^\/conveyor[ \t]+(release|rollback)[ \t]+(\S+)$/.exec((body ?? "").trim());
    if (!m) return undefined;
    if (!isEnvironmentName(m[2])) return { refused: NOT_A_STACK_NAME };
    return { mode: m[1] as SlashCommand["mode"], env: m[2] };
}

export const isRefused = (c: SlashCommand | RefusedCommand): c is RefusedCommand => "refused" in c;

/** A GitHub App or other bot account: their commands run only when configured (`commandBots`). */
export function isBot(user: { readonly login: string; readonly type: string }): boolean {
    return user.type === "Bot" || user.login.endsWith("[bot]");
}

/**
 * GitHub's collaborator permission answer: `permission` folds maintain into write and custom roles into
 * their base, `role_name` names the role itself; either is enough to say "may push".
 */
export function canWrite(answer: { readonly permission?: string; readonly role_name?: string }): boolean {
    return ["admin", "write"].includes(answer.permission ?? "") || ["admin", "maintain", "write"].includes(answer.role_name ?? "");
}
