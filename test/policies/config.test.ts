// The stack-level config policy (policies/config.ts): no environment ahead of its release source; called
// directly, as in github.test.ts, on stack files in a scratch folder.
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { notAheadOfSource, projectDir } from "../../policies/config";
import { stackArgs, stackViolationsOf, type ResourceSpec } from "../policy-harness";
import { REPO_ROOT, scratchDir } from "../workspace-fixture";

/** A project folder holding these stack files, removed after the test. */
function projectWith(files: Record<string, string>): string {
    const dir = scratchDir("conveyor-policy-");
    for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
    return dir;
}
const envFile = (source: string, versions: Record<string, number>): string =>
    `config:\n  conveyor:environment:\n    tier: main\n    release:\n      source: ${source}\n  conveyor:versions:\n${Object.entries(
        versions,
    )
        .map(([k, v]) => `    ${k}: ${v}\n`)
        .join("")}`;
const running = (stack: string, versions: Record<string, number>): ResourceSpec[] => [
    { type: "pulumi:pulumi:Stack", name: `conveyor-${stack}`, stack, props: {} },
    ...Object.entries(versions).map(([c, v]) => ({
        type: "aws:ecs/taskDefinition:TaskDefinition",
        name: `${stack}-${c}`,
        stack,
        props: { containerDefinitions: JSON.stringify([{ name: c, image: `123.dkr.ecr.eu-west-3.amazonaws.com/acme/${c}:${v}` }]) },
    })),
];

describe("policies: config", () => {
    // Staging from CI, demo from staging, prod from demo; each test gets its own folder.
    const DEMO = { billing: 866, web: 2271 };
    const train = (prod: Record<string, number>) =>
        projectWith({
            "Pulumi.staging.yaml": envFile("ci", { billing: 870, web: 2280 }),
            "Pulumi.demo.yaml": envFile("staging", DEMO),
            "Pulumi.prod.yaml": envFile("demo", prod),
        });
    const prodViolations = async (dir: string, builds: Record<string, number>) =>
        stackViolationsOf(notAheadOfSource, stackArgs(running("prod", builds), { projectDir: dir }));

    it("environment-not-ahead-of-release-source passes when prod runs its source's builds or older ones", async () => {
        assert.deepEqual(await prodViolations(train(DEMO), DEMO), [], "exactly demo's builds");
        assert.deepEqual(await prodViolations(train({ billing: 860, web: 2271 }), { billing: 860, web: 2271 }), [], "one older, one equal");
        // The same folder judges a build one above demo's: the pass above is a verdict, not an early return.
        assert.equal((await prodViolations(train(DEMO), { billing: 867, web: 2271 })).length, 1);
    });
    it("environment-not-ahead-of-release-source lists every component ahead of the source", async () => {
        const v = await prodViolations(train({ billing: 900, web: 2300 }), { billing: 900, web: 2300 });
        assert.equal(v.length, 1);
        assert.match(v[0], /prod runs builds newer than its release source demo: billing 900 > 866, web 2300 > 2271/);
        assert.equal(notAheadOfSource.enforcementLevel, "advisory");
    });
    it("environment-not-ahead-of-release-source names a release source without a stack file", async () => {
        const dir = projectWith({ "Pulumi.prod.yaml": envFile("demo", DEMO) });
        assert.deepEqual(await prodViolations(dir, DEMO), [`release source demo of prod has no Pulumi.demo.yaml in ${dir}`]);
    });
    it("environment-not-ahead-of-release-source skips stacks released from CI", async () => {
        assert.deepEqual(
            await stackViolationsOf(notAheadOfSource, stackArgs(running("staging", { billing: 99999 }), { projectDir: train(DEMO) })),
            [],
        );
    });
    it("environment-not-ahead-of-release-source reads the build from the image's tag, not from a registry's port", async () => {
        const prodFrom = (registry: string, images: Record<string, string>): ResourceSpec[] => [
            ...running("prod", {}),
            ...Object.entries(images).map(([c, ref]) => ({
                type: "aws:ecs/taskDefinition:TaskDefinition",
                name: `prod-${c}`,
                stack: "prod",
                props: { containerDefinitions: JSON.stringify([{ name: c, image: `${registry}/acme/${c}${ref}` }]) },
            })),
        ];
        const digest = `@sha256:${"0".repeat(64)}`;
        const check = async (registry: string, images: Record<string, string>) =>
            stackViolationsOf(notAheadOfSource, stackArgs(prodFrom(registry, images), { projectDir: train(DEMO) }));
        assert.deepEqual(await check("registry.acme.example:5000", { billing: digest, web: ":2271" }), [], "no build tag, port 5000");
        assert.deepEqual(await check("registry.acme.example:5000", { billing: ":867", web: ":2271" }), [
            "prod runs builds newer than its release source demo: billing 867 > 866",
        ]);
    });
    it("environment-not-ahead-of-release-source judges a stack whose resources do not include the Stack resource", async () => {
        const withoutStack = running("prod", { billing: 867, web: 2271 }).slice(1);
        assert.deepEqual(await stackViolationsOf(notAheadOfSource, stackArgs(withoutStack, { projectDir: train(DEMO) })), [
            "prod runs builds newer than its release source demo: billing 867 > 866",
        ]);
    });
    it("environment-not-ahead-of-release-source passes a stack with no resources at all", async () => {
        assert.deepEqual(await stackViolationsOf(notAheadOfSource, stackArgs([], { projectDir: train(DEMO) })), []);
    });
    it("environment-not-ahead-of-release-source finds the project from the pack's folder by default", () => {
        assert.equal(projectDir(), REPO_ROOT);
    });
    it("environment-not-ahead-of-release-source finds the project from the pack's folder when the analyzer runs elsewhere", () => {
        const elsewhere = scratchDir("conveyor-analyzer-");
        const otherProject = projectWith({ "Pulumi.yaml": "name: other\nruntime: nodejs\n" });
        const cwd = process.cwd();
        try {
            process.chdir(elsewhere);
            assert.equal(projectDir(), REPO_ROOT, "a working directory without Pulumi.yaml");
            process.chdir(otherProject);
            assert.equal(fs.realpathSync(projectDir()), fs.realpathSync(otherProject), "a working directory with Pulumi.yaml comes first");
        } finally {
            process.chdir(cwd);
        }
    });
});
