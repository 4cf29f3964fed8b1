// The release controller end to end, over real HTTP against the loopback GitHub and CircleCI.
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { parseMarker } from "../../release/changelog";
import { releaseBranch } from "../../release/pr";
import { runRelease, ReleaseInputError, type ReleaseOutcome } from "../../release/release";
import { InputError } from "../../config/input-error";
import { readVersions, StackFileError } from "../../config/stackfile";
import { faults, validationFailed, type Route } from "../fakes/github";
import { diffLines, prOf, startWorld, type World } from "../release-world";
import { WORKSPACE } from "../workspace-fixture";

/** Bodies of two worlds differ only in the fakes' port and in commit shas (dates go into them). */
const normalise = (body: string): string => body.replace(/http:\/\/127\.0\.0\.1:\d+/g, "URL").replace(/[0-9a-f]{40}/g, "SHA");

const release = (w: World, env: string, extra: { dryRun?: boolean; throttle?: boolean } = {}) =>
    runRelease(w.deps({ throttle: extra.throttle }), { env, mode: "release", dryRun: extra.dryRun ?? false });

describe("release controller against the fakes", function () {
    this.timeout(60_000);
    let w: World;
    beforeEach(async () => {
        w = await startWorld();
    });
    afterEach(() => w.close());

    it("releases staging from CI: one PR, one line per component, a readable changelog", async () => {
        const outcome = await release(w, "staging");
        assert.equal(outcome.status, "opened");
        const pr = prOf(w, "staging");
        assert.equal(pr.title, "Release staging: 6 components");
        assert.deepEqual(pr.labels, ["release"]);
        const lines = diffLines(w, "staging");
        assert.equal(lines.length, 6);
        assert.ok(lines.includes(`    billing: ${w.latest.get("billing")}`), lines.join("\n"));
        assert.deepEqual(
            readVersions("Pulumi.staging.yaml", w.ops.file(releaseBranch("staging"), "Pulumi.staging.yaml")!).get("web"),
            w.latest.get("web"),
        );
        assert.match(
            pr.body,
            /### Bug fixes\n\n- \*\*marketplace\*\*: marketplace: change 1 \(`alice`, \[acme-saas\/marketplace-backend&#35;\d+\]\(https:\/\/go\.acme-saas\.example\/acme-saas\/marketplace-backend\/issues\/\d+\)\) — \[acme-saas\/marketplace-backend&#35;1\]/,
        );
        assert.match(
            pr.body,
            /\| billing \| 873 \| \d+ \| \[3 PRs, 3 commits\]\(http:\/\/127\.0\.0\.1:\d+\/acme-saas\/billing-service\/compare\/[0-9a-f]{40}\.\.\.[0-9a-f]{40}\) \|/,
        );
        const marker = parseMarker(pr.body)!;
        assert.equal(marker.env, "staging");
        assert.equal(marker.versions.gateway, w.latest.get("gateway"));
        assert.deepEqual(marker.issues["acme-saas/billing-service"], [1, 3, 5], "each PR's issue; the PRs themselves are 2, 4, 6");
    });

    it("stays within components + 5 GitHub reads, and a rerun writes nothing", async () => {
        await release(w, "staging");
        const firstReads = w.github.reads();
        assert.ok(firstReads <= 6 + 5, `${firstReads} reads for 6 components`);
        w.github.clearRequests();
        const again = await release(w, "staging");
        assert.equal(again.status, "unchanged");
        assert.equal(w.github.writes(), 0, "a rerun writes nothing");
        assert.ok(w.github.reads() <= 6 + 5);
    });

    it("a release re-run after a newer build refreshes the PR body and marker, not only the stack file", async () => {
        await release(w, "staging");
        const before = prOf(w, "staging");
        const billing = w.repos.get("billing")!;
        const issue = billing.addIssue("billing: late fix", { labels: ["workflow/ready-for-staging"] });
        billing.commit("late-fix", { message: "late fix", files: { "src/late.txt": "1\n" }, author: "bob" });
        const pr = billing.openPull({
            head: "late-fix",
            title: "billing: late fix",
            body: `Fixes #${issue.number}`,
            labels: ["type/bug"],
            user: "bob",
        });
        billing.mergePull(pr.number, { method: "squash" });
        const newer = w.latest.get("billing")! + 2; // the build after the newest green one failed
        w.circle.addPipeline("gh/acme-saas/billing-service", { number: newer, revision: billing.head("main"), workflows: ["success"] });

        const again = await release(w, "staging");
        assert.equal(again.status, "updated");
        const after = prOf(w, "staging");
        assert.equal(after.number, before.number, "the same PR, refreshed");
        assert.ok(diffLines(w, "staging").includes(`    billing: ${newer}`));
        const marker = parseMarker(after.body)!;
        assert.equal(marker.versions.billing, newer, "deployed reads the versions from the marker");
        assert.ok(marker.issues["acme-saas/billing-service"].includes(issue.number), "and the issues it tells");
        assert.match(after.body, new RegExp(`\\| billing \\| 873 \\| ${newer} \\|`));
        assert.notEqual(after.body, before.body);
    });

    it("never promotes a failed build, and reports what it leaves out", async () => {
        const progress: string[] = [];
        w.circle.addPipeline("gh/acme-saas/api-gateway", { number: 9000, workflows: ["running"] });
        const outcome = await runRelease(w.deps({ progress }), { env: "staging", mode: "release", dryRun: false });
        assert.ok(outcome.status === "opened");
        assert.equal(outcome.plan.bumps.find((b) => b.component === "gateway")!.to, w.latest.get("gateway"));
        assert.ok(
            progress.some((l) => /^gateway: latest green build on main is \d+$/.test(l)),
            progress.join("\n"),
        );
    });

    it("releases prod from demo's stack file on main", async () => {
        const outcome = await release(w, "prod");
        assert.equal(outcome.status, "opened");
        const pr = prOf(w, "prod");
        assert.equal(pr.title, "Release prod: 6 components");
        assert.ok(diffLines(w, "prod").includes("    marketplace: 1398"));
        assert.match(pr.body, /Promotes prod to \*\*demo\*\*/);
        assert.match(pr.body, /Commits without a pull request: /);
    });

    it("a dry run prints the plan and body and writes nothing", async () => {
        const outcome = await release(w, "staging", { dryRun: true });
        assert.equal(outcome.status, "dry-run");
        assert.equal(w.github.writes(), 0);
        assert.ok(outcome.status === "dry-run" && outcome.body.includes("### Bug fixes"));
    });

    it("nothing to release: no write, no PR", async () => {
        for (const [c, v] of w.latest)
            w.circle.addPipeline(`gh/acme-saas/${w.workspace.catalog.find((x) => x.name === c)!.repo}`, {
                number: v + 500,
                workflows: ["failed"],
            });
        const demo = await release(w, "demo");
        assert.equal(demo.status, "opened", "demo is behind staging");
        w.github.clearRequests();
        const prod2 = await runRelease(w.deps(), { env: "demo", mode: "release", dryRun: false });
        assert.equal(prod2.status, "unchanged");
        assert.equal(w.github.writes(), 0);
    });

    it("two concurrent runs leave one PR", async () => {
        const outcomes = await Promise.all([release(w, "staging"), release(w, "staging")]);
        for (const o of outcomes) assert.ok(["opened", "updated", "unchanged"].includes(o.status), o.status);
        assert.equal(w.ops.pulls.length, 1);
        assert.deepEqual(prOf(w, "staging").labels, ["release"]);
        assert.equal(diffLines(w, "staging").length, 6);
    });

    it("refuses a new release while the last merged one is not deployed, and says why", async () => {
        await release(w, "staging");
        w.ops.mergePull(prOf(w, "staging").number, { method: "squash" });
        w.github.clearRequests();
        const outcome = await release(w, "staging");
        assert.equal(outcome.status, "blocked");
        assert.ok(outcome.status === "blocked" && /is merged but not labelled "deployed" yet/.test(outcome.reason));
        assert.equal(w.github.writes(), 0);
    });

    it("rolls back to the previous deployed release", async () => {
        const before = readVersions("Pulumi.prod.yaml", w.ops.file("main", "Pulumi.prod.yaml")!);
        await release(w, "prod");
        const n = prOf(w, "prod").number;
        w.ops.mergePull(n, { method: "squash" });
        w.ops.addIssueLabels(w.ops.issue(n)!, ["deployed"]);
        const progress: string[] = [];
        const outcome = await runRelease(w.deps({ progress }), { env: "prod", mode: "rollback", dryRun: false });
        assert.equal(outcome.status, "opened");
        const main = w.ops.head("main");
        const previous = w.ops.commitRecord(main).parents[0];
        assert.ok(progress.includes(`prod: rolling back to the versions of ${previous.slice(0, 7)}`), progress.join("\n"));
        const branchVersions = readVersions("Pulumi.prod.yaml", w.ops.file(releaseBranch("prod"), "Pulumi.prod.yaml")!);
        assert.deepEqual([...branchVersions], [...before]);
        assert.match(prOf(w, "prod").body, /previous deployed release \(rollback\)/);
    });

    it("cuts a body over 65,000 characters and commits the full changelog on the branch", async () => {
        await w.close();
        w = await startWorld({ prsPerComponent: 80 });
        const outcome = await release(w, "staging");
        assert.equal(outcome.status, "opened");
        const pr = prOf(w, "staging");
        assert.ok(pr.body.length <= 65_000, `${pr.body.length} characters`);
        assert.match(
            pr.body,
            /read it in full in \[the changelog on this branch\]\(https?:\/\/[^)]+\/acme-saas\/ops\/blob\/release-staging\/releases\/staging\.md\)/,
        );
        const full = w.ops.file(releaseBranch("staging"), "releases/staging.md")!;
        assert.ok(full.length > 65_000);
        assert.match(full, /billing: change 80/);
        assert.equal(full.match(/^- \*\*/gm)?.length, 6 * 80, "every PR of every component, across GraphQL batches");
        w.github.clearRequests();
        assert.equal((await release(w, "staging")).status, "unchanged");
        assert.equal(w.github.writes(), 0);
    });

    it("never lowers a component from CI, and says why it left it out", async () => {
        const above = w.latest.get("billing")! + 50; // deployed by hand, never green on CI
        const staging = w.ops.file("main", "Pulumi.staging.yaml")!;
        w.ops.commit("main", {
            message: "hand deploy",
            files: { "Pulumi.staging.yaml": staging.replace(/billing: \d+/, `billing: ${above}`) },
        });
        const progress: string[] = [];
        const outcome = await runRelease(w.deps({ progress }), { env: "staging", mode: "release", dryRun: false });
        assert.equal(outcome.status, "opened");
        assert.equal(prOf(w, "staging").title, "Release staging: 5 components");
        assert.ok(!diffLines(w, "staging").some((l) => l.includes("billing")));
        const why = `ci has ${w.latest.get("billing")}, older than the running ${above}; a release never lowers a version (use rollback)`;
        assert.ok(progress.includes(`billing: skipped, ${why}`), progress.join("\n"));
        assert.ok(prOf(w, "staging").body.includes(`- billing: ${why}`));
    });

    it("names the commit after the release, one line per component", async () => {
        await release(w, "staging");
        const { message } = w.ops.commitRecord(w.ops.head(releaseBranch("staging")));
        const lines = message.trim().split("\n");
        assert.deepEqual(lines.slice(0, 2), ["Release staging: 6 components", ""]);
        assert.ok(lines.includes(`billing: 873 -> ${w.latest.get("billing")}`), message);
        assert.equal(lines.length, 2 + 6);
    });

    it("a dry run shows the plan even while the last merged release is not deployed", async () => {
        await release(w, "staging");
        w.ops.mergePull(prOf(w, "staging").number, { method: "squash" });
        const web = w.repos.get("web")!;
        w.circle.addPipeline(`gh/acme-saas/${web.name}`, { number: 9000, revision: web.head("main"), workflows: ["success"] });
        w.github.clearRequests();
        const outcome = await release(w, "staging", { dryRun: true });
        assert.ok(outcome.status === "dry-run" && outcome.title === "Release staging: 1 component", outcome.status);
        assert.equal(w.github.writes(), 0);
        assert.equal((await release(w, "staging")).status, "blocked", "the release itself waits");
    });

    it("says there is nothing to release once the environment runs the source's builds", async () => {
        await release(w, "staging");
        const n = prOf(w, "staging").number;
        w.ops.mergePull(n, { method: "squash" });
        w.ops.addIssueLabels(w.ops.issue(n)!, ["deployed"]);
        w.github.clearRequests();
        const progress: string[] = [];
        const outcome = await runRelease(w.deps({ progress }), { env: "staging", mode: "release", dryRun: false });
        assert.equal(outcome.status, "nothing-to-release");
        assert.ok(progress.includes("staging: nothing to release (6 components already at the source's build)"), progress.join("\n"));
        assert.equal(w.github.writes(), 0);
    });

    it("refuses bad input with a clear error and writes nothing", async () => {
        const noOrg = { ...w.deps(), workspace: { ...w.workspace, org: undefined } };
        await assert.rejects(
            runRelease(noOrg, { env: "staging", mode: "release", dryRun: false }),
            (e: Error) =>
                e instanceof ReleaseInputError &&
                e.message === "Pulumi.org.yaml: file not found (it names the GitHub owner and the ops repository)",
        );
        await assert.rejects(
            release(w, "qa"),
            (e: Error) => e instanceof ReleaseInputError && /unknown environment "qa": expected one of staging, demo, prod/.test(e.message),
        );
        w.ops.commit("main", {
            message: "oops",
            files: { "Pulumi.staging.yaml": w.ops.file("main", "Pulumi.staging.yaml")!.replace("web: 2290", "web: latest") },
        });
        await assert.rejects(
            release(w, "staging"),
            (e: Error) =>
                e instanceof StackFileError && /Pulumi\.staging\.yaml: conveyor:versions\.web: expected a build number/.test(e.message),
        );
        assert.equal(w.github.writes(), 0);
    });
});

