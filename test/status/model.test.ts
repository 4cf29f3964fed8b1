// The status matrix, pure: rows, columns, what each cell says, and when each train leaves.
import * as assert from "node:assert/strict";
import { buildStatus, nextTrain, renderJson, STATUS_SCHEMA, type Cell } from "../../status/model";
import type { StatusSection } from "../../status/section";
import { matrix, offlineMatrix, REDIRECT, statusInput } from "./status-input";

const cell = (component: string, env: string): Cell => {
    const row = matrix().components.find((c) => c.name === component);
    const found = row?.cells.find((c) => c.env === env);
    if (!found) throw new Error(`no cell ${component}/${env}`);
    return found;
};

describe("status matrix (pure)", function () {
    it("has one row per service in catalog order and one column per environment in train order", () => {
        const m = matrix();
        assert.equal(m.schema, STATUS_SCHEMA);
        assert.deepEqual(
            m.components.map((c) => c.name),
            ["marketplace", "billing", "web", "erp-connector", "gateway", "notifications"],
        );
        assert.deepEqual(
            m.environments.map((e) => e.name),
            ["staging", "demo", "prod"],
        );
        for (const c of m.components)
            assert.deepEqual(
                c.cells.map((x) => x.env),
                ["staging", "demo", "prod"],
            );
    });

    it("puts the latest green CI build first and each stack file's build in its cell", () => {
        const billing = matrix().components.find((c) => c.name === "billing")!;
        assert.equal(billing.ci, 877);
        assert.deepEqual(
            billing.cells.map((c) => c.running),
            [873, 866, 860],
        );
    });

    it("counts builds behind the environment's own release source (CI, or the environment it copies)", () => {
        assert.deepEqual([cell("billing", "staging").source, cell("billing", "staging").behind], [877, 4]);
        assert.deepEqual([cell("billing", "demo").source, cell("billing", "demo").behind], [873, 7]);
        assert.deepEqual([cell("billing", "prod").source, cell("billing", "prod").behind], [866, 6]);
    });

    it("is level, not negative, when an environment runs a newer build than its source", () => {
        const input = statusInput();
        const demo = new Map(input.running.get("demo"));
        demo.set("billing", 900);
        const m = buildStatus({ ...input, running: new Map([...input.running, ["demo", demo]]) });
        const prod = m.components.find((c) => c.name === "billing")!.cells.find((c) => c.env === "prod")!;
        assert.equal(prod.behind, 40);
        const demoCell = m.components.find((c) => c.name === "billing")!.cells.find((c) => c.env === "demo")!;
        assert.deepEqual([demoCell.running, demoCell.behind, demoCell.compareUrl], [900, 0, null]);
    });

    it("links the changes running -> source as a GitHub compare view through the redirector when both commits are known", () => {
        assert.equal(
            cell("billing", "staging").compareUrl,
            `https://go.acme-saas.example/acme-saas/billing-service/compare/${"a".repeat(40)}...${"b".repeat(40)}`,
        );
        assert.equal(cell("web", "staging").compareUrl, null);
    });

    it("shows the build an open release PR brings, with the PR, only where it changes something", () => {
        assert.deepEqual(cell("web", "demo").pending, { build: 2290, pr: 42, url: `${REDIRECT}/42` });
        assert.equal(cell("billing", "demo").pending, null);
        assert.equal(cell("web", "staging").pending, null);
        assert.deepEqual(matrix().environments[1].releasePr, { number: 42, url: `${REDIRECT}/42` });
    });

    it("marks the builds a merged release PR brought while it is not deployed, and nothing else", () => {
        assert.equal(cell("billing", "staging").notDeployed, true);
        assert.equal(cell("web", "staging").notDeployed, false);
        assert.equal(cell("billing", "demo").notDeployed, false);
        assert.deepEqual(matrix().environments[0].notDeployed, { number: 41, url: `${REDIRECT}/41` });
    });

    it("marks every cell of an environment with an open drift issue", () => {
        const m = matrix();
        assert.ok(m.components.every((c) => c.cells.find((x) => x.env === "prod")!.drift));
        assert.ok(m.components.every((c) => !c.cells.find((x) => x.env === "demo")!.drift));
        assert.deepEqual(m.environments[2].drift, { number: 40, url: `${REDIRECT}/40` });
    });

    it("says when each train leaves and the last deploy; prod's freeze window holds it back to January", () => {
        const [staging, demo, prod] = matrix().environments;
        // Wednesday 10:00 in Paris, after the 7:00 train: staging's next train is Thursday.
        assert.deepEqual(staging.nextTrain, { date: "2026-12-03", weekday: "thursday" });
        assert.deepEqual(demo.nextTrain, { date: "2026-12-04", weekday: "friday" });
        assert.deepEqual(prod.nextTrain, { date: "2026-12-07", weekday: "monday" });
        assert.equal(prod.frozen, null);
        const later = matrix({ now: new Date("2026-12-15T12:00:00Z") }).environments[2];
        assert.deepEqual(later.nextTrain, { date: "2027-01-11", weekday: "monday" });
        assert.deepEqual(later.frozen, { from: "2026-12-20", to: "2027-01-07", reason: "Year-end freeze" });
        assert.deepEqual(staging.lastDeploy, { pr: 38, url: `${REDIRECT}/38`, mergedAt: "2026-11-30T08:10:00Z" });
        assert.equal(prod.lastDeploy, null);
    });

    it("offline: stack files only, no CI column, no marks", () => {
        const m = offlineMatrix();
        assert.equal(m.offline, true);
        assert.ok(m.components.every((c) => c.ci === null));
        const staging = m.components.find((c) => c.name === "billing")!.cells[0];
        assert.deepEqual(
            [staging.running, staging.source, staging.behind, staging.pending, staging.notDeployed, staging.drift],
            [873, null, 0, null, false, false],
        );
        // Between environments, the source is still known from the stack files.
        assert.equal(m.components.find((c) => c.name === "billing")!.cells[1].behind, 7);
    });

    it("--json is the matrix, plus each appended section under its id", () => {
        const extra: StatusSection = {
            id: "extra",
            title: "Extra",
            text: () => [],
            markdown: () => "",
            html: () => "",
            json: () => ({ answer: 42 }),
        };
        const parsed = JSON.parse(renderJson(matrix(), [extra])) as Record<string, unknown>;
        assert.deepEqual(parsed.extra, { answer: 42 });
        assert.deepEqual(Object.keys(parsed).slice(0, 6), ["schema", "generatedAt", "offline", "timeZone", "environments", "components"]);
    });
});

