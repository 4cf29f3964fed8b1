// What each bumped component brings (commits, their PRs, the PRs' details) as the release PR's body shows it,
// over real HTTP against the loopback GitHub and CircleCI. (changelog.test.ts renders given changes.)
import * as assert from "node:assert/strict";
import { parseMarker } from "../../release/changelog";
import { releaseBranch } from "../../release/pr";
import { faults } from "../fakes/github";
import { OWNER, prOf, release, startWorld, type World } from "../release-world";

/** `n` commits straight on billing's main (no PR), and a green build 9000 of the result. */
function directFixes(w: World, n: number): void {
    const billing = w.repos.get("billing")!;
    for (let i = 1; i <= n; i++)
        billing.commit("main", { message: `Direct fix ${i}`, files: { "src/direct.txt": `${i}\n` }, author: "bob" });
    w.circle.addPipeline(`gh/${OWNER}/${billing.name}`, { number: 9000, revision: billing.head("main"), workflows: ["success"] });
}

/** Commits a new version of a stack file on main, with `edit` applied. */
function editStack(w: World, env: string, edit: (text: string) => string): void {
    const file = `Pulumi.${env}.yaml`;
    w.ops.commit("main", { message: `edit ${env}`, files: { [file]: edit(w.ops.file("main", file)!) } });
}

