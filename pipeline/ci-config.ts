// Adds a new stack's jobs to .circleci/config.yml: CircleCI binds a context to a job, so every stack has
// its own preview, deploy, deployed and drift jobs. Comment-preserving, and a no-op when they exist. Pure.
import { InputError } from "../config/input-error";
import { isMap, isSeq, LineCounter, parseDocument, type Document, type YAMLMap, type YAMLSeq } from "yaml";

export const CI_CONFIG = ".circleci/config.yml";
const YAML_OUT = { flowCollectionPadding: false, lineWidth: 0 } as const;

export class CiConfigError extends InputError {}

/** The job that runs `pulumi up` of a stack, in the ops repository's `deploy` workflow. */
export const deployJobName = (stack: string): string => `deploy-${stack}`;

type Invocation = { job: string; name: string; params: YAMLMap };

function jobsOf(doc: Document, workflow: string): YAMLSeq {
    const jobs = doc.getIn(["workflows", workflow, "jobs"], true);
    if (!isSeq(jobs))
        throw new CiConfigError(`${CI_CONFIG}: workflows.${workflow}.jobs: not found; add the jobs of the new stacks by hand`);
    return jobs;
}

function invocations(jobs: YAMLSeq): Invocation[] {
    return jobs.items.flatMap((item) => {
        if (!isMap(item) || item.items.length !== 1) return [];
        const [pair] = item.items;
        const job = String((pair.key as { value?: unknown }).value ?? pair.key);
        const params = isMap(pair.value) ? pair.value : undefined;
        const name: unknown = params?.get("name");
        return params ? [{ job, name: typeof name === "string" ? name : job, params }] : [];
    });
}

function add(doc: Document, jobs: YAMLSeq, job: string, params: Record<string, unknown>): void {
    const node = doc.createNode({ [job]: params }) as YAMLMap;
    const requires = (node.items[0].value as YAMLMap).get("requires", true);
    if (isSeq(requires)) requires.flow = true; // `requires: [a, b]`, as the rest of the file writes it
    jobs.add(node);
}

function addRequirement(inv: Invocation | undefined, name: string): void {
    const requires = inv?.params.get("requires", true);
    if (!isSeq(requires)) throw new CiConfigError(`${CI_CONFIG}: cannot find the requires list of ${inv?.name ?? "a summary job"}`);
    if (!requires.items.some((i) => String((i as { value?: unknown }).value) === name)) requires.add(name);
}

/** The config with preview/deploy/deployed/drift jobs for `stacks`, deployed after the last deploy job. */
export function withStackJobs(text: string, stacks: readonly string[]): string {
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { prettyErrors: false, lineCounter });
    if (doc.errors.length > 0) {
        const [e] = doc.errors;
        const { line, col } = lineCounter.linePos(e.pos[0]);
        throw new CiConfigError(
            `${CI_CONFIG}: invalid YAML at line ${line}, column ${col}: ${e.message.split("\n")[0]}; fix it, then run new-env again`,
        );
    }
    const pr = jobsOf(doc, "pull-request");
    const deploy = jobsOf(doc, "deploy");
    const drift = jobsOf(doc, "nightly-drift");
    for (const stack of stacks) {
        if (invocations(deploy).some((i) => i.name === deployJobName(stack))) continue;
        const context = `deploy-${stack}`;
        add(doc, pr, "preview", { name: `preview-${stack}`, stack, context, requires: ["build"] });
        addRequirement(
            invocations(pr).find((i) => i.job === "preview-comment"),
            `preview-${stack}`,
        );
        // The chain keeps train order: the new stack deploys after the last one, and only if it succeeded.
        const lastDeploy = invocations(deploy)
            .filter((i) => i.job === "deploy")
            .pop();
        add(doc, deploy, "deploy", { name: deployJobName(stack), stack, context, requires: [lastDeploy?.name ?? "deploy-plan"] });
        add(doc, deploy, "deployed", { name: `deployed-${stack}`, stack, context: "release", requires: [deployJobName(stack)] });
        add(doc, drift, "drift-preview", { name: `drift-preview-${stack}`, stack, context });
        addRequirement(
            invocations(drift).find((i) => i.job === "drift-report"),
            `drift-preview-${stack}`,
        );
    }
    return doc.toString(YAML_OUT);
}