describe("nextTrain", function () {
    const week = { days: ["monday", "wednesday"] as const, freeze: [] };
    const at = (iso: string) => nextTrain({ days: [...week.days], freeze: week.freeze }, new Date(iso), "Europe/Paris", 7);

    it("is today before the train's hour, and the next train day from the hour on", () => {
        assert.equal(at("2026-12-02T05:59:00Z")?.date, "2026-12-02"); // 06:59 in Paris, a Wednesday
        assert.equal(at("2026-12-02T06:00:00Z")?.date, "2026-12-07"); // 07:00: it has left
    });

    it("counts days in the train's time zone across a daylight-saving change", () => {
        // Sunday 29 March 2026, 23:30 in Paris (21:30Z, after the clocks went forward): Monday is next.
        assert.equal(at("2026-03-29T21:30:00Z")?.date, "2026-03-30");
    });

    it("skips train days inside a freeze window (both ends included) and names the window", () => {
        const freeze = [{ from: "2026-12-07", to: "2026-12-09", reason: "Audit" }];
        const next = nextTrain({ days: ["monday", "wednesday"], freeze }, new Date("2026-12-03T12:00:00Z"), "Europe/Paris", 7);
        assert.deepEqual(next, {
            date: "2026-12-14",
            weekday: "monday",
            frozen: { from: "2026-12-07", to: "2026-12-09", reason: "Audit" },
        });
    });

    it("is null when a freeze covers every train day of the coming year", () => {
        const freeze = [{ from: "2026-01-01", to: "2028-01-01", reason: "Forever" }];
        assert.equal(nextTrain({ days: ["monday"], freeze }, new Date("2026-12-03T12:00:00Z"), "Europe/Paris", 7), null);
    });
});
