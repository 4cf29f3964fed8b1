/**
 * The git objects behind the fake's branches: blobs, trees and commits,
 * hashed exactly as git hashes them, so a test can compute any sha the fake
 * answers with (`gitBlobSha("a\n")` is what `git hash-object` prints for a
 * file holding "a\n"). Trees are kept flat (path -> blob sha); the nested git
 * trees are only built to name them.
 */
import { createHash } from "node:crypto";

/** Who wrote or committed a commit, as git records it. */
export interface GitSignature {
    name: string;
    email: string;
    /** GitHub timestamp (see state.ts `timestamp`). */
    date: string;
}

export interface CommitRecord {
    sha: string;
    message: string;
    author: GitSignature;
    committer: GitSignature;
    /** GitHub accounts behind the signatures; null when the e-mail belongs to no account. */
    authorLogin: string | null;
    committerLogin: string | null;
    parents: string[];
    /** Every file in the commit: path -> blob sha. */
    tree: Readonly<Record<string, string>>;
    treeSha: string;
    /** Order of creation in the repository; histories list the highest first. */
    seq: number;
}

export type CommitInit = Omit<CommitRecord, "sha" | "treeSha" | "seq">;

export type FileStatus = "added" | "removed" | "modified";

export interface FileChange {
    path: string;
    status: FileStatus;
    /** Blob sha before and after; undefined on the side where the file is absent. */
    before?: string;
    after?: string;
}

/** git's empty tree, the tree of a commit without files. */
export const EMPTY_TREE_SHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

function hashObject(type: "blob" | "tree" | "commit", body: Buffer): string {
    return createHash("sha1").update(`${type} ${body.length}\0`).update(body).digest("hex");
}

/** sha1 of `blob <len>\0<content>`: the sha GitHub reports for a file. */
export function gitBlobSha(content: string | Buffer): string {
    return hashObject("blob", typeof content === "string" ? Buffer.from(content, "utf8") : content);
}

interface DirNode {
    files: Map<string, string>;
    dirs: Map<string, DirNode>;
}

function dirTree(tree: Readonly<Record<string, string>>): DirNode {
    const root: DirNode = { files: new Map(), dirs: new Map() };
    for (const [path, sha] of Object.entries(tree)) {
        const parts = path.split("/");
        const file = parts.pop()!;
        let node = root;
        for (const part of parts) {
            let next = node.dirs.get(part);
            if (!next) {
                next = { files: new Map(), dirs: new Map() };
                node.dirs.set(part, next);
            }
            node = next;
        }
        node.files.set(file, sha);
    }
    return root;
}

/** git sorts tree entries bytewise, comparing a directory as if its name ended in "/". */
function entryKey(name: string, isDir: boolean): string {
    return isDir ? `${name}/` : name;
}

function hashDir(node: DirNode, prefix: string, out: Map<string, string>): string {
    const entries: Array<{ key: string; mode: string; name: string; sha: string }> = [];
    for (const [name, sha] of node.files) entries.push({ key: entryKey(name, false), mode: "100644", name, sha });
    for (const [name, child] of node.dirs) {
        const sha = hashDir(child, prefix === "" ? name : `${prefix}/${name}`, out);
        entries.push({ key: entryKey(name, true), mode: "40000", name, sha });
    }
    entries.sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
    const body = Buffer.concat(entries.flatMap((e) => [Buffer.from(`${e.mode} ${e.name}\0`), Buffer.from(e.sha, "hex")]));
    const sha = hashObject("tree", body);
    out.set(prefix, sha);
    return sha;
}

/** The sha of every tree in a flat tree, keyed by directory path ("" is the root). */
export function gitTreeShas(tree: Readonly<Record<string, string>>): Map<string, string> {
    const out = new Map<string, string>();
    hashDir(dirTree(tree), "", out);
    return out;
}

function signatureLine(role: "author" | "committer", sig: GitSignature): string {
    const seconds = Math.floor(Date.parse(sig.date) / 1000);
    return `${role} ${sig.name} <${sig.email}> ${seconds} +0000`;
}

/** The sha git gives a commit with these fields (message newline-terminated, as `git commit` stores it). */
export function gitCommitSha(commit: Pick<CommitRecord, "treeSha" | "parents" | "author" | "committer" | "message">): string {
    const lines = [`tree ${commit.treeSha}`, ...commit.parents.map((p) => `parent ${p}`)];
    lines.push(signatureLine("author", commit.author), signatureLine("committer", commit.committer));
    const message = commit.message.endsWith("\n") ? commit.message : `${commit.message}\n`;
    return hashObject("commit", Buffer.from(`${lines.join("\n")}\n\n${message}`, "utf8"));
}

/** Files that differ between two flat trees, by path. */
export function diffTrees(before: Readonly<Record<string, string>>, after: Readonly<Record<string, string>>): FileChange[] {
    const paths = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    const changes: FileChange[] = [];
    for (const path of paths) {
        const was = before[path];
        const now = after[path];
        if (was === now) continue;
        const status: FileStatus = was === undefined ? "added" : now === undefined ? "removed" : "modified";
        changes.push({ path, status, ...(was === undefined ? {} : { before: was }), ...(now === undefined ? {} : { after: now }) });
    }
    return changes;
}

