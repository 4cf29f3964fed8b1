// A whole delivery world on loopback fakes: the ops repository with the stack files on main, every
// component repository with squash-merged PRs that reference issues, and CircleCI pipelines whose build
// numbers are the versions the stack files name.
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { parseWorkspace, type Workspace } from "../config";
import { CircleCi } from "../clients/circleci";
import { createGitHub } from "../clients/github";
import { releaseBranch } from "../release/pr";
import { runRelease, type ReleaseDeps, type ReleaseOutcome } from "../release/release";
import { readVersions } from "../config/stackfile";
import { FAKE_CIRCLECI_TOKEN, startFakeCircleCi, type FakeCircleCi } from "./fakes/circleci";
import { startFakeGitHub, type FakeGitHub, type RepoState, type Route } from "./fakes/github";
import { fixtureFiles, WORKSPACE } from "./workspace-fixture";

export const OWNER = "acme-saas";
export const TOKEN = "ghs_release-controller";
const STACKS = ["Pulumi.staging.yaml", "Pulumi.demo.yaml", "Pulumi.prod.yaml"];

export interface World {
    readonly github: FakeGitHub;
    readonly circle: FakeCircleCi;
    readonly workspace: Workspace;
    readonly ops: RepoState;
    /** Component repository by component name. */
    readonly repos: Map<string, RepoState>;
    /** Newest green build per component, above what staging runs. */
    readonly latest: Map<string, number>;
    deps(options?: { throttle?: boolean; progress?: string[] }): ReleaseDeps;
    close(): Promise<void>;
}

export interface WorldOptions {
    /** Merged PRs per component between the build staging runs and the newest green one. */
    readonly prsPerComponent?: number;
    readonly latencyMs?: number;
    /** Another workspace than the frozen one (the benchmark's 30 components, the live repository's). */
    readonly workspace?: Workspace;
    /** Routes that replace the fake GitHub's, e.g. to lose a race. */
    readonly routes?: Route[];
    /** Stack files on the ops repository's main, by name; the frozen staging, demo and prod by default. */
    readonly stackFiles?: Record<string, string>;
}

const stackText = (name: string): string => fs.readFileSync(path.join(WORKSPACE, name), "utf8");

export async function startWorld(options: WorldOptions = {}): Promise<World> {
    const github = await startFakeGitHub({ latencyMs: options.latencyMs, routes: options.routes });
    const circle = await startFakeCircleCi({ latencyMs: options.latencyMs });
    github.state.token = TOKEN;
    const workspace = options.workspace ?? parseWorkspace(fixtureFiles());
    const ops = github.state.addRepo(`${OWNER}/ops`, { default_branch: "main" });
    const stackFiles = options.stackFiles ?? Object.fromEntries(STACKS.map((n) => [n, stackText(n)]));
    ops.commit("main", { message: "Environments", files: stackFiles });

    // Every version any stack file names gets a pipeline on its own commit, oldest build first.
    const named = new Map<string, Set<number>>();
    for (const n of Object.keys(stackFiles))
        for (const [c, v] of readVersions(n, ops.file("main", n)!)) named.set(c, (named.get(c) ?? new Set()).add(v));

    const repos = new Map<string, RepoState>();
    const latest = new Map<string, number>();
    for (const c of workspace.catalog.filter((x) => x.port !== undefined)) {
        const repo = github.state.addRepo(`${OWNER}/${c.repo}`, { default_branch: "main" });
        repos.set(c.name, repo);
        const slug = `gh/${OWNER}/${c.repo}`;
        const versions = [...(named.get(c.name) ?? new Set([100]))].sort((a, b) => a - b);
        for (const v of versions) {
            const sha = repo.commit("main", { message: `Build ${v}`, files: { VERSION: `${v}\n` }, author: "builder" });
            circle.addPipeline(slug, { number: v, revision: sha, workflows: ["success"] });
        }
        const prs = options.prsPerComponent ?? 3;
        const types = ["type/new-feature", "type/bug", "type/change-feature", "type/devops"];
        for (let i = 1; i <= prs; i++) {
            const issue = repo.addIssue(`${c.name} request ${i}`, { labels: ["workflow/ready-for-staging"] });
            repo.commit(`feature-${i}`, { message: `work ${i}`, files: { [`src/f${i}.txt`]: `${i}\n` }, author: "alice" });
            const pr = repo.openPull({
                head: `feature-${i}`,
                title: `${c.name}: change ${i}`,
                body: `Fixes #${issue.number}`,
                labels: [types[i % types.length]],
                user: "alice",
            });
            repo.mergePull(pr.number, { method: "squash" });
        }
        const top = versions[versions.length - 1] + prs + 1;
        circle.addPipeline(slug, { number: top, revision: repo.head("main"), workflows: ["success", "success"] });
        // A newer build that failed must never be promoted.
        circle.addPipeline(slug, { number: top + 1, revision: repo.head("main"), workflows: ["success", "failed"] });
        latest.set(c.name, top);
    }

    return {
        github,
        circle,
        workspace,
        ops,
        repos,
        latest,
        deps: (o = {}) => ({
            // With throttling on, the writes are not spaced out: the throttling tests are about rate limits, and
            // the spacing has its own test (test/clients/github.test.ts).
            gh: createGitHub({ token: TOKEN, baseUrl: github.url, throttle: o.throttle ?? false, retryAfterBaseMs: 10, writeDelayMs: 0 }),
            ci: new CircleCi({ token: FAKE_CIRCLECI_TOKEN, baseUrl: circle.url, retryBaseMs: 1 }),
            workspace,
            gitHubApiUrl: github.url,
            progress: (line) => o.progress?.push(line),
        }),
        close: async () => {
            await github.close();
            await circle.close();
        },
    };
}

/** One run of `conveyor release <env>` (or `--rollback`) against the world, its progress lines into `progress`. */
export function release(w: World, env: string, progress?: string[], mode: "release" | "rollback" = "release"): Promise<ReleaseOutcome> {
    return runRelease(w.deps({ progress }), { env, mode, dryRun: false });
}

/** Releases an environment and merges its PR like a reviewer would; returns the merge commit. */
export async function releaseAndMerge(w: World, env: string): Promise<string> {
    const outcome = await release(w, env);
    if (outcome.status !== "opened") throw new Error(`release ${env}: ${outcome.status}`);
    return w.ops.mergePull(w.ops.pulls.find((p) => p.head === releaseBranch(env))!.number, { method: "squash" });
}

/** The open release PR of an environment (exactly one), as a reviewer sees it. */
export function prOf(w: World, env: string) {
    const open = w.ops.pulls.filter((p) => p.head === releaseBranch(env) && w.ops.pullIssue(p).state === "open");
    assert.equal(open.length, 1, `one open release PR for ${env}`);
    const issue = w.ops.pullIssue(open[0]);
    return { number: open[0].number, title: issue.title, body: issue.body ?? "", labels: w.ops.issueLabelNames(open[0].number) };
}

/** Lines of the branch's stack file that differ from main's. */
export function diffLines(w: World, env: string): string[] {
    const file = `Pulumi.${env}.yaml`;
    const main = w.ops.file("main", file)!.split("\n");
    const branch = w.ops.file(releaseBranch(env), file)!.split("\n");
    assert.equal(branch.length, main.length, "no line added or removed");
    return branch.filter((l, i) => l !== main[i]);
}
