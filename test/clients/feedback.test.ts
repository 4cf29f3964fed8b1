// Which feedback clients a run gets from the secrets at hand: the CLI's environment, or the worker's secret.
import * as assert from "node:assert/strict";
import { feedbackClients, feedbackSecretsFromEnv, slackWebhooksFromJson } from "../../clients/feedback";
import { message, section } from "../../clients/slack";
import { feedbackWorkspace } from "../feedback-world";
import { startFakeSlack } from "../fakes/slack";
import { parseWorkspace } from "../../config";
import { fixtureFiles } from "../workspace-fixture";

describe("feedback clients from the secrets at hand", () => {
    const org = feedbackWorkspace().org!;

    it("reads SLACK_WEBHOOK_<NAME> and SENTRY_AUTH_TOKEN, and posts where the variables point", async () => {
        const slack = await startFakeSlack(["releases", "prod-releases", "billing"]);
        try {
            const env = {
                SLACK_WEBHOOK_RELEASES: slack.urls.get("releases"),
                SLACK_WEBHOOK_PROD_RELEASES: slack.urls.get("prod-releases"),
                SENTRY_AUTH_TOKEN: "sntrys_x",
            };
            const warnings: string[] = [];
            const clients = feedbackClients(org, feedbackSecretsFromEnv(org, env), (l) => warnings.push(l));
            assert.ok(clients.sentry);
            assert.deepEqual(warnings, ["slack: no URL for webhook billing; those announcements are skipped"]);
            const took = await clients.announcer!.post(["releases", "billing"], message("t", [section("x")]));
            assert.deepEqual(took, ["releases"]);
            assert.equal(slack.messages("releases").length, 1);
        } finally {
            await slack.close();
        }
    });

    it("gives no client and no warning when Pulumi.org.yaml asks for neither; skips Sentry without its token", () => {
        const plain = parseWorkspace(fixtureFiles()).org;
        const warnings: string[] = [];
        assert.deepEqual(
            feedbackClients(plain, feedbackSecretsFromEnv(plain, { SENTRY_AUTH_TOKEN: "x" }), (l) => warnings.push(l)),
            {
                announcer: undefined,
                sentry: undefined,
            },
        );
        assert.equal(warnings.length, 0);
        assert.equal(feedbackClients(org, { slackWebhooks: new Map() }, (l) => warnings.push(l)).sentry, undefined);
        assert.ok(warnings.includes("sentry: no auth token; Sentry releases are skipped"), warnings.join("\n"));
    });

    it("reads the worker's Slack secret as a JSON object, and never repeats a malformed one", () => {
        const warnings: string[] = [];
        assert.deepEqual(
            [...slackWebhooksFromJson('{"releases":"https://hooks.slack.com/services/T/B/x","bad":3}', (l) => warnings.push(l))],
            [["releases", "https://hooks.slack.com/services/T/B/x"]],
        );
        assert.deepEqual([...slackWebhooksFromJson("https://hooks.slack.com/services/T/B/secretXYZ", (l) => warnings.push(l))], []);
        assert.deepEqual(warnings, ["slack: the webhooks secret is not a JSON object of name -> URL; announcements are skipped"]);
        assert.deepEqual([...slackWebhooksFromJson(undefined, (l) => warnings.push(l))], []);
    });
});
