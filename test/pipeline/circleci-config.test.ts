// The ops repository's own pipeline: .circleci/config.yml is checked for structure (CircleCI's schema,
// jobs, contexts, commands, pins), and the two commands only it runs (preview-comment, drift) are tested
// pure and against the loopback fake GitHub.
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import Ajv from "ajv";
import * as pipeline from "../../cli/pipeline";
import type { Io } from "../../cli/io";
import { loadWorkspace } from "../../config";
import { driftTitle, judgeDrift, reconcileDriftIssue, renderDriftBody, DRIFT_LABEL } from "../../pipeline/drift";
import { createGitHub } from "../../clients/github";
import { blocksMerge, PREVIEW_MARKER, renderPreviewComment, summarizePreview, upsertPreviewComment } from "../../pipeline/preview-comment";
import { startFakeGitHub, type FakeGitHub, type RepoState } from "../fakes/github";
import {
    assertContextsDeclared,
    assertEveryStackCovered,
    invocations as invocationsOf,
    pipelineOf,
    shellCommands as shellCommandsOf,
} from "../pipeline-checks";
import { FIXTURE_CI_CONFIG, REPO_ROOT, WORKSPACE } from "../workspace-fixture";

// The pipeline's own structure is code: checked on the repository's file. What it must agree on with the
// stacks is checked on the frozen pair (the live pair in live-repository.test.ts), since the stacks are data.
const { text: configText, config } = pipelineOf(fs.readFileSync(path.join(REPO_ROOT, ".circleci", "config.yml"), "utf8"));
const frozen = pipelineOf(fs.readFileSync(FIXTURE_CI_CONFIG, "utf8"));
const ws = loadWorkspace(WORKSPACE);
const invocations = () => invocationsOf(config);
const shellCommands = (only?: string) => shellCommandsOf(config, only);

/** Command names of cli/main.ts's switch, plus the pipeline commands cli/pipeline.ts exports until registered. */
function cliCommands(): Set<string> {
    const main = fs.readFileSync(path.join(REPO_ROOT, "cli", "main.ts"), "utf8");
    const names = new Set([...main.matchAll(/case "([a-z][a-z-]*)":/g)].map((m) => m[1]));
    const exported: Record<string, string> = { driftCommand: "drift", previewCommentCommand: "preview-comment" };
    for (const [fn, name] of Object.entries(exported)) if (typeof (pipeline as Record<string, unknown>)[fn] === "function") names.add(name);
    return names;
}

/** Whether a workflow's `when` (CircleCI's logic statements: and, or, not, equal) holds for these pipeline values. */
function holds(when: unknown, values: Record<string, unknown>): boolean {
    const value = (v: unknown): unknown => {
        const ref = typeof v === "string" ? /^<< (pipeline\.[\w.-]+) >>$/.exec(v) : null;
        if (ref && !(ref[1] in values)) throw new Error(`no value for ${ref[1]}`);
        return ref ? values[ref[1]] : v;
    };
    if (when === undefined) return true;
    if (typeof when !== "object" || when === null) return Boolean(value(when));
    const [op, arg] = Object.entries(when)[0] as [string, unknown];
    if (op === "and") return (arg as unknown[]).every((x) => holds(x, values));
    if (op === "or") return (arg as unknown[]).some((x) => holds(x, values));
    if (op === "not") return !holds(arg, values);
    if (op === "equal") return (arg as unknown[]).map(value).every((x, _, all) => x === all[0]);
    throw new Error(`unknown logic statement ${op}`);
}

