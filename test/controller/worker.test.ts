// The release controller end to end, in-process: signed webhooks into the intake, the FIFO queue, the worker
// against the loopback fakes; the dashboard, deploy notices, the train and slash commands, and the worker's
// settings. Nothing lost or run twice by timing, replay or throttling: worker-guarantees.test.ts.
import * as assert from "node:assert/strict";
import { releaseBranch } from "../../release/pr";
import { loadRemoteWorkspace } from "../../controller/remote-workspace";
import { MissingSettingError, type secretsFrom } from "../../controller/lambda";
import { feedbackSecretsFrom, FIRST_BACKOFF_SECONDS, handler, workerDepsFromEnv, type WorkerDeps } from "../../controller/worker";
import type { FeedbackSecrets } from "../../clients/feedback";
import { faults } from "../fakes/github";
import { circleFaults, FAKE_CIRCLECI_TOKEN, startFakeCircleCi } from "../fakes/circleci";
import { OWNER, releaseAndMerge, type World } from "../release-world";
import {
    BUILD_URL,
    circleEvent,
    command,
    deployWorkflow,
    freshContext,
    FRIDAY,
    startController,
    workflowCompleted,
    worldPerTest,
} from "../queue-world";
import { fixtureFiles } from "../workspace-fixture";
import { withFeedback } from "../feedback-world";
import { startFakeSlack } from "../fakes/slack";
import { parseWorkspace } from "../../config";
import { DASHBOARD_TITLE, refreshDashboard } from "../../status/dashboard";

