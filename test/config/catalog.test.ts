// Pulumi.yaml: the component catalog every stack shares, and the image registry.
import * as assert from "node:assert/strict";
import { parseWorkspace } from "../../config";
import { ECOSYSTEMS } from "../../config/project";
import { configProblems, fixtureFiles, refusedWith, withValue } from "../workspace-fixture";

const CATALOG = ["config", "conveyor:catalog", "value"];

describe("config: the component catalog (Pulumi.yaml)", () => {
    it("refuses an empty catalog", () => {
        refusedWith(withValue("Pulumi.yaml", CATALOG, {}), "Pulumi.yaml: conveyor:catalog: the catalog is empty");
    });

    it("names a problem of the catalog's schema by the key and the path inside its value, as its own checks do", () => {
        assert.deepEqual(configProblems(withValue("Pulumi.yaml", [...CATALOG, "web", "port"], "http")), [
            'Pulumi.yaml: conveyor:catalog.web.port: expected number, got "http"',
        ]);
        assert.deepEqual(configProblems(withValue("Pulumi.yaml", ["config", "conveyor:catalog", "type"], "list")), [
            'Pulumi.yaml: conveyor:catalog.type: expected "object", got "list"',
        ]);
        assert.deepEqual(configProblems(withValue("Pulumi.yaml", ["config", "conveyor:imageRegistry", "value"], "Not A Registry")), [
            'Pulumi.yaml: conveyor:imageRegistry: expected an image registry like 123456789012.dkr.ecr.eu-west-3.amazonaws.com/acme, got "Not A Registry"',
        ]);
        assert.deepEqual(configProblems(withValue("Pulumi.yaml", ["runtime"], "python")), [
            'Pulumi.yaml: runtime: expected the nodejs runtime, got "python"',
        ]);
        assert.deepEqual(configProblems(withValue("Pulumi.yaml", ["config"], 3)), ["Pulumi.yaml: config: expected object, got 3"]);
    });

    it("refuses two components in one repository, whatever the case of its name", () => {
        refusedWith(
            withValue("Pulumi.yaml", [...CATALOG, "billing", "repo"], "Marketplace-Backend"),
            'Pulumi.yaml: conveyor:catalog.billing.repo: repository "Marketplace-Backend" is already used by component "marketplace"',
        );
        refusedWith(
            withValue("Pulumi.yaml", [...CATALOG, "marketplace", "repo"], "Billing-Service"),
            'Pulumi.yaml: conveyor:catalog.billing.repo: repository "billing-service" is already used by component "marketplace"',
        );
    });

    it("refuses a service with a port and no health path, or a health path and no port", () => {
        assert.deepEqual(configProblems(withValue("Pulumi.yaml", [...CATALOG, "web", "health"], undefined)), [
            "Pulumi.yaml: conveyor:catalog.web: a service needs both port and health; a repository-only component neither",
        ]);
        refusedWith(
            withValue("Pulumi.yaml", [...CATALOG, "ops", "health"], "/healthz"),
            "Pulumi.yaml: conveyor:catalog.ops: a service needs both port and health; a repository-only component neither",
        );
    });

    it("refuses the same Dependabot update twice in one directory, and accepts it in two", () => {
        const ecosystems = [...CATALOG, "gateway", "ecosystems"];
        assert.deepEqual(
            configProblems(
                withValue("Pulumi.yaml", ecosystems, [
                    { ecosystem: "gomod" },
                    { ecosystem: "docker" },
                    { ecosystem: "gomod", directory: "/" },
                ]),
            ),
            ["Pulumi.yaml: conveyor:catalog.gateway.ecosystems.2: duplicate update for gomod in /"],
        );
        const twoDirs = parseWorkspace(
            withValue("Pulumi.yaml", ecosystems, [{ ecosystem: "gomod" }, { ecosystem: "gomod", directory: "/tools" }]),
        );
        assert.deepEqual(
            twoDirs.catalog.find((c) => c.name === "gateway")!.ecosystems.map((e) => `${e.ecosystem} ${e.directory}`),
            ["gomod /", "gomod /tools"],
        );
    });

    it("names a component's image after the component unless it says otherwise", () => {
        const ws = parseWorkspace(withValue("Pulumi.yaml", [...CATALOG, "web", "image"], "web-frontend"));
        assert.equal(ws.catalog.find((c) => c.name === "web")!.image, "web-frontend");
        assert.equal(ws.catalog.find((c) => c.name === "billing")!.image, "billing");
    });

    it("reads the image registry, which is optional", () => {
        assert.equal(parseWorkspace(fixtureFiles()).imageRegistry, "123456789012.dkr.ecr.eu-west-3.amazonaws.com/acme");
        assert.equal(parseWorkspace(withValue("Pulumi.yaml", ["config", "conveyor:imageRegistry"], undefined)).imageRegistry, undefined);
    });
});

