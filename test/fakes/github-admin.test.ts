// The fake GitHub's administrator routes, the ones the real github provider (Terraform's, bridged) calls:
// repositories created and updated, topics, security toggles, rulesets, Dependabot secrets; every answer
// checked against GitHub's OpenAPI description like the rest of the fake (github.test.ts).
import assert from "node:assert/strict";
import type { Octokit } from "octokit";
import { startFakeGitHub, type FakeGitHub } from "./github";
import { call, callError, checked, client } from "./github-calls";
import { adminRoutes } from "./github/routes";
import { openApiDocument } from "./openapi";

const ORG = "acme";

/** A value as a client would seal it: 32-byte ephemeral key + 16-byte MAC + the plaintext's length. */
const sealed = (plaintextBytes: number) => Buffer.alloc(48 + plaintextBytes, 7).toString("base64");

describe("fake GitHub: administrator routes", function () {
    let fake: FakeGitHub;
    let gh: Octokit;

    before(() => openApiDocument());
    beforeEach(async function () {
        fake = await startFakeGitHub();
        fake.state.addOrg(ORG);
        gh = client(fake);
    });
    afterEach(async () => fake.close());

    const create = (extra: Record<string, unknown> = {}) => call(gh.rest.repos.createInOrg, { org: ORG, name: "svc", ...extra }, 201);

    it("creates an organisation repository with GitHub's defaults, its default labels and, with auto_init, a README", async function () {
        const made: string[] = [];
        fake.state.onRepoCreated.push((r) => made.push(r.fullName));
        const { data } = await create({ private: true, auto_init: true, has_wiki: false, squash_merge_commit_title: "PR_TITLE" });
        assert.deepEqual(
            [data.full_name, data.visibility, data.private, data.has_wiki, data.has_projects],
            ["acme/svc", "private", true, false, true],
        );
        assert.deepEqual([data.allow_merge_commit, data.allow_auto_merge, data.squash_merge_commit_title], [true, false, "PR_TITLE"]);
        assert.deepEqual(made, ["acme/svc"]);
        const repo = fake.state.repo("acme/svc");
        assert.ok(repo.label("bug")?.default && repo.label("enhancement") && repo.label("wontfix"));
        assert.equal(repo.file("main", "README.md"), "# svc\n");
        const bare = await create({ name: "bare", visibility: "public" });
        assert.equal(bare.data.visibility, "public");
        assert.equal(fake.state.repo("acme/bare").branches.size, 0, "no commit without auto_init");
    });

    it("refuses an existing name (422), a field of the wrong type (422) and an unknown organisation (404)", async function () {
        await create();
        const taken = await callError(gh.rest.repos.createInOrg, { org: ORG, name: "SVC" }, 422);
        assert.match(JSON.stringify(taken.response?.data), /name already exists on this account/);
        await callError(gh.rest.repos.createInOrg, { org: ORG, name: "x", has_wiki: "no" as unknown as boolean }, 422);
        await callError(gh.rest.repos.createInOrg, { org: "nobody", name: "x" }, 404);
        assert.equal(fake.state.findRepo(ORG, "x"), undefined);
    });

    it("updates settings and replaces topics, which GET then answers; an archived repository is read-only", async function () {
        await create({ auto_init: true });
        const at = { owner: ORG, repo: "svc" };
        const { data } = await call(
            gh.rest.repos.update,
            { ...at, name: "svc", description: "Billing", allow_auto_merge: true, delete_branch_on_merge: true, visibility: "public" },
            200,
        );
        assert.deepEqual(
            [data.description, data.allow_auto_merge, data.delete_branch_on_merge, data.visibility],
            ["Billing", true, true, "public"],
        );
        const topics = await call(gh.rest.repos.replaceAllTopics, { ...at, names: ["payments", "Java"] }, 200);
        assert.deepEqual(topics.data.names, ["payments", "java"]);
        await callError(gh.rest.repos.replaceAllTopics, { ...at, names: ["no spaces"] }, 422);
        const read = await call(gh.rest.repos.get, at, 200);
        assert.deepEqual([read.data.topics, read.data.description, read.data.private], [["payments", "java"], "Billing", false]);
        await callError(gh.rest.repos.update, { ...at, squash_merge_commit_title: "NOPE" as "PR_TITLE" }, 422);
        await callError(gh.rest.repos.update, { ...at, default_branch: "nope" }, 422);
        await call(gh.rest.repos.update, { ...at, archived: true }, 200);
        await callError(gh.rest.repos.update, { ...at, description: "changed" }, 403);
        assert.equal(fake.state.repo("acme/svc").description, "Billing");
    });

    it("turns Dependabot alerts and security updates on and off; GET shows them", async function () {
        await create();
        const at = { owner: ORG, repo: "svc" };
        await callError(gh.rest.repos.checkVulnerabilityAlerts, at, 404);
        await call(gh.rest.repos.enableVulnerabilityAlerts, at, 204);
        await call(gh.rest.repos.checkVulnerabilityAlerts, at, 204);
        assert.deepEqual((await call(gh.rest.repos.checkAutomatedSecurityFixes, at, 200)).data, { enabled: false, paused: false });
        await call(gh.rest.repos.enableAutomatedSecurityFixes, at, 204);
        assert.equal((await call(gh.rest.repos.checkAutomatedSecurityFixes, at, 200)).data.enabled, true);
        const read = await call(gh.rest.repos.get, at, 200);
        assert.equal(read.data.security_and_analysis?.dependabot_security_updates?.status, "enabled");
        await call(gh.rest.repos.disableAutomatedSecurityFixes, at, 204);
        await call(gh.rest.repos.disableVulnerabilityAlerts, at, 204);
        await callError(gh.rest.repos.checkVulnerabilityAlerts, at, 404);
        assert.equal(fake.state.repo("acme/svc").settings.automated_security_fixes, false);
    });

    it("answers GET /orgs/{org} for an organisation only", async function () {
        assert.equal((await call(gh.rest.orgs.get, { org: ORG }, 200)).data.login, ORG);
        fake.state.account("someone");
        await callError(gh.rest.orgs.get, { org: "someone" }, 404);
        await callError(gh.rest.orgs.get, { org: "nobody" }, 404);
    });

    it("creates, reads, updates and deletes a ruleset, refusing a duplicate name and an unknown rule", async function () {
        await create();
        const at = { owner: ORG, repo: "svc" };
        const rules = [
            { type: "deletion" as const },
            {
                type: "pull_request" as const,
                parameters: {
                    required_approving_review_count: 2,
                    dismiss_stale_reviews_on_push: true,
                    require_code_owner_review: false,
                    require_last_push_approval: false,
                    required_review_thread_resolution: false,
                },
            },
        ];
        const conditions = { ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] } };
        const made = await call(
            gh.rest.repos.createRepoRuleset,
            { ...at, name: "default branch", enforcement: "active", target: "branch", conditions, rules },
            201,
        );
        const id = made.data.id;
        const read = await call(gh.rest.repos.getRepoRuleset, { ...at, ruleset_id: id }, 200);
        assert.deepEqual(
            [read.data.name, read.data.enforcement, read.data.rules, read.data.conditions],
            ["default branch", "active", rules, conditions],
        );
        await callError(gh.rest.repos.createRepoRuleset, { ...at, name: "default branch", enforcement: "active", rules: [] }, 422);
        await callError(
            gh.rest.repos.createRepoRuleset,
            { ...at, name: "other", enforcement: "active", rules: [{ type: "nope" } as never] },
            422,
        );
        const updated = await call(gh.rest.repos.updateRepoRuleset, { ...at, ruleset_id: id, enforcement: "evaluate" }, 200);
        assert.deepEqual([updated.data.enforcement, updated.data.rules], ["evaluate", rules]);
        await call(gh.rest.repos.deleteRepoRuleset, { ...at, ruleset_id: id }, 204);
        await callError(gh.rest.repos.getRepoRuleset, { ...at, ruleset_id: id }, 404);
    });

    it("keeps a repository's Dependabot secret sealed to its key: 201 created, 204 replaced, 422 for another key", async function () {
        await create();
        const at = { owner: ORG, repo: "svc" };
        const { data: key } = await call(gh.rest.dependabot.getRepoPublicKey, at, 200);
        assert.equal(Buffer.from(key.key, "base64").length, 32);
        const put = (value: string, key_id = key.key_id) => ({ ...at, secret_name: "maven_pass", encrypted_value: value, key_id });
        await call(gh.rest.dependabot.createOrUpdateRepoSecret, put(sealed(6)), 201);
        await call(gh.rest.dependabot.createOrUpdateRepoSecret, put(sealed(7)), 204);
        await callError(gh.rest.dependabot.createOrUpdateRepoSecret, put(sealed(6), "other"), 422);
        await callError(gh.rest.dependabot.createOrUpdateRepoSecret, put("c2VjcmV0"), 422);
        const { data } = await call(gh.rest.dependabot.getRepoSecret, { ...at, secret_name: "MAVEN_PASS" }, 200);
        assert.equal(data.name, "MAVEN_PASS");
        assert.equal(fake.state.repo("acme/svc").dependabotSecrets.get("MAVEN_PASS")?.encrypted_value, sealed(7));
        await call(gh.rest.dependabot.deleteRepoSecret, { ...at, secret_name: "MAVEN_PASS" }, 204);
        await callError(gh.rest.dependabot.getRepoSecret, { ...at, secret_name: "MAVEN_PASS" }, 404);
    });

    it("shares an organisation's Dependabot secret with selected repositories of that organisation only", async function () {
        const a = (await create({ name: "a" })).data.id;
        const b = (await create({ name: "b" })).data.id;
        const elsewhere = fake.state.addRepo("other/c").id;
        const { data: key } = await call(gh.rest.dependabot.getOrgPublicKey, { org: ORG }, 200);
        const put = (ids: number[]) => ({
            org: ORG,
            secret_name: "NPM_TOKEN",
            encrypted_value: sealed(10),
            key_id: key.key_id,
            visibility: "selected" as const,
            selected_repository_ids: ids,
        });
        await callError(gh.rest.dependabot.createOrUpdateOrgSecret, put([a, elsewhere]), 422);
        await call(gh.rest.dependabot.createOrUpdateOrgSecret, put([a, b]), 201);
        const { data } = await call(gh.rest.dependabot.getOrgSecret, { org: ORG, secret_name: "NPM_TOKEN" }, 200);
        assert.equal(data.visibility, "selected");
        const shared = await call(gh.rest.dependabot.listSelectedReposForOrgSecret, { org: ORG, secret_name: "NPM_TOKEN" }, 200);
        assert.deepEqual([shared.data.total_count, shared.data.repositories.map((r) => r.name)], [2, ["a", "b"]]);
        await call(gh.rest.dependabot.createOrUpdateOrgSecret, put([b]), 204);
        await call(gh.rest.dependabot.deleteOrgSecret, { org: ORG, secret_name: "NPM_TOKEN" }, 204);
        await callError(gh.rest.dependabot.getOrgSecret, { org: ORG, secret_name: "NPM_TOKEN" }, 404);
    });

    it("answers at GitHub Enterprise Server's API root as well, logging the github.com path", async function () {
        await create();
        const res = await fetch(`${fake.url}/api/v3/repos/acme/svc`, { headers: { authorization: "token t" } });
        assert.equal(res.status, 200);
        assert.equal(((await res.json()) as { full_name: string }).full_name, "acme/svc");
        assert.equal(fake.requests.at(-1)?.path, "/repos/acme/svc");
        assert.equal((await fetch(`${fake.url}/api/v3/nope`, { headers: { authorization: "token t" } })).status, 404);
    });

    it("checked every administrator route's answer against the OpenAPI schema", function () {
        const suite = this.test?.parent;
        if (!suite || !suite.tests.every((t) => t === this.test || t.state === "passed")) this.skip();
        assert.deepEqual(
            adminRoutes.map((r) => `${r.method} ${r.path}`).filter((key) => !checked.has(key)),
            [],
        );
    });
});