describe("release controller: environments missing on the ops repository", function () {
    this.timeout(60_000);
    let w: World;
    beforeEach(async () => {
        const frozen = (n: string) => fs.readFileSync(path.join(WORKSPACE, n), "utf8");
        w = await startWorld({
            stackFiles: { "Pulumi.staging.yaml": frozen("Pulumi.staging.yaml"), "Pulumi.prod.yaml": frozen("Pulumi.prod.yaml") },
        });
    });
    afterEach(() => w.close());

    it("refuses an environment whose stack file is not merged yet", async () => {
        await assert.rejects(
            release(w, "demo"),
            (e: Error) =>
                e instanceof ReleaseInputError && e.message === "Pulumi.demo.yaml: not on acme-saas/ops@main; merge the environment first",
        );
        assert.equal(w.github.writes(), 0);
    });

    it("refuses a release whose source environment is not merged yet", async () => {
        await assert.rejects(
            release(w, "prod"),
            (e: Error) =>
                e instanceof ReleaseInputError && e.message === "Pulumi.demo.yaml: the release source of prod is not on acme-saas/ops@main",
        );
        assert.equal(w.github.writes(), 0);
    });

    it("refuses a source whose stack file is a folder, naming it", async () => {
        const sha = w.ops.commit("main", { message: "oops", files: { "Pulumi.demo.yaml/notes.md": "demo\n" } });
        // An input error: the CLI says it in one line and exits 2.
        await assert.rejects(
            release(w, "prod"),
            (e: Error) => e instanceof InputError && e.message === `Pulumi.demo.yaml at ${sha} is not a file`,
        );
        assert.equal(w.github.writes(), 0);
    });
});

