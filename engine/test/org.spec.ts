// The org stack under the real engine, its dynamic providers against the loopback fakes of GitHub and
// CircleCI: label renames that keep an issue's label, weekly milestones, CircleCI contexts; then a second up
// and a refresh that write nothing, a refused destroy, and a policy-breaking change.
import * as assert from "node:assert/strict";
import { registriesUsed, registrySecretNames } from "../../components/github/dependabot";
import { loadWorkspace } from "../../config";
import { FAKE_CIRCLECI_TOKEN, startFakeCircleCi, type FakeCircleCi } from "../../test/fakes/circleci";
import { startFakeGitHub, type FakeGitHub } from "../../test/fakes/github";
import { policyEvents, preview } from "./preview";
import { ProjectCopy, securePaths } from "./harness";

const OWNER = "acme-saas";
const TOKEN = "ghs_engine-org";

describe("the org stack under the real engine", function () {
    let p: ProjectCopy;
    let github: FakeGitHub;
    let circle: FakeCircleCi;
    let bugIssue: number;

    before(async () => {
        github = await startFakeGitHub();
        circle = await startFakeCircleCi();
        github.state.token = TOKEN;
        p = ProjectCopy.create();
        // The real github provider creates every repository (POST /orgs/{org}/repos); GitHub gives each its
        // default labels. billing-service also gets, as soon as it exists, a "payments" label (renamedFrom of
        // topic/billing) and an issue filed as a bug, before the label renames run.
        github.state.addOrg(OWNER);
        github.state.onRepoCreated.push((repo) => {
            if (repo.name !== "billing-service") return;
            repo.addLabel("payments");
            bugIssue = repo.addIssue("Invoices round VAT down", { labels: ["bug", "payments"] }).number;
        });
    });
    after(async () => {
        p?.remove();
        await github?.close();
        await circle?.close();
    });

    const billing = () => github.state.findRepo(OWNER, "billing-service")!;

    it("initialises like the README says: every secure: placeholder replaced with pulumi config set --secret", async () => {
        const placeholders = securePaths(p.read("Pulumi.org.yaml"));
        const set = await p.initStack("org", (key) => (key === "github:token" ? TOKEN : `s3cret-${key}`));
        assert.deepEqual(set, placeholders);
        assert.ok(set.includes("github:token") && set.includes("conveyor:dependabotSecrets.MAVEN_PASS"), set.join(", "));
        assert.doesNotMatch(p.read("Pulumi.org.yaml"), /v1:placeholder:/);
        // What CI's deploy-org context adds: the API roots (here the fakes) and the CircleCI token.
        await p.pulumi(["config", "set", "github:baseUrl", github.url], { stack: "org" });
        // GitHub asks for a second between writes; the fake does not. The github provider and our dynamic
        // providers both read this key, and at the default 1000 ms this suite's first up took 7-9 minutes.
        await p.pulumi(["config", "set", "github:writeDelayMs", "0"], { stack: "org" });
        await p.pulumi(["config", "set", "circleci:apiUrl", circle.url], { stack: "org" });
        await p.pulumi(["config", "set", "--secret", "circleci:token"], { stack: "org", input: FAKE_CIRCLECI_TOKEN });
    });

    it("previews with the policy pack without a mandatory violation, and without writing to GitHub or CircleCI", async () => {
        const { doc, events, ran } = await preview(p, "org", ["--policy-pack", "policies"]);
        assert.equal(ran.code, 0, ran.stderr.slice(-3000));
        assert.ok((doc.changeSummary?.create ?? 0) > 50, JSON.stringify(doc.changeSummary));
        assert.deepEqual(
            policyEvents(events).filter((e) => e.enforcementLevel === "mandatory"),
            [],
        );
        assert.equal(github.writes(), 0);
        assert.equal(circle.writes(), 0);
    });

    it("applies: old labels renamed in place (the issue keeps its meaning), weekly milestones, CircleCI contexts with their variables", async () => {
        await p.pulumi(["up", "--yes", "--skip-preview", "--policy-pack", "policies"], { stack: "org" });
        const labels = billing().issueLabelNames(bugIssue).sort();
        assert.deepEqual(labels, ["topic/billing", "type/bug"]);
        assert.ok(billing().label("type/new-feature"), "enhancement was renamed to type/new-feature");
        assert.equal(billing().label("bug"), undefined);
        // The current ISO week and the ones after it, `milestones.weeks` in all: 4 by default, 2 for ops.
        const titles = (repo: string) => github.state.findRepo(OWNER, repo)!.milestones.map((m) => m.title);
        assert.equal(titles("billing-service").length, 4);
        assert.equal(titles("ops").length, 2);
        assert.ok(
            titles("ops").every((t) => /^\d{4}-W\d{2}$/.test(t)),
            titles("ops").join(", "),
        );
        const contexts = [...circle.contexts.values()];
        const staging = contexts.find((c) => c.name === "deploy-staging");
        assert.ok(staging, contexts.map((c) => c.name).join(", "));
        assert.deepEqual([...staging.envVars.keys()].sort(), [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "CLOUDFLARE_API_TOKEN",
            "GITHUB_TOKEN",
            "PULUMI_ACCESS_TOKEN",
        ]);
        assert.equal(staging.envVars.get("AWS_ACCESS_KEY_ID")!.value, "s3cret-conveyor:circleciSecrets.NONPROD_AWS_ACCESS_KEY_ID");
        const state = (await p.pulumi(["stack", "export"], { stack: "org" })).stdout;
        assert.doesNotMatch(state, /s3cret-/, "no secret in plaintext in the state");
    });

    it("the real github provider made every repository as GitHub has it: settings, topics, ruleset, files, label set, security updates, sealed secrets", async () => {
        const org = loadWorkspace(p.dir).org!;
        const labelCounts = JSON.parse((await p.pulumi(["stack", "output", "labelCounts", "--json"], { stack: "org" })).stdout) as Record<
            string,
            number
        >;
        for (const r of org.repositories) {
            const repo = github.state.findRepo(OWNER, r.name);
            assert.ok(repo, `${r.name} was created`);
            const s = r.settings;
            // Topics are a set to the provider, which sends them in its own order.
            assert.deepEqual(
                [
                    repo.settings.visibility,
                    [...repo.settings.topics].sort(),
                    repo.settings.has_wiki,
                    repo.settings.has_projects,
                    repo.delete_branch_on_merge,
                ],
                [s.visibility, [...s.topics].sort(), false, false, s.deleteBranchOnMerge],
                r.name,
            );
            assert.deepEqual(
                [
                    repo.settings.allow_merge_commit,
                    repo.settings.allow_squash_merge,
                    repo.settings.allow_rebase_merge,
                    repo.settings.allow_auto_merge,
                ],
                [s.merge.allowMergeCommit, s.merge.allowSquashMerge, s.merge.allowRebaseMerge, s.merge.allowAutoMerge],
                r.name,
            );
            assert.deepEqual([repo.settings.squash_merge_commit_title, repo.settings.squash_merge_commit_message], ["PR_TITLE", "PR_BODY"]);
            assert.deepEqual(
                [repo.settings.vulnerability_alerts, repo.settings.automated_security_fixes],
                [s.vulnerabilityAlerts, true],
                r.name,
            );
            const [ruleset, ...more] = repo.rulesets;
            assert.equal(more.length, 0, r.name);
            assert.deepEqual(
                [ruleset.name, ruleset.enforcement, ruleset.conditions],
                ["default branch", "active", { ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] } }],
            );
            const review = ruleset.rules.find((x) => x.type === "pull_request")?.parameters;
            assert.equal(review?.required_approving_review_count, s.branchRule.requiredApprovals, r.name);
            assert.deepEqual(
                ruleset.rules.map((x) => x.type).sort(),
                [
                    "deletion",
                    "non_fast_forward",
                    "pull_request",
                    ...(s.branchRule.statusChecks.length > 0 ? ["required_status_checks"] : []),
                ].sort(),
            );
            for (const file of [".github/dependabot.yml", ".github/workflows/stale.yml"])
                assert.match(repo.file(s.defaultBranch, file) ?? "", /conveyor/, `${r.name}: ${file}`);
            // The authoritative label set: the taxonomy only, GitHub's other defaults removed.
            assert.equal(repo.labels.length, labelCounts[r.name], r.name);
            assert.ok(repo.label("type/bug") && !repo.label("question") && !repo.label("wontfix"), r.name);
            const repoSecrets = registriesUsed(r, org.registries)
                .filter((x) => x.secretScope === "repository")
                .flatMap(registrySecretNames);
            assert.deepEqual([...repo.dependabotSecrets.keys()].sort(), repoSecrets.sort(), r.name);
        }
        const orgSecrets = github.state.orgDependabot.get(OWNER)?.secrets ?? new Map();
        const mavenUsers = org.repositories.filter((r) => r.ecosystems.some((e) => e.registries.includes("maven-internal")));
        assert.ok(mavenUsers.length > 0);
        assert.deepEqual(
            orgSecrets.get("MAVEN_PASS")?.selected_repository_ids.sort(),
            mavenUsers.map((r) => github.state.findRepo(OWNER, r.name)!.id).sort(),
        );
        const sealed = [...orgSecrets.values(), ...[...github.state.repos.values()].flatMap((r) => [...r.dependabotSecrets.values()])];
        assert.ok(sealed.length > 0);
        for (const secret of sealed) assert.doesNotMatch(Buffer.from(secret.encrypted_value, "base64").toString("latin1"), /s3cret/);
    });

    it("a second up and a refresh make no write, and the stack previews clean with --expect-no-changes", async () => {
        github.clearRequests();
        circle.clearRequests();
        await p.pulumi(["up", "--yes", "--skip-preview"], { stack: "org" });
        await p.pulumi(["refresh", "--yes"], { stack: "org" });
        assert.deepEqual(
            github.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`),
            [],
        );
        assert.deepEqual(
            circle.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`),
            [],
        );
        const again = await preview(p, "org", ["--expect-no-changes"]);
        assert.equal(again.ran.code, 0, JSON.stringify(again.doc.steps?.filter((s) => s.op !== "same").map((s) => [s.op, s.urn])));
    });

    it("refuses to destroy the org stack before deleting anything: no label, ruleset, file, secret or context is lost", async () => {
        const resourcesOf = async () =>
            (
                JSON.parse((await p.pulumi(["stack", "export"], { stack: "org" })).stdout) as {
                    deployment: { resources: Array<{ urn: string; type: string }> };
                }
            ).deployment.resources.map((r) => r.urn);
        const before = await resourcesOf();
        github.clearRequests();
        circle.clearRequests();
        const ran = await p.pulumi(["destroy", "--yes", "--skip-preview"], { stack: "org", expect: "any" });
        assert.notEqual(ran.code, 0);
        assert.match(ran.stdout + ran.stderr, /DestroyGuard.*protect|protect.*DestroyGuard/s);
        const writes = (r: { method: string; path: string }) => r.method !== "GET" && !r.path.endsWith("graphql");
        assert.deepEqual(
            github.requests.filter(writes).map((r) => `${r.method} ${r.path}`),
            [],
        );
        assert.deepEqual(
            circle.requests.filter(writes).map((r) => `${r.method} ${r.path}`),
            [],
        );
        assert.deepEqual(await resourcesOf(), before, "the state keeps every resource");
        assert.ok(before.filter((u) => u.includes("github:index/repository:Repository")).length >= loadWorkspace(p.dir).catalog.length);
    });

    it("fails the preview, naming the policy, when a change leaves a repository unprotected", async () => {
        const file = "components/github/managed-repository.ts";
        const original = p.read(file);
        try {
            assert.match(original, /protect: true/);
            p.write(file, original.replace(/protect: true/g, "protect: false"));
            const { ran, events } = await preview(p, "org", ["--policy-pack", "policies"]);
            assert.notEqual(ran.code, 0);
            const names = new Set(
                policyEvents(events)
                    .filter((e) => e.enforcementLevel === "mandatory")
                    .map((e) => e.policyName),
            );
            assert.deepEqual([...names], ["github-repository-protected"]);
        } finally {
            p.write(file, original);
        }
    });
});
