import * as assert from "node:assert/strict";
import { parseWorkspace } from "../../config";
import { planRelease, versionChanges } from "../../release/plan";
import { fixtureFiles } from "../workspace-fixture";

const ws = parseWorkspace(fixtureFiles());
const env = (name: string) => ws.environments.find((e) => e.stack === name)!;
const offered = (o: Record<string, number>) => new Map(Object.entries(o));

describe("release plan", () => {
    it("bumps what the source has newer, leaves equal ones, reports what it lacks", () => {
        const plan = planRelease({
            target: env("prod"),
            catalog: ws.catalog,
            source: "demo",
            offered: offered({ marketplace: 1398, billing: 860, web: 2271, "erp-connector": 451, gateway: 316 }),
        });
        assert.deepEqual(plan.bumps, [
            { component: "marketplace", repo: "marketplace-backend", from: 1380, to: 1398 },
            { component: "web", repo: "web-frontend", from: 2255, to: 2271 },
            { component: "erp-connector", repo: "erp-connector", from: 447, to: 451 },
            { component: "gateway", repo: "api-gateway", from: 311, to: 316 },
        ]);
        assert.deepEqual(plan.unchanged, ["billing"]);
        assert.deepEqual(plan.skipped, [{ component: "notifications", reason: "not in demo" }]);
        assert.deepEqual(
            [...versionChanges(plan)],
            [
                ["marketplace", 1398],
                ["web", 2271],
                ["erp-connector", 451],
                ["gateway", 316],
            ],
        );
    });

    it("never lowers a version, and says so", () => {
        const plan = planRelease({ target: env("prod"), catalog: ws.catalog, source: "demo", offered: offered({ billing: 850 }) });
        assert.deepEqual(plan.bumps, []);
        assert.match(
            plan.skipped.find((s) => s.component === "billing")!.reason,
            /demo has 850, older than the running 860; a release never lowers a version/,
        );
    });

    it("a rollback may lower", () => {
        const plan = planRelease({
            target: env("prod"),
            catalog: ws.catalog,
            source: "rollback",
            offered: offered({ billing: 850 }),
            allowLower: true,
        });
        assert.deepEqual(plan.bumps, [{ component: "billing", repo: "billing-service", from: 860, to: 850 }]);
    });

    it("from ci, considers every service of the catalog and passes on why one has no build", () => {
        const plan = planRelease({
            target: env("staging"),
            catalog: ws.catalog,
            source: "ci",
            offered: offered({ marketplace: 1420 }),
            missingReasons: new Map([["web", "no green pipeline on main in the last 10 pages"]]),
        });
        assert.deepEqual(
            plan.bumps.map((b) => b.component),
            ["marketplace"],
        );
        assert.deepEqual(
            plan.skipped.find((s) => s.component === "web"),
            { component: "web", reason: "no green pipeline on main in the last 10 pages" },
        );
        assert.equal(plan.skipped.length, 5, "ops is a repository, never a release candidate");
    });

    it("adds a service the environment does not run yet", () => {
        const plan = planRelease({
            target: { ...env("prod"), versions: new Map([["web", 2255]]) },
            catalog: ws.catalog,
            source: "demo",
            offered: offered({ web: 2255, billing: 866 }),
        });
        assert.deepEqual(plan.bumps, [{ component: "billing", repo: "billing-service", from: undefined, to: 866 }]);
    });

    it("from a stack, says nothing of a service neither side runs; from ci, reports every service without a build", () => {
        const target = { ...env("prod"), versions: new Map([["web", 2255]]) };
        const fromDemo = planRelease({ target, catalog: ws.catalog, source: "demo", offered: offered({ web: 2271 }) });
        assert.deepEqual(fromDemo.skipped, [], "billing, gateway… run nowhere here: nothing to say");
        assert.deepEqual(fromDemo.bumps, [{ component: "web", repo: "web-frontend", from: 2255, to: 2271 }]);
        const fromCi = planRelease({ target, catalog: ws.catalog, source: "ci", offered: offered({ web: 2271 }) });
        assert.deepEqual(
            fromCi.skipped.map((s) => s.component),
            ["marketplace", "billing", "erp-connector", "gateway", "notifications"],
        );
    });
});
