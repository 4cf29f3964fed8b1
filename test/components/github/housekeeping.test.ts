// Label renames and weekly milestones: the pure plans, and the dynamic providers over real HTTP against
// the loopback fake GitHub, including after Pulumi's serialisation of the provider.
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { labelRenamesProvider, planRenames, type LabelRename } from "../../../components/github/label-renames";
import { isoWeek, weeklyMilestones, type Milestone } from "../../../components/github/milestones";
import { planMilestones, weeklyMilestonesProvider } from "../../../components/github/weekly-milestones";
import { faults, startFakeGitHub, type FakeGitHub } from "../../fakes/github";
import { reviveSerialized } from "../../commonjs";

const rename = (to: string, ...from: string[]): LabelRename => ({ to, from, color: "B60205", description: `${to} label` });

describe("planRenames", () => {
    it("renames an old label that exists to a target that does not", () => {
        assert.deepEqual(planRenames([{ name: "bug" }, { name: "wontfix" }], [rename("type/bug", "bug")]), [
            { from: "bug", to: "type/bug", color: "B60205", description: "type/bug label" },
        ]);
    });

    it("matches names without case, as GitHub does, and keeps the live spelling", () => {
        assert.deepEqual(
            planRenames([{ name: "Bug" }], [rename("type/bug", "bug")]).map((o) => o.from),
            ["Bug"],
        );
    });

    it("does nothing when the target exists already (a rerun, or a repository set up by hand)", () => {
        assert.deepEqual(planRenames([{ name: "bug" }, { name: "type/bug" }], [rename("type/bug", "bug")]), []);
        assert.deepEqual(planRenames([{ name: "TYPE/BUG" }], [rename("type/bug", "bug")]), []);
    });

    it("does nothing when no old name exists", () => {
        assert.deepEqual(planRenames([{ name: "question" }], [rename("type/bug", "bug", "defect")]), []);
    });

    it("takes the first old name present, and each old label once", () => {
        const ops = planRenames(
            [{ name: "defect" }, { name: "bug" }],
            [rename("type/bug", "bug", "defect"), rename("type/defect", "defect")],
        );
        assert.deepEqual(
            ops.map((o) => [o.from, o.to]),
            [
                ["bug", "type/bug"],
                ["defect", "type/defect"],
            ],
        );
    });
});

describe("weekly milestones: calendar", () => {
    it("numbers ISO weeks across year ends", () => {
        assert.deepEqual(isoWeek(Date.UTC(2026, 11, 31)), { year: 2026, week: 53 });
        assert.deepEqual(isoWeek(Date.UTC(2027, 0, 3)), { year: 2026, week: 53 });
        assert.deepEqual(isoWeek(Date.UTC(2027, 0, 4)), { year: 2027, week: 1 });
        assert.deepEqual(isoWeek(Date.UTC(2024, 11, 30)), { year: 2025, week: 1 });
    });

    it("starts with the current week, each due on its Sunday", () => {
        const weeks = weeklyMilestones(new Date("2026-12-28T09:00:00Z"), 3);
        assert.deepEqual(
            weeks.map((w) => [w.title, w.dueDate]),
            [
                ["2026-W53", "2027-01-03"],
                ["2027-W01", "2027-01-10"],
                ["2027-W02", "2027-01-17"],
            ],
        );
        assert.match(weeks[0].description, /Monday 2026-12-28 to Sunday 2027-01-03/);
        assert.deepEqual(
            weeklyMilestones(new Date("2026-11-29T23:59:00Z"), 1).map((w) => w.title),
            ["2026-W48"],
            "Sunday still belongs to its week",
        );
        assert.deepEqual(weeklyMilestones(new Date(), 0), []);
    });
});

describe("planMilestones", () => {
    const [w48, w49] = weeklyMilestones(new Date("2026-11-23T00:00:00Z"), 2);
    it("creates missing weeks, corrects changed ones, leaves matching and foreign ones alone", () => {
        const existing = [
            { number: 1, title: "2026-W47", description: "old", due_on: "2026-11-22T08:00:00Z" },
            { number: 2, title: w48.title, description: w48.description, due_on: `${w48.dueDate}T07:00:00Z` },
        ];
        assert.deepEqual(planMilestones(existing, [w48, w49]), [{ kind: "create", milestone: w49 }]);
        const moved = [{ ...existing[1], due_on: "2026-11-30T00:00:00Z" }];
        assert.deepEqual(planMilestones(moved, [w48]), [{ kind: "update", number: 2, milestone: w48 }]);
        assert.deepEqual(planMilestones([{ ...existing[1], description: null }], [w48]), [{ kind: "update", number: 2, milestone: w48 }]);
    });
});

