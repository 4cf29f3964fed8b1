// What the release controller's two Lambda functions (controller/intake.ts, controller/worker.ts) share of AWS: their
// settings from the environment, secrets read from Secrets Manager, and the SQS and SNS calls. Thin I/O only.
//
// The AWS SDK v3 comes with Lambda's Node.js runtime and is not a dependency here: these are the few shapes
// used, and the modules are required only inside the functions that call them, so tests never load them and
// the bundles leave `@aws-sdk/*` to the runtime.
import { MESSAGE_GROUP_ID } from "../components/release-controller/env";
import type { WorkItem } from "./work-items";

interface AwsClient {
    send(command: unknown): Promise<unknown>;
}
interface SecretsManagerModule {
    SecretsManagerClient: new (config: object) => AwsClient;
    GetSecretValueCommand: new (input: { SecretId: string }) => unknown;
}
interface SnsModule {
    SNSClient: new (config: object) => AwsClient;
    PublishCommand: new (input: { TopicArn: string; Subject: string; Message: string }) => unknown;
}
interface SqsModule {
    SQSClient: new (config: object) => AwsClient;
    SendMessageCommand: new (input: {
        QueueUrl: string;
        MessageBody: string;
        MessageGroupId: string;
        MessageDeduplicationId: string;
    }) => unknown;
    ChangeMessageVisibilityCommand: new (input: { QueueUrl: string; ReceiptHandle: string; VisibilityTimeout: number }) => unknown;
}

export class MissingSettingError extends Error {}

export function setting(env: NodeJS.ProcessEnv, name: string): string {
    const value = env[name];
    if (!value)
        throw new MissingSettingError(`${name} is not set: the release controller's deployment sets it (components/release-controller)`);
    return value;
}

/** A comma-separated setting as a list; absent or empty is an empty list. */
export function listSetting(env: NodeJS.ProcessEnv, name: string): string[] {
    return (env[name] ?? "")
        .split(",")
        .map((w) => w.trim())
        .filter((w) => w !== "");
}

/** Runs `load` once and keeps its value; a rejection is not kept, so the next call tries again. */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
    let value: Promise<T> | undefined;
    return () => {
        value ??= load().catch((e: unknown) => {
            value = undefined;
            throw e;
        });
        return value;
    };
}

/** Reads the secrets whose ARNs the given variables hold, once per cold start. */
export function secretsFrom<K extends string>(
    env: NodeJS.ProcessEnv,
    variables: Readonly<Record<K, string>>,
): () => Promise<Record<K, string>> {
    return once(async () => {
        const { SecretsManagerClient, GetSecretValueCommand } = require("@aws-sdk/client-secrets-manager") as SecretsManagerModule;
        const client = new SecretsManagerClient({});
        const entries = await Promise.all(
            (Object.entries(variables) as [K, string][]).map(async ([key, variable]) => {
                const arn = setting(env, variable);
                const out = (await client.send(new GetSecretValueCommand({ SecretId: arn }))) as { SecretString?: string };
                if (!out.SecretString) throw new Error(`${variable}: the secret ${arn} has no string value`);
                return [key, out.SecretString] as const;
            }),
        );
        return Object.fromEntries(entries) as Record<K, string>;
    });
}

export function snsPublisher(topicArn: string): (subject: string, message: string) => Promise<void> {
    let client: AwsClient | undefined;
    let Publish: SnsModule["PublishCommand"] | undefined;
    return async (subject, message) => {
        if (!client || !Publish) {
            const sns = require("@aws-sdk/client-sns") as SnsModule;
            client = new sns.SNSClient({});
            Publish = sns.PublishCommand;
        }
        await client.send(new Publish({ TopicArn: topicArn, Subject: subject, Message: message }));
    };
}

let sqs: { client: AwsClient; module: SqsModule } | undefined;
function sqsClient(): { client: AwsClient; module: SqsModule } {
    if (!sqs) {
        const module = require("@aws-sdk/client-sqs") as SqsModule;
        sqs = { client: new module.SQSClient({}), module };
    }
    return sqs;
}

/** SendMessage to the FIFO work queue, in its one message group, with the work's own deduplication id. */
export function sqsSender(queueUrl: string): (item: WorkItem, deduplicationId: string) => Promise<void> {
    return async (item, deduplicationId) => {
        const { client, module } = sqsClient();
        await client.send(
            new module.SendMessageCommand({
                QueueUrl: queueUrl,
                MessageBody: JSON.stringify(item),
                MessageGroupId: MESSAGE_GROUP_ID,
                MessageDeduplicationId: deduplicationId,
            }),
        );
    };
}

/** ChangeMessageVisibility: a message the worker gave up on for now comes back after `seconds`. */
export function sqsDelayer(queueUrl: string): (receiptHandle: string, seconds: number) => Promise<void> {
    return async (receiptHandle, seconds) => {
        const { client, module } = sqsClient();
        await client.send(
            new module.ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: seconds }),
        );
    };
}
