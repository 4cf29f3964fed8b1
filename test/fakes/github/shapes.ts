/**
 * Records -> the JSON GitHub answers. Every field the OpenAPI schema marks
 * required is present; API urls point at the fake itself so a client that
 * follows one (pagination, `url` fields) stays on loopback.
 */
import { diffTrees, gitTreeShas, lineChanges, type CommitRecord, type GitSignature } from "./git";
import type { RulesetRecord } from "./repo-admin";
import {
    GHOST,
    type CommentRecord,
    type IssueRecord,
    type LabelRecord,
    type MilestoneRecord,
    type PullRecord,
    type RepoRole,
    type RepoState,
    type UserRecord,
} from "./state";

const HTML_ROOT = "https://github.com";

/** GitHub's global node ids are opaque base64 with a type prefix; clients must not parse them. */
export function nodeId(prefix: string, id: number | string): string {
    return `${prefix}_kwDO${Buffer.from(`fake:${id}`).toString("base64url")}`;
}

export function userShape(api: string, account: UserRecord): Record<string, unknown> {
    const user = account.deleted ? GHOST : account;
    const url = `${api}/users/${user.login}`;
    return {
        login: user.login,
        id: user.id,
        node_id: nodeId(user.type === "Organization" ? "O" : "U", user.id),
        avatar_url: `https://avatars.githubusercontent.com/u/${user.id}?v=4`,
        gravatar_id: "",
        url,
        html_url: `${HTML_ROOT}/${user.login}`,
        followers_url: `${url}/followers`,
        following_url: `${url}/following{/other_user}`,
        gists_url: `${url}/gists{/gist_id}`,
        starred_url: `${url}/starred{/owner}{/repo}`,
        subscriptions_url: `${url}/subscriptions`,
        organizations_url: `${url}/orgs`,
        repos_url: `${url}/repos`,
        events_url: `${url}/events{/privacy}`,
        received_events_url: `${url}/received_events`,
        type: user.type,
        user_view_type: "public",
        site_admin: false,
    };
}

export function repoApiUrl(api: string, repo: RepoState): string {
    return `${api}/repos/${repo.fullName}`;
}

// Suffixes of the repository's hypermedia url fields, as GitHub spells them.
const REPO_LINKS: Record<string, string> = {
    archive_url: "/{archive_format}{/ref}",
    assignees_url: "/assignees{/user}",
    blobs_url: "/git/blobs{/sha}",
    branches_url: "/branches{/branch}",
    collaborators_url: "/collaborators{/collaborator}",
    comments_url: "/comments{/number}",
    commits_url: "/commits{/sha}",
    compare_url: "/compare/{base}...{head}",
    contents_url: "/contents/{+path}",
    contributors_url: "/contributors",
    deployments_url: "/deployments",
    downloads_url: "/downloads",
    events_url: "/events",
    forks_url: "/forks",
    git_commits_url: "/git/commits{/sha}",
    git_refs_url: "/git/refs{/sha}",
    git_tags_url: "/git/tags{/sha}",
    hooks_url: "/hooks",
    issue_comment_url: "/issues/comments{/number}",
    issue_events_url: "/issues/events{/number}",
    issues_url: "/issues{/number}",
    keys_url: "/keys{/key_id}",
    labels_url: "/labels{/name}",
    languages_url: "/languages",
    merges_url: "/merges",
    milestones_url: "/milestones{/number}",
    notifications_url: "/notifications{?since,all,participating}",
    pulls_url: "/pulls{/number}",
    releases_url: "/releases{/id}",
    stargazers_url: "/stargazers",
    statuses_url: "/statuses/{sha}",
    subscribers_url: "/subscribers",
    subscription_url: "/subscription",
    tags_url: "/tags",
    teams_url: "/teams",
    trees_url: "/git/trees{/sha}",
};

