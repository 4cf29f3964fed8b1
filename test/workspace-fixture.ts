// The repository's own config files as test input, with helpers to bend them.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseDocument } from "yaml";
import type { SourceFile } from "../config";

export const ROOT = path.resolve(__dirname, "..");

export function repoFiles(): SourceFile[] {
    return fs
        .readdirSync(ROOT)
        .filter((n) => /^Pulumi(\..+)?\.yaml$/.test(n))
        .map((name) => ({ name, text: fs.readFileSync(path.join(ROOT, name), "utf8") }));
}

/** The repository's files with one file's YAML value at `keyPath` set (or deleted when value is undefined). */
export function withValue(file: string, keyPath: readonly unknown[], value: unknown): SourceFile[] {
    return repoFiles().map((f) => {
        if (f.name !== file) return f;
        const doc = parseDocument(f.text);
        if (value === undefined) doc.deleteIn(keyPath);
        else doc.setIn(keyPath, doc.createNode(value));
        return { name: f.name, text: doc.toString() };
    });
}

export function withFile(name: string, text: string): SourceFile[] {
    return [...repoFiles().filter((f) => f.name !== name), { name, text }];
}

/** Copies the project's config files and code references into a scratch directory for CLI runs. */
export function scratchProject(files: readonly SourceFile[]): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "conveyor-"));
    for (const f of files) fs.writeFileSync(path.join(dir, f.name), f.text);
    return dir;
}