describe("the CircleCI pipeline (.circleci/config.yml)", () => {
    it("validates against CircleCI's config schema", () => {
        const schema = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "test", "schemas", "circleci-config.json"), "utf8")) as {
            $schema?: string;
        };
        // The saved schema is draft-07, Ajv's default dialect; a newer snapshot would need Ajv2019.
        assert.match(schema.$schema ?? "", /draft-07/);
        const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
        const validate = ajv.compile(schema);
        assert.ok(validate(config), JSON.stringify(validate.errors, null, 2));
        assert.equal(config.version, 2.1);
    });

    it("references only jobs it defines, and requires only jobs of the same workflow", () => {
        for (const inv of invocations()) assert.ok(config.jobs[inv.job], `${inv.workflow}: job "${inv.job}" is not defined`);
        for (const [workflow, w] of Object.entries(config.workflows)) {
            const names = new Set(
                invocations()
                    .filter((i) => i.workflow === workflow)
                    .map((i) => i.name),
            );
            assert.equal(names.size, w.jobs.length, `${workflow}: job names are unique`);
            for (const inv of invocations().filter((i) => i.workflow === workflow)) {
                for (const r of inv.params.requires ?? [])
                    assert.ok(names.has(r), `${workflow}: ${inv.name} requires "${r}", which is not in the workflow`);
            }
        }
    });

    it("uses only contexts the org stack declares, and holds no inline secret", () => {
        assertContextsDeclared(frozen, ws);
    });

    it("gives every pulumi and GitHub-writing job the right context", () => {
        for (const inv of invocations()) {
            const text = shellCommands(inv.job).join("\n");
            const context = [inv.params.context ?? []].flat();
            // Lines that run pulumi, not lines that talk about it.
            if (/^\s*pulumi (up|preview)\b/m.test(text))
                assert.deepEqual(context, [`deploy-${inv.params.stack}`], `${inv.name} runs pulumi`);
            if (/npx conveyor (targets|deployed|drift|preview-comment|status)/.test(text))
                assert.deepEqual(context, ["release"], `${inv.name} writes to GitHub`);
        }
    });

    it("runs only `conveyor` commands the CLI has and npm scripts package.json has", () => {
        const known = cliCommands();
        const scripts = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> })
            .scripts;
        const text = shellCommands().join("\n");
        const conveyor = [...text.matchAll(/npx conveyor ([a-z][a-z-]*)/g)].map((m) => m[1]);
        assert.deepEqual([...new Set(conveyor)].sort(), ["deployed", "drift", "preview-comment", "status", "targets"]);
        for (const c of conveyor) assert.ok(known.has(c), `conveyor ${c} is not a command of cli/main.ts`);
        const npm = [...text.matchAll(/npm (?:run (\S+)|(test|start)\b)/g)].map((m) => m[1] ?? m[2]);
        assert.ok(npm.includes("test"));
        for (const s of npm) assert.ok(scripts[s], `npm run ${s} is not a script of package.json`);
        assert.match(text, /npm ci/);
    });

    it("runs one workflow per kind of pipeline: a PR previews, main deploys, each nightly trigger runs only its own job", () => {
        const workflowsFor = (branch: string, drift: boolean, mutation: boolean) =>
            Object.entries(config.workflows as Record<string, { when?: unknown }>)
                .filter(([, w]) =>
                    holds(w.when, {
                        "pipeline.git.branch": branch,
                        "pipeline.parameters.run-drift": drift,
                        "pipeline.parameters.run-mutation": mutation,
                    }),
                )
                .map(([name]) => name);
        assert.deepEqual(workflowsFor("fix-billing", false, false), ["pull-request"]);
        assert.deepEqual(workflowsFor("main", false, false), ["deploy"]);
        assert.deepEqual(workflowsFor("main", true, false), ["nightly-drift"]);
        assert.deepEqual(workflowsFor("main", false, true), ["nightly-mutation"], "the mutation night deploys nothing");
    });

    it("mutates every folder of stryker.config.mjs at night, each once", async () => {
        const { FOLDERS } = await import("../../stryker.config.mjs");
        const steps = config.jobs.mutation.steps as unknown[];
        const commands = steps.map((s) => (s as { run?: { command?: string } }).run?.command ?? "").join("\n");
        const scopes = [...commands.matchAll(/MUTATE=(\S+) npm run mutate/g)].flatMap((m) => m[1].split(","));
        assert.ok(scopes.length > 0, "the nightly job runs npm run mutate by scope");
        assert.deepEqual([...scopes].sort(), Object.keys(FOLDERS).sort());
        const mutation = JSON.stringify(steps);
        assert.match(mutation, /\{"store_artifacts":\{"path":"reports\/mutation"/, "the HTML report is kept as an artifact");
        assert.match(mutation, /"paths":\["reports\/mutation\/incremental"\]/, "the incremental file is carried to the next night");
    });

    it("writes the status page on the default branch and every night, and keeps it as an artifact", () => {
        for (const workflow of ["deploy", "nightly-drift"]) {
            const page = invocations().find((i) => i.workflow === workflow && i.job === "status-page");
            assert.ok(page, `${workflow} writes the status page`);
        }
        const steps: unknown[] = config.jobs["status-page"].steps;
        const run = shellCommands("status-page").join("\n");
        const file = /npx conveyor status --html (\S+)/.exec(run)?.[1];
        assert.ok(file, run);
        const stored = steps.map((st) => (st as { store_artifacts?: { path: string } }).store_artifacts?.path).filter(Boolean);
        assert.ok(stored.includes(file), `${file} is stored: ${stored.join(", ")}`);
        assert.match(shellCommands("drift-report").join("\n"), /npx conveyor status --dashboard/);
    });

    it("pins images, orbs and the Pulumi CLI to versions", () => {
        const images = [...Object.values(config.executors ?? {}), ...Object.values(config.jobs)]
            .flatMap((x) => x.docker ?? [])
            .map((d) => d.image);
        assert.ok(images.length > 0);
        for (const image of images) assert.match(image, /^[\w./-]+:\d+(\.\d+)+$/, `${image} is pinned to a version`);
        for (const [name, orb] of Object.entries(config.orbs ?? {})) assert.match(orb, /@\d+\.\d+\.\d+$/, `orb ${name} is pinned`);
        const installs = shellCommands().filter((c) => c.includes("get.pulumi.com"));
        assert.ok(installs.length > 0 || Object.values(config.orbs ?? {}).some((o) => o.startsWith("pulumi/pulumi@")));
        for (const c of installs) assert.match(c, /--version \d+\.\d+\.\d+/);
        assert.match(configText, /checksum "package-lock.json"/, "the npm cache is keyed on the lock file");
    });

    it("previews, deploys and drift-checks org and every environment stack, deploying org first then in train order", () => {
        assertEveryStackCovered(frozen, ws);
        assert.match(JSON.stringify(config.jobs.deploy.steps), /pulumi up --yes --stack << parameters.stack >> --policy-pack policies/);
        assert.match(JSON.stringify(config.jobs["drift-preview"].steps), /--expect-no-changes --json/);
    });
});

