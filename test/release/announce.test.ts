// Release PRs announced on Slack, once per event, over real HTTP against the fakes.
import * as assert from "node:assert/strict";
import { slackAnnouncer } from "../../clients/slack";
import { releasePrKey, releasePrMessage } from "../../release/announce";
import { releaseBranch } from "../../release/pr";
import { runRelease } from "../../release/release";
import { feedbackWorkspace } from "../feedback-world";
import { blockProblems, startFakeSlack, type FakeSlack } from "../fakes/slack";
import { faults } from "../fakes/github";
import { OWNER, startWorld, type World } from "../release-world";

describe("release announcements: the message", () => {
    const plan = {
        env: "staging",
        source: "ci",
        bumps: [
            { component: "billing", repo: "billing-service", from: 41, to: 42 },
            { component: "web<script>", repo: "web", to: 7 },
        ],
    };
    it("says what the PR carries in plain words, escaped, with a text fallback", () => {
        const m = releasePrMessage({ plan, pr: { number: 12, url: "https://github.example/acme/ops/pull/12" }, change: "opened" });
        assert.equal(blockProblems(m), undefined);
        assert.equal(m.text, "Release PR #12 opened for staging: billing 41 → 42, web&lt;script&gt; new at 7");
        assert.deepEqual(
            m.blocks.map((b) => b.type),
            ["header", "section", "section", "context"],
        );
        const all = JSON.stringify(m.blocks);
        assert.ok(
            all.includes("<https://github.example/acme/ops/pull/12|Release PR #12> opened: *2 components* for *staging*, from ci."),
            all,
        );
        assert.ok(all.includes("• *web&lt;script&gt;* new at 7"));
        assert.ok(!all.includes("<script>"));
        const changed = releasePrMessage({ plan, pr: { number: 12, url: "https://x.example/12" }, change: "changed" });
        assert.match(changed.text, /^Release PR #12 updated for staging/);
        assert.deepEqual(m.blocks[0], {
            type: "header",
            text: { type: "plain_text", text: "Release staging: 2 components", emoji: false },
        });
        assert.ok(all.includes("Merging the PR deploys *staging*; the changelog is in the PR."), all);
    });
    it("says one component in the singular, and a rollback as such", () => {
        const one = { env: "prod", source: "rollback", bumps: [{ component: "billing", repo: "billing-service", from: 42, to: 41 }] };
        const m = releasePrMessage({ plan: one, pr: { number: 3, url: "https://x.example/3" }, change: "opened" });
        const all = JSON.stringify(m.blocks);
        assert.ok(all.includes('Release prod: 1 component"'), all);
        assert.ok(all.includes("opened: *1 component* for *prod*, a rollback."), all);
        assert.equal(m.text, "Release PR #3 opened for prod: billing 42 → 41");
    });
    it("lists a release too big for one message up to Slack's limit, then says how many more", () => {
        const bumps = Array.from({ length: 8000 }, (_, i) => ({ component: `svc-${i}`, repo: `svc-${i}`, from: 1, to: 2 }));
        const m = releasePrMessage({
            plan: { env: "staging", source: "ci", bumps },
            pr: { number: 9, url: "https://x.example/9" },
            change: "opened",
        });
        assert.equal(blockProblems(m), undefined);
        const texts = m.blocks.map((b) => JSON.stringify(b));
        const listed = texts.join("").match(/• \*svc-\d+\*/g)!.length;
        assert.ok(listed > 1000 && listed < 8000, `${listed} listed`);
        assert.ok(texts.at(-2)!.includes(`…and ${8000 - listed} more components; see the PR.`), texts.at(-2));
        assert.match(texts.at(-1)!, /Merging the PR deploys/);
    });
    it("keys the event by environment, PR and builds, not by their order", () => {
        const k = releasePrKey("staging", 12, plan.bumps);
        assert.equal(k, releasePrKey("staging", 12, [...plan.bumps].reverse()));
        assert.notEqual(k, releasePrKey("staging", 13, plan.bumps));
        assert.notEqual(k, releasePrKey("staging", 12, [{ ...plan.bumps[0], to: 43 }, plan.bumps[1]]));
    });
});

describe("release announcements against the fakes", function () {
    this.timeout(60_000);
    let w: World;
    let slack: FakeSlack;
    const warnings: string[] = [];
    beforeEach(async () => {
        w = await startWorld({ workspace: feedbackWorkspace(), prsPerComponent: 1 });
        slack = await startFakeSlack(["releases", "prod-releases", "billing"]);
        warnings.length = 0;
        progress.length = 0;
    });
    afterEach(async () => {
        await w.close();
        await slack.close();
    });
    const progress: string[] = [];
    const release = () =>
        runRelease(
            { ...w.deps({ progress }), announcer: slackAnnouncer({ urls: slack.urls, warn: (l) => warnings.push(l), baseMs: 1 }) },
            { env: "staging", mode: "release", dryRun: false },
        );
    const body = () => w.ops.pullIssue(w.ops.pulls.find((p) => p.head === releaseBranch("staging"))!).body ?? "";

    it("announces an opened PR once on the environment's and the changed components' channels; a rerun sends nothing", async () => {
        assert.equal((await release()).status, "opened");
        assert.equal(slack.messages("releases").length, 1);
        assert.equal(slack.messages("billing").length, 1, "billing changed: its own channel hears of it");
        assert.equal(slack.messages("prod-releases").length, 0);
        assert.match(slack.messages("releases")[0].text, /^Release PR #\d+ opened for staging: /);
        assert.match(body(), /\n<!-- conveyor:sent pr-[0-9a-f]{16} -->$/);
        assert.deepEqual(slack.refusals, []);
        assert.ok(
            progress.some((l) => /^release PR #\d+: announced on Slack$/.test(l)),
            progress.join("\n"),
        );

        progress.length = 0;
        assert.equal((await release()).status, "unchanged", "the record of the announcement is not a change of the PR");
        assert.equal(slack.total, 2, "a rerun sends nothing new");
        assert.ok(!progress.some((l) => l.includes("announced")), `a rerun says nothing of Slack:\n${progress.join("\n")}`);
    });

    it("announces again when the builds change, as an update, keeping the record", async () => {
        await release();
        const repo = w.repos.get("web")!;
        w.circle.addPipeline(`gh/${OWNER}/${repo.name}`, {
            number: 9000,
            revision: repo.head("main"),
            workflows: ["success"],
        });
        assert.equal((await release()).status, "updated");
        assert.equal(slack.messages("releases").length, 2);
        assert.match(slack.messages("releases")[1].text, /^Release PR #\d+ updated for staging: .*web \d+ → 9000/);
        assert.equal(slack.messages("billing").length, 2);
        assert.match(body(), /\n<!-- conveyor:sent pr-[0-9a-f]{16} pr-[0-9a-f]{16} -->$/);
        await release();
        assert.equal(slack.messages("releases").length, 2);
    });

    it("announces even when the record of it cannot be written, says so, and announces again on the next run", async () => {
        w.github.fail({ method: "PATCH", path: /\/pulls\/\d+$/ }, faults.validationFailed([], "Body is locked"), 1);
        assert.equal((await release()).status, "opened");
        assert.equal(slack.messages("releases").length, 1);
        assert.ok(!body().includes("conveyor:sent"));
        assert.ok(
            progress.some((l) =>
                /^release PR #\d+: announced, but the record of it was not written \(.*Body is locked.*\); a rerun announces again$/.test(
                    l,
                ),
            ),
            progress.join("\n"),
        );
        await release();
        assert.equal(slack.messages("releases").length, 2, "late twice rather than never");
        assert.match(body(), /conveyor:sent pr-/);
    });

    it("never fails the release when Slack is down, and announces on the next run", async () => {
        slack.fail({ method: "POST" }, { status: 500, body: "rollup_error" }, 6);
        assert.equal((await release()).status, "opened");
        assert.equal(slack.total, 0);
        assert.ok(!body().includes("conveyor:sent"));
        assert.ok(
            warnings.some((l) => l.includes("answered 500")),
            warnings.join("\n"),
        );
        await release();
        assert.equal(slack.messages("releases").length, 1);
        assert.match(body(), /conveyor:sent pr-/);
    });
});
