// The queue's messages as the worker reads them back: every item the intake and the schedule send is taken as
// sent, and a message that is not one of them is refused with the field that is wrong, never with what it holds
// (the worker logs the reason, and the message goes to the dead-letter queue).
import * as assert from "node:assert/strict";
import { BadWorkItemError, parseWorkItem, type CommandItem, type DeployFinishedItem } from "../../controller/work-items";
import { BUILD_URL } from "../queue-world";

const SHA = "1dc6aa69429bff4806ad6afe58d3d8f57e25973e";

const command = (over: Partial<Record<keyof CommandItem, unknown>> = {}) => ({
    kind: "command",
    commentId: 1_801,
    createdAt: "2026-12-04T06:58:00Z",
    issue: 12,
    login: "alice",
    allowedBot: false,
    mode: "release",
    env: "staging",
    ...over,
});

const deployFinished = (over: { workflow?: Partial<DeployFinishedItem["workflow"]>; sha?: string } = {}) => ({
    kind: "deploy-finished",
    eventId: "3888f21b-a11c-4c6c-8a0c-5d8f5d0e3a43",
    workflow: { id: "fda08377-7e8b-4c8a-a0b1-3a5a0fb4e0c1", name: "deploy", status: "success", url: BUILD_URL, ...over.workflow },
    sha: over.sha ?? SHA,
    branch: "main",
});

/** The reason the worker would log for `item`; fails when the item is taken. */
function refusal(item: unknown): string {
    const body = typeof item === "string" ? item : JSON.stringify(item);
    try {
        parseWorkItem(body);
    } catch (e) {
        assert.ok(e instanceof BadWorkItemError, `a BadWorkItemError, not ${String(e)}`);
        return e.message;
    }
    assert.fail(`taken: ${body}`);
}

describe("the work items on the release controller's queue", () => {
    it("takes every item the intake and the schedule send, as sent: release and rollback commands, a deploy's end, a train", () => {
        const items = [
            command(),
            command({ mode: "rollback", env: "prod", login: "release-bot[bot]", allowedBot: true }),
            // The intake takes a comment time with any UTC offset; the worker must not refuse what it queued.
            command({ createdAt: "2026-12-04T07:58:00+01:00" }),
            deployFinished(),
            // A CircleCI server on a company network may link its builds over plain http.
            deployFinished({ workflow: { url: "http://circleci.intranet.example/pipelines/gh/acme-saas/ops/130/workflows/fda08377" } }),
            { kind: "train", scheduledTime: "2026-12-04T06:00:00Z" },
        ];
        for (const item of items) assert.deepEqual(parseWorkItem(JSON.stringify(item)), item);
    });

    it("refuses a build link that is not one plain http(s) URL, naming the field and not repeating the link", () => {
        const links = [
            "javascript://https://evil.example/x",
            `${BUILD_URL}) [re-run the deploy](https://evil.example/steal`,
            `${BUILD_URL} <img src=x>`,
            "https://",
        ];
        for (const url of links) {
            const reason = refusal(deployFinished({ workflow: { url } }));
            assert.match(reason, /^work item: workflow\.url: \S/, url);
            assert.ok(!reason.includes("evil.example") && !reason.includes("img"), reason);
        }
    });

    it("refuses a commit that is not one full lowercase sha, whatever comes before or after it", () => {
        for (const sha of [`../${SHA}`, `${SHA}/../../pulls`, SHA.slice(0, 7), SHA.toUpperCase(), "g".repeat(40)])
            assert.match(refusal(deployFinished({ sha })), /^work item: sha: \S/, sha);
    });

    it("refuses a command the intake would not have queued, saying which field and why", () => {
        assert.match(refusal(command({ mode: "deploy" })), /^work item: mode: \S/);
        assert.equal(refusal(command({ env: "prod; rm -rf /" })), "work item: env: not an environment stack name");
        assert.match(refusal(command({ createdAt: "2026-12-04T06:58:00" })), /^work item: createdAt: \S/, "a time without its zone");
        assert.match(refusal({ kind: "train", scheduledTime: "tomorrow" }), /^work item: scheduledTime: \S/);
    });

    it("says when the body is not JSON at all, and when it is JSON but not an object", () => {
        assert.equal(refusal("deploy prod please"), "work item: the message body is not JSON");
        assert.match(refusal("42"), /^work item: \(root\): \S/);
        assert.match(refusal(null), /^work item: \(root\): \S/);
    });
});
