// The org stack with Slack and Sentry configured, synthesised as a user would: the worker, and only the
// worker, may read the two new secrets, named by ARN; without them nothing changes.
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { main } from "../../../cli/main";
import { RELEASE_CONTROLLER_ENV } from "../../../components/release-controller/env";
import type { PolicyDocument } from "../../../components/release-controller/policy";
import { withFeedback } from "../../feedback-world";
import type { SourceFile } from "../../../config";
import { fixtureFiles, scratchProject } from "../../workspace-fixture";

interface Resource {
    readonly type: string;
    readonly name: string;
    readonly dependencies: string[];
    readonly inputs: Record<string, any>;
}

async function synthOrg(files: readonly SourceFile[]): Promise<{ resources: Resource[]; text: string }> {
    const dir = scratchProject(files);
    const code = await main(["synth", "org"], { cwd: dir, env: {}, out: () => undefined, err: () => undefined });
    assert.equal(code, 0);
    const text = fs.readFileSync(path.join(dir, "out/org/resources.json"), "utf8");
    return { resources: JSON.parse(text) as Resource[], text };
}

const FEEDBACK_SECRETS = ["release-controller-slack-webhooks", "release-controller-sentry-auth-token"];

describe("release controller: the Slack and Sentry secrets", function () {
    this.timeout(120_000);
    const one = (rs: Resource[], type: string, name: string) => {
        const r = rs.find((x) => x.type === `aws:${type}` && x.name === name);
        assert.ok(r, `${type} ${name}`);
        return r;
    };
    const policy = (rs: Resource[], fn: string) =>
        JSON.parse(one(rs, "iam/rolePolicy:RolePolicy", `release-controller-${fn}`).inputs.policy) as PolicyDocument;
    const arnOf = (name: string) => `arn:aws:secretsmanager:region:123456789012:${name}`;

    it("are stored in Secrets Manager, named to the worker by ARN, and readable by the worker alone", async () => {
        const { resources, text } = await synthOrg(withFeedback());
        for (const name of FEEDBACK_SECRETS) {
            assert.equal(one(resources, "secretsmanager/secretVersion:SecretVersion", name).inputs.secretString, "[secret]");
            assert.ok(
                one(resources, "lambda/function:Function", "release-controller-worker").dependencies.includes(
                    `aws:secretsmanager/secretVersion:SecretVersion::${name}`,
                ),
                "the worker is created after the values exist",
            );
        }
        const worker = one(resources, "lambda/function:Function", "release-controller-worker").inputs.environment.variables;
        assert.equal(worker[RELEASE_CONTROLLER_ENV.slackWebhooksSecretArn], arnOf("release-controller-slack-webhooks"));
        assert.equal(worker[RELEASE_CONTROLLER_ENV.sentryTokenSecretArn], arnOf("release-controller-sentry-auth-token"));
        const intake = one(resources, "lambda/function:Function", "release-controller-intake").inputs.environment.variables;
        assert.ok(!Object.keys(intake).some((k) => k.startsWith("SLACK") || k.startsWith("SENTRY")));

        const statement = policy(resources, "worker").Statement.find((s) => s.Sid === "ReadFeedbackSecrets");
        assert.deepEqual(statement, {
            Sid: "ReadFeedbackSecrets",
            Effect: "Allow",
            Action: ["secretsmanager:GetSecretValue"],
            Resource: FEEDBACK_SECRETS.map(arnOf),
        });
        const intakeReads = policy(resources, "intake").Statement.flatMap((s) => s.Resource);
        for (const name of FEEDBACK_SECRETS) assert.ok(!intakeReads.includes(arnOf(name)), "the intake never reads them");
        assert.doesNotMatch(text, /placeholder:slack|placeholder:sentry/);
    });

    it("are not created, nor granted, when Pulumi.org.yaml asks for neither", async () => {
        const { resources } = await synthOrg(fixtureFiles());
        for (const name of FEEDBACK_SECRETS) assert.ok(!resources.some((r) => r.name === name), name);
        assert.ok(!policy(resources, "worker").Statement.some((s) => s.Sid === "ReadFeedbackSecrets"));
        const { resources: slackOnly } = await synthOrg(withFeedback((set) => set(["conveyor:sentry"], undefined)));
        assert.deepEqual(policy(slackOnly, "worker").Statement.find((s) => s.Sid === "ReadFeedbackSecrets")?.Resource, [
            arnOf("release-controller-slack-webhooks"),
        ]);
    });
});
