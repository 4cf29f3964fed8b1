// Where the engine toolchain lives and what it is built from. Shared by the build (engine/build.ts), the
// `engine:bin` script and the engine tests, so they all agree on one directory per set of versions.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const REPO = path.resolve(__dirname, "..");

/** The npm packages whose versions decide what is built: the SDK (CLI, language host) and the providers. */
export const PROVIDERS = ["aws", "cloudflare", "github", "random"] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export interface Versions {
    /** @pulumi/pulumi: the CLI and the language host are built at this release. */
    readonly pulumi: string;
    readonly providers: Readonly<Record<ProviderName, string>>;
}

/** Versions as package-lock.json pins them (never package.json's ranges). */
export function lockedVersions(repo = REPO): Versions {
    const file = path.join(repo, "package-lock.json");
    const lock = JSON.parse(fs.readFileSync(file, "utf8")) as { packages?: Record<string, { version?: string }> };
    const version = (pkg: string): string => {
        const v = lock.packages?.[`node_modules/${pkg}`]?.version;
        if (!v) throw new Error(`${file}: no locked version of ${pkg}; run \`npm install\` first`);
        return v;
    };
    return {
        pulumi: version("@pulumi/pulumi"),
        providers: Object.fromEntries(PROVIDERS.map((p) => [p, version(`@pulumi/${p}`)])) as Record<ProviderName, string>,
    };
}

export const versionsKey = (v: Versions): string => [`pulumi-${v.pulumi}`, ...PROVIDERS.map((p) => `${p}-${v.providers[p]}`)].join("_");

export interface Layout {
    /** ${XDG_CACHE_HOME:-~/.cache}/conveyor/engine */
    readonly cacheRoot: string;
    /** cacheRoot/<versions key> */
    readonly root: string;
    /** Put first on PATH: `pulumi` (a launcher that sets PULUMI_HOME), nothing else. */
    readonly bin: string;
    /** The real CLI with its bundled plugins beside it (language host, dynamic-provider host). */
    readonly libexec: string;
    /** PULUMI_HOME: installed plugins, the CLI's own files. Never the user's ~/.pulumi. */
    readonly pulumiHome: string;
    /** Stand-in provider plugins before `pulumi plugin install`. */
    readonly standIns: string;
    /** Go wrapper modules and copies of module sources. */
    readonly work: string;
    /** What was built, with exact versions and commits. */
    readonly manifest: string;
}

export function layout(v: Versions = lockedVersions(), env: NodeJS.ProcessEnv = process.env): Layout {
    const cacheHome = env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
    const cacheRoot = path.join(cacheHome, "conveyor", "engine");
    const root = path.join(cacheRoot, versionsKey(v));
    return {
        cacheRoot,
        root,
        bin: path.join(root, "bin"),
        libexec: path.join(root, "libexec"),
        pulumiHome: path.join(root, "pulumi-home"),
        standIns: path.join(root, "stand-ins"),
        work: path.join(root, "work"),
        manifest: path.join(root, "toolchain.json"),
    };
}