// ---- pulumi preview --json documents, in the shape of pulumi's display.PreviewDigest ----------------------

const urn = (type: string, name: string) => `urn:pulumi:staging::conveyor::${type}::${name}`;
const digest = (o: { steps?: { op: string; urn: string }[]; changeSummary?: Record<string, number>; diagnostics?: object[] }) =>
    JSON.stringify(o);
const CLEAN = digest({ steps: [{ op: "same", urn: urn("pulumi:pulumi:Stack", "conveyor-staging") }], changeSummary: { same: 42 } });
const DRIFTED = digest({
    steps: [
        { op: "same", urn: urn("pulumi:pulumi:Stack", "conveyor-staging") },
        { op: "update", urn: urn("aws:ecs/service:Service", "billing") },
        { op: "replace", urn: urn("cloudflare:index/record:Record", "billing") },
    ],
    changeSummary: { same: 40, update: 1, replace: 1 },
});
// Captured from the real CLI (npm run engine:build): a staging preview that a mandatory policy stopped. The JSON
// carries no policy event, only "preview failed"; the violations are in the event log of the same run.
const VIOLATION = fs.readFileSync(path.join(__dirname, "..", "fixtures", "engine", "preview-mandatory-violation.json"), "utf8");
const VIOLATION_EVENTS = fs.readFileSync(
    path.join(__dirname, "..", "fixtures", "engine", "preview-mandatory-violation.events.jsonl"),
    "utf8",
);

