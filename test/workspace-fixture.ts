// Test input: FROZEN copies of the repository's config files (test/fixtures/workspace), with helpers to
// bend them. The live Pulumi.*.yaml files are data that every release PR edits; a test that pinned their
// build numbers would fail the CI of the product's own release PRs. Only test/live-repository.test.ts
// reads the live files.
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { parseDocument } from "yaml";
import { ConfigError, parseWorkspace, type SourceFile } from "../config";
import { scratchDir } from "./scratch";

export { scratchDir };

/** The repository's code (tsconfig.json, package.json, cli/, …): never read its Pulumi.*.yaml from here. */
export const REPO_ROOT = path.resolve(__dirname, "..");
/** A frozen project directory: Pulumi.yaml, Pulumi.org.yaml, staging/demo/prod and .circleci/config.yml. */
export const WORKSPACE = path.join(__dirname, "fixtures", "workspace");
export const FIXTURE_CI_CONFIG = path.join(WORKSPACE, ".circleci", "config.yml");

/** Pulumi.yaml and every Pulumi.<stack>.yaml of a directory. */
export function configFilesIn(dir: string): SourceFile[] {
    return fs
        .readdirSync(dir)
        .filter((n) => /^Pulumi(\..+)?\.yaml$/.test(n))
        .sort()
        .map((name) => ({ name, text: fs.readFileSync(path.join(dir, name), "utf8") }));
}

/** The frozen config files. */
export function fixtureFiles(): SourceFile[] {
    return configFilesIn(WORKSPACE);
}

/** The frozen files with one file's YAML value at `keyPath` set (or deleted when value is undefined). */
export function withValue(file: string, keyPath: readonly unknown[], value: unknown): SourceFile[] {
    return fixtureFiles().map((f) => {
        if (f.name !== file) return f;
        const doc = parseDocument(f.text);
        if (value === undefined) doc.deleteIn(keyPath);
        else doc.setIn(keyPath, doc.createNode(value));
        return { name: f.name, text: doc.toString() };
    });
}

export function withFile(name: string, text: string): SourceFile[] {
    return [...fixtureFiles().filter((f) => f.name !== name), { name, text }];
}

/** A scratch project directory holding `files` (and `.circleci/config.yml` when given), for CLI runs. */
export function scratchProject(files: readonly SourceFile[], ciConfig?: string): string {
    const dir = scratchDir();
    for (const f of files) fs.writeFileSync(path.join(dir, f.name), f.text);
    if (ciConfig !== undefined) {
        fs.mkdirSync(path.join(dir, ".circleci"));
        fs.writeFileSync(path.join(dir, ".circleci", "config.yml"), ciConfig);
    }
    return dir;
}

/** Every problem line of a workspace that must be refused; fails the test when it is accepted. */
export function configProblems(files: readonly SourceFile[]): string[] {
    try {
        parseWorkspace(files);
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
        return [...e.problems];
    }
    assert.fail("the workspace was accepted");
}

/** The workspace is refused, and one of its problem lines is `expected` (or matches it). */
export function refusedWith(files: readonly SourceFile[], expected: string | RegExp): void {
    const lines = configProblems(files);
    const hit = lines.some((l) => (typeof expected === "string" ? l === expected : expected.test(l)));
    assert.ok(hit, `expected a problem matching ${String(expected)}, got:\n${lines.join("\n")}`);
}