describe("dynamic providers against the fake GitHub", function () {
    this.timeout(30_000);
    let fake: FakeGitHub;
    // Unpaced against the fake, which has no secondary limit; the pacing test sets its own.
    const config = (token = "t0ken", more: Record<string, string | undefined> = { "github:writeDelayMs": "0" }) => {
        const values: Record<string, string | undefined> = { "github:token": token, "github:baseUrl": fake.url, ...more };
        const require = (k: string): string => {
            const v = values[k];
            if (v === undefined) throw new Error(`Missing required configuration variable '${k}'`);
            return v;
        };
        return { config: { get: (k: string) => values[k], require } };
    };

    beforeEach(async () => {
        fake = await startFakeGitHub();
        fake.state.token = "t0ken";
    });
    afterEach(() => fake.close());

    describe("LabelRenames", () => {
        it("renames GitHub's defaults in place: the issues keep their label", async () => {
            const repo = fake.state.addRepo("acme/app");
            repo.addLabel("bug", "d73a4a");
            repo.addLabel("enhancement", "a2eeef");
            const issue = repo.addIssue("Crash on save", { labels: ["bug"] });
            await labelRenamesProvider.configure!(config());
            const res = await labelRenamesProvider.create({
                owner: "acme",
                repository: "app",
                renames: [rename("type/bug", "bug"), rename("type/new-feature", "enhancement")],
            });
            assert.equal(res.id, "acme/app");
            assert.deepEqual(res.outs!.renamed, ["bug -> type/bug", "enhancement -> type/new-feature"]);
            assert.deepEqual(repo.issueLabelNames(issue.number), ["type/bug"]);
            assert.equal(repo.label("type/bug")!.color, "B60205");
            assert.equal(repo.label("bug"), undefined);
        });

        it("writes nothing on a rerun", async () => {
            const repo = fake.state.addRepo("acme/app");
            repo.addLabel("bug");
            await labelRenamesProvider.configure!(config());
            const inputs = { owner: "acme", repository: "app", renames: [rename("type/bug", "bug")] };
            const first = await labelRenamesProvider.create(inputs);
            fake.clearRequests();
            const second = await labelRenamesProvider.update!("acme/app", first.outs!, inputs);
            assert.equal(fake.writes(), 0);
            assert.deepEqual(second.outs!.renamed, ["bug -> type/bug"]);
        });

        it("diffs: a new rename updates in place, another repository replaces", async () => {
            const olds = { owner: "acme", repository: "app", renames: [rename("type/bug", "bug")], renamed: [] };
            assert.deepEqual(await labelRenamesProvider.diff!("x", olds, olds), { changes: false, replaces: [] });
            const more = { ...olds, renames: [...olds.renames, rename("topic/api", "api")] };
            assert.deepEqual(await labelRenamesProvider.diff!("x", olds, more), { changes: true, replaces: [] });
            assert.deepEqual(await labelRenamesProvider.diff!("x", olds, { ...olds, repository: "web" }), {
                changes: true,
                replaces: ["repository"],
            });
        });

        it("fails with GitHub's answer when the token is refused, having written nothing", async () => {
            fake.state.addRepo("acme/app").addLabel("bug");
            await labelRenamesProvider.configure!(config("wrong"));
            await assert.rejects(
                labelRenamesProvider.create({ owner: "acme", repository: "app", renames: [rename("type/bug", "bug")] }),
                /Bad credentials/,
            );
            assert.equal(fake.writes(), 0);
            assert.ok(fake.state.repo("acme/app").label("bug"));
        });
    });

    describe("WeeklyMilestones", () => {
        const weeks: Milestone[] = weeklyMilestones(new Date("2026-11-29T10:00:00Z"), 4);

        it("creates the window, adopts a week that exists, and records the numbers", async () => {
            const repo = fake.state.addRepo("acme/app");
            repo.addMilestone(weeks[0].title, { description: weeks[0].description, due_on: `${weeks[0].dueDate}T07:00:00Z` });
            await weeklyMilestonesProvider.configure!(config());
            const res = await weeklyMilestonesProvider.create({ owner: "acme", repository: "app", milestones: weeks });
            assert.deepEqual(
                Object.keys(res.outs!.numbers),
                weeks.map((w) => w.title),
            );
            assert.equal(repo.milestones.length, 4);
            assert.equal(fake.writes(), 3, "the existing week is adopted, not duplicated");
            const w49 = repo.milestones.find((m) => m.title === "2026-W49")!;
            assert.equal(w49.due_on!.slice(0, 10), "2026-12-06");
            assert.equal(res.outs!.numbers["2026-W49"], w49.number);
        });

        it("moves the window a week on: one new milestone, the past one kept", async () => {
            const repo = fake.state.addRepo("acme/app");
            await weeklyMilestonesProvider.configure!(config());
            const first = await weeklyMilestonesProvider.create({ owner: "acme", repository: "app", milestones: weeks });
            const next = weeklyMilestones(new Date("2026-12-06T10:00:00Z"), 4); // Sunday of W49
            fake.clearRequests();
            const news = { owner: "acme", repository: "app", milestones: next };
            assert.equal((await weeklyMilestonesProvider.diff!("acme/app", first.outs!, news)).changes, true);
            await weeklyMilestonesProvider.update!("acme/app", first.outs!, news);
            assert.deepEqual(
                fake.requests.filter((r) => r.method !== "GET").map((r) => r.method),
                ["POST"],
            );
            assert.deepEqual(repo.milestones.map((m) => m.title).sort(), ["2026-W48", "2026-W49", "2026-W50", "2026-W51", "2026-W52"]);
            await weeklyMilestonesProvider.delete!("acme/app", first.outs!);
            assert.equal(repo.milestones.length, 5, "delete keeps planning history");
        });

        it("refresh reports a week deleted on GitHub, and the next update brings it back", async () => {
            const repo = fake.state.addRepo("acme/app");
            await weeklyMilestonesProvider.configure!(config());
            const created = await weeklyMilestonesProvider.create({ owner: "acme", repository: "app", milestones: weeks });
            repo.milestones.splice(
                repo.milestones.findIndex((m) => m.title === "2026-W50"),
                1,
            );
            fake.clearRequests();
            const read = await weeklyMilestonesProvider.read!("acme/app", created.outs);
            assert.equal(fake.reads(), 1, "one list call per refresh");
            assert.deepEqual(
                read.props!.milestones.map((m: Milestone) => m.title),
                ["2026-W48", "2026-W49", "2026-W51"],
            );
            const diff = await weeklyMilestonesProvider.diff!("acme/app", read.props!, {
                owner: "acme",
                repository: "app",
                milestones: weeks,
            });
            assert.equal(diff.changes, true);
            await weeklyMilestonesProvider.update!("acme/app", read.props!, { owner: "acme", repository: "app", milestones: weeks });
            assert.ok(repo.milestones.some((m) => m.title === "2026-W50"));
        });

        it("paces its writes as github:writeDelayMs says, a second apart when unset, refusing a bad value", async () => {
            const took = async (writeDelayMs: string | undefined, owner: string): Promise<number> => {
                fake.state.addRepo(`${owner}/app`);
                await weeklyMilestonesProvider.configure!(config("t0ken", { "github:writeDelayMs": writeDelayMs }));
                const started = Date.now();
                await weeklyMilestonesProvider.create({ owner, repository: "app", milestones: weeks });
                return Date.now() - started;
            };
            // Four milestones: three gaps between their writes.
            const unset = await took(undefined, "paced");
            assert.ok(unset >= 2_900, `octokit's pacing, unset: took ${unset} ms`);
            const zero = await took("0", "acme");
            assert.ok(zero < 2_000, `0: took ${zero} ms`);
            assert.equal(fake.state.repo("acme/app").milestones.length, 4);
            await assert.rejects(
                labelRenamesProvider.configure!(config("t0ken", { "github:writeDelayMs": "1s" })),
                /github:writeDelayMs: "1s" is not a whole number of milliseconds/,
            );
        });

        it("survives a 502 on a read (retried) and converges", async () => {
            const repo = fake.state.addRepo("acme/app");
            fake.fail({ method: "GET", path: /\/milestones$/ }, faults.badGateway(), 1);
            await weeklyMilestonesProvider.configure!(config());
            await weeklyMilestonesProvider.create({ owner: "acme", repository: "app", milestones: weeks.slice(0, 2) });
            assert.equal(repo.milestones.length, 2);
        });
    });

    it("both providers still work after Pulumi serialises them (no captured clients)", async () => {
        const repo = fake.state.addRepo("acme/app");
        repo.addLabel("enhancement");
        for (const [provider, inputs] of [
            [labelRenamesProvider, { owner: "acme", repository: "app", renames: [rename("type/new-feature", "enhancement")] }],
            [
                weeklyMilestonesProvider,
                { owner: "acme", repository: "app", milestones: weeklyMilestones(new Date("2026-11-29T10:00:00Z"), 1) },
            ],
        ] as const) {
            const { text } = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
            assert.doesNotMatch(text, /t0ken/, "no credential is baked into the serialised provider");
            const revived = reviveSerialized<pulumi.dynamic.ResourceProvider>(text);
            await revived.configure!(config());
            await revived.create(inputs);
        }
        assert.ok(repo.label("type/new-feature"));
        assert.equal(repo.milestones.length, 1);
    });
});
