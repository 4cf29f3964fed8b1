// Lint rules of conveyor: ESLint's and typescript-eslint's recommended sets with type information, and the
// rules that catch what review misses: a promise nobody awaits or that lands where nobody waits for it,
// and code or imports nothing uses. Layout and quotes are Prettier's job (.prettierrc.json); the import
// direction is dependency-cruiser's (.dependency-cruiser.js). `npm run lint` runs all three checks.
import js from "@eslint/js";
import { defineConfig, globalIgnores } from "eslint/config";
import tseslint from "typescript-eslint";

export default defineConfig(
    globalIgnores(["node_modules/", "out/", "test/schemas/", "reports/", ".stryker-tmp/"]),
    // A disable comment that no longer disables anything fails too: it would hide the next real problem.
    { linterOptions: { reportUnusedDisableDirectives: "error" } },
    {
        files: ["**/*.ts"],
        extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        rules: {
            // A promise neither awaited nor returned loses its rejection; `void` marks one left on purpose.
            "@typescript-eslint/no-floating-promises": "error",
            "@typescript-eslint/no-misused-promises": "error",
            "@typescript-eslint/no-unused-vars": ["error", { ignoreRestSiblings: true }],
            // `typeof import("x")` stays allowed: it types a module loaded lazily with require (see below).
            "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports", disallowTypeAnnotations: false }],
            "no-duplicate-imports": ["error", { allowSeparateTypeImports: false }],
            // Loaded on first use, on purpose: octokit (an ES module) and the Bottleneck build its throttling
            // paces with, and the AWS SDK the Lambda runtime provides, to keep a cold import cheap; JSON schemas in tests.
            "@typescript-eslint/no-require-imports": ["error", { allow: ["^octokit$", "^bottleneck/light$", "^@aws-sdk/", "\\.json$"] }],
            // `async` without `await` is how a synchronous body meets an interface that returns a Promise
            // (Pulumi's dynamic providers, the CLI's commands, the fakes); a forgotten await is what
            // no-floating-promises catches.
            "@typescript-eslint/require-await": "off",
        },
    },
    {
        // Tests (and the engine harness) read JSON answers and synth output whose shape is what they assert.
        files: ["test/**/*.ts", "bench/**/*.ts", "engine/**/*.ts"],
        rules: {
            "@typescript-eslint/no-explicit-any": "off",
            "@typescript-eslint/no-unsafe-argument": "off",
            "@typescript-eslint/no-unsafe-assignment": "off",
            "@typescript-eslint/no-unsafe-call": "off",
            "@typescript-eslint/no-unsafe-member-access": "off",
            "@typescript-eslint/no-unsafe-return": "off",
        },
    },
    {
        // The stand-in providers make up ids and ARNs from whatever inputs the program sent, as the cloud would.
        files: ["engine/providers/**/*.ts"],
        rules: {
            "@typescript-eslint/no-base-to-string": "off",
            "@typescript-eslint/restrict-template-expressions": "off",
        },
    },
    {
        // CommonJS scripts outside the TypeScript project: cli/bin.js and the dependency-cruiser config.
        files: ["**/*.js"],
        extends: [js.configs.recommended],
        languageOptions: {
            sourceType: "commonjs",
            globals: { require: "readonly", module: "writable", process: "readonly", __dirname: "readonly", console: "readonly" },
        },
    },
    {
        files: ["**/*.mjs"],
        extends: [js.configs.recommended],
    },
);
