// Benchmark (not a test): the webhook intake's answer time. Goals: under 50 ms p99 from request to 202,
// in-process, over 1,000 signed deliveries; under 1 s on a cold start.
//
//   npm run bench:intake                      1,000 deliveries (half GitHub commands, half CircleCI events)
//   npm run bench:intake -- --deliveries 5000 --cold 11
//
// Warm: createIntake with an in-memory FIFO queue standing in for SQS (the real SendMessage is one HTTPS call
// to SQS, not counted here), every delivery signed and checked as in production. Cold: the bundle the org stack
// deploys, in a fresh Node process per run, answering its first delivery: require(), reading the two webhook
// secrets and queueing, with the AWS SDK stubbed (its own load time and network calls are not counted).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { parseArgs } from "util";
import { bundleHandler } from "../components/release-controller/bundle";
import { createIntake } from "../controller/intake";
import type { WorkItem } from "../controller/work-items";
import { FakeFifoQueue } from "../test/fakes/fifo-queue";
import { circleEvent, commentPayload, gitHubEvent, OPS, WEBHOOK_SECRETS, workflowCompleted } from "../test/queue-world";

const ROOT = path.resolve(__dirname, "..");

const quantile = (xs: readonly number[], q: number): number => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};

async function warm(deliveries: number): Promise<{ median: number; p99: number; max: number; queued: number; bodies: number }> {
    const queue = new FakeFifoQueue({ now: () => Date.now(), visibilityTimeoutSeconds: 5400, maxReceiveCount: 5 });
    const intake = createIntake({
        webhookSecrets: async () => WEBHOOK_SECRETS,
        enqueue: async (item: WorkItem, id: string) => void queue.send(JSON.stringify(item), id),
        ops: OPS,
        deployWorkflows: ["deploy"],
        now: () => new Date(),
        log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    const events = Array.from({ length: deliveries }, (_, i) =>
        i % 2 === 0
            ? gitHubEvent(
                  commentPayload({
                      body: "/conveyor release staging",
                      login: "alice",
                      issue: 1 + (i % 50),
                      commentId: 10_000 + i,
                      createdAt: new Date(),
                  }),
              )
            : circleEvent(
                  workflowCompleted({ id: `evt-${i}`, sha: (i % 16).toString(16).repeat(40), status: i % 3 === 0 ? "failed" : "success" }),
              ),
    );
    // A few rounds first, as a warm function has run before.
    for (const e of events.slice(0, 20)) await intake(e);
    const times: number[] = [];
    let bodies = 0;
    for (const e of events) {
        bodies += Buffer.byteLength(e.body);
        const t0 = performance.now();
        const res = await intake(e);
        times.push(performance.now() - t0);
        if (res.statusCode !== 202) throw new Error(`delivery answered ${res.statusCode}: ${res.body}`);
    }
    return {
        median: quantile(times, 0.5),
        p99: quantile(times, 0.99),
        max: Math.max(...times),
        queued: queue.depth,
        bodies: bodies / deliveries,
    };
}

/** The deployed bundle in a fresh process: require + the first delivery, timed from inside and outside. */
function cold(runs: number): { importMs: number; firstMs: number; processMs: number; emptyMs: number; bytes: number } {
    const bundle = bundleHandler(path.join(ROOT, "controller", "intake.ts"));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "conveyor-intake-bench-"));
    try {
        fs.writeFileSync(path.join(dir, "index.js"), bundle.code);
        const stub = (pkg: string, code: string) => {
            const d = path.join(dir, "node_modules", pkg);
            fs.mkdirSync(d, { recursive: true });
            fs.writeFileSync(path.join(d, "index.js"), code);
        };
        stub(
            "@aws-sdk/client-secrets-manager",
            `class GetSecretValueCommand { constructor(i) { this.input = i; } }
class SecretsManagerClient { async send(c) { return { SecretString: c.input.SecretId.endsWith("github") ? ${JSON.stringify(WEBHOOK_SECRETS.github)} : ${JSON.stringify(WEBHOOK_SECRETS.circleci)} }; } }
module.exports = { SecretsManagerClient, GetSecretValueCommand };`,
        );
        stub(
            "@aws-sdk/client-sqs",
            `class SendMessageCommand { constructor(i) { this.input = i; } }
class SQSClient { async send() { return { MessageId: "m-1" }; } }
module.exports = { SQSClient, SendMessageCommand, ChangeMessageVisibilityCommand: SendMessageCommand };`,
        );
        const event = gitHubEvent(commentPayload({ body: "/conveyor release staging", login: "alice", issue: 7, createdAt: new Date() }));
        fs.writeFileSync(path.join(dir, "event.json"), JSON.stringify(event));
        const script = [
            "const t0 = process.hrtime.bigint();",
            "const m = require('./index.js');",
            "const t1 = process.hrtime.bigint();",
            "m.handler(require('./event.json')).then((r) => {",
            "  const t2 = process.hrtime.bigint();",
            "  if (r.statusCode !== 202) { console.error(r.body); process.exit(1); }",
            "  process.stdout.write('\\nRESULT ' + JSON.stringify({ importMs: Number(t1 - t0) / 1e6, firstMs: Number(t2 - t1) / 1e6 }) + '\\n');",
            "});",
        ].join("\n");
        const env = {
            ...process.env,
            GITHUB_WEBHOOK_SECRET_ARN: "arn:aws:secretsmanager:eu-west-3:123456789012:secret:github",
            CIRCLECI_WEBHOOK_SECRET_ARN: "arn:aws:secretsmanager:eu-west-3:123456789012:secret:circleci",
            WORK_QUEUE_URL: "https://sqs.eu-west-3.amazonaws.com/123456789012/q.fifo",
            OPS_OWNER: OPS.owner,
            OPS_REPO: OPS.repo,
            DEPLOY_WORKFLOWS: "deploy",
        };
        const one = () => {
            const t0 = performance.now();
            const run = spawnSync(process.execPath, ["-e", script], { cwd: dir, env, encoding: "utf8" });
            const processMs = performance.now() - t0;
            if (run.status !== 0) throw new Error(`cold start failed:\n${run.stderr}${run.stdout}`);
            // The intake logs its JSON line to stdout, as in Lambda; the figures are on their own line.
            const line = run.stdout.split("\n").find((l) => l.startsWith("RESULT "));
            if (!line) throw new Error(`cold start printed no result:\n${run.stdout}`);
            return { ...(JSON.parse(line.slice("RESULT ".length)) as { importMs: number; firstMs: number }), processMs };
        };
        one(); // warms the OS file cache; not counted
        const samples = Array.from({ length: runs }, one);
        const empty = Array.from({ length: Math.min(runs, 11) }, () => {
            const t0 = performance.now();
            spawnSync(process.execPath, ["-e", ""]);
            return performance.now() - t0;
        });
        return {
            importMs: quantile(
                samples.map((s) => s.importMs),
                0.5,
            ),
            firstMs: quantile(
                samples.map((s) => s.firstMs),
                0.5,
            ),
            processMs: quantile(
                samples.map((s) => s.processMs),
                0.5,
            ),
            emptyMs: quantile(empty, 0.5),
            bytes: bundle.bytes,
        };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

async function main(): Promise<void> {
    const { values } = parseArgs({ options: { deliveries: { type: "string" }, cold: { type: "string" } } });
    const deliveries = Number(values.deliveries ?? 1000);
    const w = await warm(deliveries);
    const c = cold(Number(values.cold ?? 11));
    const ms = (x: number) => `${x.toFixed(2)} ms`;
    console.log(
        [
            `webhook intake, in-process: ${deliveries} signed deliveries (half GitHub commands, half CircleCI events, ${Math.round(w.bodies)} bytes each on average)`,
            `  request -> 202   median ${ms(w.median)}, p99 ${ms(w.p99)} (goal under 50 ms: ${w.p99 < 50 ? "met" : "NOT met"}), max ${ms(w.max)}`,
            `  queued           ${w.queued} messages`,
            `cold start of the deployed bundle (${(c.bytes / 1000).toFixed(1)} kB), median of fresh processes:`,
            `  require()        ${ms(c.importMs)}`,
            `  first delivery   ${ms(c.firstMs)} (secrets read and SendMessage stubbed)`,
            `  whole process    ${ms(c.processMs)} (an empty node -e: ${ms(c.emptyMs)}); goal under 1 s: ${c.importMs + c.firstMs < 1000 ? "met" : "NOT met"}`,
            `  node ${process.version}, load average ${os.loadavg()[0].toFixed(1)}`,
        ].join("\n"),
    );
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
