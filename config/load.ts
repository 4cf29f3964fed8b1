// The loader: the files of a project directory in, one validated Workspace out, or a ConfigError listing
// every problem of every file. Nothing else reads config files.
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { checkLabelReferences, checkReleaseSources } from "./checks";
import { checkFeedbackEnvironments } from "./notifications";
import { parseEnvironment, trainOrder, type EnvironmentConfig } from "./environment";
import { parseOrg, type OrgConfig } from "./org";
import { ConfigError, parseWith, Problems, readYaml } from "./problems";
import { parseProject, PROJECT_FILE, type Component } from "./project";
import { stackRole } from "./stack-names";

export interface Workspace {
    readonly project: string;
    readonly catalog: readonly Component[];
    /** Image registry of every component: `<registry>/<image>:<build>`. */
    readonly imageRegistry?: string;
    readonly org?: OrgConfig;
    /** Environment stacks in train order: staging, demo, prod, then client stacks by name. */
    readonly environments: readonly EnvironmentConfig[];
}

export interface SourceFile {
    /** File name relative to the project directory, e.g. `Pulumi.prod.yaml`. */
    readonly name: string;
    readonly text: string;
}

/**
 * Parses and cross-checks a whole workspace: Pulumi.yaml and every Pulumi.<stack>.yaml. Pure: callers
 * pass the file texts. Throws ConfigError listing every problem found.
 */
export function parseWorkspace(files: readonly SourceFile[]): Workspace {
    const problems = new Problems();
    const projectSource = files.find((f) => f.name === PROJECT_FILE);
    if (!projectSource) throw new ConfigError([`${PROJECT_FILE}: file not found`]);

    const { catalog, imageRegistry } = parseProject(projectSource.text, problems);

    const stackFiles = files.filter((f) => f.name !== PROJECT_FILE).sort((a, b) => a.name.localeCompare(b.name));
    let org: OrgConfig | undefined;
    const environments: EnvironmentConfig[] = [];
    /** Every stack file present, parsed or not, so that one broken file does not cascade. */
    const stackNames: string[] = [];
    for (const f of stackFiles) {
        const stack = /^Pulumi\.(.+)\.yaml$/.exec(f.name)?.[1];
        if (stack !== undefined) stackNames.push(stack);
        const role = stack === undefined ? undefined : stackRole(stack);
        if (stack === undefined || role === undefined) {
            problems.add(
                f.name,
                "",
                "the stack name matches no role: expected org, staging, demo, prod, <client>-staging or <client>-prod (client in kebab-case)",
            );
            continue;
        }
        const raw = readYaml(f.name, f.text, problems);
        if (raw === undefined) continue;
        const doc = parseWith(z.looseObject({ config: z.record(z.string(), z.unknown()) }), raw, f.name, problems);
        if (!doc) continue;
        const config = doc.config;
        for (const key of Object.keys(config)) {
            if (!key.includes(":")) problems.add(f.name, key, 'expected a namespaced key like "conveyor:versions"');
        }
        if (role === "org") {
            org = parseOrg(f.name, config, catalog, problems);
        } else {
            const env = parseEnvironment(f.name, stack, role, config, catalog, problems);
            if (env) environments.push(env);
        }
    }
    checkReleaseSources(environments, stackNames, problems);
    if (org) checkLabelReferences(org, environments, problems);
    if (org)
        checkFeedbackEnvironments(
            org.file,
            org,
            stackNames.filter((s) => s !== "org"),
            problems,
        );
    if (problems.lines.length > 0) throw new ConfigError(problems.lines);
    return { project: "conveyor", catalog, imageRegistry, org, environments: trainOrder(environments) };
}

/** Reads Pulumi.yaml and every Pulumi.<stack>.yaml of a project directory and parses them. */
export function loadWorkspace(dir: string): Workspace {
    const names = fs.readdirSync(dir).filter((n) => n === PROJECT_FILE || /^Pulumi\..+\.ya?ml$/.test(n));
    const wrongExt = names.filter((n) => n.endsWith(".yml"));
    if (wrongExt.length > 0) {
        throw new ConfigError(wrongExt.map((n) => `${n}: stack files end in .yaml; rename it`));
    }
    return parseWorkspace(names.map((n) => ({ name: n, text: fs.readFileSync(path.join(dir, n), "utf8") })));
}
