// Synthetic workspaces for the benchmarks: many services, one staging stack running them all.
import { stringify } from "yaml";
import { parseWorkspace } from "../config";
import { fixtureFiles } from "../test/workspace-fixture";

/** The train of `n` environments (staging, demo, prod, then client pairs), each with its release source. */
export function syntheticTrain(n: number): { stack: string; source: string; tier: "main" | "client" }[] {
    const clients = ["globex", "initech", "umbrella", "hooli", "stark", "wayne"];
    const train: { stack: string; source: string; tier: "main" | "client" }[] = [
        { stack: "staging", source: "ci", tier: "main" },
        { stack: "demo", source: "staging", tier: "main" },
        { stack: "prod", source: "demo", tier: "main" },
    ];
    for (const c of clients) {
        train.push(
            { stack: `${c}-staging`, source: "prod", tier: "client" },
            { stack: `${c}-prod`, source: `${c}-staging`, tier: "client" },
        );
    }
    return train.slice(0, n);
}

/**
 * A workspace of `components` services (svc-01 …) with a staging stack that runs them all, and with
 * `environments` > 1 the rest of a train (each environment a few builds behind its source).
 */
export function syntheticWorkspace(components: number, environments = 1) {
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
    const stackFiles: Record<string, string> = {};
    syntheticTrain(environments).forEach((e, i) => {
        stackFiles[`Pulumi.${e.stack}.yaml`] = stringify({
            config: {
                "aws:region": "eu-west-3",
                "conveyor:environment": {
                    tier: e.tier,
                    domain: `${e.stack}.acme.example`,
                    dns: { zoneId: "0".repeat(32) },
                    release: { source: e.source, days: ["monday"], owners: ["a@acme.example"] },
                },
                "conveyor:versions": Object.fromEntries(Object.entries(versions).map(([k, v]) => [k, v - i])),
            },
        });
    });
    const staging = stackFiles["Pulumi.staging.yaml"];
    const org = files
        .find((f) => f.name === "Pulumi.org.yaml")!
        .text.replace(/conveyor:repositories:[\s\S]*?(?=\n {2}conveyor:dependabotRegistries)/, "conveyor:repositories: {}");
    const ws = parseWorkspace([
        { ...project, text: projectText },
        { name: "Pulumi.org.yaml", text: org },
        ...Object.entries(stackFiles).map(([name, text]) => ({ name, text })),
    ]);
    return { ws, staging, stackFiles };
}
