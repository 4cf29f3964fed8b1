// Synthetic workspaces for the benchmarks: many services, one staging stack running them all.
import { stringify } from "yaml";
import { parseWorkspace } from "../config";
import { fixtureFiles } from "../test/workspace-fixture";

/** A workspace of `components` services (svc-01 …) with a staging stack that runs them all. */
export function syntheticWorkspace(components: number) {
    const files = fixtureFiles();
    const project = files.find((f) => f.name === "Pulumi.yaml")!;
    const catalog: Record<string, unknown> = {};
    const versions: Record<string, number> = {};
    for (let i = 1; i <= components; i++) {
        const name = `svc-${String(i).padStart(2, "0")}`;
        catalog[name] = {
            repo: `${name}-service`,
            description: `Service ${i}`,
            ecosystems: [{ ecosystem: "docker" }],
            port: 8080 + (i % 5),
            health: "/health",
            database: i % 3 === 0,
        };
        versions[name] = 100 + i;
    }
    catalog.ops = { repo: "ops", description: "ops", ecosystems: [{ ecosystem: "npm" }] };
    const projectText = stringify({
        name: "conveyor",
        runtime: "nodejs",
        config: {
            "conveyor:imageRegistry": { value: "123456789012.dkr.ecr.eu-west-3.amazonaws.com/acme" },
            "conveyor:catalog": { value: catalog },
        },
    });
    const staging = stringify({
        config: {
            "aws:region": "eu-west-3",
            "conveyor:environment": {
                tier: "main",
                domain: "staging.acme.example",
                dns: { zoneId: "0".repeat(32) },
                release: { source: "ci", days: ["monday"], owners: ["a@acme.example"] },
            },
            "conveyor:versions": versions,
        },
    });
    const org = files
        .find((f) => f.name === "Pulumi.org.yaml")!
        .text.replace(/conveyor:repositories:[\s\S]*?(?=\n {2}conveyor:dependabotRegistries)/, "conveyor:repositories: {}");
    const ws = parseWorkspace([
        { ...project, text: projectText },
        { name: "Pulumi.org.yaml", text: org },
        { name: "Pulumi.staging.yaml", text: staging },
    ]);
    return { ws, staging };
}
