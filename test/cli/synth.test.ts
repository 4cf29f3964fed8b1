// `conveyor synth <stack>` as a user runs it: output on disk, exit codes, nothing written on bad input.
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { main } from "../../cli/main";
import { fixtureFiles, scratchProject, withValue } from "../workspace-fixture";

async function run(cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = "";
    let err = "";
    const code = await main(argv, { cwd, env: {}, out: (s) => (out += `${s}\n`), err: (s) => (err += `${s}\n`) });
    return { code, out, err };
}

describe("conveyor synth", function () {
    this.timeout(60_000);

    it("prints the tree and writes resources.json and every repository file", async () => {
        const dir = scratchProject(fixtureFiles());
        const { code, out } = await run(dir, "synth", "org", "--now", "2026-11-29T10:00:00Z");
        assert.equal(code, 0);
        assert.match(out, /^pulumi:pulumi:Stack conveyor-org$/m);
        assert.match(out, /├─ github:index\/repository:Repository billing-service {2}\[protect, retainOnDelete\]/);
        assert.match(out, /\n\d+ resources \(\d+ custom, \d+ components\)/);

        const resources = JSON.parse(fs.readFileSync(path.join(dir, "out/org/resources.json"), "utf8"));
        for (const r of resources)
            assert.deepEqual(
                Object.keys(r).sort(),
                ["custom", "dependencies", "inputs", "name", "protect", "retainOnDelete", "type", ...(r.parent ? ["parent"] : [])].sort(),
            );
        const repo = resources.find(
            (r: { name: string; type: string }) => r.type === "github:index/repository:Repository" && r.name === "ops",
        );
        assert.equal(repo.protect, true);
        assert.equal(repo.parent, "conveyor:github:ManagedRepository::ops");

        const stale = fs.readFileSync(path.join(dir, "out/org/files/acme-saas/ops/.github/workflows/stale.yml"), "utf8");
        assert.match(stale, /^# Managed by conveyor/);
        assert.ok(fs.existsSync(path.join(dir, "out/org/files/acme-saas/marketplace-backend/.github/dependabot.yml")));
    });

    it("masks every secret in resources.json", async () => {
        const dir = scratchProject(fixtureFiles());
        await run(dir, "synth", "org");
        const text = fs.readFileSync(path.join(dir, "out/org/resources.json"), "utf8");
        const secrets = JSON.parse(text).filter((r: { type: string }) => /DependabotSecret|DependabotOrganizationSecret/.test(r.type));
        assert.ok(secrets.length > 0);
        for (const s of secrets) assert.equal(s.inputs.value, "[secret]");
        assert.doesNotMatch(text, /placeholder:maven-pass|v1:placeholder/, "a secure: ciphertext is not a value to show either");
    });

    it("runs an environment stack offline (the README's main job)", async () => {
        const dir = scratchProject(fixtureFiles());
        const { code, out } = await run(dir, "synth", "staging");
        assert.equal(code, 0, out);
        assert.match(out, /"marketplace":1412/);
        assert.ok(fs.existsSync(path.join(dir, "out/staging/resources.json")));
    });

    it("on bad config exits 2 with file, key and reason and writes nothing", async () => {
        const dir = scratchProject(withValue("Pulumi.prod.yaml", ["config", "conveyor:versions", "billing"], "latest"));
        const { code, err } = await run(dir, "synth", "org");
        assert.equal(code, 2);
        assert.match(err, /Pulumi\.prod\.yaml: conveyor:versions\.billing: expected a build number \(positive integer\), got "latest"/);
        assert.equal(fs.existsSync(path.join(dir, "out")), false);
    });

    it("on bad config leaves an earlier output untouched", async () => {
        const dir = scratchProject(fixtureFiles());
        await run(dir, "synth", "org");
        const before = fs.readFileSync(path.join(dir, "out/org/resources.json"), "utf8");
        fs.writeFileSync(path.join(dir, "Pulumi.demo.yaml"), "config: [\n");
        assert.equal((await run(dir, "synth", "org")).code, 2);
        assert.equal(fs.readFileSync(path.join(dir, "out/org/resources.json"), "utf8"), before);
    });

    it("refuses a stack name that matches no role and an unknown command, exit 2", async () => {
        const dir = scratchProject(fixtureFiles());
        const bad = await run(dir, "synth", "qa");
        assert.equal(bad.code, 2);
        assert.match(bad.err, /"qa" is not a stack name/);
        const missing = await run(dir, "synth", "globex-prod");
        assert.equal(missing.code, 2);
        assert.match(missing.err, /Pulumi\.globex-prod\.yaml: file not found/);
        assert.equal((await run(dir, "frobnicate")).code, 2);
    });
});
