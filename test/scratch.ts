// Temporary directories for tests, removed after each test by the root hook (test/hooks.ts). Apart from the
// workspace fixture because the root hook loads before any test: had it imported config/ through the
// fixture, config's module-level code (its schemas) would run before Stryker activates a static mutant,
// and no static mutant of config/ could ever be tested.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const scratchDirs = new Set<string>();

/**
 * A temporary directory removed after the current test. A directory a whole describe shares is made in its
 * `before` with fs.mkdtempSync and removed in its `after`.
 */
export function scratchDir(prefix = "conveyor-"): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    scratchDirs.add(dir);
    return dir;
}

export function removeScratchDirs(): void {
    for (const dir of scratchDirs) fs.rmSync(dir, { recursive: true, force: true });
    scratchDirs.clear();
}
