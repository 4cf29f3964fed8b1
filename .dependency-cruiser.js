// The import direction of conveyor (README "Layout"): entry points on top, then the workflows, then the
// components and the API clients, then config. A folder may import itself and the folders its row names,
// never one above it or beside it; and no two files import each other, even through others or for types.
// `npm run lint` runs this check (npm run deps alone); a violation names both files and the rule.
"use strict";

/** Each of our top-level folders (or root module) and what it may import besides itself. */
const MAY_IMPORT = {
    // bottom: the files' schemas, the loader, the label taxonomy, the stack-file edit
    config: [],
    // the GitHub and CircleCI API clients and their retry rules
    clients: ["config"],
    // Pulumi resources; their dynamic providers use the clients
    components: ["config", "clients"],
    // workflows
    release: ["config", "clients"],
    pipeline: ["config", "clients"],
    deploy: ["config", "clients", "release"],
    // what is going on: milestone progress (and, with `conveyor status`, the status matrix)
    status: ["config", "clients", "release", "deploy"],
    // components: only the contract with its deployment, components/release-controller/env.ts (rule below)
    controller: ["config", "clients", "components", "release", "pipeline", "deploy"],
    // what each stack builds, and the entry points on top
    program: ["config", "components"],
    index: ["config", "program"],
    cli: ["config", "clients", "components", "release", "pipeline", "deploy", "status", "controller", "program"],
    // the policy pack runs in its own process: it imports nothing of the program
    policies: [],
};

const OURS = Object.keys(MAY_IMPORT);
const pathOf = (name) => (name === "program" || name === "index" ? `^${name}\\.ts$` : `^${name}/`);

const layerRules = OURS.map((from) => {
    const forbidden = OURS.filter((to) => to !== from && !MAY_IMPORT[from].includes(to));
    const allowed =
        MAY_IMPORT[from].length > 0
            ? `only ${MAY_IMPORT[from].map((l) => pathOf(l).replace(/[\^$\\]/g, "")).join(", ")}`
            : "nothing of conveyor";
    return {
        name: `layer-${from}`,
        comment: `${pathOf(from).replace(/[\^$\\]/g, "")} may import ${allowed} besides itself: this import points up or sideways (README "Layout")`,
        severity: "error",
        from: { path: pathOf(from) },
        to: { path: forbidden.map(pathOf).join("|") },
    };
});

module.exports = {
    forbidden: [
        {
            name: "no-circular",
            comment: "two files import each other (directly or through others): move what both need into a third, lower file",
            severity: "error",
            from: {},
            to: { circular: true },
        },
        ...layerRules,
        {
            // The Lambda bundle must not pull in a Pulumi component: the contract file has no imports on purpose.
            name: "controller-only-the-component-contract",
            comment: "the release controller's runtime may use components/release-controller/env.ts and no other component",
            severity: "error",
            from: { path: "^controller/" },
            to: { path: "^components/", pathNot: "^components/release-controller/env\\.ts$" },
        },
        {
            name: "no-test-code-in-the-program",
            comment: "test helpers, fakes, the engine harness and benchmarks are not part of the program",
            severity: "error",
            from: { pathNot: "^(test|bench|engine)/" },
            to: { path: "^(test|bench|engine)/" },
        },
        {
            name: "not-to-unresolvable",
            comment: "an import that resolves to no file, so its direction cannot be judged",
            severity: "error",
            from: {},
            // The AWS SDK is the Lambda runtime's own (components/release-controller/bundle.ts RUNTIME_EXTERNALS).
            to: { couldNotResolve: true, pathNot: "^@aws-sdk/" },
        },
    ],
    options: {
        doNotFollow: { path: "node_modules" },
        exclude: { path: "^out/" },
        // Type-only imports count: a cycle through types is still two files that cannot be read apart.
        tsPreCompilationDeps: true,
        tsConfig: { fileName: "tsconfig.json" },
        enhancedResolveOptions: {
            extensions: [".ts", ".js", ".json"],
            exportsFields: ["exports"],
            conditionNames: ["require", "import", "node", "default"],
        },
    },
};
