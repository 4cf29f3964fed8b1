// The database password of an environment stack comes from the real random provider: read it once from the
// state (`pulumi stack export --show-secrets`, what an operator with the passphrase may do), then prove it never
// shows anywhere else the CLI prints or stores it.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { preview } from "./preview";
import type { ProjectCopy } from "./harness";

const PASSWORD = "random:index/randomPassword:RandomPassword";
/** The key Pulumi marks a secret value with in state and exports. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

interface ExportedResource {
    readonly type: string;
    readonly urn: string;
    readonly outputs?: Record<string, unknown>;
}

async function passwordResource(p: ProjectCopy, stack: string, showSecrets: boolean): Promise<ExportedResource> {
    const args = ["stack", "export", ...(showSecrets ? ["--show-secrets"] : [])];
    const state = JSON.parse((await p.pulumi(args, { stack })).stdout) as { deployment: { resources?: ExportedResource[] } };
    const found = (state.deployment.resources ?? []).filter((r) => r.type === PASSWORD);
    assert.equal(found.length, 1, `one ${PASSWORD} in ${stack}`);
    return found[0];
}

/** Every file the file:// backend keeps (stack state, its backups and history). */
function backendFiles(dir: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const f of fs.readdirSync(dir, { recursive: true, encoding: "utf8" })) {
        const file = path.join(dir, f);
        if (fs.statSync(file).isFile()) out[`the backend's ${f}`] = fs.readFileSync(file, "utf8");
    }
    return out;
}

/**
 * The stack's password: 32 letters and digits as the program asks (`length: 32, special: false`), a secret in
 * the state, and absent from `stack output`, `stack export`, a `preview --json`, `refresh` and every backend file.
 */
export async function assertPasswordNeverShown(p: ProjectCopy, stack: string): Promise<void> {
    const shown = (await passwordResource(p, stack, true)).outputs?.result as { plaintext?: string } | undefined;
    assert.ok(shown?.plaintext, `${stack}: the password's result is stored as a secret`);
    const password = JSON.parse(shown.plaintext) as string;
    assert.match(password, /^[A-Za-z0-9]{32}$/);
    const hidden = (await passwordResource(p, stack, false)).outputs ?? {};
    for (const key of ["result", "bcryptHash"])
        assert.equal((hidden[key] as Record<string, unknown> | undefined)?.[SECRET_SIG], "1b47061264138c4ac30d75fd1eb44270", key);
    const printed: Record<string, string> = {
        "pulumi stack output --json": (await p.pulumi(["stack", "output", "--json"], { stack })).stdout,
        "pulumi stack export": (await p.pulumi(["stack", "export"], { stack })).stdout,
        "pulumi preview --json": (await preview(p, stack)).ran.stdout,
        "pulumi refresh": (await p.pulumi(["refresh", "--yes", "--show-sames"], { stack })).stdout,
        ...backendFiles(p.backend),
    };
    const leaks = Object.entries(printed)
        .filter(([, text]) => text.includes(password))
        .map(([where]) => where);
    assert.deepEqual(leaks, [], `${stack}: the database password shows in plaintext`);
}
