// What .circleci/config.yml must agree on with the stacks: run on the frozen pair (test/fixtures/workspace)
// by circleci-config.test.ts, and on the live pair by live-repository.test.ts.
import * as assert from "node:assert/strict";
import { parse } from "yaml";
import { plannedContexts } from "../components/circleci/contexts";
import { trainOrder, type Workspace } from "../config";

export interface Step {
    readonly run?: string | { command?: string; name?: string };
    readonly [k: string]: unknown;
}
export interface Config {
    version: number;
    orbs?: Record<string, string>;
    executors?: Record<string, { docker?: { image: string }[] }>;
    commands?: Record<string, { steps: (Step | string)[] }>;
    jobs: Record<string, { executor?: string; docker?: { image: string }[]; steps: (Step | string)[] }>;
    workflows: Record<
        string,
        { jobs: (string | Record<string, { name?: string; context?: string | string[]; requires?: string[]; stack?: string }>)[] }
    >;
}

export interface Pipeline {
    readonly text: string;
    readonly config: Config;
}

export const pipelineOf = (text: string): Pipeline => ({ text, config: parse(text) as Config });

/** Every job invocation of every workflow: its workflow, job, name in the workflow and parameters. */
export function invocations(config: Config) {
    return Object.entries(config.workflows).flatMap(([workflow, w]) =>
        w.jobs.map((j) => {
            const [job, params] = typeof j === "string" ? [j, {}] : Object.entries(j)[0];
            return { workflow, job, name: params.name ?? job, params };
        }),
    );
}

/** Every shell command the pipeline runs, from jobs and reusable commands alike (or one job's own). */
export function shellCommands(config: Config, only?: string): string[] {
    const steps = (only ? [config.jobs[only]] : [...Object.values(config.jobs), ...Object.values(config.commands ?? {})]).flatMap(
        (j) => j.steps,
    );
    return steps.flatMap((s) => {
        if (typeof s === "string" || s.run === undefined) return [];
        return [typeof s.run === "string" ? s.run : (s.run.command ?? "")];
    });
}

/** Every context the pipeline names is one the org stack declares, and no secret is written inline. */
export function assertContextsDeclared({ text, config }: Pipeline, ws: Workspace): void {
    const declared = new Set(plannedContexts(ws.org!.circleci!, ws.environments).map((c) => c.name));
    const used = invocations(config).flatMap((i) => [i.params.context ?? []].flat());
    assert.ok(used.length > 0);
    for (const c of used) assert.ok(declared.has(c), `context "${c}" is not declared by the org stack (${[...declared].join(", ")})`);
    assert.doesNotMatch(text, /^\s*environment:/m, "variables come from contexts, not from the file");
    assert.doesNotMatch(text, /(gh[pousr]_[A-Za-z0-9]{20,}|pul-[0-9a-f]{20,}|AKIA[0-9A-Z]{16})/, "no token in the file");
}

/** org and every environment stack are previewed, deployed (org first, then train order) and drift-checked. */
export function assertEveryStackCovered({ config }: Pipeline, ws: Workspace): void {
    const all = invocations(config);
    const byName = new Map(all.map((i) => [`${i.workflow}/${i.name}`, i]));
    const envs = trainOrder(ws.environments).map((e) => e.stack);
    const stacks = ["org", ...envs];
    for (const stack of stacks) {
        assert.equal(byName.get(`pull-request/preview-${stack}`)?.params.context, `deploy-${stack}`);
        assert.equal(byName.get(`deploy/deploy-${stack}`)?.params.context, `deploy-${stack}`);
        assert.equal(byName.get(`nightly-drift/drift-preview-${stack}`)?.params.context, `deploy-${stack}`);
    }
    // `deployed` tells the issues of an environment's release; org has none.
    for (const env of envs) assert.deepEqual(byName.get(`deploy/deployed-${env}`)?.params.requires, [`deploy-${env}`]);
    assert.equal(byName.get("deploy/deployed-org"), undefined);
    // A failed update must stop the rest: one chain from deploy-plan, org then staging, demo, prod first;
    // client stacks follow in the order `conveyor new-env` appended them.
    const chain: string[] = [];
    for (let next = "deploy-plan"; ;) {
        const after = all.filter((i) => i.workflow === "deploy" && i.job === "deploy" && i.params.requires?.[0] === next);
        assert.ok(after.length <= 1, `only one deploy follows ${next}`);
        if (after.length === 0) break;
        next = after[0].name;
        chain.push(String(after[0].params.stack));
    }
    assert.deepEqual(chain.slice(0, 4), ["org", "staging", "demo", "prod"]);
    assert.deepEqual([...chain].sort(), [...stacks].sort());
    assert.deepEqual(
        byName.get("pull-request/preview-comment")?.params.requires,
        stacks.map((e) => `preview-${e}`),
    );
    assert.deepEqual(
        byName.get("nightly-drift/drift-report")?.params.requires,
        stacks.map((e) => `drift-preview-${e}`),
    );
}
