// Pulumi.yaml: the project and the component catalog (`conveyor:catalog`) every stack shares.
import { z } from "zod";
import { name, repoName, urlPath, withInput } from "./fields";
import { parseWith, readYaml, type Problems } from "./problems";

export const PROJECT_FILE = "Pulumi.yaml";

export const ECOSYSTEMS = [
    "bundler",
    "cargo",
    "composer",
    "docker",
    "github-actions",
    "gomod",
    "gradle",
    "maven",
    "mix",
    "npm",
    "nuget",
    "pip",
    "pub",
    "swift",
    "terraform",
] as const;

const ecosystemEntry = z.strictObject({
    ecosystem: z.enum(ECOSYSTEMS, { error: withInput(`expected a Dependabot ecosystem (${ECOSYSTEMS.join(", ")})`) }),
    directory: urlPath.default("/"),
    registries: z.array(name("registry name")).default([]),
});

const component = z.strictObject({
    repo: repoName,
    description: z.string().min(1),
    image: name("image name").optional(),
    ecosystems: z.array(ecosystemEntry).min(1),
    port: z.number().int().min(1).max(65535).optional(),
    health: urlPath.optional(),
    /** The service reads the environment's database password (handed over as a task secret). */
    database: z.boolean().default(false),
});

const projectFile = z.looseObject({
    name: z.literal("conveyor", { error: withInput('expected the project name "conveyor"') }),
    runtime: z.union([z.literal("nodejs"), z.looseObject({ name: z.literal("nodejs") })], {
        error: withInput("expected the nodejs runtime"),
    }),
    config: z.looseObject({
        "conveyor:catalog": z.strictObject({
            type: z.literal("object").optional(),
            description: z.string().optional(),
            value: z.record(name("component name"), component).refine((c) => Object.keys(c).length > 0, {
                error: "the catalog is empty",
            }),
        }),
        // Where every environment pulls images from: <registry>/<image>:<build number>.
        "conveyor:imageRegistry": z
            .strictObject({
                type: z.literal("string").optional(),
                value: z.string().regex(/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*$/, {
                    error: withInput("expected an image registry like 123456789012.dkr.ecr.eu-west-3.amazonaws.com/acme"),
                }),
            })
            .optional(),
    }),
});

export interface Component {
    readonly name: string;
    readonly repo: string;
    readonly description: string;
    readonly image: string;
    readonly ecosystems: readonly { ecosystem: string; directory: string; registries: readonly string[] }[];
    /** Services listen on a port and run in environments; other components are repositories only. */
    readonly port?: number;
    readonly health?: string;
    readonly database: boolean;
}

/**
 * Pulumi.yaml keeps a config key's value under `config.<key>.value`: a problem is named by the key and the path
 * inside its value (`conveyor:catalog.billing.port`), as the catalog's own checks and the stack files name theirs.
 */
const projectRoot = (p: readonly PropertyKey[]): [string | undefined, readonly PropertyKey[]] =>
    p[0] === "config" && p.length > 1 ? [String(p[1]), p[2] === "value" ? p.slice(3) : p.slice(2)] : [undefined, p];

/** The catalog and the image registry of Pulumi.yaml; problems are added to `problems`. */
export function parseProject(text: string, problems: Problems): { catalog: Component[]; imageRegistry?: string } {
    const projectRaw = readYaml(PROJECT_FILE, text, problems);
    const project = projectRaw === undefined ? undefined : parseWith(projectFile, projectRaw, PROJECT_FILE, problems, projectRoot);
    const catalog: Component[] = [];
    if (project) {
        const repos = new Map<string, string>();
        for (const [cname, c] of Object.entries(project.config["conveyor:catalog"].value)) {
            const key = `conveyor:catalog.${cname}`;
            const owner = repos.get(c.repo.toLowerCase());
            if (owner) problems.add(PROJECT_FILE, `${key}.repo`, `repository "${c.repo}" is already used by component "${owner}"`);
            repos.set(c.repo.toLowerCase(), cname);
            if ((c.port === undefined) !== (c.health === undefined)) {
                problems.add(PROJECT_FILE, key, "a service needs both port and health; a repository-only component neither");
            }
            const seen = new Set<string>();
            c.ecosystems.forEach((e, i) => {
                const id = `${e.ecosystem} ${e.directory}`;
                if (seen.has(id))
                    problems.add(PROJECT_FILE, `${key}.ecosystems.${i}`, `duplicate update for ${e.ecosystem} in ${e.directory}`);
                seen.add(id);
            });
            catalog.push({ name: cname, ...c, image: c.image ?? cname });
        }
    }
    return { catalog, imageRegistry: project?.config["conveyor:imageRegistry"]?.value };
}
