// The org stack under the real engine, its dynamic providers against the loopback fakes of GitHub and
// CircleCI: label renames that keep an issue's label, weekly milestones, CircleCI contexts; then a second up
// and a refresh that write nothing, a refused destroy, and a policy-breaking change.
import * as assert from "node:assert/strict";
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
        // GITHUB_OWNER: the github stand-in's view of the owner (the real provider reads github:owner too).
        p = ProjectCopy.create({ GITHUB_OWNER: OWNER });
        // Existing repositories being adopted, each with GitHub's default labels; billing-service also has a
        // "payments" label (renamedFrom of topic/billing) and an issue filed as a bug.
        for (const c of loadWorkspace(p.dir).catalog) {
            const repo = github.state.addRepo(`${OWNER}/${c.repo}`, { default_branch: "main" });
            for (const l of ["bug", "enhancement", "question"]) repo.addLabel(l);
            if (c.repo === "billing-service") {
                repo.addLabel("payments");
                bugIssue = repo.addIssue("Invoices round VAT down", { labels: ["bug", "payments"] }).number;
            }
        }
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

    it("refuses to destroy the org stack while its repositories are protected", async () => {
        const ran = await p.pulumi(["destroy", "--yes", "--skip-preview"], { stack: "org", expect: "any" });
        assert.notEqual(ran.code, 0);
        assert.match(ran.stdout + ran.stderr, /protect/i);
        const resources = JSON.parse((await p.pulumi(["stack", "export"], { stack: "org" })).stdout) as {
            deployment: { resources: Array<{ type: string }> };
        };
        assert.equal(
            resources.deployment.resources.filter((r) => r.type === "github:index/repository:Repository").length,
            loadWorkspace(p.dir).catalog.length,
        );
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
