// The program must load the way the `pulumi` CLI loads it: ts-node with this repository's tsconfig,
// type-checking on, the entry module's export called as the program.
import * as assert from "node:assert/strict";
import { execFile } from "child_process";
import { promisify } from "util";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT, WORKSPACE } from "./workspace-fixture";

interface StackRun {
    readonly stack: string;
    readonly config: Record<string, string>;
    readonly secretKeys: string[];
}
type Built = { types: string[]; outputs: Record<string, unknown> };

/**
 * A project folder that pulumi would run the way it runs this repository: a copy of the entry module next
 * to the frozen stack files (the program reads the files beside its entry module), the code it imports
 * linked in from the repository.
 */
function frozenProject(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "conveyor-load-"));
    for (const f of fs.readdirSync(WORKSPACE).filter((n) => n.endsWith(".yaml")))
        fs.copyFileSync(path.join(WORKSPACE, f), path.join(dir, f));
    fs.copyFileSync(path.join(REPO_ROOT, readMain()), path.join(dir, readMain()));
    for (const f of fs.readdirSync(REPO_ROOT)) {
        if (!fs.existsSync(path.join(dir, f)) && !/^(Pulumi(\..+)?\.yaml|\.git|out|test|bench)$/.test(f))
            fs.symlinkSync(path.join(REPO_ROOT, f), path.join(dir, f));
    }
    return dir;
}

/** Builds each stack in ONE process: the type-check, most of the cost, happens once as pulumi would do it. */
async function runLikePulumi(dir: string, runs: readonly StackRun[]): Promise<Built[]> {
    // Mirrors @pulumi/pulumi cmd/run: ts-node registered with the project's tsconfig, transpileOnly off
    // (the CLI's default), then `require(main)`; a function export is invoked inside the root stack.
    const script = `
        const path = require("path");
        require("ts-node").register({ project: path.join(${JSON.stringify(dir)}, "tsconfig.json"), transpileOnly: false, compilerOptions: {} });
        const pulumi = require("@pulumi/pulumi");
        (async () => {
            const results = [];
            for (const run of ${JSON.stringify(runs)}) {
                const types = [];
                await pulumi.runtime.setMocks({
                    newResource: (a) => {
                        types.push(a.type);
                        const validation = [{ resourceRecordName: "_x." + a.name, resourceRecordType: "CNAME", resourceRecordValue: "_y.acm.example" }];
                        return { id: a.name + "-id", state: { ...a.inputs, repoId: 1, htmlUrl: "https://github.example/" + a.name, arn: "arn:aws:mock:eu-west-3:123456789012:" + a.name, domainValidationOptions: validation } };
                    },
                    call: (a) => (a.token === "cloudflare:index/getIpRanges:getIpRanges" ? { ipv4Cidrs: ["192.0.2.0/24"] } : a.inputs),
                }, "conveyor", run.stack, false);
                pulumi.runtime.setAllConfig(run.config, run.secretKeys);
                const main = require(path.join(${JSON.stringify(dir)}, ${JSON.stringify(readMain())}));
                if (typeof main !== "function") throw new Error("the entry module must export the program function");
                const outputs = await pulumi.runtime.runInPulumiStack(main);
                await pulumi.runtime.waitForRPCs(); // dynamic resources register after their provider is serialised
                results.push({ types, outputs });
            }
            process.stdout.write(JSON.stringify(results));
        })().catch((e) => { process.stderr.write(String(e && e.message)); process.exit(1); });`;
    const { stdout } = await promisify(execFile)(process.execPath, ["-e", script], {
        cwd: dir,
        encoding: "utf8",
        timeout: LOAD_TIMEOUT_MS,
        maxBuffer: 64 * 1024 * 1024,
    });
    return JSON.parse(stdout);
}

function readMain(): string {
    return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).main;
}

// Type-checking the whole program with ts-node takes a CPU-minute, and much longer on a busy machine.
const LOAD_TIMEOUT_MS = 590_000;

describe("loading the program the way pulumi does", function () {
    this.timeout(LOAD_TIMEOUT_MS + 10_000);
    let dir: string;
    let org: Built;
    let prod: Built;
    before(async () => {
        dir = frozenProject();
        const secrets = { MAVEN_USER: "u", MAVEN_PASS: "p", NPM_GITHUB_TOKEN: "t" };
        const ciSecrets = Object.fromEntries(
            [
                "PULUMI_ACCESS_TOKEN",
                "NONPROD_AWS_ACCESS_KEY_ID",
                "NONPROD_AWS_SECRET_ACCESS_KEY",
                "PROD_AWS_ACCESS_KEY_ID",
                "PROD_AWS_SECRET_ACCESS_KEY",
                "CLOUDFLARE_API_TOKEN",
                "DEPLOY_GITHUB_TOKEN",
                "RELEASE_GITHUB_TOKEN",
                "RELEASE_CIRCLECI_TOKEN",
            ].map((n) => [n, `v-${n}`]),
        );
        [org, prod] = await runLikePulumi(dir, [
            {
                stack: "org",
                config: {
                    "conveyor:dependabotSecrets": JSON.stringify(secrets),
                    "conveyor:circleciSecrets": JSON.stringify(ciSecrets),
                    "conveyor:releaseControllerSecrets": JSON.stringify({
                        GITHUB_TOKEN: "g",
                        CIRCLECI_TOKEN: "c",
                        GITHUB_WEBHOOK_SECRET: "gw",
                        CIRCLECI_WEBHOOK_SECRET: "cw",
                    }),
                },
                secretKeys: ["conveyor:dependabotSecrets", "conveyor:circleciSecrets", "conveyor:releaseControllerSecrets"],
            },
            { stack: "prod", config: {}, secretKeys: [] },
        ]);
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("type-checks, loads and builds the org stack with secrets from Pulumi config", () => {
        const { types, outputs } = org;
        assert.equal(readMain(), "index.ts", "package.json's main, which pulumi runs");
        assert.ok(types.includes("pulumi-nodejs:dynamic/circleci:Context"));
        assert.ok(types.includes("github:index/repository:Repository"));
        assert.ok(types.includes("github:index/dependabotOrganizationSecret:DependabotOrganizationSecret"));
        assert.deepEqual(Object.keys(outputs).sort(), [
            "circleciContexts",
            "issueLinks",
            "labelCounts",
            "releaseController",
            "repositoryUrls",
        ]);
        assert.ok(types.includes("aws:lambda/function:Function"));
    });

    it("builds an environment stack from the stack file beside the entry module", () => {
        const { types, outputs } = prod;
        assert.equal((outputs.versions as Record<string, number>).billing, 860, "the frozen Pulumi.prod.yaml's build");
        assert.equal(types.filter((t) => t === "aws:ecs/taskDefinition:TaskDefinition").length, 6);
    });
});
