// The release controller's IAM documents as a security reviewer reads them: who may assume each role, and what
// each principal may do on which resource, nothing wider. The synth of release-controller.test.ts shows the same
// documents reach the roles; here each is checked on its own, with ARNs that cannot be mistaken for each other.
import * as assert from "node:assert/strict";
import {
    intakePolicy,
    schedulerPolicy,
    trustPolicy,
    workerPolicy,
    type PolicyDocument,
} from "../../../components/release-controller/policy";

const ACCOUNT = "111122223333";
const arn = (service: string, rest: string) => `arn:aws:${service}:eu-west-3:${ACCOUNT}:${rest}`;
const LOGS = arn("logs", "log-group:/aws/lambda/fn");
const QUEUE = arn("sqs", "work.fifo");
const TOPIC = arn("sns", "owners");
const WEBHOOK_SECRETS = [arn("secretsmanager", "secret:github-webhook"), arn("secretsmanager", "secret:circleci-webhook")];
const TOKENS = [arn("secretsmanager", "secret:github-token"), arn("secretsmanager", "secret:circleci-token")];
const FEEDBACK = [arn("secretsmanager", "secret:slack"), arn("secretsmanager", "secret:sentry")];

/** Whether an Allow statement grants `action` on `resource` (IAM's `*` wildcard in resources). */
function allows(doc: PolicyDocument, action: string, resource: string): boolean {
    const escape = (part: string) => part.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    const matches = (pattern: string) => new RegExp(`^${pattern.split("*").map(escape).join(".*")}$`).test(resource);
    return doc.Statement.some((s) => s.Effect === "Allow" && s.Action.includes(action) && s.Resource.some(matches));
}

/** IAM names a statement by its Sid in the console and in Access Analyzer findings: each is present and distinct. */
function assertNamedStatements(doc: PolicyDocument): void {
    const sids = doc.Statement.map((s) => s.Sid);
    for (const sid of sids) assert.match(sid, /^[A-Za-z0-9]+$/);
    assert.equal(new Set(sids).size, sids.length, `duplicate Sid in ${sids.join(", ")}`);
}

const ownLogs = {
    Sid: "WriteOwnLogs",
    Effect: "Allow",
    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
    Resource: [`${LOGS}:*`],
};

describe("release controller IAM documents", () => {
    it("lets only the named service assume a role, and with an account only on that account's behalf", () => {
        assert.deepEqual(trustPolicy("lambda.amazonaws.com"), {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
        });
        assert.deepEqual(trustPolicy("scheduler.amazonaws.com", ACCOUNT), {
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Service: "scheduler.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
                },
            ],
        });
    });

    it("lets the intake write its own log streams, read the two webhook secrets and send to the queue, nothing else", () => {
        const doc = intakePolicy({ logGroupArn: LOGS, webhookSecretArns: WEBHOOK_SECRETS, queueArn: QUEUE });
        assert.deepEqual(doc, {
            Version: "2012-10-17",
            Statement: [
                ownLogs,
                { Sid: "ReadWebhookSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: WEBHOOK_SECRETS },
                { Sid: "QueueWork", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [QUEUE] },
            ],
        });
        assertNamedStatements(doc);
        assert.ok(allows(doc, "logs:PutLogEvents", `${LOGS}:log-stream:2026/12/03/abc`));
        assert.ok(!allows(doc, "logs:PutLogEvents", `${arn("logs", "log-group:/aws/lambda/other")}:log-stream:x`));
        for (const token of TOKENS) assert.ok(!allows(doc, "secretsmanager:GetSecretValue", token), "the intake cannot read the tokens");
        assert.ok(!allows(doc, "sqs:ReceiveMessage", QUEUE), "the intake cannot take work off the queue");
        assert.ok(!allows(doc, "sns:Publish", TOPIC));
    });

    it("lets the worker read its tokens, consume and delay queue messages and notify the owners, but never send to the queue or read the webhook secrets", () => {
        const doc = workerPolicy({ logGroupArn: LOGS, tokenSecretArns: TOKENS, queueArn: QUEUE, topicArn: TOPIC });
        assert.deepEqual(doc, {
            Version: "2012-10-17",
            Statement: [
                ownLogs,
                { Sid: "ReadTokens", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: TOKENS },
                {
                    Sid: "ConsumeWork",
                    Effect: "Allow",
                    Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
                    Resource: [QUEUE],
                },
                { Sid: "NotifyOwners", Effect: "Allow", Action: ["sns:Publish"], Resource: [TOPIC] },
            ],
        });
        assertNamedStatements(doc);
        assert.ok(!allows(doc, "sqs:SendMessage", QUEUE));
        for (const secret of WEBHOOK_SECRETS) assert.ok(!allows(doc, "secretsmanager:GetSecretValue", secret));
        assert.deepEqual(
            workerPolicy({ logGroupArn: LOGS, tokenSecretArns: TOKENS, queueArn: QUEUE, topicArn: TOPIC, feedbackSecretArns: [] }),
            doc,
        );
    });

    it("lets the worker read the Slack and Sentry secrets only when they are configured, in a statement of their own", () => {
        const doc = workerPolicy({
            logGroupArn: LOGS,
            tokenSecretArns: TOKENS,
            queueArn: QUEUE,
            topicArn: TOPIC,
            feedbackSecretArns: FEEDBACK,
        });
        assert.deepEqual(doc.Statement.at(-1), {
            Sid: "ReadFeedbackSecrets",
            Effect: "Allow",
            Action: ["secretsmanager:GetSecretValue"],
            Resource: FEEDBACK,
        });
        assert.equal(doc.Statement.length, 5);
        assertNamedStatements(doc);
    });

    it("lets the schedule send the train's message to the queue, nothing else", () => {
        const doc = schedulerPolicy(QUEUE);
        assert.deepEqual(doc, {
            Version: "2012-10-17",
            Statement: [{ Sid: "QueueTrain", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [QUEUE] }],
        });
        assertNamedStatements(doc);
        assert.ok(!allows(doc, "sqs:ReceiveMessage", QUEUE));
    });
});
