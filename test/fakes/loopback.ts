// Pieces both loopback fakes (GitHub, CircleCI) share: node:http helpers and fault injection types.
import type { IncomingMessage } from "node:http";

export function readBody(req: IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        req.on("data", (chunk: Buffer) => chunks.push(chunk));
        req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
        req.on("error", reject);
    });
}

export function delay(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

export function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

export interface FaultMatch {
    /** Case-insensitive; any method when omitted. */
    method?: string;
    /** Tested against the request path without the query string; any path when omitted. */
    path?: RegExp;
}

export interface FaultResponse {
    status: number;
    headers?: Record<string, string>;
    /** JSON-encoded unless a string (sent as is). */
    body?: unknown;
}

export interface Fault {
    readonly match: FaultMatch;
    readonly response: FaultResponse;
    /** How many more matching requests this fault will answer. */
    remaining: number;
}