/** The full-repository shape of GET /repos/{owner}/{repo}. */
export function repoShape(api: string, repo: RepoState): Record<string, unknown> {
    const url = repoApiUrl(api, repo);
    const html = `${HTML_ROOT}/${repo.fullName}`;
    const links = Object.fromEntries(Object.entries(REPO_LINKS).map(([field, suffix]) => [field, url + suffix]));
    const openIssues = repo.issues.filter((i) => i.state === "open").length;
    const { settings } = repo;
    return {
        id: repo.id,
        node_id: nodeId("R", repo.id),
        name: repo.name,
        full_name: repo.fullName,
        private: settings.visibility !== "public",
        owner: userShape(api, repo.owner),
        html_url: html,
        description: repo.description,
        fork: false,
        url,
        ...links,
        created_at: repo.created_at,
        updated_at: repo.updated_at,
        pushed_at: repo.pushed_at,
        git_url: `git://github.com/${repo.fullName}.git`,
        ssh_url: `git@github.com:${repo.fullName}.git`,
        clone_url: `${html}.git`,
        svn_url: html,
        homepage: settings.homepage,
        size: 0,
        stargazers_count: 0,
        watchers_count: 0,
        language: null,
        has_issues: settings.has_issues,
        has_projects: settings.has_projects,
        has_downloads: settings.has_downloads,
        has_wiki: settings.has_wiki,
        has_pages: false,
        has_discussions: settings.has_discussions,
        forks_count: 0,
        mirror_url: null,
        archived: repo.archived,
        disabled: false,
        open_issues_count: openIssues,
        license: null,
        allow_forking: settings.allow_forking,
        is_template: settings.is_template,
        web_commit_signoff_required: settings.web_commit_signoff_required,
        topics: settings.topics,
        visibility: settings.visibility,
        forks: 0,
        open_issues: openIssues,
        watchers: 0,
        default_branch: repo.default_branch,
        permissions: { admin: true, maintain: true, push: true, triage: true, pull: true },
        allow_squash_merge: settings.allow_squash_merge,
        allow_merge_commit: settings.allow_merge_commit,
        allow_rebase_merge: settings.allow_rebase_merge,
        allow_auto_merge: settings.allow_auto_merge,
        allow_update_branch: settings.allow_update_branch,
        delete_branch_on_merge: repo.delete_branch_on_merge,
        squash_merge_commit_title: settings.squash_merge_commit_title,
        squash_merge_commit_message: settings.squash_merge_commit_message,
        merge_commit_title: settings.merge_commit_title,
        merge_commit_message: settings.merge_commit_message,
        // What an administrator sees of an organisation repository without Advanced Security.
        security_and_analysis: {
            dependabot_security_updates: { status: settings.automated_security_fixes ? "enabled" : "disabled" },
            secret_scanning: { status: "disabled" },
            secret_scanning_push_protection: { status: "disabled" },
        },
        network_count: 0,
        subscribers_count: 0,
    };
}

export function labelShape(api: string, repo: RepoState, label: LabelRecord): Record<string, unknown> {
    return {
        id: label.id,
        node_id: nodeId("LA", label.id),
        url: `${repoApiUrl(api, repo)}/labels/${encodeURIComponent(label.name)}`,
        name: label.name,
        color: label.color,
        default: label.default,
        description: label.description,
    };
}

export function milestoneShape(api: string, repo: RepoState, milestone: MilestoneRecord): Record<string, unknown> {
    const url = `${repoApiUrl(api, repo)}/milestones/${milestone.number}`;
    const issues = repo.issues.filter((i) => i.milestone === milestone.number);
    return {
        url,
        html_url: `${HTML_ROOT}/${repo.fullName}/milestone/${milestone.number}`,
        labels_url: `${url}/labels`,
        id: milestone.id,
        node_id: nodeId("MI", milestone.id),
        number: milestone.number,
        state: milestone.state,
        title: milestone.title,
        description: milestone.description,
        creator: userShape(api, milestone.creator),
        open_issues: issues.filter((i) => i.state === "open").length,
        closed_issues: issues.filter((i) => i.state === "closed").length,
        created_at: milestone.created_at,
        updated_at: milestone.updated_at,
        closed_at: milestone.closed_at,
        due_on: milestone.due_on,
    };
}

