// `conveyor new-env <client>`: one command bootstraps a client, the result synthesizes, reruns change nothing.
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { main } from "../../cli/main";
import { synthesize } from "../../cli/synth";
import { loadWorkspace } from "../../config";
import { readVersions } from "../../config/stackfile";
import { parse } from "yaml";
import { FIXTURE_CI_CONFIG, fixtureFiles, scratchProject } from "../workspace-fixture";

async function run(cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = "";
    let err = "";
    const code = await main(argv, { cwd, env: {}, out: (s) => (out += `${s}\n`), err: (s) => (err += `${s}\n`) });
    return { code, out, err };
}

const snapshot = (dir: string) =>
    Object.fromEntries(
        fs
            .readdirSync(dir)
            .filter((n) => /\.ya?ml$/.test(n))
            .map((n) => [n, fs.readFileSync(path.join(dir, n), "utf8")]),
    );

describe("conveyor new-env", function () {
    this.timeout(60_000);

    it("writes both stack files from main prod and registers the customer label, keeping Pulumi.org.yaml's bytes", async () => {
        const dir = scratchProject(fixtureFiles());
        const orgBefore = fs.readFileSync(path.join(dir, "Pulumi.org.yaml"), "utf8");
        const { code, out } = await run(dir, "new-env", "umbrella");
        assert.equal(code, 0, out);
        assert.match(out, /created Pulumi\.umbrella-staging\.yaml\ncreated Pulumi\.umbrella-prod\.yaml\nupdated Pulumi\.org\.yaml/);
        const ws = loadWorkspace(dir);
        const staging = ws.environments.find((e) => e.stack === "umbrella-staging")!;
        const prod = ws.environments.find((e) => e.stack === "umbrella-prod")!;
        assert.equal(staging.release.source, "prod");
        assert.equal(prod.release.source, "umbrella-staging");
        assert.deepEqual(staging.role, { tier: "client", client: "umbrella", stage: "staging" });
        assert.equal(prod.domain, "umbrella.acme-saas.example");
        assert.equal(staging.domain, "staging.umbrella.acme-saas.example");
        assert.deepEqual(
            [...prod.versions],
            [...readVersions("Pulumi.prod.yaml", fs.readFileSync(path.join(dir, "Pulumi.prod.yaml"), "utf8"))],
        );
        assert.notEqual(staging.network.cidr, prod.network.cidr);
        const orgAfter = fs.readFileSync(path.join(dir, "Pulumi.org.yaml"), "utf8");
        const added = orgAfter.split("\n").filter((l) => !orgBefore.split("\n").includes(l));
        assert.deepEqual(added, ["      - name: umbrella", "        description: Customer umbrella"]);
        assert.ok(ws.org!.labels.customers.some((c) => c.name === "umbrella"));
    });

    it("the new stacks synthesize, and the org synth shows the client's labels and deploy contexts", async () => {
        const dir = scratchProject(fixtureFiles());
        assert.equal((await run(dir, "new-env", "umbrella", "--domain", "umbrella-corp.example")).code, 0);
        const staging = await synthesize({ dir, stack: "umbrella-staging" });
        assert.equal(staging.resources.filter((r) => r.type === "aws:ecs/service:Service").length, 6);
        assert.equal((staging.outputs.urls as Record<string, string>).web, "https://web.staging.umbrella-corp.example");
        const org = await synthesize({ dir, stack: "org" });
        const labels = (
            org.resources.find((r) => r.type === "github:index/issueLabels:IssueLabels")!.inputs.labels as { name: string }[]
        ).map((l) => l.name);
        for (const l of ["customer/umbrella", "deploy/umbrella-staging", "deploy/umbrella-prod"]) assert.ok(labels.includes(l), l);
        const contexts = org.resources.filter((r) => r.type === "pulumi-nodejs:dynamic/circleci:Context").map((r) => r.inputs.name);
        assert.ok(contexts.includes("deploy-umbrella-staging") && contexts.includes("deploy-umbrella-prod"));
    });

    it("adds the new stacks' preview, deploy, deployed and drift jobs to the CircleCI pipeline", async () => {
        const dir = scratchProject(fixtureFiles(), fs.readFileSync(FIXTURE_CI_CONFIG, "utf8"));
        const { out } = await run(dir, "new-env", "umbrella");
        assert.match(out, /updated \.circleci\/config\.yml/);
        const config = parse(fs.readFileSync(path.join(dir, ".circleci/config.yml"), "utf8"));
        const jobs = (workflow: string) =>
            (config.workflows[workflow].jobs as Record<string, Record<string, unknown>>[]).map((j) => {
                const [job, params] = Object.entries(j)[0];
                const entry: { name: string; requires?: string[] } & Record<string, unknown> = { name: job, ...params };
                return entry;
            });
        const deploy = jobs("deploy");
        assert.deepEqual(
            deploy.find((j) => j.name === "deploy-umbrella-staging"),
            { name: "deploy-umbrella-staging", stack: "umbrella-staging", context: "deploy-umbrella-staging", requires: ["deploy-prod"] },
        );
        assert.deepEqual(deploy.find((j) => j.name === "deploy-umbrella-prod")!.requires, ["deploy-umbrella-staging"]);
        assert.ok(jobs("pull-request").some((j) => j.name === "preview-umbrella-prod"));
        assert.ok(
            (jobs("nightly-drift").find((j) => j.name === "drift-report")!.requires as string[]).includes("drift-preview-umbrella-staging"),
        );
        const before = snapshot(path.join(dir, ".circleci"));
        await run(dir, "new-env", "umbrella");
        assert.deepEqual(snapshot(path.join(dir, ".circleci")), before, "a rerun adds nothing");
    });

    it("picks weekdays no other client train uses, prod after staging", async () => {
        const dir = scratchProject(fixtureFiles());
        await run(dir, "new-env", "umbrella", "--staging-day", "monday", "--prod-day", "tuesday");
        await run(dir, "new-env", "hooli");
        const ws = loadWorkspace(dir);
        const days = (stack: string) => ws.environments.find((e) => e.stack === stack)!.release.days;
        assert.deepEqual([days("hooli-staging"), days("hooli-prod")], [["wednesday"], ["thursday"]]);
    });

    it("a rerun with the same arguments changes nothing", async () => {
        const dir = scratchProject(fixtureFiles());
        await run(dir, "new-env", "umbrella");
        const before = snapshot(dir);
        const again = await run(dir, "new-env", "umbrella");
        assert.equal(again.code, 0);
        assert.match(again.out, /umbrella: already set up, nothing to change/);
        assert.deepEqual(snapshot(dir), before);
    });

    it("refuses bad input with exit 2 and writes nothing", async () => {
        const dir = scratchProject(fixtureFiles());
        const before = snapshot(dir);
        const cases: [string[], RegExp][] = [
            [["new-env", "Umbrella_Corp"], /"Umbrella_Corp" is not a client name/],
            [["new-env", "prod"], /"prod" is not a client name/],
            [["new-env", "umbrella", "--staging-day", "funday"], /--staging-day: expected a weekday/],
            [["new-env", "umbrella", "--domain", "Umbrella.example"], /--domain: expected a lower-case DNS domain/],
        ];
        for (const [argv, message] of cases) {
            const r = await run(dir, ...argv);
            assert.equal(r.code, 2, argv.join(" "));
            assert.match(r.err, message);
        }
        assert.deepEqual(snapshot(dir), before);
        await run(dir, "new-env", "umbrella");
        const existing = await run(dir, "new-env", "umbrella", "--staging-day", "friday");
        assert.equal(existing.code, 2);
        assert.match(existing.err, /client "umbrella" exists already/);
    });
});
