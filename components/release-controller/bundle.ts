// Bundles the Lambda handler with esbuild while the Pulumi program runs, so `pulumi up` deploys exactly the
// code of the commit it runs from, with no build step to forget in CI.
import { createHash } from "crypto";
import * as fs from "fs";
import { isBuiltin } from "module";
import * as path from "path";
import * as esbuild from "esbuild";
import { HANDLER_EXPORT } from "./env";

/** Lambda's runtime and the esbuild target that matches it: syntax the runtime has is left as written. */
export const LAMBDA_RUNTIME = "nodejs24.x";
export const BUNDLE_TARGET = "node24";

/**
 * Left out of the bundle and required at run time. Every Node.js runtime since nodejs18.x ships the AWS SDK
 * for JavaScript v3 as `@aws-sdk/*`; bundling our own copy would add several hundred kilobytes per client
 * (with its `@smithy/*` dependencies) to every cold start for no gain. The price is that the SDK version
 * floats with the runtime, which is fine for the few stable calls the handlers make (GetSecretValue, SendMessage,
 * ChangeMessageVisibility, Publish).
 */
export const RUNTIME_EXTERNALS: readonly string[] = ["@aws-sdk/*"];

/** Label for the repository's own files in `bytesByPackage`. */
export const PROJECT_FILES = "(project)";

export interface HandlerBundle {
    /** The minified CommonJS module deployed as `index.js`. */
    readonly code: string;
    /** UTF-8 size of `code`. */
    readonly bytes: number;
    /** Hex SHA-256 of `code`: equal across runs, machines and checkout directories for the same sources. */
    readonly sha256: string;
    /** Bytes of the bundle by origin: npm package, or PROJECT_FILES for this repository's own modules. */
    readonly bytesByPackage: Readonly<Record<string, number>>;
    /** Packages the bundle requires at run time for the runtime to provide (Node built-ins left out), sorted. */
    readonly externalImports: readonly string[];
    /** esbuild warnings (e.g. `import.meta` used in code bundled to CommonJS), one line each. */
    readonly warnings: readonly string[];
}

function formatMessage(m: esbuild.Message): string {
    const where = m.location ? `${m.location.file}:${m.location.line}:${m.location.column + 1}: ` : "";
    return `${where}${m.text}`;
}

function packageOf(input: string): string {
    const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input.split(path.sep).join("/"));
    return m ? m[1] : PROJECT_FILES;
}

/**
 * Packages that must never reach the function: the handler importing them means it imports the Pulumi
 * program (which would drag in the engine's gRPC client) or build tooling with native binaries. They are
 * marked external so esbuild does not spend seconds bundling them, then reported with their importer.
 */
const FORBIDDEN = ["@pulumi/*", "esbuild", "typescript", "ts-node", "mocha"];
const isForbidden = (spec: string) =>
    FORBIDDEN.some((f) => (f.endsWith("/*") ? spec.startsWith(f.slice(0, -1)) : spec === f || spec.startsWith(`${f}/`)));

/**
 * Bundles `entry` (a TypeScript module exporting `handler`) into one CommonJS file for Lambda. Throws with
 * every esbuild error (file:line:column) when the entry does not build or has no `handler` export, and with
 * the importing files when it pulls in a package that has no business in the function.
 *
 * Synchronous on purpose: a failure then throws from the component's constructor, which `pulumi preview` and
 * `conveyor synth` report at once; a rejected promise handed to a resource input leaves synth on mocks
 * waiting forever.
 */
export function bundleHandler(entry: string): HandlerBundle {
    const file = path.resolve(entry);
    if (!fs.existsSync(file)) throw new Error(`Lambda handler ${entry}: file not found`);
    const dir = path.dirname(file);
    let result: esbuild.BuildResult & { outputFiles: esbuild.OutputFile[]; metafile: esbuild.Metafile };
    try {
        result = esbuild.buildSync({
            // Re-exporting only `handler` makes esbuild fail on an entry without one (instead of a deployed
            // function failing every invocation) and lets it drop the entry's other exports.
            stdin: {
                contents: `export { ${HANDLER_EXPORT} } from ${JSON.stringify(`./${path.basename(file)}`)};\n`,
                resolveDir: dir,
                sourcefile: `${path.basename(file)} (Lambda entry)`,
                // As JavaScript, a missing export is an error; as TypeScript it could be a type and pass.
                loader: "js",
            },
            // Only where paths in messages are relative to; the output has no paths in it.
            absWorkingDir: process.cwd(),
            bundle: true,
            platform: "node",
            target: BUNDLE_TARGET,
            format: "cjs",
            minify: true,
            // Third-party licence headers stay with the code they cover, gathered at the end of the file.
            legalComments: "eof",
            // No source map: it would double the file, and the minified names are readable enough next to
            // the handler's own structured log lines.
            sourcemap: false,
            charset: "utf8",
            external: [...RUNTIME_EXTERNALS, ...FORBIDDEN],
            define: { "process.env.NODE_ENV": JSON.stringify("production") },
            write: false,
            metafile: true,
            logLevel: "silent",
        });
    } catch (e) {
        const failure = e as Partial<esbuild.BuildFailure>;
        if (Array.isArray(failure.errors) && failure.errors.length > 0) {
            throw new Error(`Lambda handler ${entry} does not bundle:\n${failure.errors.map(formatMessage).join("\n")}`, { cause: e });
        }
        throw e;
    }

    const refused = Object.entries(result.metafile.inputs).flatMap(([file, info]) =>
        info.imports.filter((i) => i.external && isForbidden(i.path)).map((i) => `${file} imports ${i.path}`),
    );
    if (refused.length > 0) {
        throw new Error(
            `Lambda handler ${entry} must not bundle the Pulumi program or build tooling:\n${[...new Set(refused)].join("\n")}`,
        );
    }

    const meta = Object.values(result.metafile.outputs)[0];
    const [output] = result.outputFiles;
    const bytesByPackage: Record<string, number> = {};
    for (const [input, info] of Object.entries(meta.inputs)) {
        const pkg = packageOf(input);
        bytesByPackage[pkg] = (bytesByPackage[pkg] ?? 0) + info.bytesInOutput;
    }
    const sorted = Object.fromEntries(Object.entries(bytesByPackage).sort(([a, x], [b, y]) => y - x || a.localeCompare(b)));
    return {
        code: output.text,
        bytes: output.contents.byteLength,
        sha256: createHash("sha256").update(output.contents).digest("hex"),
        bytesByPackage: sorted,
        externalImports: [...new Set(meta.imports.filter((i) => i.external && !isBuiltin(i.path)).map((i) => i.path))].sort(),
        warnings: result.warnings.map(formatMessage),
    };
}