describe("preview summaries (pure)", () => {
    it("counts create/update/delete/replace from changeSummary, and lists what changes", () => {
        const s = summarizePreview("staging", DRIFTED);
        assert.deepEqual(s.counts, { create: 0, update: 1, delete: 0, replace: 1 });
        assert.deepEqual(
            s.changes.map((c) => c.op),
            ["update", "replace"],
        );
        assert.equal(s.ok, true);
        assert.equal(blocksMerge(s), false);
    });
    it("falls back to the steps when changeSummary is missing", () => {
        const s = summarizePreview(
            "staging",
            digest({
                steps: [
                    { op: "create", urn: urn("a:b:C", "x") },
                    { op: "delete", urn: urn("a:b:C", "y") },
                ],
            }),
        );
        assert.deepEqual(s.counts, { create: 1, update: 0, delete: 1, replace: 0 });
    });
    it('reads policy violations from the event log; a mandatory one blocks, and pulumi\'s "preview failed" is then no error of its own', () => {
        const s = summarizePreview("staging", VIOLATION, VIOLATION_EVENTS);
        assert.deepEqual(
            s.violations.map((v) => v.level),
            ["mandatory", "mandatory"],
        );
        assert.match(s.violations[0].message, /^ecs-image-pinned: Every ECS container image is pinned/);
        assert.match(s.violations[0].urn ?? "", /TaskDefinition::staging-/);
        assert.ok(
            !s.violations.some((v) => /can't run policy/.test(v.message)),
            "a policy the engine could not run in preview is no violation",
        );
        assert.deepEqual([s.ok, s.errors], [true, []], "a violation is not a failed preview");
        assert.equal(blocksMerge(s), true);
        // Without the event log the same JSON is a failed preview, never a clean one.
        const blind = summarizePreview("staging", VIOLATION);
        assert.deepEqual([blind.ok, blind.errors], [false, ["error: preview failed"]]);
    });
    it("treats empty or broken output as a failed preview, never as no changes", () => {
        for (const text of ["", "error: could not load plugin\n", "[]"]) {
            const s = summarizePreview("demo", text);
            assert.equal(s.ok, false, JSON.stringify(text));
            assert.equal(blocksMerge(s), true);
        }
        const errored = summarizePreview("demo", digest({ diagnostics: [{ severity: "error", message: "TypeError: boom" }] }));
        assert.deepEqual([errored.ok, errored.errors], [false, ["TypeError: boom"]]);
    });
    it("renders one row per stack, names stacks it could not preview, and is stable", () => {
        const summaries = [
            summarizePreview("staging", DRIFTED),
            summarizePreview("prod", VIOLATION, VIOLATION_EVENTS),
            summarizePreview("demo", ""),
        ];
        const text = renderPreviewComment(summaries, "https://circleci.com/b/1", ["org"]);
        assert.match(text, /\| `staging` \| 0 \| 1 \| 0 \| 1 \| none \| changes \|/);
        assert.match(text, /\| `prod` \| 75 \| 0 \| 0 \| 0 \| 2 mandatory \| ❌ blocked by policy \|/);
        assert.match(text, /\| `demo` \| – \| – \| – \| – \| none \| ❌ preview failed \|/);
        assert.match(text, /\| `org` \|.*not previewed/);
        assert.match(text, /- mandatory: ecs-image-pinned: /);
        assert.equal(renderPreviewComment(summaries, "https://circleci.com/b/1", ["org"]), text);
        assert.match(renderPreviewComment([]), /No stack is affected/);
        assert.ok(!text.includes(PREVIEW_MARKER), "the marker is added by the upsert");
    });
});

describe("drift verdicts (pure)", () => {
    it("clean, drift or unknown, from the JSON alone", () => {
        assert.equal(judgeDrift("staging", CLEAN).kind, "clean");
        assert.equal(judgeDrift("staging", DRIFTED).kind, "drift");
        assert.equal(judgeDrift("staging", "").kind, "unknown");
        assert.equal(judgeDrift("staging", digest({ diagnostics: [{ severity: "error", message: "no credentials" }] })).kind, "unknown");
    });
    it("lists the drifted resources in the issue body", () => {
        const body = renderDriftBody(judgeDrift("staging", DRIFTED).summary);
        assert.match(body, /1 to update, 1 to replace/);
        assert.match(body, /\| update \| `urn:pulumi:staging::conveyor::aws:ecs\/service:Service::billing` \|/);
        assert.equal(driftTitle("prod"), "Drift in prod");
    });
});

describe("drift issues and the preview comment against the fake GitHub", function () {
    this.timeout(60_000);
    const OWNER = "acme-saas";
    const TOKEN = "ghs_pipeline";
    let github: FakeGitHub;
    let ops: RepoState;
    const gh = () => createGitHub({ token: TOKEN, baseUrl: github.url, throttle: false, retryAfterBaseMs: 10 });
    const target = { owner: OWNER, repo: "ops" };
    const driftIssues = () => ops.issues.filter((i) => ops.issueLabelNames(i.number).includes(DRIFT_LABEL));

    beforeEach(async () => {
        github = await startFakeGitHub();
        github.state.token = TOKEN;
        ops = github.state.addRepo(`${OWNER}/ops`, { default_branch: "main" });
    });
    afterEach(() => github.close());

    it("opens one drift issue, leaves it alone while the drift is the same, updates it, then closes it when clean", async () => {
        const opened = await reconcileDriftIssue(gh(), target, judgeDrift("staging", DRIFTED), "https://circleci.com/b/1");
        assert.equal(opened.action, "opened");
        assert.deepEqual(
            driftIssues().map((i) => i.title),
            ["Drift in staging"],
        );

        const again = await reconcileDriftIssue(gh(), target, judgeDrift("staging", DRIFTED), "https://circleci.com/b/2");
        assert.deepEqual(again, { action: "unchanged", number: opened.number });

        const worse = digest({ steps: [{ op: "delete", urn: urn("aws:s3/bucket:Bucket", "logs") }], changeSummary: { delete: 1 } });
        assert.equal((await reconcileDriftIssue(gh(), target, judgeDrift("staging", worse))).action, "updated");
        assert.match(ops.issue(opened.number!)!.body ?? "", /1 to delete/);

        // Another stack gets its own issue; a failed preview touches nothing.
        assert.equal((await reconcileDriftIssue(gh(), target, judgeDrift("prod", DRIFTED))).action, "opened");
        assert.equal((await reconcileDriftIssue(gh(), target, judgeDrift("staging", ""))).action, "skipped");
        assert.equal(driftIssues().filter((i) => i.state === "open").length, 2);

        const closed = await reconcileDriftIssue(gh(), target, judgeDrift("staging", CLEAN), "https://circleci.com/b/3");
        assert.deepEqual(closed, { action: "closed", number: opened.number });
        assert.equal(ops.issue(opened.number!)!.state, "closed");
        assert.match(ops.issueComments(opened.number!).at(-1)!.body, /clean again/);
        assert.equal((await reconcileDriftIssue(gh(), target, judgeDrift("staging", CLEAN))).action, "none");
        assert.equal(ops.issue(driftIssues().find((i) => i.title === "Drift in prod")!.number)!.state, "open");
    });

    it("ignores issues without the drift label or with another title", async () => {
        ops.addIssue("Drift in staging", { labels: ["type/bug"] });
        ops.addIssue("Drift in staging, maybe", { labels: [DRIFT_LABEL] });
        assert.equal((await reconcileDriftIssue(gh(), target, judgeDrift("staging", DRIFTED))).action, "opened");
    });

    it("keeps ONE preview comment on the PR, edited in place on every push", async () => {
        const pr = ops.addIssue("Bump billing", {});
        const at = { ...target, number: pr.number };
        ops.addIssue("unrelated", {});
        assert.equal(await upsertPreviewComment(gh(), at, [summarizePreview("staging", DRIFTED)], "https://circleci.com/b/1"), 1);
        assert.equal(
            await upsertPreviewComment(gh(), at, [summarizePreview("staging", DRIFTED)], "https://circleci.com/b/1"),
            0,
            "same push, same text",
        );
        assert.equal(await upsertPreviewComment(gh(), at, [summarizePreview("staging", CLEAN)], "https://circleci.com/b/2"), 1);
        const comments = ops.issueComments(pr.number);
        assert.equal(comments.length, 1);
        assert.ok(comments[0].body.startsWith(`${PREVIEW_MARKER}\n`));
        assert.match(comments[0].body, /\| `staging` \| 0 \| 0 \| 0 \| 0 \| none \| no changes \|/);
    });
});

describe("conveyor preview-comment and drift (cli/pipeline.ts)", () => {
    let dir: string;
    const run = async (fn: (args: string[], io: Io) => Promise<number>, args: string[], env: NodeJS.ProcessEnv = {}) => {
        const out: string[] = [];
        const err: string[] = [];
        const code = await fn(args, { out: (s) => out.push(s), err: (s) => err.push(s), cwd: WORKSPACE, env });
        return { code, out: out.join("\n"), err: err.join("\n") };
    };
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "conveyor-pipeline-"));
        fs.writeFileSync(path.join(dir, "staging.json"), DRIFTED);
        fs.writeFileSync(path.join(dir, "prod.json"), VIOLATION);
        fs.writeFileSync(path.join(dir, "prod.events.jsonl"), VIOLATION_EVENTS);
        fs.writeFileSync(path.join(dir, "broken.json"), "");
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("preview-comment --dry-run prints the comment and fails on a mandatory violation", async () => {
        const ok = await run(pipeline.previewCommentCommand, [
            "--pr",
            "12",
            "--dry-run",
            `staging=${dir}/staging.json`,
            "--not-previewed",
            "org",
        ]);
        assert.equal(ok.code, 0);
        assert.match(ok.out, /\| `staging` \| 0 \| 1 \| 0 \| 1 \|/);
        assert.match(ok.out, /`org`.*not previewed/);
        const blocked = await run(pipeline.previewCommentCommand, [
            "--pr",
            "12",
            "--dry-run",
            `prod=${dir}/prod.json`,
            "--event-log",
            `prod=${dir}/prod.events.jsonl`,
        ]);
        assert.equal(blocked.code, 1);
        assert.match(blocked.err, /prod: mandatory policy violation/);
    });

    it("rejects bad input before reading GitHub", async () => {
        await assert.rejects(run(pipeline.previewCommentCommand, ["staging=x.json"]), /--pr/);
        await assert.rejects(run(pipeline.previewCommentCommand, ["--pr", "3", "nostack"]), /<stack>=<preview.json>/);
        await assert.rejects(run(pipeline.previewCommentCommand, ["--pr", "3", `Not_A_Stack=${dir}/staging.json`]), /not a stack name/);
        await assert.rejects(run(pipeline.driftCommand, ["staging", "--preview", `${dir}/missing.json`]), /no such preview file/);
        await assert.rejects(run(pipeline.driftCommand, ["staging"]), /--preview/);
    });

    it("drift with a broken preview exits 1 and touches no issue (no GitHub token needed)", async () => {
        const r = await run(pipeline.driftCommand, ["staging", "--preview", `${dir}/broken.json`]);
        assert.equal(r.code, 1);
        assert.match(r.err, /drift unknown/);
    });
});
