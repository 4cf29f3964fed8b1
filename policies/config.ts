// Stack-level guard rails on the release train: an environment must never run a build its release
// source has not run first, or the train's "tested upstream" promise is broken.
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { containerImages } from "./aws";
import { stackOfUrn } from "./stacks";

const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";

interface StackFile {
    source?: string;
    versions: Record<string, number>;
}

export function readStackFile(dir: string, stack: string): StackFile | undefined {
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) return undefined;
    const config = (parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null)?.config ?? {};
    const env = config["conveyor:environment"] as { release?: { source?: string } } | undefined;
    return { source: env?.release?.source, versions: (config["conveyor:versions"] ?? {}) as Record<string, number> };
}

/** Component -> build number, from the numeric tags of the stack's task definitions (container = component). */
export function runningVersions(resources: readonly PolicyResource[]): Map<string, number> {
    const out = new Map<string, number>();
    for (const r of resources.filter((x) => x.type === TASK_DEFINITION)) {
        for (const c of containerImages(r.props.containerDefinitions)) {
            const tag = typeof c.image === "string" ? /:([0-9]+)$/.exec(c.image)?.[1] : undefined;
            if (tag !== undefined) out.set(c.name, Number(tag));
        }
    }
    return out;
}

/**
 * The analyzer's working directory is not promised to be the project's (it may be the pack's own), so
 * take the first of the working directory and the pack's parent that holds Pulumi.yaml: this pack lives
 * in `<project>/policies`.
 */
export function projectDir(): string {
    const candidates = [process.cwd(), path.resolve(__dirname, "..")];
    return candidates.find((d) => fs.existsSync(path.join(d, "Pulumi.yaml"))) ?? process.cwd();
}

export const notAheadOfSource: StackValidationPolicy = {
    name: "environment-not-ahead-of-release-source",
    description: "An environment (prod above all) never runs a component build newer than its release source's stack file names.",
    enforcementLevel: "advisory",
    configSchema: {
        properties: {
            projectDir: {
                type: "string",
                description: "Directory of Pulumi.yaml (default: the working directory or the pack's parent, whichever has Pulumi.yaml).",
            },
        },
    },
    validateStack: (args, reportViolation) => {
        // Every URN of a stack names the stack: the first resource is as good as the Stack resource itself.
        if (args.resources.length === 0) return;
        const stack = stackOfUrn(args.resources[0].urn);
        const dir = (args.getConfig<{ projectDir?: string }>() ?? {}).projectDir ?? projectDir();
        const own = readStackFile(dir, stack);
        // Staging releases from CI and the org stack runs no components: nothing upstream to compare with.
        if (!own?.source || own.source === "ci") return;
        const source = readStackFile(dir, own.source);
        if (!source) {
            reportViolation(`release source ${own.source} of ${stack} has no Pulumi.${own.source}.yaml in ${dir}`);
            return;
        }
        const ahead = [...runningVersions(args.resources)]
            .filter(([component, build]) => typeof source.versions[component] === "number" && build > source.versions[component])
            .map(([component, build]) => `${component} ${build} > ${source.versions[component]}`);
        if (ahead.length > 0) reportViolation(`${stack} runs builds newer than its release source ${own.source}: ${ahead.join(", ")}`);
    },
};

export const configPolicies = [notAheadOfSource];
