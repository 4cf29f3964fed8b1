/**
 * A loopback fake of Slack incoming webhooks: POST /services/<team>/<bot>/<secret> with a JSON message. It
 * checks what Slack checks (https://api.slack.com/messaging/webhooks, Block Kit reference) and answers in
 * Slack's words: 200 `ok`, 400 `invalid_payload` / `invalid_blocks` / `no_text`, 404 `no_service` for a
 * webhook it does not know. It keeps every message it took, per webhook, and lets tests inject faults.
 *
 *   const slack = await startFakeSlack(["releases", "billing"]);
 *   slackAnnouncer({ urls: slack.urls, warn })
 *   slack.messages("releases")  // what reached the channel
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { listenOnLoopback, LoopbackFake, readBody, type LoggedRequest } from "./loopback";
export type { FaultResponse } from "./loopback";

export interface SlackBlock {
    readonly type: string;
    readonly text?: { readonly type: string; readonly text: string };
    readonly elements?: readonly { readonly type: string; readonly text: string }[];
}

export interface TakenMessage {
    readonly text: string;
    readonly blocks: readonly SlackBlock[];
}

const BLOCK_KEYS: Record<string, readonly string[]> = {
    header: ["type", "text", "block_id"],
    section: ["type", "text", "block_id", "fields", "accessory"],
    context: ["type", "elements", "block_id"],
    divider: ["type", "block_id"],
};

/** Why Slack would refuse the message, or undefined when it takes it. Exported for the fake's own test. */
export function blockProblems(payload: unknown): string | undefined {
    if (!payload || typeof payload !== "object" || Array.isArray(payload)) return "invalid_payload";
    const p = payload as { text?: unknown; blocks?: unknown };
    const keys = Object.keys(p).filter((k) => !["text", "blocks", "unfurl_links", "unfurl_media"].includes(k));
    if (keys.length > 0) return `invalid_payload: unexpected ${keys.join(", ")}`;
    // Slack takes blocks without text, but then notifications and old clients show nothing: we require it.
    if (typeof p.text !== "string" || p.text.trim() === "") return "no_text";
    if (p.text.length > 40_000) return "invalid_payload: text over 40000";
    if (p.blocks === undefined) return undefined;
    if (!Array.isArray(p.blocks)) return "invalid_blocks";
    if (p.blocks.length > 50) return `invalid_blocks: ${p.blocks.length} blocks (at most 50)`;
    for (const [i, b] of (p.blocks as SlackBlock[]).entries()) {
        const allowed = BLOCK_KEYS[b?.type];
        if (!allowed) return `invalid_blocks: block ${i} has unknown type ${JSON.stringify(b?.type)}`;
        const extra = Object.keys(b).filter((k) => !allowed.includes(k));
        if (extra.length > 0) return `invalid_blocks: block ${i} (${b.type}) has ${extra.join(", ")}`;
        if (b.type === "header") {
            if (b.text?.type !== "plain_text" || typeof b.text.text !== "string" || b.text.text === "")
                return `invalid_blocks: header ${i} needs plain_text`;
            if (b.text.text.length > 150) return `invalid_blocks: header ${i} over 150 characters`;
        }
        if (b.type === "section") {
            if (!b.text || !["mrkdwn", "plain_text"].includes(b.text.type) || typeof b.text.text !== "string" || b.text.text === "")
                return `invalid_blocks: section ${i} needs text`;
            if (b.text.text.length > 3000) return `invalid_blocks: section ${i} text is ${b.text.text.length} characters (at most 3000)`;
        }
        if (b.type === "context") {
            if (!Array.isArray(b.elements) || b.elements.length === 0 || b.elements.length > 10)
                return `invalid_blocks: context ${i} needs 1-10 elements`;
            for (const e of b.elements)
                if (!["mrkdwn", "plain_text"].includes(e.type) || typeof e.text !== "string" || e.text.length > 3000)
                    return `invalid_blocks: context ${i} has a bad element`;
        }
    }
    return undefined;
}

export class FakeSlack extends LoopbackFake<LoggedRequest> {
    private readonly taken = new Map<string, TakenMessage[]>();
    /** Every refusal, with Slack's reason: a test asserts there is none. */
    readonly refusals: string[] = [];

    constructor(
        server: Server,
        readonly origin: string,
        private readonly secrets: ReadonlyMap<string, string>,
    ) {
        super(server);
    }

    /** Webhook name -> its URL, as the sender is given them. */
    get urls(): ReadonlyMap<string, string> {
        return new Map(
            [...this.secrets].map(([name, secret]) => [name, `${this.origin}/services/T0CONVEYOR/B0${name.toUpperCase()}/${secret}`]),
        );
    }

    /** What reached the webhook's channel, oldest first. */
    messages(name: string): readonly TakenMessage[] {
        return this.taken.get(name) ?? [];
    }

    /** Every message taken, on every webhook. */
    get total(): number {
        return [...this.taken.values()].reduce((n, l) => n + l.length, 0);
    }

    protected isRead(): boolean {
        return false;
    }

    protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
        const raw = await readBody(req);
        const method = req.method ?? "GET";
        const path = new URL(req.url ?? "/", this.origin).pathname;
        const entry: LoggedRequest = { method, path, url: path, status: 0, faulted: false };
        const fault = this.takeFault(method, path);
        const reply = fault
            ? {
                  status: fault.response.status,
                  headers: fault.response.headers,
                  text: typeof fault.response.body === "string" ? fault.response.body : JSON.stringify(fault.response.body ?? ""),
              }
            : this.answer(method, path, raw, req.headers["content-type"]);
        entry.faulted = fault !== undefined;
        entry.status = reply.status;
        this.requests.push(entry);
        res.writeHead(reply.status, { "content-type": "text/html", ...reply.headers });
        res.end(reply.text);
    }

    private answer(
        method: string,
        path: string,
        raw: string,
        contentType: string | undefined,
    ): { status: number; headers?: Record<string, string>; text: string } {
        const refuse = (status: number, why: string) => {
            this.refusals.push(`${method} ${path}: ${why}`);
            return { status, text: why.split(":")[0] };
        };
        const m = /^\/services\/T0CONVEYOR\/B0[A-Z0-9-]+\/([A-Za-z0-9]+)$/.exec(path);
        const name = m ? [...this.secrets].find(([, s]) => s === m[1])?.[0] : undefined;
        if (method !== "POST" || name === undefined) return refuse(404, "no_service");
        if (!contentType?.startsWith("application/json")) return refuse(400, "invalid_payload: not JSON");
        let payload: unknown;
        try {
            payload = JSON.parse(raw);
        } catch {
            return refuse(400, "invalid_payload: not JSON");
        }
        const problem = blockProblems(payload);
        if (problem) return refuse(400, problem);
        const list = this.taken.get(name) ?? [];
        list.push(payload as TakenMessage);
        this.taken.set(name, list);
        return { status: 200, text: "ok" };
    }
}

/** A fake with one incoming webhook per name, each with its own random secret path. */
export async function startFakeSlack(names: readonly string[]): Promise<FakeSlack> {
    const { server, origin } = await listenOnLoopback();
    const secrets = new Map(names.map((n, i) => [n, `${i}x${Math.random().toString(36).slice(2, 14)}`]));
    return new FakeSlack(server, origin, secrets);
}