export function issueShape(api: string, repo: RepoState, issue: IssueRecord): Record<string, unknown> {
    const repoUrl = repoApiUrl(api, repo);
    const url = `${repoUrl}/issues/${issue.number}`;
    const milestone = issue.milestone === null ? undefined : repo.milestone(issue.milestone);
    const assignees = issue.assignees.map((login) => userShape(api, { login, id: loginId(login), type: "User" }));
    return {
        id: issue.id,
        node_id: nodeId("I", issue.id),
        url,
        repository_url: repoUrl,
        labels_url: `${url}/labels{/name}`,
        comments_url: `${url}/comments`,
        events_url: `${url}/events`,
        html_url: `${HTML_ROOT}/${repo.fullName}/issues/${issue.number}`,
        number: issue.number,
        state: issue.state,
        state_reason: issue.state_reason,
        title: issue.title,
        body: issue.body,
        user: userShape(api, issue.user),
        labels: repo.issueLabels(issue).map((label) => labelShape(api, repo, label)),
        assignee: assignees[0] ?? null,
        assignees,
        milestone: milestone ? milestoneShape(api, repo, milestone) : null,
        locked: issue.locked,
        active_lock_reason: null,
        comments: repo.issueComments(issue.number).length,
        closed_at: issue.closed_at,
        created_at: issue.created_at,
        updated_at: issue.updated_at,
        closed_by: issue.closed_by ? userShape(api, issue.closed_by) : null,
        author_association: "MEMBER",
        timeline_url: `${url}/timeline`,
        performed_via_github_app: null,
        ...pullRequestLinks(api, repo, issue),
    };
}

/** A pull request's issue carries `pull_request` links, which is how GitHub tells them apart. */
function pullRequestLinks(api: string, repo: RepoState, issue: IssueRecord): Record<string, unknown> {
    const pull = repo.pull(issue.number);
    if (!pull) return {};
    const html = `${HTML_ROOT}/${repo.fullName}/pull/${pull.number}`;
    return {
        pull_request: {
            url: `${repoApiUrl(api, repo)}/pulls/${pull.number}`,
            html_url: html,
            diff_url: `${html}.diff`,
            patch_url: `${html}.patch`,
            merged_at: pull.merged_at,
        },
    };
}

export function commentShape(api: string, repo: RepoState, comment: CommentRecord): Record<string, unknown> {
    const repoUrl = repoApiUrl(api, repo);
    return {
        id: comment.id,
        node_id: nodeId("IC", comment.id),
        url: `${repoUrl}/issues/comments/${comment.id}`,
        html_url: `${HTML_ROOT}/${repo.fullName}/issues/${comment.issueNumber}#issuecomment-${comment.id}`,
        issue_url: `${repoUrl}/issues/${comment.issueNumber}`,
        body: comment.body,
        user: userShape(api, comment.user),
        created_at: comment.created_at,
        updated_at: comment.updated_at,
        author_association: "MEMBER",
        performed_via_github_app: null,
    };
}

/** Assignees are stored by login only; derive a stable fake id so repeated reads agree. */
function loginId(login: string): number {
    let hash = 0;
    for (const ch of login.toLowerCase()) hash = (hash * 31 + ch.charCodeAt(0)) % 1_000_000;
    return 9_000_000 + hash;
}

/** A path in a URL: each segment percent-encoded, slashes kept. */
function encodePath(path: string): string {
    return path.split("/").map(encodeURIComponent).join("/");
}

export function gitUserShape(sig: GitSignature): Record<string, unknown> {
    return { name: sig.name, email: sig.email, date: sig.date };
}

function accountShape(api: string, repo: RepoState, login: string | null): Record<string, unknown> | null {
    return login === null ? null : userShape(api, repo.account(login));
}

const UNSIGNED = { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null };

function parentShapes(api: string, repo: RepoState, commit: CommitRecord): Array<Record<string, unknown>> {
    return commit.parents.map((sha) => ({
        sha,
        url: `${repoApiUrl(api, repo)}/commits/${sha}`,
        html_url: `${HTML_ROOT}/${repo.fullName}/commit/${sha}`,
    }));
}

/**
 * GitHub's "Commit" (list commits, compare); `withFiles` adds the stats and
 * files GET /commits/{ref} answers with (changes against the first parent).
 */
export function commitShape(api: string, repo: RepoState, commit: CommitRecord, withFiles = false): Record<string, unknown> {
    const repoUrl = repoApiUrl(api, repo);
    const shape: Record<string, unknown> = {
        url: `${repoUrl}/commits/${commit.sha}`,
        sha: commit.sha,
        node_id: nodeId("C", commit.sha),
        html_url: `${HTML_ROOT}/${repo.fullName}/commit/${commit.sha}`,
        comments_url: `${repoUrl}/commits/${commit.sha}/comments`,
        commit: {
            url: `${repoUrl}/git/commits/${commit.sha}`,
            author: gitUserShape(commit.author),
            committer: gitUserShape(commit.committer),
            message: commit.message,
            comment_count: 0,
            tree: { sha: commit.treeSha, url: `${repoUrl}/git/trees/${commit.treeSha}` },
            verification: UNSIGNED,
        },
        author: accountShape(api, repo, commit.authorLogin),
        committer: accountShape(api, repo, commit.committerLogin),
        parents: parentShapes(api, repo, commit),
    };
    if (!withFiles) return shape;
    const parent = commit.parents[0];
    const files = diffEntryShapes(api, repo, parent === undefined ? {} : repo.commitRecord(parent).tree, commit.tree, commit.sha);
    const additions = files.reduce((sum, f) => sum + (f.additions as number), 0);
    const deletions = files.reduce((sum, f) => sum + (f.deletions as number), 0);
    return { ...shape, stats: { additions, deletions, total: additions + deletions }, files };
}

