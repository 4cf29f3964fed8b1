// StrykerJS: mutation testing of the code whose mistakes users would feel (TESTING.md has the scores and
// how to read them). `npm run mutate` runs every folder below; `MUTATE=release,deploy npm run mutate` runs
// some of them; `npm run mutate -- --mutate 'release/plan.ts'` runs any pattern.
//
// Incremental by default: each run keeps its results in reports/mutation/incremental/ (gitignored, like
// the HTML report), and the next run with the same scope retests only mutants whose code or covering tests
// changed. A run writes the results of its own scope only, so each scope gets its own file: a run of one
// folder never throws away what the whole-tree run knows. CI keeps the whole-tree file in its cache.
import { createHash } from "node:crypto";
import process from "node:process";

/** The code under mutation, by folder: what TESTING.md reports on, one row each. */
export const FOLDERS = {
    release: ["release/**/*.ts"],
    deploy: ["deploy/**/*.ts"],
    controller: [
        "controller/intake.ts",
        "controller/webhooks.ts",
        "controller/worker.ts",
        "controller/commands.ts",
        "controller/deploy-events.ts",
        "controller/work-items.ts",
    ],
    config: ["config/**/*.ts"],
    // The pure parts of the components: the files they render into repositories, the IAM documents, the
    // CircleCI context provider's decisions, the milestones and the sizing of environments.
    components: [
        "components/github/dependabot.ts",
        "components/github/stale.ts",
        "components/github/managed-file.ts",
        "components/github/milestones.ts",
        "components/circleci/context-plan.ts",
        "components/release-controller/policy.ts",
        "components/environment/sizing.ts",
    ],
    // index.ts only registers the pack with the engine (tests never import it; test:engine runs it).
    policies: ["policies/**/*.ts", "!policies/index.ts"],
};

/**
 * Folders whose code never reaches @pulumi/*. Their mutants are type-checked against tsconfig.mutate.json:
 * these folders' own files and what they import, without the tests, the components' resources or the policy
 * pack. A type check builds a new TypeScript checker over the whole program every time, and with @pulumi/aws
 * in the program that alone costs about 8 s. On `deploy/`, two checkers managed 13 mutants a minute against
 * tsconfig.json, and the test runner waited on them.
 * The price: a mutant that breaks only a test file's types is not a compile error here. It runs, and the
 * tests judge it (transpile-only).
 */
const WHOLLY_WITHOUT_PULUMI = new Set(["release", "deploy", "controller", "config"]);
const WITHOUT_PULUMI = new Set([...WHOLLY_WITHOUT_PULUMI, "components"]);

function scope() {
    const cli = process.argv.indexOf("--mutate");
    if (cli !== -1) {
        const patterns = process.argv[cli + 1] ?? "";
        const name = `custom-${createHash("sha256").update(patterns).digest("hex").slice(0, 12)}`;
        // Patterns inside folders that tsconfig.mutate.json holds whole get the narrow checker program, as
        // MUTATE does: part of a folder costs its share of the folder's run. (components/ is held only in part.)
        const folderOf = (pattern) => pattern.replace(/^!/, "").split("/")[0];
        const narrow = patterns.split(",").every((p) => WHOLLY_WITHOUT_PULUMI.has(folderOf(p)));
        return { name, mutate: undefined, tsconfig: narrow ? "tsconfig.mutate.json" : "tsconfig.json" };
    }
    const asked = (process.env.MUTATE ?? "").split(",").filter(Boolean);
    const unknown = asked.filter((f) => !(f in FOLDERS));
    if (unknown.length > 0) throw new Error(`MUTATE: unknown folder ${unknown.join(", ")}; one of ${Object.keys(FOLDERS).join(", ")}`);
    const folders = asked.length > 0 ? asked : Object.keys(FOLDERS);
    return {
        name: asked.length > 0 ? [...folders].sort().join("+") : "all",
        mutate: folders.flatMap((f) => FOLDERS[f]),
        tsconfig: folders.every((f) => WITHOUT_PULUMI.has(f)) ? "tsconfig.mutate.json" : "tsconfig.json",
    };
}

const { name: scopeName, mutate, tsconfig } = scope();

// Static mutants are ignored unless MUTATE_STATIC_TESTS names the tests that judge them (a glob, best the
// folder's own tests: `MUTATE_STATIC_TESTS='test/config/**/*.test.ts' MUTATE=config npm run mutate`). Each
// static mutant then costs one fresh process running those tests. Such a run keeps results of its own
// (`<scope>-static`): its other mutants are judged by those tests alone, which must not overwrite the
// verdicts of the whole suite.
const staticTests = process.env.MUTATE_STATIC_TESTS;
const name = staticTests ? `${scopeName}-static` : scopeName;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
    ...(mutate ? { mutate } : {}),
    testRunner: "mocha",
    mochaOptions: {
        config: ".mocharc.json",
        // Every unit test but the two that cover no mutant: the fakes' own tests, and the CPU-minute check
        // that the program loads under type-checking ts-node (a child process Stryker cannot see into).
        spec: [staticTests ?? "test/**/*.test.ts"],
        ignore: ["test/fakes/**", "test/pulumi-load.test.ts"],
    },
    checkers: ["typescript"],
    tsconfigFile: tsconfig,
    // Mutants of files that do not import each other are checked together: fewer checks per mutant.
    typescriptChecker: { prioritizePerformanceOverAccuracy: true },
    coverageAnalysis: "perTest",
    // A mutant in code that runs only while a module loads (a zod schema, a constant table) needs a fresh
    // process and the whole suite: hours on this machine. They are counted as ignored, and TESTING.md says
    // how many there are per folder, and what the runs with MUTATE_STATIC_TESTS found of them.
    ignoreStatic: !staticTests,
    incremental: true,
    incrementalFile: `reports/mutation/incremental/${name}.json`,
    reporters: ["clear-text", "progress", "html", "json"],
    htmlReporter: { fileName: `reports/mutation/${name}.html` },
    jsonReporter: { fileName: `reports/mutation/${name}.json` },
    clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
    // Workers default to one per core; on a shared machine pass `-- --concurrency 1`. A test that waits out
    // a retry takes seconds, and a busy machine stretches them: give mutants room before calling a timeout.
    timeoutMS: 20000,
    dryRunTimeoutMinutes: 20,
    thresholds: { high: 90, low: 85, break: null },
    ignorePatterns: ["/engine", "/bench", "/out", "/reports", "*.log"],
    tempDirName: ".stryker-tmp",
};