describe("release changes against the fakes", function () {
    this.timeout(60_000);
    let w: World;
    beforeEach(async () => {
        w = await startWorld();
    });
    afterEach(() => w.close());

    it("a rollback lists the commits it takes away", async () => {
        await release(w, "prod");
        const n = prOf(w, "prod").number;
        w.ops.mergePull(n, { method: "squash" });
        w.ops.addIssueLabels(w.ops.issue(n)!, ["deployed"]);
        const forward = parseMarker(w.ops.pullIssue(w.ops.pull(n)!).body)!.revisions!.billing;
        await release(w, "prod", undefined, "rollback");
        const body = prOf(w, "prod").body;
        assert.match(
            body,
            new RegExp(
                `\\| billing \\| 866 \\| 860 \\| \\[0 PRs, 1 commits\\]\\([^)]*/compare/${forward.from}\\.\\.\\.${forward.to}\\) \\|`,
            ),
        );
    });

    it("says a component is new to the environment, and what each component brings", async () => {
        editStack(w, "staging", (t) => t.replace(/\n {4}gateway: \d+/, ""));
        const progress: string[] = [];
        await release(w, "staging", progress);
        const body = prOf(w, "staging").body;
        const gateway = w.latest.get("gateway")!;
        assert.match(body, new RegExp(`\\| gateway \\| new \\| ${gateway} \\| — \\|`));
        assert.match(body, /- gateway: first release of this component to the environment/);
        assert.ok(progress.includes(`gateway: new -> ${gateway}, 0 commits`), progress.join("\n"));
        const { message } = w.ops.commitRecord(w.ops.head(releaseBranch("staging")));
        assert.ok(message.split("\n").includes(`gateway: new -> ${gateway}`), message);
        assert.ok(progress.includes(`billing: 873 -> ${w.latest.get("billing")}, 3 commits`), progress.join("\n"));
    });

    it("says which build CircleCI has no commit for: the running one, or the new one", async () => {
        editStack(w, "staging", (t) => t.replace("billing: 873", "billing: 874"));
        await release(w, "staging");
        assert.match(prOf(w, "staging").body, /- billing: build 874 has no revision in CircleCI/);

        editStack(w, "demo", (t) => t.replace(/web: \d+/, "web: 2280"));
        await release(w, "prod");
        const prod = prOf(w, "prod").body;
        assert.match(prod, /- web: build 2280 has no revision in CircleCI/);
        assert.match(prod, /\| web \| 2255 \| 2280 \| — \|/);
    });

    it("finds the PR of a rebase-merged commit through GitHub, preferring the merged PR", async () => {
        const billing = w.repos.get("billing")!;
        billing.commit("rebased", { message: "Round VAT per line", files: { "src/vat.txt": "1\n" }, author: "bob" });
        const abandoned = billing.openPull({ head: "rebased", title: "Round VAT (first try)", body: "", user: "bob" });
        billing.closePull(abandoned);
        // Rebase-merged: the commit on main says nothing of its PR.
        const sha = billing.commit("main", { message: "Round VAT per line", files: { "src/vat.txt": "1\n" }, author: "bob" });
        const kept = billing.openPull({
            head: "rebased",
            title: "Round VAT per line",
            body: "",
            labels: ["type/bug"],
            user: "bob",
            merged: true,
            mergeCommitSha: sha,
        });
        billing.associate(sha, abandoned.number);
        billing.associate(sha, kept.number);
        w.circle.addPipeline(`gh/${OWNER}/${billing.name}`, { number: 9000, revision: billing.head("main"), workflows: ["success"] });
        await release(w, "staging");
        const body = prOf(w, "staging").body;
        assert.match(body, /- \*\*billing\*\*: Round VAT per line \(`bob`/);
        assert.doesNotMatch(body, /first try/);
        assert.doesNotMatch(body, /Commits without a pull request: [^\n]*billing/, "every billing commit has its PR");
        assert.doesNotMatch(body, /Changes not listed/);
    });

    it("reads a long range page by page, up to its cap, and says how many commits it left out", async () => {
        directFixes(w, 310);
        await release(w, "staging");
        const body = prOf(w, "staging").body;
        assert.match(body, /\| billing \| 873 \| 9000 \| \[3 PRs, 300 commits\]/);
        assert.match(body, /- billing: 13 more commits than GitHub's compare lists/);
        assert.match(body, /Commits without a pull request: [^\n]*billing 297[,.]/);
    });

    it("reads a range of exactly one page of commits with one request", async () => {
        directFixes(w, 97);
        await release(w, "staging");
        assert.match(prOf(w, "staging").body, /\| billing \| 873 \| 9000 \| \[3 PRs, 100 commits\]/);
        const compares = w.github.requests.filter(
            (r) => r.method === "GET" && r.path.startsWith(`/repos/${OWNER}/billing-service/compare/`),
        );
        assert.equal(compares.length, 1, "the page held every commit the compare counts: no second, empty page");
    });

    it("credits a PR whose author deleted their account to ghost, as GitHub does", async () => {
        const billing = w.repos.get("billing")!;
        billing.commit("export", { message: "Drop the legacy export", files: { "src/export.txt": "1\n" }, author: "bob" });
        const pr = billing.openPull({ head: "export", title: "Drop the legacy export", body: "", user: "bob" });
        billing.mergePull(pr.number, { method: "squash" });
        w.github.state.deleteAccount("bob");
        w.circle.addPipeline(`gh/${OWNER}/${billing.name}`, { number: 9000, revision: billing.head("main"), workflows: ["success"] });
        assert.equal((await release(w, "staging")).status, "opened");
        assert.match(prOf(w, "staging").body, /- \*\*billing\*\*: Drop the legacy export \(`ghost`, /);
    });

    it("fails rather than open a release without its changelog when GitHub cannot give the PRs' details", async () => {
        w.github.fail({ method: "POST", path: /^\/graphql$/ }, faults.badGateway(), 50);
        await assert.rejects(release(w, "staging"), /Server Error/);
        assert.equal(w.ops.pulls.length, 0, "no release PR");
    });

    it("asks GitHub for each PR's details once, however many PRs the release brings", async () => {
        await w.close();
        w = await startWorld({ prsPerComponent: 60 });
        await release(w, "staging");
        const asked = w.github.requests
            .filter((r) => r.path === "/graphql")
            .flatMap((r) => [...(r.graphqlQuery ?? "").matchAll(/repository\(owner: "[^"]+", name: "([^"]+)"\) \{([^]*?)\n {2}\}/g)])
            .flatMap(([, repo, body]) => [...body.matchAll(/pullRequest\(number: (\d+)\)/g)].map(([, n]) => `${repo}#${n}`));
        assert.ok(new Set(asked).size > 300, `${new Set(asked).size} PRs: more than one query holds`);
        assert.equal(asked.length, new Set(asked).size, "no PR asked twice");
    });

    it("lists first the issues a PR closes, then those it mentions", async () => {
        const billing = w.repos.get("billing")!;
        const mentioned = billing.addIssue("context");
        const closed = billing.addIssue("the bug");
        billing.commit("fix", { message: "fix", files: { "src/fix.txt": "1\n" }, author: "bob" });
        const pr = billing.openPull({
            head: "fix",
            title: "Fix the bug",
            body: `Relates to #${mentioned.number}. Fixes #${closed.number}`,
            user: "bob",
        });
        billing.mergePull(pr.number, { method: "squash" });
        w.circle.addPipeline(`gh/${OWNER}/${billing.name}`, { number: 9000, revision: billing.head("main"), workflows: ["success"] });
        await release(w, "staging");
        const line = prOf(w, "staging")
            .body.split("\n")
            .find((l) => l.includes("Fix the bug"))!;
        const ref = (n: number) => `[${OWNER}/billing-service&#35;${n}]`;
        assert.ok(line.indexOf(ref(closed.number)) > 0 && line.indexOf(ref(closed.number)) < line.indexOf(ref(mentioned.number)), line);
    });

    it("lists the other changes when a commit names a PR GitHub does not know", async () => {
        const billing = w.repos.get("billing")!;
        billing.commit("main", { message: "Cherry-pick the fix (#999)", files: { "src/fix.txt": "1\n" }, author: "bob" });
        w.circle.addPipeline(`gh/${OWNER}/${billing.name}`, { number: 9000, revision: billing.head("main"), workflows: ["success"] });
        assert.equal((await release(w, "staging")).status, "opened");
        const body = prOf(w, "staging").body;
        assert.match(body, /- \*\*billing\*\*: billing: change 1/);
        assert.doesNotMatch(body, /&#35;999/);
    });
});