describe("release controller: faults converge to the fault-free result", function () {
    this.timeout(120_000);

    type Final = { first: ReleaseOutcome | Error; title: string; body: string; lines: string[]; prs: number };

    /**
     * One release run with the faults `setup` injects, then, only when `rerun` is set, a second run after a
     * failed first one (a run the scheduler or a person starts again). Returns the first run's outcome.
     */
    async function finalState(setup: (w: World) => void, options: { throttle?: boolean; rerun?: boolean } = {}): Promise<Final> {
        const w = await startWorld();
        try {
            setup(w);
            const first = await release(w, "staging", { throttle: options.throttle }).catch((e: Error) => e);
            if (first instanceof Error) {
                if (!options.rerun) throw first;
                assert.equal((await release(w, "staging", { throttle: options.throttle })).status, "opened", "the second run opens the PR");
            }
            const pr = prOf(w, "staging");
            return { first, title: pr.title, body: normalise(pr.body), lines: diffLines(w, "staging"), prs: w.ops.pulls.length };
        } finally {
            await w.close();
        }
    }

    /** The promise of an in-run recovery: the FIRST run opened the PR, with the fault-free content. */
    const recoveredInOneRun = (got: Final) => {
        assert.ok(!(got.first instanceof Error) && got.first.status === "opened", "the first run opened the PR");
        same(got);
    };

    let clean: Awaited<ReturnType<typeof finalState>>;
    before(async () => {
        clean = await finalState(() => undefined);
        assert.ok(!(clean.first instanceof Error) && clean.first.status === "opened");
    });

    const same = (got: typeof clean) => {
        assert.equal(got.title, clean.title);
        assert.equal(got.body, clean.body);
        assert.deepEqual(got.lines, clean.lines);
        assert.equal(got.prs, 1);
    };

    it("502s on reads are retried within the run", async () => {
        recoveredInOneRun(
            await finalState((w) => {
                w.github.fail({ method: "GET", path: /\/compare\// }, faults.badGateway(), 3);
                w.github.fail({ method: "GET", path: /\/pulls$/ }, faults.badGateway(), 1);
            }),
        );
    });

    it("a secondary rate limit with retry-after is waited out within the run", async () => {
        recoveredInOneRun(
            await finalState((w) => w.github.fail({ method: "POST", path: /^\/graphql$/ }, faults.secondaryRateLimit(1), 1), {
                throttle: true,
            }),
        );
    });

    it("a stale-sha 409 on the stack file is re-read and retried within the run", async () => {
        recoveredInOneRun(
            await finalState((w) =>
                w.github.fail({ method: "PUT", path: /\/contents\// }, faults.conflict("Pulumi.staging.yaml does not match 0000000"), 1),
            ),
        );
    });

    it("a 502 on the PR POST fails the run instead of a blind retry; a second run adopts the branch and opens the PR", async () => {
        const got = await finalState((w) => w.github.fail({ method: "POST", path: /\/pulls$/ }, faults.badGateway(), 1), { rerun: true });
        assert.ok(got.first instanceof Error, "the first run fails");
        assert.equal((got.first as Error & { status?: number }).status, 502);
        same(got);
    });

    it("a 422 'already exists' on the PR POST adopts the PR another run opened", async () => {
        // Another run wins the race between our list and our POST.
        const racing: Route = {
            method: "POST",
            path: "/repos/{owner}/{repo}/pulls",
            docs: "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
            handler: (ctx) => {
                const body = ctx.body as { head: string; base: string };
                const ops = ctx.state.repo("acme-saas/ops");
                if (!ops.openPullFor(body.head, body.base))
                    ops.openPull({ head: body.head, base: body.base, title: "Release staging (other run)", body: "" });
                throw validationFailed({
                    resource: "PullRequest",
                    code: "custom",
                    message: `A pull request already exists for acme-saas:${body.head}.`,
                });
            },
        };
        const w = await startWorld({ routes: [racing] });
        try {
            const outcome = await release(w, "staging");
            assert.notEqual(outcome.status, "blocked");
            const pr = prOf(w, "staging");
            assert.equal(pr.title, clean.title);
            assert.equal(normalise(pr.body), clean.body);
            assert.deepEqual(pr.labels, ["release"]);
            assert.equal(w.ops.pulls.length, 1);
        } finally {
            await w.close();
        }
    });
});
