// `pulumi preview --json` with the engine's event log beside it: the JSON has the steps, the event log has
// the policy events (the JSON carries none). `--event-log` exists only with PULUMI_DEBUG_COMMANDS=true.
import * as fs from "node:fs";
import * as path from "node:path";
import { readEvents, type ProjectCopy, type Ran } from "./harness";

export interface PreviewStep {
    readonly op: string;
    readonly urn: string;
    readonly diffReasons?: string[];
    readonly replaceReasons?: string[];
    readonly oldState?: { readonly inputs?: Record<string, unknown> };
    readonly newState?: { readonly inputs?: Record<string, unknown> };
}

export interface PreviewDoc {
    readonly steps?: PreviewStep[];
    readonly changeSummary?: Record<string, number>;
    readonly diagnostics?: Array<{ message?: string; severity?: string; urn?: string }>;
}

export interface PolicyEvent {
    readonly policyName: string;
    readonly policyPackName: string;
    readonly enforcementLevel: string;
    readonly message: string;
    readonly resourceUrn?: string;
}

export const previewSteps = (doc: PreviewDoc): PreviewStep[] => doc.steps ?? [];

export function policyEvents(events: ReadonlyArray<Record<string, unknown>>): PolicyEvent[] {
    return events.map((e) => e.policyEvent as PolicyEvent | undefined).filter((e): e is PolicyEvent => e !== undefined);
}

let counter = 0;

/** Runs the preview; any exit code comes back to the caller, who judges it. */
export async function preview(
    p: ProjectCopy,
    stack: string,
    args: readonly string[] = [],
    expect: readonly number[] | "any" = "any",
    env: NodeJS.ProcessEnv = {},
): Promise<{ doc: PreviewDoc; events: Array<Record<string, unknown>>; ran: Ran; jsonFile: string; eventsFile: string }> {
    counter += 1;
    const base = path.join(path.dirname(p.dir), `preview-${stack}-${counter}`);
    const eventsFile = `${base}.events.jsonl`;
    const jsonFile = `${base}.json`;
    const ran = await p.pulumi(["preview", "--json", "--event-log", eventsFile, ...args], {
        stack,
        expect,
        env: { PULUMI_DEBUG_COMMANDS: "true", ...env },
    });
    fs.writeFileSync(jsonFile, ran.stdout);
    let doc: PreviewDoc;
    try {
        doc = JSON.parse(ran.stdout) as PreviewDoc;
    } catch {
        throw new Error(`pulumi preview printed no JSON (exit ${ran.code}):\n${ran.stdout.slice(0, 2000)}\n${ran.stderr.slice(-4000)}`);
    }
    return { doc, events: readEvents(eventsFile), ran, jsonFile, eventsFile };
}
