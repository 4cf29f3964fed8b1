// What the team reads in Slack after a deploy: the "deployed" message (what changed, in plain words, every
// link through the redirector) and the "deploy failed" one (who is blamed, what did not run, who to call).
import * as assert from "node:assert/strict";
import type { SlackMessage } from "../../clients/slack";
import { deployedMessage, deployFailedMessage, type DeployedEvent } from "../../deploy/announce";
import type { MergedPull } from "../../deploy/targets";
import { blockProblems } from "../fakes/slack";
import { FAILED_WORKFLOW_URL, failedDeploy, failedEnv, notRunEnv } from "../feedback-world";

const ref = (repo: string, number: number) => ({ owner: "acme", repo, number });
const OWNERS = ["release-owners@acme.example", "cto@acme.example"];

/** The message as a reader sees it: the header, each section's text in order, the footer's elements. */
function read(m: SlackMessage): { header: string; sections: string[]; footer: string[] } {
    assert.equal(blockProblems(m), undefined, "Slack takes the message");
    const header = m.blocks.flatMap((b) => (b.type === "header" ? [b.text.text] : []));
    const footer = m.blocks.flatMap((b) => (b.type === "context" ? b.elements.map((e) => e.text) : []));
    return { header: header.join(), sections: m.blocks.flatMap((b) => (b.type === "section" ? [b.text.text] : [])), footer };
}

/** How many "•" lines the sections hold, and the count of the rest the last one gives ("…and 12 more"). */
function shownAndMore(sections: readonly string[], more: RegExp): { shown: number; more: number } {
    const last = more.exec(sections[sections.length - 1]);
    assert.ok(last, `the last section counts the rest: ${sections[sections.length - 1]}`);
    return {
        shown: sections
            .join("\n")
            .split("\n")
            .filter((l) => l.startsWith("• ")).length,
        more: Number(last[1]),
    };
}

describe("deploy announcements: the deployed message", () => {
    const SHA = "0123456789abcdef0123456789abcdef01234567";
    const BUILD = "<https://circleci.example/workflow/1|build>";
    const event = (more: Partial<DeployedEvent>): DeployedEvent => ({
        env: "staging",
        sha: SHA,
        buildUrl: "https://circleci.example/workflow/1",
        redirectorDomain: "go.acme.example",
        issues: [],
        deployPrs: [],
        ...more,
    });
    const release = {
        ref: ref("ops", 40),
        marker: { env: "staging", source: "ci", versions: { billing: 42, web: 7 }, issues: {}, previous: { billing: 41 } },
    };
    const issue = (n: number, title = `Issue ${n}`) => ({ ref: ref("billing-service", n), title });
    const opsPr = (n: number, title = `Change ${n}`) => ({ ref: ref("ops", n), title });

    it("says what changed in plain words, lists each issue by repository and number, every link through the redirector, nothing typed left raw", () => {
        const m = deployedMessage(event({ release, issues: [issue(3, "Totals <wrong> & <!channel>")] }));
        assert.equal(m.text, "Deployed to staging at 0123456: billing from build 41 to 42, web now at build 7.");
        assert.deepEqual(read(m), {
            header: "Deployed to staging",
            sections: [
                "*staging* now runs billing from build 41 to 42, web now at build 7.",
                "1 issue is now in staging:",
                "• <https://go.acme.example/acme/billing-service/issues/3|Totals &lt;wrong&gt; &amp; &lt;!channel&gt;> (billing-service 3)",
            ],
            footer: [BUILD, "commit 0123456", "<https://go.acme.example/acme/ops/issues/40|release PR 40>"],
        });
        assert.ok(!JSON.stringify(m.blocks).includes("github.com"));
    });

    it("counts the issues a release brought, in the plural past one, and says so when none was waiting", () => {
        const none = read(deployedMessage(event({ release })));
        assert.deepEqual(none.sections, [
            "*staging* now runs billing from build 41 to 42, web now at build 7.",
            "No issue was waiting for this release.",
        ]);
        const two = read(deployedMessage(event({ release, issues: [issue(3), issue(4)] })));
        assert.deepEqual(two.sections.slice(1), [
            "2 issues are now in staging:",
            "• <https://go.acme.example/acme/billing-service/issues/3|Issue 3> (billing-service 3)\n" +
                "• <https://go.acme.example/acme/billing-service/issues/4|Issue 4> (billing-service 4)",
        ]);
    });

    it("without a release PR, says how many changes of the ops repository were deployed, lists them, and links the build and commit only", () => {
        const bare = deployedMessage(event({}));
        assert.equal(bare.text, "Deployed to staging at 0123456: see the build.");
        assert.deepEqual(read(bare), {
            header: "Deployed to staging",
            sections: ["*staging* was deployed."],
            footer: [BUILD, "commit 0123456"],
        });

        const one = read(deployedMessage(event({ deployPrs: [opsPr(51, "Fix DNS <now>")] })));
        assert.deepEqual(one.sections, [
            "*staging* was deployed for 1 change of the ops repository.",
            "Deployed with it:",
            "• <https://go.acme.example/acme/ops/issues/51|Fix DNS &lt;now&gt;>",
        ]);
        assert.deepEqual(one.footer, [BUILD, "commit 0123456"]);
        const two = read(deployedMessage(event({ deployPrs: [opsPr(51), opsPr(52)] })));
        assert.equal(two.sections[0], "*staging* was deployed for 2 changes of the ops repository.");
    });

    it("a release of 400 issues, or a deploy of 80 ops PRs, is still one message Slack takes, counting what it leaves out", () => {
        const issues = Array.from({ length: 400 }, (_, i) =>
            issue(i + 1, `${"A long issue title that someone typed with care ".repeat(4)}${i + 1}`),
        );
        const big = read(deployedMessage(event({ release, issues })));
        const left = shownAndMore(big.sections, /^…and (\d+) more issues; see the release PR\.$/);
        assert.ok(left.more > 0);
        assert.equal(left.shown + left.more, 400);

        const prs = Array.from({ length: 80 }, (_, i) => opsPr(i + 1, "x".repeat(200)));
        const many = read(deployedMessage(event({ deployPrs: prs })));
        const rest = shownAndMore(many.sections, /^…and (\d+) more$/);
        assert.ok(rest.more > 0);
        assert.equal(rest.shown + rest.more, 80);
    });
});