function lines(content: Buffer | undefined): string[] {
    if (!content || content.length === 0) return [];
    const text = content.toString("utf8");
    const split = text.split("\n");
    if (text.endsWith("\n")) split.pop();
    return split;
}

/**
 * Added and deleted line counts as `git diff --numstat` would report them:
 * common leading and trailing lines are trimmed, the middle is compared by
 * longest common subsequence (or counted whole when it is too large for that).
 */
export function lineChanges(before: Buffer | undefined, after: Buffer | undefined): { additions: number; deletions: number } {
    const a = lines(before);
    const b = lines(after);
    let start = 0;
    while (start < a.length && start < b.length && a[start] === b[start]) start += 1;
    let endA = a.length;
    let endB = b.length;
    while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
        endA -= 1;
        endB -= 1;
    }
    const midA = a.slice(start, endA);
    const midB = b.slice(start, endB);
    const common = midA.length * midB.length <= 1_000_000 ? lcsLength(midA, midB) : 0;
    return { additions: midB.length - common, deletions: midA.length - common };
}

function lcsLength(a: string[], b: string[]): number {
    let previous = new Array<number>(b.length + 1).fill(0);
    for (const line of a) {
        const current = new Array<number>(b.length + 1).fill(0);
        for (let j = 1; j <= b.length; j++) {
            current[j] = line === b[j - 1] ? previous[j - 1] + 1 : Math.max(previous[j], current[j - 1]);
        }
        previous = current;
    }
    return previous[b.length];
}

/** One repository's object database. */
export class GitObjects {
    readonly blobs = new Map<string, Buffer>();
    readonly commits = new Map<string, CommitRecord>();
    private lastSeq = 0;

    putBlob(content: string | Buffer): string {
        const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
        const sha = gitBlobSha(bytes);
        this.blobs.set(sha, bytes);
        return sha;
    }

    blob(sha: string): Buffer | undefined {
        return this.blobs.get(sha);
    }

    /** Stores the commit; an identical one (same sha, as git would compute) is returned as is. */
    putCommit(init: CommitInit): CommitRecord {
        for (const parent of init.parents) {
            if (!this.commits.has(parent)) throw new Error(`fake: parent commit ${parent} does not exist`);
        }
        for (const sha of Object.values(init.tree)) {
            if (!this.blobs.has(sha)) throw new Error(`fake: blob ${sha} does not exist`);
        }
        const treeSha = gitTreeShas(init.tree).get("")!;
        const sha = gitCommitSha({ ...init, treeSha });
        const existing = this.commits.get(sha);
        if (existing) return existing;
        this.lastSeq += 1;
        const commit: CommitRecord = { ...init, tree: Object.freeze({ ...init.tree }), sha, treeSha, seq: this.lastSeq };
        this.commits.set(sha, commit);
        return commit;
    }

    commit(sha: string): CommitRecord | undefined {
        return this.commits.get(sha);
    }

    /** A commit by full sha, or by an abbreviated one (7+ hex digits) that names exactly one. */
    findCommit(shaOrPrefix: string): CommitRecord | undefined {
        const wanted = shaOrPrefix.toLowerCase();
        const exact = this.commits.get(wanted);
        if (exact) return exact;
        if (!/^[0-9a-f]{7,39}$/.test(wanted)) return undefined;
        const hits = [...this.commits.values()].filter((c) => c.sha.startsWith(wanted));
        return hits.length === 1 ? hits[0] : undefined;
    }

    /** Every commit reachable from `sha`, itself included. */
    ancestors(sha: string): Set<string> {
        const seen = new Set<string>();
        const stack = [sha];
        while (stack.length > 0) {
            const next = stack.pop()!;
            if (seen.has(next)) continue;
            seen.add(next);
            stack.push(...(this.commits.get(next)?.parents ?? []));
        }
        return seen;
    }

    isAncestor(ancestor: string, of: string): boolean {
        return this.ancestors(of).has(ancestor);
    }

    /**
     * Reachable from `sha`, newest first. Creation order stands in for commit
     * dates, so commits seeded within one second still list in the order made.
     */
    history(sha: string): CommitRecord[] {
        return this.sorted(this.ancestors(sha)).reverse();
    }

    /** `git log base..head` oldest first: reachable from head and not from base. */
    range(base: string, head: string): CommitRecord[] {
        const excluded = this.ancestors(base);
        return this.sorted([...this.ancestors(head)].filter((sha) => !excluded.has(sha)));
    }

    /** The newest common ancestor (git's best merge base for the histories tests build). */
    mergeBase(a: string, b: string): string | undefined {
        const fromA = this.ancestors(a);
        const common = [...this.ancestors(b)].filter((sha) => fromA.has(sha));
        return this.sorted(common).pop()?.sha;
    }

    private sorted(shas: Iterable<string>): CommitRecord[] {
        return [...shas].map((sha) => this.commits.get(sha)!).sort((x, y) => x.seq - y.seq);
    }
}
