import * as assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
    cut,
    escapeMrkdwn,
    link,
    message,
    section,
    sectionsOf,
    slackAnnouncer,
    slackWebhookVariable,
    SLACK_LIMITS,
    typed,
} from "../../clients/slack";
import { blockProblems, startFakeSlack, type FakeSlack } from "../fakes/slack";

describe("slack: Block Kit pieces", () => {
    it("escapes what opens markup, so a typed <!channel> or link is shown, not sent", () => {
        const hostile = "<!channel> fix <https://evil.example|click> & co";
        const out = typed(hostile);
        assert.equal(out, "&lt;!channel&gt; fix &lt;https://evil.example|click&gt; &amp; co");
        assert.ok(!/[<>]/.test(out));
        assert.equal(escapeMrkdwn("a&b"), "a&amp;b");
    });

    it("links only to addresses that cannot break out of the link, with an escaped label", () => {
        assert.equal(
            link("https://go.example/acme/web/issues/3", "Fix <b> & c"),
            "<https://go.example/acme/web/issues/3|Fix &lt;b&gt; &amp; c>",
        );
        assert.equal(link("https://x.example/a|<!here>", "label"), "label");
        assert.equal(link("javascript:alert(1)", "label"), "label");
    });

    it("cuts text without splitting an escape or a link", () => {
        assert.equal(cut("abc &amp; def", 7), "abc …");
        assert.equal(cut("see <https://x.example/long|this link> now", 20), "see …");
        assert.equal(cut("short", 10), "short");
    });

    it("packs many lines into sections within the limits, counting what is left", () => {
        const lines = Array.from({ length: 400 }, (_, i) => `• issue ${i} ${"x".repeat(80)}`);
        const blocks = sectionsOf(lines, 5, (n) => `…and ${n} more`);
        assert.equal(blocks.length, 6);
        for (const b of blocks) assert.ok(b.type === "section" && b.text.text.length <= SLACK_LIMITS.sectionText);
        const last = blocks[5];
        assert.ok(last.type === "section");
        const shown = blocks.slice(0, 5).reduce((n, b) => n + (b.type === "section" ? b.text.text.split("\n").length : 0), 0);
        assert.equal(last.text.text, `…and ${400 - shown} more`);
        const huge = message(
            "t",
            Array.from({ length: 80 }, () => section("x".repeat(5000))),
        );
        assert.equal(huge.blocks.length, 50);
        assert.equal(blockProblems(huge), undefined);
    });

    it("names the CLI's variable for a webhook", () => {
        assert.equal(slackWebhookVariable("prod-releases"), "SLACK_WEBHOOK_PROD_RELEASES");
    });
});

describe("slack: the sender never fails its caller", function () {
    this.timeout(20_000);
    let slack: FakeSlack;
    const warnings: string[] = [];
    const msg = message("Deployed to staging", [section("*staging* deployed")]);
    beforeEach(async () => {
        slack = await startFakeSlack(["releases", "billing"]);
        warnings.length = 0;
    });
    afterEach(() => slack.close());
    const announcer = (urls = slack.urls) => slackAnnouncer({ urls, warn: (l) => warnings.push(l), baseMs: 1 });

    it("posts to each webhook once", async () => {
        assert.deepEqual(await announcer().post(["releases", "billing"], msg), ["releases", "billing"]);
        assert.deepEqual(slack.messages("releases"), [msg]);
        assert.equal(slack.total, 2);
        assert.deepEqual(slack.refusals, []);
    });

    it("retries 5xx and 429 a bounded number of times, never a refusal", async () => {
        slack.fail({ method: "POST" }, { status: 500, body: "rollup_error" });
        slack.fail({ method: "POST" }, { status: 429, headers: { "retry-after": "0" }, body: "rate_limited" });
        assert.deepEqual(await announcer().post(["releases"], msg), ["releases"]);
        assert.equal(slack.requests.length, 3);
        slack.clearRequests();
        const down = slack.fail({ method: "POST" }, { status: 503, body: "down" }, 10);
        assert.deepEqual(await announcer().post(["releases"], msg), []);
        assert.equal(slack.requests.length, 3, "first attempt and two retries");
        down.remaining = 0;
        slack.clearRequests();
        slack.fail({ method: "POST" }, { status: 404, body: "channel_not_found" });
        assert.deepEqual(await announcer().post(["releases"], msg), []);
        assert.equal(slack.requests.length, 1);
        assert.ok(
            warnings.some((w) => w.includes('"releases" answered 404 channel_not_found')),
            warnings.join("\n"),
        );
    });

    it("gives up on a silent webhook after its timeout, without a retry, and never logs a URL", async () => {
        let hits = 0;
        const silent: Server = createServer(() => void hits++);
        await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
        const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/services/T/B/secretpart`;
        const started = Date.now();
        const took = await slackAnnouncer({ urls: new Map([["releases", url]]), warn: (l) => warnings.push(l), timeoutMs: 200 }).post(
            ["releases"],
            msg,
        );
        assert.deepEqual(took, []);
        assert.ok(Date.now() - started < 2000, `${Date.now() - started} ms`);
        assert.equal(hits, 1);
        silent.closeAllConnections();
        await new Promise<void>((r) => silent.close(() => r()));
        assert.deepEqual(await announcer().post(["nowhere"], msg), []);
        assert.ok(warnings.some((w) => w.includes("no answer in 200 ms")));
        assert.ok(warnings.some((w) => w.includes('"nowhere" has no URL')));
        for (const w of warnings) assert.ok(!w.includes("secretpart") && !w.includes("/services/"), w);
    });

    it("the fake refuses what Slack refuses", () => {
        assert.equal(blockProblems({ blocks: [] }), "no_text");
        assert.match(
            blockProblems({ text: "t", blocks: [{ type: "section", text: { type: "mrkdwn", text: "x".repeat(3001) } }] })!,
            /at most 3000/,
        );
        assert.match(blockProblems({ text: "t", blocks: Array.from({ length: 51 }, () => ({ type: "divider" })) })!, /at most 50/);
        assert.match(blockProblems({ text: "t", blocks: [{ type: "image" }] })!, /unknown type/);
        assert.match(blockProblems({ text: "t", blocks: [{ type: "header", text: { type: "mrkdwn", text: "x" } }] })!, /plain_text/);
    });
});