describe("deploy announcements: the deploy-failed message", () => {
    const prodRelease: MergedPull = { number: 41, head: "release-prod", labels: [], body: "", title: "Release prod <b>" };
    const owners = "*Release owners:* release-owners@acme.example, cto@acme.example. Rerun the workflow once the cause is fixed.";

    it("names the failed environment and job, what did not run, the release owners and the PR that asked", () => {
        const m = deployFailedMessage(
            failedDeploy([failedEnv("prod"), notRunEnv("demo")], { pulls: [prodRelease] }),
            OWNERS,
            "go.acme.example",
        );
        assert.equal(
            m.text,
            `Deploy of prod failed at fedcba9. Release owners: release-owners@acme.example, cto@acme.example. Failed job: ${FAILED_WORKFLOW_URL}/jobs/12`,
        );
        assert.deepEqual(read(m), {
            header: "Deploy of prod failed",
            sections: [
                "The deploy of *prod* at `fedcba9` failed.\nNot deployed (an earlier job failed): demo.",
                `• job <${FAILED_WORKFLOW_URL}/jobs/12|deploy-prod> (failed)`,
                owners,
                "Asked for by:",
                "• prod: <https://go.acme.example/acme/ops/issues/41|Release prod &lt;b&gt;>",
            ],
            footer: [`<${FAILED_WORKFLOW_URL}|workflow deploy>`, "commit fedcba9"],
        });
    });

    it("blames every environment whose job failed, and lists every one not deployed, each once", () => {
        const two = read(deployFailedMessage(failedDeploy([failedEnv("staging", 3), failedEnv("demo", 4)]), OWNERS, "go.acme.example"));
        assert.equal(two.header, "Deploy of staging, demo failed");
        assert.equal(two.sections[0], "The deploy of *staging, demo* at `fedcba9` failed.", "nothing said of environments not deployed");
        const skipped = read(
            deployFailedMessage(failedDeploy([failedEnv("staging"), notRunEnv("demo"), notRunEnv("prod")]), OWNERS, "go.acme.example"),
        );
        assert.equal(
            skipped.sections[0],
            "The deploy of *staging* at `fedcba9` failed.\nNot deployed (an earlier job failed): demo, prod.",
        );
    });

    it("a workflow that failed before any deploy job blames no environment: the workflow failed, and nothing was deployed", () => {
        const build = { name: "build", status: "failed", url: `${FAILED_WORKFLOW_URL}/jobs/1` };
        const m = deployFailedMessage(failedDeploy([notRunEnv("staging")], { failedJobs: [build] }), OWNERS, "go.acme.example");
        assert.match(m.text, /^Deploy workflow failed at fedcba9\. Release owners: /);
        assert.deepEqual(read(m), {
            header: "Deploy workflow failed",
            sections: [
                "The deploy workflow at `fedcba9` failed.\nNot deployed (an earlier job failed): staging.",
                `• job <${FAILED_WORKFLOW_URL}/jobs/1|build> (failed)`,
                owners,
            ],
            footer: [`<${FAILED_WORKFLOW_URL}|workflow deploy>`, "commit fedcba9"],
        });
    });

    it("names a PR that has no title by its number", () => {
        const { sections } = read(
            deployFailedMessage(
                failedDeploy([failedEnv("prod")], { pulls: [{ ...prodRelease, title: undefined }] }),
                OWNERS,
                "go.acme.example",
            ),
        );
        assert.equal(sections[sections.length - 1], "• prod: <https://go.acme.example/acme/ops/issues/41|PR 41>");
    });

    it("200 failed jobs and 60 PRs asking are still one message Slack takes, counting the jobs and PRs it leaves out", () => {
        const failedJobs = Array.from({ length: 200 }, (_, i) => ({
            name: `test-shard-${i}`,
            status: "failed",
            url: `${FAILED_WORKFLOW_URL}/jobs/${i}`,
        }));
        const pulls = Array.from({ length: 60 }, (_, i) => ({
            number: i + 1,
            head: `fix-${i}`,
            labels: ["deploy/prod"],
            body: "",
            title: "y".repeat(200),
        }));
        const { sections } = read(deployFailedMessage(failedDeploy([failedEnv("prod")], { failedJobs, pulls }), OWNERS, "go.acme.example"));
        const owned = sections.indexOf(owners);
        const jobs = shownAndMore(sections.slice(1, owned), /^…and (\d+) more failed jobs$/);
        assert.ok(jobs.more > 0);
        assert.equal(jobs.shown + jobs.more, 200);
        assert.equal(sections[owned + 1], "Asked for by:");
        const asked = shownAndMore(sections.slice(owned + 2), /^…and (\d+) more$/);
        assert.ok(asked.more > 0);
        assert.equal(asked.shown + asked.more, 60);
    });
});
