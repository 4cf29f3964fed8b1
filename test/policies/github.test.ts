// The GitHub policies (policies/github.ts), each called directly with args built here the way the policy
// server would build them: the pack's entry module is never imported, because `new PolicyPack` starts a gRPC server.
import * as assert from "node:assert/strict";
import { DEPENDABOT_PATH, repositoryIsComplete, repositoryIsProtected, STALE_PATH } from "../../policies/github";
import { stackArgs, stackViolationsOf, violationsOf, type ResourceSpec } from "../policy-harness";

const REPO_TYPE = "github:index/repository:Repository";
const goodRepository = (over: Partial<ResourceSpec> = {}, props: Record<string, unknown> = {}): ResourceSpec => ({
    type: REPO_TYPE,
    name: "billing-service",
    protect: true,
    retainOnDelete: true,
    ...over,
    props: { name: "billing-service", archiveOnDestroy: true, visibility: "private", ...props },
});

function managedRepositorySet(repo: string, omit: string[] = []): ResourceSpec[] {
    const all: ResourceSpec[] = [
        goodRepository({ name: repo }, { name: repo }),
        {
            type: "github:index/repositoryFile:RepositoryFile",
            name: `${repo}-dependabot`,
            props: { repository: repo, file: DEPENDABOT_PATH, content: "version: 2\n" },
        },
        {
            type: "github:index/repositoryFile:RepositoryFile",
            name: `${repo}-stale`,
            props: { repository: repo, file: STALE_PATH, content: "name: stale\n" },
        },
        { type: "github:index/issueLabels:IssueLabels", name: `${repo}-labels`, props: { repository: repo, labels: [] } },
        {
            type: "github:index/repositoryRuleset:RepositoryRuleset",
            name: `${repo}-default-branch`,
            props: { repository: repo, target: "branch", conditions: { refName: { includes: ["~DEFAULT_BRANCH"], excludes: [] } } },
        },
    ];
    return all.filter((r) => !omit.includes(r.name));
}

describe("policies: github", () => {
    it("github-repository-protected passes a protected, retained, archived repository", async () => {
        assert.deepEqual(await violationsOf(repositoryIsProtected, goodRepository()), []);
    });
    it("github-repository-protected fails without protect", async () => {
        assert.match((await violationsOf(repositoryIsProtected, goodRepository({ protect: false }))).join(), /protect/);
    });
    it("github-repository-protected fails without retainOnDelete", async () => {
        assert.match((await violationsOf(repositoryIsProtected, goodRepository({ retainOnDelete: false }))).join(), /retainOnDelete/);
    });
    it("github-repository-protected fails without archiveOnDestroy", async () => {
        assert.match(
            (await violationsOf(repositoryIsProtected, goodRepository({}, { archiveOnDestroy: false }))).join(),
            /archiveOnDestroy/,
        );
    });

    it("github-repository-complete passes a repository with all four children", async () => {
        assert.deepEqual(
            await stackViolationsOf(repositoryIsComplete, stackArgs([...managedRepositorySet("a"), ...managedRepositorySet("b")])),
            [],
        );
    });
    for (const [child, expected] of [
        ["dependabot", /dependabot\.yml/],
        ["stale", /stale\.yml/],
        ["labels", /label set/],
        ["default-branch", /default-branch ruleset/],
    ] as const) {
        it(`github-repository-complete fails when the ${child} child is missing, naming the repository`, async () => {
            const resources = [...managedRepositorySet("a"), ...managedRepositorySet("b", [`b-${child}`])];
            const v = await stackViolationsOf(repositoryIsComplete, stackArgs(resources));
            assert.equal(v.length, 1);
            assert.match(v[0], /repository b /);
            assert.match(v[0], expected);
        });
    }
    it("github-repository-complete does not count another repository's children, and lists all it misses", async () => {
        const resources = [...managedRepositorySet("a"), goodRepository({ name: "b" }, { name: "b" })];
        assert.deepEqual(await stackViolationsOf(repositoryIsComplete, stackArgs(resources)), [
            "repository b is missing: .github/dependabot.yml, .github/workflows/stale.yml, label set (IssueLabels), default-branch ruleset",
        ]);
    });
    it("github-repository-complete does not count a ruleset that leaves the default branch out", async () => {
        const resources = managedRepositorySet("a").map((r) =>
            r.name === "a-default-branch"
                ? { ...r, props: { ...r.props, conditions: { refName: { includes: ["refs/heads/release/*"], excludes: [] } } } }
                : r,
        );
        assert.deepEqual(await stackViolationsOf(repositoryIsComplete, stackArgs(resources)), [
            "repository a is missing: default-branch ruleset",
        ]);
    });
    it("github-repository-complete matches children by the repository's GitHub name, not its Pulumi resource name", async () => {
        const [repo, ...children] = managedRepositorySet("billing-service");
        const renamed = { ...repo, name: "billing-service-repository" };
        assert.deepEqual(await stackViolationsOf(repositoryIsComplete, stackArgs([renamed, ...children])), []);
    });
});