describe("the release controller through its queue", function () {
    this.timeout(120_000);
    let w: World;
    const { releasePr, requests, clearRequests } = worldPerTest((world) => (w = world));
    const issuesOf = (x: World) =>
        [...x.repos.values()].flatMap((repo) =>
            repo.issues.filter((i) => !repo.pulls.some((p) => p.number === i.number)).map((i) => ({ repo, issue: i })),
        );

    describe("the release dashboard", () => {
        it("is brought up to date after the work; a dashboard that fails is logged and the work stands", async () => {
            const sha = await releaseAndMerge(w, "staging");
            const c = startController(w, { worker: { dashboard: refreshDashboard } });
            await c.intake(circleEvent(workflowCompleted({ id: "evt-dashboard", sha, happenedAt: new Date(c.clock.now) })));
            await c.drain();
            const dashboards = w.ops.issues.filter((i) => i.title === DASHBOARD_TITLE && i.state === "open");
            assert.equal(dashboards.length, 1);
            assert.match(
                dashboards[0].body!,
                new RegExp(`^\\| staging \\| ci \\| .* \\| \\[release PR ${releasePr("staging").number}\\]`, "m"),
            );
            assert.ok(c.logs.some((l) => new RegExp(`^release dashboard: issue #${dashboards[0].number} opened$`).test(l)));
            assert.ok(
                c.logs.some((l) => /^billing: latest green build on main is \d+$/.test(l)),
                "the dashboard's reads are in the log: which build it found per component",
            );

            const failing = startController(w, {
                worker: { dashboard: () => Promise.reject(new Error("GitHub answered 502")) },
            });
            await failing.intake(circleEvent(workflowCompleted({ id: "evt-dashboard-2", sha, happenedAt: new Date(failing.clock.now) })));
            await failing.drain();
            assert.ok(failing.logs.some((l) => l === "release dashboard not refreshed: GitHub answered 502"));
            assert.equal(failing.queue.deadLetters.length, 0);
            assert.ok(
                failing.logs.some((l) => /: deployed/.test(l)),
                failing.logs.join("\n"),
            );
        });
    });

    describe("CircleCI workflow-completed", () => {
        it("success: the release PR is labelled deployed and every issue told; a replay does nothing", async () => {
            const sha = await releaseAndMerge(w, "staging");
            const c = startController(w);
            const event = circleEvent(workflowCompleted({ id: "evt-success", sha, happenedAt: new Date(c.clock.now) }));
            clearRequests();
            assert.equal((await c.intake(event)).statusCode, 202);
            assert.equal(requests(), 0, "the intake reads nothing");
            await c.drain();
            const pr = releasePr("staging");
            assert.ok(w.ops.issueLabelNames(pr.number).includes("deployed"));
            assert.match(
                w.ops
                    .issueComments(pr.number)
                    .map((x) => x.body)
                    .join("\n"),
                new RegExp(`Deployed to \\*\\*staging\\*\\* \\(\\[build\\]\\(${BUILD_URL.replace(/[.]/g, "\\.")}\\)\\)`),
            );
            const issues = issuesOf(w);
            assert.equal(issues.length, 18);
            for (const { repo, issue } of issues) {
                assert.equal(repo.issueComments(issue.number).length, 1, `${repo.name}#${issue.number}`);
                assert.deepEqual(repo.issueLabelNames(issue.number), ["workflow/test"]);
            }
            assert.ok(c.logs.some((l) => /^deploy workflow deploy success at [0-9a-f]{7}: deployed$/.test(l)));

            clearRequests();
            assert.equal((await c.intake(event)).statusCode, 202);
            await c.drain();
            assert.equal(requests(), 0, "dropped by the queue: nothing read, nothing written");
        });

        it("failure: one comment on the release PR blaming the failed job, one message to the owners", async () => {
            const sha = await releaseAndMerge(w, "staging");
            const c = startController(w);
            const wf = deployWorkflow(w, sha, "failed", { "deploy-org": "success", "deploy-staging": "failed" });
            await c.intake(
                circleEvent(
                    workflowCompleted({ sha, status: "failed", workflowId: wf.id, url: wf.url, happenedAt: new Date(c.clock.now) }),
                ),
            );
            await c.drain();
            const pr = releasePr("staging");
            const comments = w.ops.issueComments(pr.number);
            assert.equal(comments.length, 1);
            assert.match(
                comments[0].body,
                /^<!-- conveyor:deploy-failed env=staging -->\nDeploy of \*\*staging\*\* failed: job \[deploy-staging\]\(https:\/\/app\.circleci\.com\/.+\/jobs\/\d+\) \(failed\) of \[deploy\]\(https:\/\/app\.circleci\.com\/.+\)\.$/,
            );
            assert.equal(w.ops.issueLabelNames(pr.number).includes("deployed"), false);
            assert.equal(c.published.length, 1);
            assert.equal(c.published[0].subject, "conveyor: deploy of staging failed");
            assert.match(c.published[0].message, new RegExp(`${OWNER}/ops/pull/${pr.number}`));
        });

        it("ignores, on the worker's side, another branch and a commit that deploys nothing", async () => {
            const sha = await releaseAndMerge(w, "staging");
            const c = startController(w);
            const docs = w.ops.commit("main", { message: "Docs", files: { "README.md": "hi\n" } });
            clearRequests();
            await c.intake(circleEvent(workflowCompleted({ sha, branch: "release-demo", happenedAt: new Date(c.clock.now) })));
            await c.intake(circleEvent(workflowCompleted({ sha: docs, status: "failed", happenedAt: new Date(c.clock.now) })));
            await c.drain();
            assert.equal(w.github.writes(), 0);
            assert.equal(c.published.length, 0);
            assert.ok(c.logs.some((l) => /ignored \(branch release-demo is not main\)/.test(l)));
            assert.ok(c.logs.some((l) => /ignored \(commit [0-9a-f]{40} deploys nothing\)/.test(l)));
        });
    });

    describe("Slack and Sentry", () => {
        it("a deploy is announced in Slack when the org configures it, the secrets read only then; unreadable, they are skipped with a warning and the deploy stands", async () => {
            const sha = await releaseAndMerge(w, "staging");
            const slack = await startFakeSlack(["releases", "prod-releases", "billing"]);
            try {
                let reads = 0;
                const readable = async () => (reads++, { slackWebhooks: slack.urls });
                const unreadable = async (): Promise<never> => {
                    reads++;
                    throw new Error("AccessDeniedException: not authorized to read the secret");
                };
                const slackOnly = parseWorkspace(withFeedback((set) => set(["conveyor:sentry"], undefined)));
                const deploy = async (id: string, worker: Partial<WorkerDeps>) => {
                    const c = startController(w, { worker });
                    await c.intake(circleEvent(workflowCompleted({ id, sha, happenedAt: new Date(c.clock.now) })));
                    await c.drain();
                    assert.ok(
                        c.logs.some((l) => /: deployed$/.test(l)),
                        c.logs.join("\n"),
                    );
                    assert.equal(c.queue.deadLetters.length, 0);
                    return c.logs;
                };

                await deploy("evt-slack", { loadWorkspace: async () => slackOnly, feedbackSecrets: readable });
                const texts = slack.messages("releases").map((m) => m.text);
                assert.equal(texts.length, 1, texts.join("\n"));
                assert.match(texts[0], new RegExp(`^Deployed to staging at ${sha.slice(0, 7)}: .*billing from build 873 to 877`));
                assert.equal(reads, 1);
                const announced = slack.total;

                // An org without Slack or Sentry: the secrets are not read, so their being unreadable is no news.
                const plain = await deploy("evt-plain", { feedbackSecrets: unreadable });
                assert.equal(reads, 1, "not read");
                assert.equal(plain.filter((l) => l.startsWith("feedback")).length, 0, plain.join("\n"));

                const broken = await deploy("evt-broken", { loadWorkspace: async () => slackOnly, feedbackSecrets: unreadable });
                assert.ok(
                    broken.includes(
                        "feedback secrets unreadable, Slack and Sentry skipped: AccessDeniedException: not authorized to read the secret",
                    ),
                    broken.join("\n"),
                );
                assert.equal(slack.total, announced, "nothing more announced");
                assert.deepEqual(slack.refusals, []);
            } finally {
                await slack.close();
            }
        });
    });

    describe("the scheduled train", () => {
        it("runs as of its scheduled time, not when the worker gets to it: Friday's train run on Saturday still releases staging and demo", async () => {
            const saturday = new Date(FRIDAY.getTime() + 24 * 3600_000);
            const c = startController(w, { start: saturday });
            c.scheduleTrain(FRIDAY);
            await c.drain();
            assert.ok(releasePr("staging"));
            assert.ok(releasePr("demo"));
            assert.equal(
                w.ops.pulls.some((p) => p.head === releaseBranch("prod")),
                false,
            );
            assert.deepEqual(
                c.logs
                    .filter((l) => l.startsWith("release train: "))
                    .map((l) => l.replace(/: release PR opened: .*/, ": opened").replace(/: not due: .*/, ": not due")),
                ["release train: staging: opened", "release train: demo: opened", "release train: prod: not due"],
            );
        });

        it("logs each environment's outcome with its release PR's link, and how many were released, up to date or blocked", async () => {
            const c = startController(w, { start: FRIDAY });
            const link = (env: string) => `https://github.com/${OWNER}/ops/pull/${releasePr(env).number}`;
            const train = async (hours: number) => {
                c.logs.splice(0);
                c.scheduleTrain(new Date(FRIDAY.getTime() + hours * 3600_000));
                await c.drain();
                return c.logs.filter((l) => l.startsWith("release train"));
            };
            const prod = "release train: prod: not due: releases on monday, not friday";
            assert.deepEqual(await train(0), [
                `release train: staging: release PR opened: ${link("staging")}`,
                `release train: demo: release PR opened: ${link("demo")}`,
                prod,
                "release train of 2026-12-04T06:00:00Z: 2 environments released or up to date",
            ]);
            assert.ok(c.logs.includes(`opened PR #${releasePr("staging").number}: ${link("staging")}`), "and each step of the releases");
            // A newer green build of billing: staging's PR is refreshed, demo's (from staging's main) stays.
            const billing = w.repos.get("billing")!;
            w.circle.addPipeline(`gh/${OWNER}/billing-service`, {
                number: w.latest.get("billing")! + 2,
                revision: billing.head("main"),
                workflows: ["success"],
            });
            assert.deepEqual(await train(1), [
                `release train: staging: release PR updated: ${link("staging")}`,
                `release train: demo: release PR unchanged: ${link("demo")}`,
                prod,
                "release train of 2026-12-04T07:00:00Z: 2 environments released or up to date",
            ]);
            // demo's PR merged, its deploy not reported yet: demo is blocked, and said to be.
            w.ops.mergePull(releasePr("demo").number, { method: "squash" });
            const [staging, demo, ...rest] = await train(2);
            assert.equal(staging, `release train: staging: release PR unchanged: ${link("staging")}`);
            assert.ok(demo.startsWith(`release train: demo: blocked: release PR #${releasePr("demo").number} (`), demo);
            assert.deepEqual(rest, [prod, "release train of 2026-12-04T08:00:00Z: 1 environment released or up to date, 1 blocked"]);
        });

        it("a retry of the same scheduled run is dropped by the queue; the next day's run is not", async () => {
            const c = startController(w, { start: FRIDAY });
            c.scheduleTrain(FRIDAY);
            c.scheduleTrain(FRIDAY);
            c.scheduleTrain(new Date(FRIDAY.getTime() + 24 * 3600_000));
            assert.equal(c.queue.depth, 2);
        });

        it("an environment that failed fails the message, which comes back after a backoff and finishes the train", async () => {
            const c = startController(w, { start: FRIDAY });
            w.github.fail({ method: "POST", path: /\/pulls$/ }, faults.badGateway());
            c.scheduleTrain(FRIDAY);
            assert.equal(await c.poll(), 1);
            assert.ok(releasePr("demo"), "demo released despite staging");
            assert.equal(c.queue.depth, 1, "the train is still on the queue");
            assert.ok(
                c.logs.some((l) =>
                    new RegExp(`failed \\(receive 1\\), retried in ${FIRST_BACKOFF_SECONDS} s: release train of .*staging failed`).test(l),
                ),
            );
            await c.drain();
            assert.ok(releasePr("staging"));
            assert.equal(c.queue.deadLetters.length, 0);
        });
        it("two environments that failed are each logged with the error, and both named in the message's failure", async () => {
            const c = startController(w, { start: FRIDAY });
            w.github.fail({ method: "POST", path: /\/pulls$/ }, faults.badGateway(), 2);
            c.scheduleTrain(FRIDAY);
            assert.equal(await c.poll(), 1);
            assert.deepEqual(
                c.logs.filter((l) => l.startsWith("release train: ")),
                [
                    "release train: staging: failed: Server Error",
                    "release train: demo: failed: Server Error",
                    "release train: prod: not due: releases on monday, not friday",
                ],
            );
            assert.ok(
                c.logs.some((l) =>
                    l.endsWith(
                        "retried in 30 s: release train of 2026-12-04T06:00:00Z: staging failed: Server Error; demo failed: Server Error",
                    ),
                ),
                c.logs.join("\n"),
            );
        });
    });

    describe("GitHub slash commands", () => {
        it("from a writer: the release PR, and the answer with its link", async () => {
            w.ops.setPermission("alice", "write");
            const c = startController(w);
            const issue = w.ops.addIssue("Ship the billing fix to staging");
            const res = await c.intake(command(c, "/conveyor release staging", "alice", issue.number));
            assert.equal(res.statusCode, 202);
            await c.drain();
            const pr = releasePr("staging");
            const comments = w.ops.issueComments(issue.number);
            assert.equal(comments.length, 1);
            assert.match(
                comments[0].body,
                new RegExp(
                    `^<!-- conveyor:answer comment=\\d+ -->\\n@alice: Release PR for \\*\\*staging\\*\\* opened: .*/pull/${pr.number}$`,
                ),
            );
            // The log tells what the command did, with the PR's link, and each step of the release.
            const link = `https://github.com/${OWNER}/ops/pull/${pr.number}`;
            assert.ok(c.logs.includes(`/conveyor release staging from alice: opened ${link}`), c.logs.join("\n"));
            assert.ok(c.logs.includes(`opened PR #${pr.number}: ${link}`), c.logs.join("\n"));
        });

        it("from a maintainer after the same command: says the PR is up to date, in the answer to that comment", async () => {
            w.ops.setPermission("carol", "maintain");
            const c = startController(w);
            const issue = w.ops.addIssue("Release");
            await c.intake(command(c, "/conveyor release staging", "carol", issue.number, 1));
            await c.intake(command(c, "/conveyor release staging", "carol", issue.number, 2));
            await c.drain();
            const answers = w.ops.issueComments(issue.number);
            assert.equal(answers.length, 2, "one answer per command");
            assert.match(answers[1].body, /already up to date/);
        });

        it("from a reader or a stranger: one polite refusal per command, naming no one but the author, and no release", async () => {
            w.ops.setPermission("bob", "read");
            const c = startController(w);
            const issue = w.ops.addIssue("Please release");
            const event = command(c, "/conveyor release staging", "bob", issue.number, 77);
            for (let i = 0; i < 3; i++) await c.intake({ ...event, headers: { ...event.headers, "x-github-delivery": `again-${i}` } });
            await c.intake(command(c, "/conveyor rollback prod", "stranger", issue.number, 78));
            await c.drain();
            assert.equal(w.ops.pulls.length, 0);
            const [bob, stranger] = w.ops.issueComments(issue.number).map((x) => x.body);
            assert.equal(w.ops.issueComments(issue.number).length, 2);
            assert.match(bob, /Sorry @bob, `\/conveyor release staging` needs write permission on acme-saas\/ops, and yours is "read"/);
            assert.deepEqual(bob.match(/@[A-Za-z0-9-]+/g), ["@bob"]);
            assert.match(stranger, /Sorry @stranger, .* yours is "none"/);
            assert.equal(c.logs.filter((l) => l === "refused /conveyor release staging from bob (read)").length, 1);
            assert.ok(c.logs.includes("refused /conveyor rollback prod from stranger (none)"));
            assert.ok(c.logs.includes("/conveyor release staging from bob: refused"));
            assert.ok(c.logs.includes("/conveyor rollback prod from stranger: refused"));
        });

        it("an unknown environment: a comment listing the environments", async () => {
            w.ops.setPermission("alice", "admin");
            const c = startController(w);
            const issue = w.ops.addIssue("Release globex-prod");
            await c.intake(command(c, "/conveyor release globex-prod", "alice", issue.number));
            await c.drain();
            assert.match(
                w.ops.issueComments(issue.number)[0].body,
                /there is no environment "globex-prod"\. The environments are: `staging`, `demo`, `prod`\. For example: `\/conveyor release staging`/,
            );
            assert.equal(w.ops.pulls.length, 0);
            assert.ok(c.logs.includes("/conveyor release globex-prod from alice: unknown-environment"), c.logs.join("\n"));
        });

        it("a rollback with nothing to roll back to: the reason, as an answer", async () => {
            w.ops.setPermission("alice", "write");
            const c = startController(w);
            const issue = w.ops.addIssue("Roll back");
            await c.intake(command(c, "/conveyor rollback staging", "alice", issue.number));
            await c.drain();
            assert.match(w.ops.issueComments(issue.number)[0].body, /was refused: Pulumi\.staging\.yaml: no earlier release/);
            assert.ok(c.logs.includes("/conveyor rollback staging from alice: refused"), c.logs.join("\n"));
        });

        it("a configured bot's command runs without a permission lookup", async () => {
            const c = startController(w, { intake: { commandBots: ["release-bot[bot]"] } });
            const issue = w.ops.addIssue("Release");
            await c.intake(command(c, "/conveyor release staging", "release-bot[bot]", issue.number));
            await c.drain();
            assert.ok(releasePr("staging"));
            assert.equal(
                w.github.requests.some((r) => r.path.includes("/collaborators/")),
                false,
            );
        });

        it("reads the config from the ops repository's default branch", async () => {
            w.ops.commit("main", { message: "Config", files: Object.fromEntries(fixtureFiles().map((f) => [f.name, f.text])) });
            w.ops.setPermission("alice", "write");
            const c = startController(w, { worker: { loadWorkspace: loadRemoteWorkspace } });
            const issue = w.ops.addIssue("Release demo");
            await c.intake(command(c, "/conveyor release demo", "alice", issue.number));
            await c.drain();
            assert.ok(releasePr("demo"));
        });
    });
});

