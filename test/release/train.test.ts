import * as assert from "node:assert/strict";
import { parseWorkspace } from "../../config";
import { localDay, runTrain, trainAt } from "../../release/train";
import { ReleaseInputError } from "../../release/release";
import { startWorld } from "../release-world";
import { fixtureFiles, withValue } from "../workspace-fixture";

const ws = parseWorkspace(fixtureFiles());
const due = (iso: string) =>
    trainAt(ws.environments, new Date(iso), "Europe/Paris")
        .filter((d) => d.due)
        .map((d) => d.env);

describe("the release train", () => {
    it("runs staging every weekday, demo on Friday, prod on Monday, in train order", () => {
        assert.deepEqual(due("2026-12-04T07:00:00+01:00"), ["staging", "demo"], "Friday");
        assert.deepEqual(due("2026-11-30T07:00:00+01:00"), ["staging", "prod"], "Monday");
        assert.deepEqual(due("2026-12-02T07:00:00+01:00"), ["staging"], "Wednesday");
        assert.deepEqual(due("2026-12-05T07:00:00+01:00"), [], "Saturday");
    });

    it("judges the day in the configured time zone, not UTC", () => {
        // 23:30 UTC on Sunday is already Monday in Paris.
        assert.deepEqual(localDay(new Date("2026-11-29T23:30:00Z"), "Europe/Paris"), { weekday: "monday", date: "2026-11-30" });
        assert.deepEqual(due("2026-11-29T23:30:00Z"), ["staging", "prod"]);
    });

    it("skips an environment inside a freeze window, both ends included, and says why", () => {
        const monday = trainAt(ws.environments, new Date("2026-12-21T07:00:00+01:00"), "Europe/Paris");
        assert.deepEqual(
            monday.find((d) => d.env === "prod"),
            { env: "prod", due: false, reason: "frozen from 2026-12-20 to 2027-01-07: Year-end freeze" },
        );
        assert.deepEqual(
            monday.find((d) => d.env === "staging"),
            { env: "staging", due: true },
        );
        assert.equal(
            trainAt(ws.environments, new Date("2027-01-04T07:00:00+01:00"), "Europe/Paris").find((d) => d.env === "prod")!.due,
            false,
            "last Monday of the freeze",
        );
        assert.equal(
            trainAt(ws.environments, new Date("2027-01-11T07:00:00+01:00"), "Europe/Paris").find((d) => d.env === "prod")!.due,
            true,
        );
    });

    it("does not release prod on the first or the last day of its freeze window, and does on the next Monday", () => {
        const freeze = [{ from: "2026-12-14", to: "2026-12-21", reason: "Audit" }];
        const envs = parseWorkspace(
            withValue("Pulumi.prod.yaml", ["config", "conveyor:environment", "release", "freeze"], freeze),
        ).environments;
        const prodOn = (iso: string) => trainAt(envs, new Date(iso), "Europe/Paris").find((d) => d.env === "prod")!;
        assert.deepEqual(prodOn("2026-12-14T07:00:00+01:00"), {
            env: "prod",
            due: false,
            reason: "frozen from 2026-12-14 to 2026-12-21: Audit",
        });
        assert.deepEqual(prodOn("2026-12-21T07:00:00+01:00"), {
            env: "prod",
            due: false,
            reason: "frozen from 2026-12-14 to 2026-12-21: Audit",
        });
        assert.deepEqual(prodOn("2026-12-07T07:00:00+01:00"), { env: "prod", due: true }, "the Monday before");
        assert.deepEqual(prodOn("2026-12-28T07:00:00+01:00"), { env: "prod", due: true }, "the Monday after");
    });

    it("explains an environment that is not due today", () => {
        const wed = trainAt(ws.environments, new Date("2026-12-02T07:00:00+01:00"), "Europe/Paris");
        assert.equal(wed.find((d) => d.env === "demo")!.reason, "releases on friday, not wednesday");
        const saturday = trainAt(ws.environments, new Date("2026-12-05T07:00:00+01:00"), "Europe/Paris");
        assert.equal(
            saturday.find((d) => d.env === "staging")!.reason,
            "releases on monday, tuesday, wednesday, thursday, friday, not saturday",
        );
    });

    it("refuses to run without the org file, which holds its time zone, before any request", async function () {
        this.timeout(60_000);
        const w = await startWorld();
        try {
            await assert.rejects(
                runTrain({ ...w.deps(), workspace: { ...w.workspace, org: undefined } }, new Date("2026-12-04T06:00:00Z"), false),
                (e: Error) =>
                    e instanceof ReleaseInputError && e.message === "Pulumi.org.yaml: file not found (it holds the train's time zone)",
            );
            assert.equal(w.github.requests.length + w.circle.requests.length, 0);
        } finally {
            await w.close();
        }
    });
});