/** GitHub's "Diff Entry" list between two trees; urls point at `atSha`. */
export function diffEntryShapes(
    api: string,
    repo: RepoState,
    before: Readonly<Record<string, string>>,
    after: Readonly<Record<string, string>>,
    atSha: string,
): Array<Record<string, unknown>> {
    return diffTrees(before, after).map((change) => {
        const { additions, deletions } = lineChanges(
            change.before === undefined ? undefined : repo.git.blob(change.before),
            change.after === undefined ? undefined : repo.git.blob(change.after),
        );
        const path = encodePath(change.path);
        return {
            sha: change.after ?? change.before ?? null,
            filename: change.path,
            status: change.status,
            additions,
            deletions,
            changes: additions + deletions,
            blob_url: `${HTML_ROOT}/${repo.fullName}/blob/${atSha}/${path}`,
            raw_url: `${HTML_ROOT}/${repo.fullName}/raw/${atSha}/${path}`,
            contents_url: `${repoApiUrl(api, repo)}/contents/${path}?ref=${atSha}`,
        };
    });
}

/** Base64 the way the contents API sends it: wrapped every 60 characters. */
function wrappedBase64(content: Buffer): string {
    const encoded = content.toString("base64");
    return (encoded.match(/.{1,60}/g) ?? [""]).join("\n") + (encoded === "" ? "" : "\n");
}

/** A file or directory entry of the contents API; `content` adds the base64 body (GET of one file). */
export function contentShape(
    api: string,
    repo: RepoState,
    entry: { path: string; sha: string; type: "file" | "dir"; size: number },
    ref: string,
    content?: Buffer,
): Record<string, unknown> {
    const path = encodePath(entry.path);
    const url = `${repoApiUrl(api, repo)}/contents/${path}?ref=${encodeURIComponent(ref)}`;
    const gitUrl = `${repoApiUrl(api, repo)}/git/${entry.type === "file" ? "blobs" : "trees"}/${entry.sha}`;
    const htmlUrl = `${HTML_ROOT}/${repo.fullName}/${entry.type === "file" ? "blob" : "tree"}/${ref}/${path}`;
    return {
        type: entry.type,
        ...(content === undefined ? {} : { encoding: "base64" }),
        size: entry.size,
        name: entry.path.split("/").pop(),
        path: entry.path,
        ...(content === undefined ? {} : { content: wrappedBase64(content) }),
        sha: entry.sha,
        url,
        git_url: gitUrl,
        html_url: htmlUrl,
        download_url: entry.type === "file" ? `https://raw.githubusercontent.com/${repo.fullName}/${ref}/${path}` : null,
        _links: { self: url, git: gitUrl, html: htmlUrl },
    };
}

/** The entries directly inside `dir` ("" is the root) of a commit's tree, directories first by name like GitHub. */
export function directoryEntries(
    repo: RepoState,
    commit: CommitRecord,
    dir: string,
): Array<{ path: string; sha: string; type: "file" | "dir"; size: number }> | undefined {
    const prefix = dir === "" ? "" : `${dir}/`;
    const treeShas = gitTreeShas(commit.tree);
    if (!treeShas.has(dir)) return undefined;
    const entries = new Map<string, { path: string; sha: string; type: "file" | "dir"; size: number }>();
    for (const [path, sha] of Object.entries(commit.tree)) {
        if (!path.startsWith(prefix)) continue;
        const [name, ...rest] = path.slice(prefix.length).split("/");
        const child = prefix + name;
        if (rest.length === 0) entries.set(child, { path: child, sha, type: "file", size: repo.git.blob(sha)?.length ?? 0 });
        else entries.set(child, { path: child, sha: treeShas.get(child)!, type: "dir", size: 0 });
    }
    return [...entries.values()].sort((a, b) => a.path.localeCompare(b.path));
}

