// `conveyor release` / `rollback` as a user or the scheduler runs them, against the loopback fakes.
import * as assert from "node:assert/strict";
import { main } from "../../cli/main";
import { releaseBranch } from "../../release/pr";
import { FAKE_CIRCLECI_TOKEN } from "../fakes/circleci";
import { startWorld, TOKEN, type World } from "../release-world";
import { fixtureFiles, scratchProject } from "../workspace-fixture";

async function run(env: NodeJS.ProcessEnv, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = "";
    let err = "";
    const cwd = scratchProject(fixtureFiles());
    const code = await main(argv, { cwd, env, out: (s) => (out += `${s}\n`), err: (s) => (err += `${s}\n`) });
    return { code, out, err };
}

const envOf = (w: World): NodeJS.ProcessEnv => ({
    GITHUB_TOKEN: TOKEN,
    GITHUB_API_URL: w.github.url,
    // The fakes have no secondary limit to stay under.
    GITHUB_WRITE_DELAY_MS: "0",
    CIRCLECI_TOKEN: FAKE_CIRCLECI_TOKEN,
    CIRCLECI_API_URL: w.circle.url,
});

const openReleasePrs = (w: World) =>
    w.ops.pulls
        .filter((p) => w.ops.pullIssue(p).state === "open")
        .map((p) => p.head)
        .sort();

describe("conveyor release (CLI)", function () {
    this.timeout(60_000);
    let w: World;
    beforeEach(async () => {
        w = await startWorld();
    });
    afterEach(() => w.close());

    it("opens the PR, prints its link, reports progress per component on stderr; a rerun says it is up to date", async () => {
        const first = await run(envOf(w), "release", "staging");
        assert.equal(first.code, 0, first.err);
        assert.match(first.out, /^staging: release PR opened: https:\/\/github\.com\/acme-saas\/ops\/pull\/\d+$/m);
        for (const c of ["marketplace", "billing", "web", "erp-connector", "gateway", "notifications"]) {
            assert.match(first.err, new RegExp(`^${c}: \\d+ -> \\d+, 3 commits$`, "m"));
        }
        const again = await run(envOf(w), "release", "staging");
        assert.equal(again.code, 0);
        assert.match(again.out, /staging: release PR already up to date/);
    });

    it("--dry-run prints the plan and the body and writes nothing", async () => {
        const { code, out } = await run(envOf(w), "release", "demo", "--dry-run");
        assert.equal(code, 0);
        assert.match(out, /^Plan for demo \(source: staging\)$/m);
        assert.match(out, /^ {2}billing {14}\s+866 -> 873$/m);
        assert.match(out, /^Title: Release demo: 6 components$/m);
        assert.match(out, /<!-- conveyor:release /);
        assert.equal(w.github.writes(), 0);
    });

    it("without a token: exit 2, a clear message, not one request", async () => {
        const env = { ...envOf(w), GITHUB_TOKEN: undefined };
        const { code, err } = await run(env, "release", "staging");
        assert.equal(code, 2);
        assert.match(err, /GITHUB_TOKEN is not set/);
        assert.equal(w.github.requests.length + w.circle.requests.length, 0);
    });

    it("an unknown environment is bad input (exit 2); a refused token is a failure (exit 1) without the token", async () => {
        const unknown = await run(envOf(w), "release", "qa");
        assert.equal(unknown.code, 2);
        assert.match(unknown.err, /unknown environment "qa"/);
        const refused = await run({ ...envOf(w), GITHUB_TOKEN: "ghp_wrong" }, "release", "staging");
        assert.equal(refused.code, 1);
        assert.match(refused.err, /answered 401: Bad credentials/);
        assert.doesNotMatch(refused.err, /ghp_wrong/);
    });

    it("--due on a Friday releases staging then demo, in train order", async () => {
        const { code, out, err } = await run(envOf(w), "release", "--due", "--now", "2026-12-04T06:00:00Z");
        assert.equal(code, 0, err);
        assert.ok(out.indexOf("staging: release PR opened") < out.indexOf("demo: release PR opened"), out);
        assert.match(err, /^prod: not due \(releases on monday, not friday\)$/m);
        assert.deepEqual(openReleasePrs(w), [releaseBranch("demo"), releaseBranch("staging")]);
    });

    it("--due on a Monday inside the year-end freeze releases staging and skips prod, saying why", async () => {
        const { code, err } = await run(envOf(w), "release", "--due", "--now", "2026-12-21T06:00:00Z");
        assert.equal(code, 0, err);
        assert.match(err, /^prod: not due \(frozen from 2026-12-20 to 2027-01-07: Year-end freeze\)$/m);
        assert.deepEqual(openReleasePrs(w), [releaseBranch("staging")]);
    });

    it("rollback needs an earlier release in the stack file's history", async () => {
        const { code, err } = await run(envOf(w), "rollback", "prod");
        assert.equal(code, 2);
        assert.match(err, /Pulumi\.prod\.yaml: no earlier release in its history on main to roll back to/);
        assert.equal(w.github.writes(), 0);
    });

    it("refuses --now without --due, and --due with an environment", async () => {
        assert.equal((await run(envOf(w), "release", "staging", "--now", "2026-12-04T06:00:00Z")).code, 2);
        assert.equal((await run(envOf(w), "release", "--due", "staging")).code, 2);
        assert.equal((await run(envOf(w), "release", "--due", "--now", "friday")).code, 2);
    });
});
