// The program must load the way the `pulumi` CLI loads it: ts-node with this repository's tsconfig,
// type-checking on, the entry module's export called as the program.
import * as assert from "node:assert/strict";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import Ajv2020 from "ajv/dist/2020";
import { parse } from "yaml";
import { ROOT } from "./workspace-fixture";

function runLikePulumi(stack: string, config: Record<string, string>, secretKeys: string[]): { types: string[]; outputs: Record<string, unknown> } {
    // Mirrors @pulumi/pulumi cmd/run: ts-node registered with the project's tsconfig, transpileOnly off
    // (the CLI's default), then `require(main)`; a function export is invoked inside the root stack.
    const script = `
        const path = require("path");
        require("ts-node").register({ project: path.join(${JSON.stringify(ROOT)}, "tsconfig.json"), transpileOnly: false, compilerOptions: {} });
        const pulumi = require("@pulumi/pulumi");
        (async () => {
            const types = [];
            await pulumi.runtime.setMocks({
                newResource: (a) => {
                    types.push(a.type);
                    const validation = [{ resourceRecordName: "_x." + a.name, resourceRecordType: "CNAME", resourceRecordValue: "_y.acm.example" }];
                    return { id: a.name + "-id", state: { ...a.inputs, repoId: 1, htmlUrl: "https://github.example/" + a.name, arn: "arn:aws:mock:eu-west-3:123456789012:" + a.name, domainValidationOptions: validation } };
                },
                call: (a) => (a.token === "cloudflare:index/getIpRanges:getIpRanges" ? { ipv4Cidrs: ["192.0.2.0/24"] } : a.inputs),
            }, "conveyor", ${JSON.stringify(stack)}, false);
            pulumi.runtime.setAllConfig(${JSON.stringify(config)}, ${JSON.stringify(secretKeys)});
            const main = require(path.join(${JSON.stringify(ROOT)}, ${JSON.stringify(readMain())}));
            if (typeof main !== "function") throw new Error("the entry module must export the program function");
            const outputs = await pulumi.runtime.runInPulumiStack(main);
            await pulumi.runtime.waitForRPCs(); // dynamic resources register after their provider is serialised
            process.stdout.write(JSON.stringify({ types, outputs }));
        })().catch((e) => { process.stderr.write(String(e && e.message)); process.exit(1); });`;
    return JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
}

function readMain(): string {
    return JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).main;
}

describe("loading the program the way pulumi does", function () {
    this.timeout(120_000);

    it("Pulumi.yaml is a valid Pulumi project file for the nodejs runtime", () => {
        const ajv = new Ajv2020({ strict: false });
        const validate = ajv.compile(require("./schemas/pulumi-project.json"));
        const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as { runtime: { name: string } };
        assert.ok(validate(project), JSON.stringify(validate.errors));
        assert.equal(project.runtime.name, "nodejs");
        assert.equal(readMain(), "index.ts");
    });

    it("type-checks, loads and builds the org stack with secrets from Pulumi config", () => {
        const secrets = { MAVEN_USER: "u", MAVEN_PASS: "p", NPM_GITHUB_TOKEN: "t" };
        const ciSecrets = Object.fromEntries(
            ["PULUMI_ACCESS_TOKEN", "NONPROD_AWS_ACCESS_KEY_ID", "NONPROD_AWS_SECRET_ACCESS_KEY", "PROD_AWS_ACCESS_KEY_ID", "PROD_AWS_SECRET_ACCESS_KEY", "CLOUDFLARE_API_TOKEN", "DEPLOY_GITHUB_TOKEN", "RELEASE_GITHUB_TOKEN", "RELEASE_CIRCLECI_TOKEN"].map((n) => [n, `v-${n}`]),
        );
        const { types, outputs } = runLikePulumi(
            "org",
            {
                "conveyor:dependabotSecrets": JSON.stringify(secrets),
                "conveyor:circleciSecrets": JSON.stringify(ciSecrets),
                "conveyor:releaseControllerSecrets": JSON.stringify({ GITHUB_TOKEN: "g", CIRCLECI_TOKEN: "c", GITHUB_WEBHOOK_SECRET: "gw", CIRCLECI_WEBHOOK_SECRET: "cw" }),
            },
            ["conveyor:dependabotSecrets", "conveyor:circleciSecrets", "conveyor:releaseControllerSecrets"],
        );
        assert.ok(types.includes("pulumi-nodejs:dynamic/circleci:Context"));
        assert.ok(types.includes("github:index/repository:Repository"));
        assert.ok(types.includes("github:index/dependabotOrganizationSecret:DependabotOrganizationSecret"));
        assert.deepEqual(Object.keys(outputs).sort(), ["circleciContexts", "issueLinks", "labelCounts", "releaseController", "repositoryUrls"]);
        assert.ok(types.includes("aws:lambda/function:Function"));
    });

    it("builds an environment stack", () => {
        const { types, outputs } = runLikePulumi("prod", {}, []);
        assert.equal((outputs.versions as Record<string, number>).billing, 860);
        assert.equal(types.filter((t) => t === "aws:ecs/taskDefinition:TaskDefinition").length, 6);
    });
});