/** The `commit` half of a contents PUT answer ("File Commit"). */
export function fileCommitShape(api: string, repo: RepoState, commit: CommitRecord): Record<string, unknown> {
    const repoUrl = repoApiUrl(api, repo);
    return {
        sha: commit.sha,
        node_id: nodeId("C", commit.sha),
        url: `${repoUrl}/git/commits/${commit.sha}`,
        html_url: `${HTML_ROOT}/${repo.fullName}/commit/${commit.sha}`,
        author: gitUserShape(commit.author),
        committer: gitUserShape(commit.committer),
        tree: { sha: commit.treeSha, url: `${repoUrl}/git/trees/${commit.treeSha}` },
        message: commit.message,
        parents: parentShapes(api, repo, commit),
        verification: UNSIGNED,
    };
}

/** A git reference; `ref` is the full name, e.g. refs/heads/main. */
export function refShape(api: string, repo: RepoState, ref: string, sha: string): Record<string, unknown> {
    const repoUrl = repoApiUrl(api, repo);
    return {
        ref,
        node_id: nodeId("REF", `${repo.id}:${ref}`),
        url: `${repoUrl}/git/${encodePath(ref)}`,
        object: { sha, type: "commit", url: `${repoUrl}/git/commits/${sha}` },
    };
}

/** GET /branches/{branch}: an unprotected branch. */
export function branchShape(api: string, repo: RepoState, name: string, commit: CommitRecord): Record<string, unknown> {
    const url = `${repoApiUrl(api, repo)}/branches/${encodeURIComponent(name)}`;
    return {
        name,
        commit: commitShape(api, repo, commit),
        _links: { self: url, html: `${HTML_ROOT}/${repo.fullName}/tree/${name}` },
        protected: false,
        protection: { enabled: false, required_status_checks: { enforcement_level: "off", contexts: [], checks: [] } },
        protection_url: `${url}/protection`,
    };
}

function pullEnd(api: string, repo: RepoState, branch: string, sha: string): Record<string, unknown> {
    return {
        label: `${repo.owner.login}:${branch}`,
        ref: branch,
        sha,
        user: userShape(api, repo.owner),
        repo: repoShape(api, repo),
    };
}

/**
 * A pull request: "Pull Request Simple" (lists) or, with `full`, the single
 * PR shape with merge state and counts.
 */
export function pullShape(api: string, repo: RepoState, pull: PullRecord, full: boolean): Record<string, unknown> {
    const issue = repo.pullIssue(pull);
    const repoUrl = repoApiUrl(api, repo);
    const url = `${repoUrl}/pulls/${pull.number}`;
    const issueUrl = `${repoUrl}/issues/${pull.number}`;
    const html = `${HTML_ROOT}/${repo.fullName}/pull/${pull.number}`;
    const headSha = repo.pullHeadSha(pull);
    const baseSha = repo.pullBaseSha(pull);
    const milestone = issue.milestone === null ? undefined : repo.milestone(issue.milestone);
    const assignees = issue.assignees.map((login) => userShape(api, { login, id: loginId(login), type: "User" }));
    const link = (href: string) => ({ href });
    const shape: Record<string, unknown> = {
        url,
        id: pull.id,
        node_id: nodeId("PR", pull.id),
        html_url: html,
        diff_url: `${html}.diff`,
        patch_url: `${html}.patch`,
        issue_url: issueUrl,
        commits_url: `${url}/commits`,
        review_comments_url: `${url}/comments`,
        review_comment_url: `${repoUrl}/pulls/comments{/number}`,
        comments_url: `${issueUrl}/comments`,
        statuses_url: `${repoUrl}/statuses/${headSha}`,
        number: pull.number,
        state: issue.state,
        locked: issue.locked,
        title: issue.title,
        user: userShape(api, issue.user),
        body: issue.body,
        // "Pull Request Simple" documents label descriptions as non-null strings.
        labels: repo
            .issueLabels(issue)
            .map((label) => ({ ...labelShape(api, repo, label), ...(full ? {} : { description: label.description ?? "" }) })),
        milestone: milestone ? milestoneShape(api, repo, milestone) : null,
        active_lock_reason: null,
        created_at: issue.created_at,
        updated_at: issue.updated_at,
        closed_at: issue.closed_at,
        merged_at: pull.merged_at,
        merge_commit_sha: pull.merge_commit_sha,
        assignee: assignees[0] ?? null,
        assignees,
        requested_reviewers: [],
        requested_teams: [],
        head: pullEnd(api, repo, pull.head, headSha),
        base: pullEnd(api, repo, pull.base, baseSha),
        _links: {
            self: link(url),
            html: link(html),
            issue: link(issueUrl),
            comments: link(`${issueUrl}/comments`),
            review_comments: link(`${url}/comments`),
            review_comment: link(`${repoUrl}/pulls/comments{/number}`),
            commits: link(`${url}/commits`),
            statuses: link(`${repoUrl}/statuses/${headSha}`),
        },
        author_association: "MEMBER",
        auto_merge: null,
        draft: pull.draft,
    };
    if (!full) return shape;
    const mergeBase = repo.git.mergeBase(baseSha, headSha);
    const files = diffEntryShapes(
        api,
        repo,
        mergeBase === undefined ? {} : repo.commitRecord(mergeBase).tree,
        repo.commitRecord(headSha).tree,
        headSha,
    );
    const merged = pull.merged_at !== null;
    return {
        ...shape,
        merged,
        mergeable: merged ? null : true,
        rebaseable: merged ? null : true,
        mergeable_state: merged ? "unknown" : "clean",
        merged_by: pull.merged_by ? userShape(api, pull.merged_by) : null,
        comments: repo.issueComments(pull.number).length,
        review_comments: 0,
        maintainer_can_modify: pull.maintainer_can_modify,
        commits: repo.git.range(baseSha, headSha).length,
        additions: files.reduce((sum, f) => sum + (f.additions as number), 0),
        deletions: files.reduce((sum, f) => sum + (f.deletions as number), 0),
        changed_files: files.length,
    };
}

