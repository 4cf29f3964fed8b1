// Every command's bad input: exit 2, ONE line naming the file (or option), the key and the reason, no stack
// trace, and nothing written.
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { main } from "../../cli/main";
import { FAKE_CIRCLECI_TOKEN } from "../fakes/circleci";
import { startWorld, TOKEN } from "../release-world";
import { FIXTURE_CI_CONFIG, fixtureFiles, scratchProject, withValue } from "../workspace-fixture";

async function run(cwd: string, env: NodeJS.ProcessEnv, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = "";
    let err = "";
    const code = await main(argv, { cwd, env, out: (s) => (out += `${s}\n`), err: (s) => (err += `${s}\n`) });
    return { code, out, err };
}

function refusedInOneLine(r: { code: number; err: string }, expected: string | RegExp): void {
    assert.equal(r.code, 2, r.err);
    const lines = r.err.trimEnd().split("\n");
    assert.equal(lines.length, 1, `one line, got:\n${r.err}`);
    if (typeof expected === "string") assert.equal(lines[0], expected);
    else assert.match(lines[0], expected);
}

/** Every file under dir, with its text: what "nothing written" compares. */
function snapshot(dir: string): Record<string, string> {
    const out: Record<string, string> = {};
    const walk = (d: string): void => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            const p = path.join(d, e.name);
            if (e.isDirectory()) walk(p);
            else out[path.relative(dir, p)] = fs.readFileSync(p, "utf8");
        }
    };
    walk(dir);
    return out;
}

describe("conveyor: bad input exits 2 with one line", function () {
    this.timeout(60_000);

    it("synth: a stack file's bad value names file, key and reason, and writes nothing", async () => {
        const dir = scratchProject(withValue("Pulumi.prod.yaml", ["config", "conveyor:versions", "billing"], "latest"));
        const before = snapshot(dir);
        refusedInOneLine(
            await run(dir, {}, "synth", "prod"),
            'Pulumi.prod.yaml: conveyor:versions.billing: expected a build number (positive integer), got "latest"',
        );
        refusedInOneLine(
            await run(scratchProject(fixtureFiles()), {}, "synth", "prod", "--now", "monday"),
            'conveyor: --now: expected an ISO date-time, got "monday" (usage: conveyor help)',
        );
        assert.deepEqual(snapshot(dir), before);
    });

    it("release and rollback: a broken stack file on the ops repository's main names file, key and reason; nothing is written", async () => {
        const w = await startWorld();
        try {
            const env = {
                GITHUB_TOKEN: TOKEN,
                GITHUB_API_URL: w.github.url,
                // The fakes have no secondary limit to stay under.
                GITHUB_WRITE_DELAY_MS: "0",
                CIRCLECI_TOKEN: FAKE_CIRCLECI_TOKEN,
                CIRCLECI_API_URL: w.circle.url,
            };
            const text = w.ops.file("main", "Pulumi.staging.yaml")!;
            w.ops.commit("main", { message: "Hand edit", files: { "Pulumi.staging.yaml": text.replace(/web: \d+/, "web: latest") } });
            const dir = scratchProject(fixtureFiles());
            refusedInOneLine(
                await run(dir, env, "release", "staging"),
                'Pulumi.staging.yaml: conveyor:versions.web: expected a build number (positive integer), got "latest"',
            );
            refusedInOneLine(
                await run(dir, env, "rollback", "staging"),
                'Pulumi.staging.yaml: conveyor:versions.web: expected a build number (positive integer), got "latest"',
            );
            refusedInOneLine(await run(dir, { ...env, GITHUB_TOKEN: undefined }, "release", "demo"), /^GITHUB_TOKEN is not set: /);
            assert.equal(w.github.writes(), 0);
        } finally {
            await w.close();
        }
    });

    it("targets and deployed: a broken local stack file or option is named, before any request", async () => {
        const env = { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: "http://127.0.0.1:9", CIRCLECI_TOKEN: FAKE_CIRCLECI_TOKEN };
        const broken = scratchProject(withValue("Pulumi.demo.yaml", ["config", "conveyor:environment", "release", "days"], ["fridays"]));
        refusedInOneLine(
            await run(broken, env, "targets", "--sha", "abcdef1"),
            /^Pulumi\.demo\.yaml: conveyor:environment\.release\.days\.0: expected a weekday .*got "fridays"$/,
        );
        const dir = scratchProject(fixtureFiles());
        refusedInOneLine(
            await run(dir, env, "deployed", "staging", "--sha", "abcdef1", "--build-url", "ci/1"),
            `conveyor: --build-url: expected the URL of the deploy's CI build, got "ci/1" (usage: conveyor help)`,
        );
        refusedInOneLine(
            await run(dir, env, "deployed", "qa", "--sha", "abcdef1", "--build-url", "https://ci.example/1"),
            'unknown environment "qa": expected one of staging, demo, prod',
        );
        refusedInOneLine(
            await run(dir, { ...env, GITHUB_WRITE_DELAY_MS: "1s" }, "targets", "--sha", "abcdef1"),
            'GITHUB_WRITE_DELAY_MS: "1s" is not a whole number of milliseconds (the gap between two writes to GitHub)',
        );
    });

    it("new-env: a broken .circleci/config.yml is named with its line and reason, and nothing is written", async () => {
        const good = fs.readFileSync(FIXTURE_CI_CONFIG, "utf8");
        const cases: [string, string | RegExp][] = [
            ["workflows: [\n", /^\.circleci\/config\.yml: invalid YAML at line 2, column 1: .+; fix it, then run new-env again$/],
            [
                good.replace(/^workflows:[\s\S]*$/m, ""),
                ".circleci/config.yml: workflows.pull-request.jobs: not found; add the jobs of the new stacks by hand",
            ],
            [
                good.replace(/requires: \[preview-org, preview-staging, preview-demo, preview-prod\]/, "requires: preview-org"),
                ".circleci/config.yml: cannot find the requires list of preview-comment",
            ],
        ];
        for (const [ci, expected] of cases) {
            const dir = scratchProject(fixtureFiles(), ci);
            const before = snapshot(dir);
            refusedInOneLine(await run(dir, {}, "new-env", "umbrella"), expected);
            assert.deepEqual(snapshot(dir), before, "nothing written");
        }
    });

    it("preview-comment and drift: a preview file that is missing or not a file, and a bad stack name", async () => {
        const dir = scratchProject(fixtureFiles());
        refusedInOneLine(
            await run(dir, {}, "preview-comment", "--pr", "3", "--dry-run", "staging=previews/staging.json"),
            "previews/staging.json: no such preview file",
        );
        fs.mkdirSync(path.join(dir, "previews"));
        refusedInOneLine(await run(dir, {}, "drift", "staging", "--preview", "previews"), "previews: no such preview file");
        refusedInOneLine(
            await run(dir, {}, "drift", "Staging", "--preview", "previews"),
            /^conveyor: "Staging" is not a stack name: .* \(usage: conveyor help\)$/,
        );
        refusedInOneLine(
            await run(dir, {}, "preview-comment", "--pr", "x"),
            'conveyor: --pr: expected a pull request number, got "x" (usage: conveyor help)',
        );
    });
});