describe("config: the catalog's names, registry and runtime at their edges", () => {
    const REGISTRY = ["config", "conveyor:imageRegistry", "value"];
    const problemsWith = (key: readonly unknown[], value: unknown) => configProblems(withValue("Pulumi.yaml", key, value));

    it("an image registry: a lower-case host, an optional port, any number of path parts", () => {
        for (const registry of ["ghcr.io", "registry.example.com:5000/acme/team", "123456789012.dkr.ecr.eu-west-3.amazonaws.com/acme"]) {
            assert.equal(parseWorkspace(withValue("Pulumi.yaml", REGISTRY, registry)).imageRegistry, registry);
        }
        for (const registry of ["ghcr.io/acme/Team", "ghcr.io:port/acme", "ghcr.io/acme/", "Ghcr.io"]) {
            assert.deepEqual(problemsWith(REGISTRY, registry), [
                `Pulumi.yaml: conveyor:imageRegistry: expected an image registry like 123456789012.dkr.ecr.eu-west-3.amazonaws.com/acme, got ${JSON.stringify(registry)}`,
            ]);
        }
    });

    it("names in kebab-case: components, images and registries; ecosystems Dependabot knows", () => {
        assert.deepEqual(
            problemsWith([...CATALOG, "Billing"], { repo: "billing", description: "Billing", ecosystems: [{ ecosystem: "npm" }] }),
            ['Pulumi.yaml: conveyor:catalog.Billing: expected a component name in kebab-case, got "Billing"'],
        );
        assert.deepEqual(problemsWith([...CATALOG, "web", "image"], "Web"), [
            'Pulumi.yaml: conveyor:catalog.web.image: expected an image name in kebab-case, got "Web"',
        ]);
        assert.deepEqual(
            problemsWith([...CATALOG, "web", "ecosystems"], [{ ecosystem: "npm", registries: ["Npm_Registry"] }, { ecosystem: "maven2" }]),
            [
                'Pulumi.yaml: conveyor:catalog.web.ecosystems.0.registries.0: expected a registry name in kebab-case, got "Npm_Registry"',
                `Pulumi.yaml: conveyor:catalog.web.ecosystems.1.ecosystem: expected a Dependabot ecosystem (${ECOSYSTEMS.join(", ")}), got "maven2"`,
            ],
        );
    });

    it("a component reads no database password unless it says so; the runtime is nodejs, written either way", () => {
        const ws = parseWorkspace(withValue("Pulumi.yaml", [...CATALOG, "web", "database"], undefined));
        assert.equal(ws.catalog.find((c) => c.name === "web")!.database, false);
        assert.equal(ws.catalog.find((c) => c.name === "billing")!.database, true);
        parseWorkspace(withValue("Pulumi.yaml", ["runtime"], "nodejs"));
        parseWorkspace(withValue("Pulumi.yaml", ["runtime"], { name: "nodejs" }));
        assert.deepEqual(problemsWith(["runtime"], { name: "python" }), ["Pulumi.yaml: runtime: expected the nodejs runtime, got a map"]);
    });
});