const ROLE_PERMISSION: Record<RepoRole, string> = {
    admin: "admin",
    maintain: "write",
    write: "write",
    triage: "read",
    read: "read",
    none: "none",
};

/** GET /collaborators/{username}/permission: legacy permission, role name and the user as a collaborator. */
export function permissionShape(api: string, user: UserRecord, role: RepoRole): Record<string, unknown> {
    const rank = ["none", "read", "triage", "write", "maintain", "admin"].indexOf(role);
    const permissions = { pull: rank >= 1, triage: rank >= 2, push: rank >= 3, maintain: rank >= 4, admin: rank >= 5 };
    return {
        permission: ROLE_PERMISSION[role],
        role_name: role,
        user: { ...userShape(api, user), permissions, role_name: role },
    };
}

/** GET /orgs/{org}: an organisation on the free plan, as its owner sees it. */
export function orgShape(api: string, org: UserRecord): Record<string, unknown> {
    const url = `${api}/orgs/${org.login}`;
    return {
        login: org.login,
        id: org.id,
        node_id: nodeId("O", org.id),
        url,
        repos_url: `${url}/repos`,
        events_url: `${url}/events`,
        hooks_url: `${url}/hooks`,
        issues_url: `${url}/issues`,
        members_url: `${url}/members{/member}`,
        public_members_url: `${url}/public_members{/member}`,
        avatar_url: `https://avatars.githubusercontent.com/u/${org.id}?v=4`,
        description: null,
        html_url: `${HTML_ROOT}/${org.login}`,
        has_organization_projects: true,
        has_repository_projects: true,
        public_repos: 0,
        public_gists: 0,
        followers: 0,
        following: 0,
        type: "Organization",
        created_at: "2020-01-01T00:00:00Z",
        updated_at: "2020-01-01T00:00:00Z",
        archived_at: null,
    };
}

/** A repository ruleset as GET /repos/{owner}/{repo}/rulesets/{id} answers it. */
export function rulesetShape(api: string, repo: RepoState, ruleset: RulesetRecord): Record<string, unknown> {
    const url = `${repoApiUrl(api, repo)}/rulesets/${ruleset.id}`;
    return {
        id: ruleset.id,
        name: ruleset.name,
        target: ruleset.target,
        source_type: "Repository",
        source: repo.fullName,
        enforcement: ruleset.enforcement,
        bypass_actors: ruleset.bypass_actors,
        current_user_can_bypass: "never",
        node_id: nodeId("RRS", ruleset.id),
        _links: { self: { href: url }, html: { href: `${HTML_ROOT}/${repo.fullName}/rules/${ruleset.id}` } },
        conditions: ruleset.conditions,
        rules: ruleset.rules,
        created_at: ruleset.created_at,
        updated_at: ruleset.updated_at,
    };
}
