// A status input over the frozen workspace (staging, demo, prod; six services), for the pure tests of the
// matrix and its renderers: CI four builds ahead of staging, an open release-demo PR, a merged release-staging
// PR not deployed yet, a drift issue on prod, and prod frozen over the year end.
import { parseWorkspace, type Workspace } from "../../config";
import { buildStatus, type EnvironmentFacts, type StatusInput, type StatusMatrix } from "../../status/model";
import { fixtureFiles } from "../workspace-fixture";

export const REDIRECT = "https://go.acme-saas.example/acme-saas/ops/issues";

export function workspace(): Workspace {
    return parseWorkspace(fixtureFiles());
}

export function statusInput(over: Partial<StatusInput> = {}, ws = workspace()): StatusInput {
    const running = new Map(ws.environments.map((e) => [e.stack, e.versions]));
    const staging = running.get("staging")!;
    const ci = new Map([...staging].map(([c, v]) => [c, v + 4]));
    const facts = new Map<string, EnvironmentFacts>([
        [
            "staging",
            {
                notDeployed: { number: 41, url: `${REDIRECT}/41`, versions: new Map([["billing", staging.get("billing")!]]) },
                lastDeployed: { number: 38, url: `${REDIRECT}/38`, mergedAt: "2026-11-30T08:10:00Z" },
            },
        ],
        [
            "demo",
            {
                openPr: { number: 42, url: `${REDIRECT}/42`, versions: new Map([["web", staging.get("web")!]]) },
                lastDeployed: { number: 35, url: `${REDIRECT}/35`, mergedAt: "2026-11-27T09:00:00Z" },
            },
        ],
        ["prod", { drift: { number: 40, url: `${REDIRECT}/40` } }],
    ]);
    return {
        catalog: ws.catalog,
        environments: ws.environments,
        running,
        ci: { versions: ci, missing: new Map() },
        revisions: new Map([
            [`billing#${staging.get("billing")}`, "a".repeat(40)],
            [`billing#${ci.get("billing")}`, "b".repeat(40)],
        ]),
        facts,
        // Wednesday 2 December 2026, 10:00 in Paris: after the train's hour (7).
        now: new Date("2026-12-02T09:00:00Z"),
        timeZone: "Europe/Paris",
        trainHour: 7,
        linkBase: "https://go.acme-saas.example",
        owner: "acme-saas",
        ...over,
    };
}

export function matrix(over: Partial<StatusInput> = {}): StatusMatrix {
    return buildStatus(statusInput(over));
}

/** The same input without anything GitHub or CircleCI would say. */
export function offlineMatrix(): StatusMatrix {
    return matrix({ ci: undefined, facts: undefined, revisions: undefined });
}
