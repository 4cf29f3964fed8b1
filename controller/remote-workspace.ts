// The workspace as the default branch of the ops repository has it, read through GitHub's contents API: the
// Lambda has no checkout, and reading the files where release PRs are merged means a merged config change
// counts from the next event on, with nothing to redeploy.
import type { Octokit } from "octokit";
import { parseWorkspace, PROJECT_FILE, type SourceFile, type Workspace } from "../config";
import { mapLimit } from "../clients/github";

export interface RepoRef {
    readonly owner: string;
    readonly repo: string;
}

interface DirectoryEntry {
    readonly name: string;
    readonly type: string;
}

/** Pure: the config files among the root's entries, `Pulumi.yaml` first, then stacks by name. */
export function configFileNames(entries: readonly DirectoryEntry[]): string[] {
    const isConfig = (n: string) => n === PROJECT_FILE || /^Pulumi\.[^/]+\.yaml$/.test(n);
    const names = entries.filter((e) => e.type === "file" && isConfig(e.name)).map((e) => e.name);
    return names.sort((a, b) => (a === PROJECT_FILE ? -1 : b === PROJECT_FILE ? 1 : a.localeCompare(b)));
}

/** Few files, one read each; a handful at once keeps clear of GitHub's concurrency limits. */
const READS_IN_FLIGHT = 4;

/**
 * One read for the root listing and one per config file, all on the repository's default branch. A push
 * between the listing and a file read can mix two commits; the next event reads again, and a file that
 * vanished in between fails this one loudly instead of parsing half a workspace.
 */
export async function readRemoteConfigFiles(gh: Octokit, repo: RepoRef): Promise<SourceFile[]> {
    const root = await gh.rest.repos.getContent({ owner: repo.owner, repo: repo.repo, path: "" });
    if (!Array.isArray(root.data)) throw new Error(`${repo.owner}/${repo.repo}: the root of the default branch is not a directory listing`);
    const names = configFileNames(root.data);
    return mapLimit(names, READS_IN_FLIGHT, async (name) => {
        const res = await gh.rest.repos.getContent({ owner: repo.owner, repo: repo.repo, path: name });
        const data = res.data as { type?: string; content?: string; encoding?: string };
        if (data.type !== "file" || data.content === undefined || data.encoding !== "base64") {
            throw new Error(`${repo.owner}/${repo.repo}: ${name} did not come back as a base64 file`);
        }
        return { name, text: Buffer.from(data.content, "base64").toString("utf8") };
    });
}

/** The parsed workspace; a bad file throws ConfigError naming file, key and reason, as `preview` does. */
export async function loadRemoteWorkspace(gh: Octokit, repo: RepoRef): Promise<Workspace> {
    return parseWorkspace(await readRemoteConfigFiles(gh, repo));
}