describe("the worker's settings", () => {
    const env = {
        GITHUB_TOKEN_SECRET_ARN: "arn:aws:secretsmanager:eu-west-3:123456789012:secret:github-token",
        CIRCLECI_TOKEN_SECRET_ARN: "arn:aws:secretsmanager:eu-west-3:123456789012:secret:circleci-token",
        RELEASE_OWNERS_TOPIC_ARN: "arn:aws:sns:eu-west-3:123456789012:owners",
        WORK_QUEUE_URL: "https://sqs.eu-west-3.amazonaws.com/123456789012/release-controller-queue.fifo",
        OPS_OWNER: OWNER,
        OPS_REPO: "ops",
        GITHUB_API_URL: "https://github.acme.example/api/v3",
    };

    it("come from the environment, without touching AWS until a message needs a secret", () => {
        const deps = workerDepsFromEnv(env);
        assert.deepEqual(deps.ops, { owner: OWNER, repo: "ops" });
        assert.equal(deps.gitHubApiUrl, "https://github.acme.example/api/v3");
        assert.equal(
            Object.keys(require.cache).some((k) => k.includes("@aws-sdk")),
            false,
        );
    });

    it("without GITHUB_API_URL, talk to api.github.com and link github.com", () => {
        const { GITHUB_API_URL: _dropped, ...plain } = env;
        const deps = workerDepsFromEnv(plain);
        assert.equal(deps.gitHubApiUrl, "https://api.github.com");
        assert.equal(deps.gitHub("t", () => 0).request.endpoint.DEFAULTS.baseUrl, "https://api.github.com");
    });

    it("read the Slack and Sentry secrets only when the deployment passed an ARN for either", () => {
        const slack = { SLACK_WEBHOOKS_SECRET_ARN: "arn:aws:secretsmanager:eu-west-3:123456789012:secret:slack" };
        const sentry = { SENTRY_AUTH_TOKEN_SECRET_ARN: "arn:aws:secretsmanager:eu-west-3:123456789012:secret:sentry" };
        assert.equal(workerDepsFromEnv(env).feedbackSecrets, undefined, "no ARN: no feedback, no read");
        for (const arns of [slack, sentry, { ...slack, ...sentry }]) {
            assert.equal(typeof workerDepsFromEnv({ ...env, ...arns }).feedbackSecrets, "function", Object.keys(arns).join(", "));
        }
    });

    it("warn in the log, never with the URLs, when the Slack secret is not a JSON object of name -> URL", async () => {
        const asked: Record<string, string>[] = [];
        const secrets: typeof secretsFrom = (_env, variables) => {
            asked.push({ ...variables });
            return async () => ({ slack: '["https://hooks.slack.com/services/T0/B0/s3cr3t"]', sentry: "sntrys_token" }) as never;
        };
        const arns = {
            SLACK_WEBHOOKS_SECRET_ARN: "arn:aws:secretsmanager:eu-west-3:123456789012:secret:slack",
            SENTRY_AUTH_TOKEN_SECRET_ARN: "arn:aws:secretsmanager:eu-west-3:123456789012:secret:sentry",
        };
        const warned: string[] = [];
        const warn = console.warn;
        console.warn = (line: string) => void warned.push(line);
        let got: FeedbackSecrets;
        try {
            got = await feedbackSecretsFrom({ ...env, ...arns }, secrets)!();
        } finally {
            console.warn = warn;
        }
        assert.deepEqual(asked, [{ slack: "SLACK_WEBHOOKS_SECRET_ARN", sentry: "SENTRY_AUTH_TOKEN_SECRET_ARN" }]);
        assert.deepEqual([...got.slackWebhooks], [], "no webhook taken from it");
        assert.equal(got.sentryToken, "sntrys_token");
        assert.deepEqual(
            warned.map((l) => JSON.parse(l) as unknown),
            [{ message: "slack: the webhooks secret is not a JSON object of name -> URL; announcements are skipped" }],
        );
    });

    it("give CircleCI's client the run's wait budget: a Retry-After within it is waited out", async () => {
        const circle = await startFakeCircleCi();
        try {
            const slug = `gh/${OWNER}/billing-service`;
            circle.addPipeline(slug, { number: 880, revision: "a".repeat(40), workflows: ["success"] });
            circle.fail({ method: "GET" }, circleFaults.rateLimited(1));
            const ci = workerDepsFromEnv({ ...env, CIRCLECI_API_URL: circle.url }).circleCi(FAKE_CIRCLECI_TOKEN, 5_000);
            assert.equal(await ci.pipelineRevision(slug, 880), "a".repeat(40));
            assert.equal(circle.requests.length, 2, "refused once, then answered");
        } finally {
            await circle.close();
        }
    });

    it("name the missing variable, and the entry point refuses a batch with it", async () => {
        const { RELEASE_OWNERS_TOPIC_ARN: _dropped, ...partial } = env;
        assert.throws(
            () => workerDepsFromEnv(partial),
            (e: Error) => e instanceof MissingSettingError && /RELEASE_OWNERS_TOPIC_ARN is not set/.test(e.message),
        );
        const saved = { ...process.env };
        try {
            for (const k of Object.keys(env)) delete process.env[k];
            await assert.rejects(handler({ Records: [] }, freshContext()), /is not set/);
        } finally {
            Object.assign(process.env, saved);
        }
    });
});
