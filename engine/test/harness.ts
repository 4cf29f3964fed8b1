// Runs the real `pulumi` CLI (npm run engine:build) on a copy of this project in a temporary directory, on a
// file:// backend with a passphrase: never the repository's own stack files, never ~/.pulumi, never a download.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseDocument, isMap, isScalar } from "yaml";
import { layout, REPO } from "../toolchain";

/** What a project copy leaves out: tests, benchmarks, this harness, build output. */
const NOT_COPIED = new Set([".git", "node_modules", "out", "test", "bench", "engine", ".ci"]);
export const PASSPHRASE = "conveyor engine tests";

export interface Ran {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
    /** Wall time in ms. */
    readonly ms: number;
}

export interface RunOptions {
    readonly stack?: string;
    /** Extra environment for this run. */
    readonly env?: NodeJS.ProcessEnv;
    /** Exit codes that are not a failure of the harness (default: only 0); "any" hands every outcome back. */
    readonly expect?: readonly number[] | "any";
    /** Text written to the command's stdin. */
    readonly input?: string;
}

/** The toolchain's bin directory, or a failure telling how to build it. */
export function engineBin(): string {
    const bin = layout().bin;
    if (!fs.existsSync(path.join(bin, "pulumi"))) throw new Error(`no engine toolchain in ${bin}: run \`npm run engine:build\` first`);
    return bin;
}

/** Every `secure:` value of a stack file, as the `--path` keys `pulumi config set --secret` takes. */
export function securePaths(stackFileText: string): string[] {
    const doc = parseDocument(stackFileText);
    const config = doc.get("config");
    const out: string[] = [];
    const walk = (node: unknown, at: string): void => {
        if (!isMap(node)) return;
        const map = node;
        const secure = map.items.find((i) => isScalar(i.key) && i.key.value === "secure");
        if (secure && map.items.length === 1) {
            out.push(at);
            return;
        }
        for (const item of map.items)
            if (isScalar(item.key)) walk(item.value, at === "" ? String(item.key.value) : `${at}.${String(item.key.value)}`);
    };
    walk(config, "");
    return out;
}

export class ProjectCopy {
    private constructor(
        readonly dir: string,
        readonly backend: string,
        /** The environment every command runs with: the toolchain first on PATH, the backend, the passphrase. */
        readonly env: NodeJS.ProcessEnv,
    ) {}

    /** A copy of the repository's project (program, config, stack files) with node_modules linked in. */
    static create(extraEnv: NodeJS.ProcessEnv = {}): ProjectCopy {
        const bin = engineBin();
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "conveyor-engine-"));
        const dir = path.join(root, "project");
        const backend = path.join(root, "state");
        fs.mkdirSync(dir);
        fs.mkdirSync(backend);
        for (const entry of fs.readdirSync(REPO)) {
            if (NOT_COPIED.has(entry)) continue;
            fs.cpSync(path.join(REPO, entry), path.join(dir, entry), { recursive: true });
        }
        fs.symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"), "dir");
        const env: NodeJS.ProcessEnv = {
            ...process.env,
            PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}`,
            PULUMI_BACKEND_URL: `file://${backend}`,
            PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_SKIP_CONFIRMATIONS: "true",
            NO_COLOR: "1",
            // Types are checked by tsc --noEmit in npm test and by one type-checking preview in this suite.
            PULUMI_NODEJS_TRANSPILE_ONLY: "true",
            ...extraEnv,
        };
        // A developer's own tokens (and GitHub settings the github provider would read) must never reach a test run.
        for (const k of [
            "GITHUB_TOKEN",
            "GITHUB_OWNER",
            "GITHUB_BASE_URL",
            "CIRCLECI_TOKEN",
            "PULUMI_ACCESS_TOKEN",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "CLOUDFLARE_API_TOKEN",
        ]) {
            if (!(k in extraEnv)) delete env[k];
        }
        return new ProjectCopy(dir, backend, env);
    }

    file(name: string): string {
        return path.join(this.dir, name);
    }

    read(name: string): string {
        return fs.readFileSync(this.file(name), "utf8");
    }

    write(name: string, text: string): void {
        fs.writeFileSync(this.file(name), text);
    }

    /** Runs `pulumi <args>` in the copy; rejects on an exit code not in `expect`. */
    pulumi(args: readonly string[], opts: RunOptions = {}): Promise<Ran> {
        const full = [...args, ...(opts.stack ? ["--stack", opts.stack] : []), "--color", "never"];
        return this.exec("pulumi", full, opts);
    }

    /** Runs this repository's `conveyor` CLI with the copy as its working directory. */
    conveyor(args: readonly string[], opts: RunOptions = {}): Promise<Ran> {
        return this.exec(process.execPath, [path.join(REPO, "cli", "bin.js"), ...args], opts);
    }

    exec(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<Ran> {
        const started = Date.now();
        return new Promise((resolve, reject) => {
            // Asynchronous on purpose: the loopback fakes answer from this very process.
            const child = spawn(cmd, args, { cwd: this.dir, env: { ...this.env, ...opts.env }, stdio: ["pipe", "pipe", "pipe"] });
            const out: Buffer[] = [];
            const err: Buffer[] = [];
            child.stdout.on("data", (b: Buffer) => out.push(b));
            child.stderr.on("data", (b: Buffer) => err.push(b));
            child.stdin.end(opts.input ?? "");
            child.on("error", reject);
            child.on("close", (code) => {
                const ran = {
                    code: code ?? 1,
                    stdout: Buffer.concat(out).toString("utf8"),
                    stderr: Buffer.concat(err).toString("utf8"),
                    ms: Date.now() - started,
                };
                const expect = opts.expect ?? [0];
                if (expect === "any" || expect.includes(ran.code)) resolve(ran);
                else
                    reject(
                        new Error(
                            `${path.basename(cmd)} ${args.join(" ")} exited ${ran.code} (expected ${expect.join(" or ")})\n--- stdout\n${tail(ran.stdout)}\n--- stderr\n${tail(ran.stderr)}`,
                        ),
                    );
            });
        });
    }

    /**
     * What the README tells a new user: `pulumi stack init`, then every committed `secure:` placeholder
     * replaced with `pulumi config set --secret`. Returns the keys it set.
     */
    async initStack(stack: string, secretFor: (key: string) => string): Promise<string[]> {
        await this.pulumi(["stack", "init", stack, "--secrets-provider", "passphrase"]);
        const keys = securePaths(this.read(`Pulumi.${stack}.yaml`));
        for (const key of keys) {
            const pathArgs = key.includes(".") ? ["--path"] : [];
            // The value goes through stdin, as a person pastes it, so it never shows in a process list.
            await this.pulumi(["config", "set", "--secret", ...pathArgs, key], { stack, input: secretFor(key) });
        }
        return keys;
    }

    remove(): void {
        fs.rmSync(path.dirname(this.dir), { recursive: true, force: true });
    }
}

function tail(s: string, lines = 60): string {
    const all = s.trimEnd().split("\n");
    return all.slice(-lines).join("\n");
}

/** The events of `--event-log <file>`: one JSON object a line. */
export function readEvents(file: string): Array<Record<string, unknown>> {
    if (!fs.existsSync(file)) return [];
    return fs
        .readFileSync(file, "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l) as Record<string, unknown>);
}
