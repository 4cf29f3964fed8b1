/**
 * In-memory state of the fake GitHub. Records hold only what GitHub stores;
 * the API shapes (urls, counts, nested objects) are derived on the way out
 * (see shapes.ts), so tests can seed and inspect plain data.
 */
import {
    createdSettings,
    DEFAULT_LABELS,
    newSealingKey,
    seededSettings,
    type RepoSettings,
    type RulesetRecord,
    type OrgSecretRecord,
    type SealingKey,
    type SecretRecord,
} from "./repo-admin";
import { diffTrees, GitObjects, type CommitRecord, type GitSignature } from "./git";

export interface UserRecord {
    login: string;
    id: number;
    type: "User" | "Organization" | "Bot";
    /** A deleted account: REST shows GitHub's "ghost" user in its place, GraphQL a null author. */
    deleted?: boolean;
}

/** The account GitHub's REST API shows for a deleted one (https://github.com/ghost). */
export const GHOST: Readonly<UserRecord> = { login: "ghost", id: 10137, type: "User" };

export interface LabelRecord {
    id: number;
    name: string;
    color: string;
    description: string | null;
    default: boolean;
}

export interface MilestoneRecord {
    id: number;
    number: number;
    title: string;
    description: string | null;
    state: "open" | "closed";
    due_on: string | null;
    creator: UserRecord;
    created_at: string;
    updated_at: string;
    closed_at: string | null;
}

export type StateReason = "completed" | "not_planned" | "duplicate" | "reopened";

export interface IssueRecord {
    id: number;
    number: number;
    title: string;
    body: string | null;
    state: "open" | "closed";
    state_reason: StateReason | null;
    /** Label ids, not names: a renamed label stays on every issue carrying it. */
    labelIds: number[];
    /** Milestone number, as GitHub's API addresses milestones. */
    milestone: number | null;
    assignees: string[];
    user: UserRecord;
    locked: boolean;
    created_at: string;
    updated_at: string;
    closed_at: string | null;
    closed_by: UserRecord | null;
}

export interface CommentRecord {
    id: number;
    issueNumber: number;
    body: string;
    user: UserRecord;
    created_at: string;
    updated_at: string;
}

/**
 * The pull-request half of a pull request; title, body, state, labels,
 * author and dates live in its issue (same number), as on GitHub.
 */
export interface PullRecord {
    id: number;
    number: number;
    /** Branch names in this repository. */
    head: string;
    base: string;
    /** Head and base commits when the PR was opened or merged; see RepoState.pullHeadSha. */
    headSha: string;
    baseSha: string;
    draft: boolean;
    maintainer_can_modify: boolean;
    merged_at: string | null;
    merge_commit_sha: string | null;
    merged_by: UserRecord | null;
}

/** Repository roles; the permission endpoint maps maintain to write and triage to read. */
export type RepoRole = "admin" | "maintain" | "write" | "triage" | "read" | "none";

/** A commit author: a login (an account, noreply e-mail) or explicit fields; login null for no account. */
export type AuthorInit = string | { login?: string | null; name?: string; email?: string };

export interface CommitOptions {
    message: string;
    /** Defaults to the authenticated user (state.user). */
    author?: AuthorInit;
    /** Defaults to the author. */
    committer?: AuthorInit;
    date?: string | Date;
    /** Files to write (path -> content) or delete (null); the rest of the parent's tree is kept. */
    files?: Record<string, string | Buffer | null>;
    /** Where a new branch starts (branch, tag or sha); the default branch's head when omitted. */
    from?: string;
    /** Parents after the branch head, for merge commits. */
    mergeParents?: string[];
}

export type MergeMethod = "squash" | "merge";

export interface MergeOptions {
    method?: MergeMethod;
    /** Who merged; defaults to the authenticated user. */
    by?: string;
    date?: string | Date;
    /** Delete the head branch afterwards; defaults to the repository's delete_branch_on_merge. */
    deleteBranch?: boolean;
}

export interface PullInit {
    head: string;
    /** Defaults to the default branch. */
    base?: string;
    title: string;
    body?: string | null;
    labels?: string[];
    /** Author login; defaults to the authenticated user. */
    user?: string;
    draft?: boolean;
    state?: "open" | "closed";
    /**
     * Seeds an already merged PR: with mergeCommitSha it is only marked merged
     * (that commit must exist; nothing is written), without it mergePull runs
     * with `method`.
     */
    merged?: boolean;
    mergeCommitSha?: string;
    method?: MergeMethod;
    mergedBy?: string;
    mergedAt?: string;
}

export interface RepoInit {
    default_branch?: string;
    private?: boolean;
    description?: string | null;
    archived?: boolean;
    ownerType?: UserRecord["type"];
}

/** GitHub's timestamps: second precision, UTC, trailing Z. */
export function timestamp(date: Date = new Date()): string {
    return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function dateOf(date: string | Date | undefined): string {
    if (date === undefined) return timestamp();
    return timestamp(typeof date === "string" ? new Date(date) : date);
}

function sameName(a: string, b: string): boolean {
    return a.toLowerCase() === b.toLowerCase();
}

/** Hands out ids that are unique across the whole fake, as GitHub's are. */
export class IdSource {
    private last = 1000;
    next(): number {
        this.last += 1;
        return this.last;
    }
}

export class RepoState {
    readonly labels: LabelRecord[] = [];
    readonly milestones: MilestoneRecord[] = [];
    readonly issues: IssueRecord[] = [];
    readonly comments: CommentRecord[] = [];
    /** Blobs and commits; branches and tags point into it. */
    readonly git = new GitObjects();
    /** Branch name -> head commit sha. */
    readonly branches = new Map<string, string>();
    /** Tag name -> commit sha (lightweight tags only). */
    readonly tags = new Map<string, string>();
    readonly pulls: PullRecord[] = [];
    /** Commit sha -> numbers of the PRs GitHub associates with it (merge, squash and merged PR commits). */
    readonly commitPulls = new Map<string, number[]>();
    /** Lower-cased login -> role; see permissionOf. */
    readonly permissions = new Map<string, RepoRole>();
    /** What PATCH /repos and the security toggles change (see repo-admin.ts). */
    readonly settings: RepoSettings;
    readonly rulesets: RulesetRecord[] = [];
    /** Dependabot secrets by upper-cased name (GitHub's names are case-insensitive, stored upper case). */
    readonly dependabotSecrets = new Map<string, SecretRecord>();
    readonly dependabotKey: SealingKey;
    default_branch: string;
    delete_branch_on_merge = true;
    private: boolean;
    description: string | null;
    archived: boolean;
    readonly created_at = timestamp();
    updated_at = timestamp();
    pushed_at = timestamp();
    /** Issues and pull requests share one number sequence per repository. */
    private lastNumber = 0;
    private lastMilestone = 0;

    constructor(
        readonly owner: UserRecord,
        readonly name: string,
        readonly id: number,
        private readonly ids: IdSource,
        private readonly actor: () => UserRecord,
        /** The account with this login, created as a User when unknown. */
        readonly account: (login: string) => UserRecord,
        init: RepoInit = {},
    ) {
        this.default_branch = init.default_branch ?? "main";
        this.private = init.private ?? true;
        this.description = init.description ?? null;
        this.archived = init.archived ?? false;
        this.settings = seededSettings(this.private);
        this.dependabotKey = newSealingKey(id);
    }

    get fullName(): string {
        return `${this.owner.login}/${this.name}`;
    }

    nextNumber(): number {
        this.lastNumber += 1;
        return this.lastNumber;
    }

    /** GitHub matches label names case-insensitively everywhere. */
    label(name: string): LabelRecord | undefined {
        return this.labels.find((l) => sameName(l.name, name));
    }

    labelById(id: number): LabelRecord | undefined {
        return this.labels.find((l) => l.id === id);
    }

    addLabel(name: string, color = "ededed", description: string | null = null): LabelRecord {
        if (this.label(name)) throw new Error(`fake: label ${name} already exists in ${this.fullName}`);
        const label: LabelRecord = { id: this.ids.next(), name, color, description, default: false };
        this.labels.push(label);
        return label;
    }

    /** The label, created with GitHub's default colour when missing (as issue label writes do). */
    ensureLabel(name: string): LabelRecord {
        return this.label(name) ?? this.addLabel(name);
    }

    deleteLabel(label: LabelRecord): void {
        this.labels.splice(this.labels.indexOf(label), 1);
        for (const issue of this.issues) issue.labelIds = issue.labelIds.filter((id) => id !== label.id);
    }

    milestone(number: number): MilestoneRecord | undefined {
        return this.milestones.find((m) => m.number === number);
    }

    addMilestone(title: string, init: Partial<Omit<MilestoneRecord, "id" | "number" | "title">> = {}): MilestoneRecord {
        this.lastMilestone += 1;
        const now = timestamp();
        const milestone: MilestoneRecord = {
            id: this.ids.next(),
            number: this.lastMilestone,
            title,
            description: null,
            state: "open",
            due_on: null,
            creator: this.actor(),
            created_at: now,
            updated_at: now,
            closed_at: null,
            ...init,
        };
        this.milestones.push(milestone);
        return milestone;
    }

    deleteMilestone(milestone: MilestoneRecord): void {
        this.milestones.splice(this.milestones.indexOf(milestone), 1);
        for (const issue of this.issues) if (issue.milestone === milestone.number) issue.milestone = null;
    }

    issue(number: number): IssueRecord | undefined {
        return this.issues.find((i) => i.number === number);
    }

    /**
     * Seeds an issue; label names that do not exist yet are created, and a
     * closed one gets the closing fields GitHub would have set.
     */
    addIssue(title: string, init: Partial<Omit<IssueRecord, "id" | "number" | "labelIds">> & { labels?: string[] } = {}): IssueRecord {
        const { labels = [], ...rest } = init;
        const now = timestamp();
        const issue: IssueRecord = {
            id: this.ids.next(),
            number: this.nextNumber(),
            title,
            body: null,
            state: "open",
            state_reason: null,
            labelIds: [],
            milestone: null,
            assignees: [],
            user: this.actor(),
            locked: false,
            created_at: now,
            updated_at: now,
            closed_at: null,
            closed_by: null,
            ...rest,
        };
        if (issue.state === "closed") {
            issue.closed_at ??= now;
            issue.state_reason ??= "completed";
        }
        this.setIssueLabels(issue, labels);
        this.issues.push(issue);
        return issue;
    }

    setIssueLabels(issue: IssueRecord, names: string[]): void {
        issue.labelIds = [];
        this.addIssueLabels(issue, names);
    }

    addIssueLabels(issue: IssueRecord, names: string[]): void {
        for (const name of names) {
            const label = this.ensureLabel(name);
            if (!issue.labelIds.includes(label.id)) issue.labelIds.push(label.id);
        }
    }

    issueLabels(issue: IssueRecord): LabelRecord[] {
        return issue.labelIds.map((id) => this.labelById(id)).filter((l): l is LabelRecord => l !== undefined);
    }

    /** Names of the labels an issue carries, in the order they were added. */
    issueLabelNames(number: number): string[] {
        const issue = this.issue(number);
        if (!issue) throw new Error(`fake: no issue #${number} in ${this.fullName}`);
        return this.issueLabels(issue).map((l) => l.name);
    }

    comment(id: number): CommentRecord | undefined {
        return this.comments.find((c) => c.id === id);
    }

    issueComments(number: number): CommentRecord[] {
        return this.comments.filter((c) => c.issueNumber === number);
    }

    addComment(issueNumber: number, body: string, user: UserRecord = this.actor()): CommentRecord {
        const now = timestamp();
        const comment: CommentRecord = { id: this.ids.next(), issueNumber, body, user, created_at: now, updated_at: now };
        this.comments.push(comment);
        return comment;
    }

    /**
     * The commit a ref names: a branch, a tag, `heads/x`, `tags/x`, `refs/...`,
     * or a full or abbreviated sha; undefined when it names nothing.
     */
    resolveRef(ref: string): string | undefined {
        const name = ref.replace(/^refs\//, "");
        if (name.startsWith("heads/") && this.branches.has(name.slice(6))) return this.branches.get(name.slice(6));
        if (name.startsWith("tags/") && this.tags.has(name.slice(5))) return this.tags.get(name.slice(5));
        return this.branches.get(ref) ?? this.tags.get(ref) ?? this.git.findCommit(ref)?.sha;
    }

    /** A commit record, for assertions; throws when there is none. */
    commitRecord(sha: string): CommitRecord {
        const commit = this.git.commit(sha);
        if (!commit) throw new Error(`fake: no commit ${sha} in ${this.fullName}`);
        return commit;
    }

    /** The head commit of a branch, for assertions; throws when the branch does not exist. */
    head(branch: string): string {
        const sha = this.branches.get(branch);
        if (!sha) throw new Error(`fake: no branch ${branch} in ${this.fullName}`);
        return sha;
    }

    /** A file's text at a ref (branch, tag or sha), or undefined when absent. */
    file(ref: string, path: string): string | undefined {
        const sha = this.resolveRef(ref);
        const blob = sha === undefined ? undefined : this.git.commit(sha)?.tree[path];
        return blob === undefined ? undefined : this.git.blob(blob)?.toString("utf8");
    }

    /** Creates a branch at `from` (a branch, tag or sha; the default branch when omitted). */
    createBranch(name: string, from: string = this.default_branch): string {
        if (this.branches.has(name)) throw new Error(`fake: branch ${name} already exists in ${this.fullName}`);
        const sha = this.resolveRef(from);
        if (!sha) throw new Error(`fake: ${from} names no commit in ${this.fullName}`);
        this.branches.set(name, sha);
        return sha;
    }

    /**
     * Writes a commit on `branch` and advances it. A missing branch starts at
     * `from`, else at the default branch's head, else (an empty repository)
     * with a root commit. Returns the new commit's sha.
     */
    commit(branch: string, options: CommitOptions): string {
        let parent = this.branches.get(branch);
        if (parent === undefined && options.from !== undefined) {
            parent = this.resolveRef(options.from);
            if (parent === undefined) throw new Error(`fake: ${options.from} names no commit in ${this.fullName}`);
        }
        parent ??= this.branches.get(this.default_branch);
        const tree: Record<string, string> = { ...(parent === undefined ? {} : this.commitRecord(parent).tree) };
        for (const [path, content] of Object.entries(options.files ?? {})) {
            if (!/^[^/]+(\/[^/]+)*$/.test(path)) throw new Error(`fake: bad file path ${JSON.stringify(path)}`);
            if (content === null) delete tree[path];
            else tree[path] = this.git.putBlob(content);
        }
        const date = dateOf(options.date);
        const author = this.signature(options.author, date);
        const committer = options.committer === undefined ? author : this.signature(options.committer, date);
        const commit = this.git.putCommit({
            message: options.message,
            author: author.sig,
            committer: committer.sig,
            authorLogin: author.login,
            committerLogin: committer.login,
            parents: [...(parent === undefined ? [] : [parent]), ...(options.mergeParents ?? [])],
            tree,
        });
        this.branches.set(branch, commit.sha);
        this.pushed_at = date;
        return commit.sha;
    }

    private signature(init: AuthorInit | undefined, date: string): { sig: GitSignature; login: string | null } {
        const fields = typeof init === "string" ? { login: init } : (init ?? { login: this.actor().login });
        const login = fields.login === undefined ? loginFromEmail(fields.email) : fields.login;
        const user = login === null || login === undefined ? undefined : this.account(login);
        const name = fields.name ?? user?.login ?? "Unknown";
        const email = fields.email ?? (user ? noreplyEmail(user) : "unknown@example.com");
        return { sig: { name, email, date }, login: user?.login ?? null };
    }

    pull(number: number): PullRecord | undefined {
        return this.pulls.find((p) => p.number === number);
    }

    /** The issue that holds a PR's title, body, state, labels and author. */
    pullIssue(pull: PullRecord): IssueRecord {
        return this.issue(pull.number)!;
    }

    /** Head commit: the branch's while the PR is unmerged and the branch exists, else the one recorded. */
    pullHeadSha(pull: PullRecord): string {
        return pull.merged_at === null ? (this.branches.get(pull.head) ?? pull.headSha) : pull.headSha;
    }

    pullBaseSha(pull: PullRecord): string {
        return pull.merged_at === null ? (this.branches.get(pull.base) ?? pull.baseSha) : pull.baseSha;
    }

    /** The open PR from `head` into `base`, if any (GitHub allows one). */
    openPullFor(head: string, base: string): PullRecord | undefined {
        return this.pulls.find((p) => p.head === head && p.base === base && this.pullIssue(p).state === "open");
    }

    /**
     * Seeds a pull request (an issue with the same number, as on GitHub). The
     * head branch must exist unless the PR is seeded merged with mergeCommitSha.
     */
    openPull(init: PullInit): PullRecord {
        const base = init.base ?? this.default_branch;
        const seededMerge = init.merged === true && init.mergeCommitSha !== undefined;
        const headSha = this.branches.get(init.head) ?? (seededMerge ? init.mergeCommitSha : undefined);
        if (headSha === undefined) throw new Error(`fake: no branch ${init.head} in ${this.fullName}; commit to it first`);
        const baseSha = this.branches.get(base) ?? (seededMerge ? headSha : undefined);
        if (baseSha === undefined) throw new Error(`fake: no base branch ${base} in ${this.fullName}`);
        const issue = this.addIssue(init.title, {
            body: init.body ?? null,
            labels: init.labels ?? [],
            user: init.user === undefined ? this.actor() : this.account(init.user),
        });
        const pull: PullRecord = {
            id: this.ids.next(),
            number: issue.number,
            head: init.head,
            base,
            headSha,
            baseSha,
            draft: init.draft ?? false,
            maintainer_can_modify: false,
            merged_at: null,
            merge_commit_sha: null,
            merged_by: null,
        };
        this.pulls.push(pull);
        if (init.merged && init.mergeCommitSha !== undefined) {
            this.markMerged(pull, init.mergeCommitSha, { by: init.mergedBy, date: init.mergedAt });
        } else if (init.merged) {
            this.mergePull(pull.number, { method: init.method, by: init.mergedBy, date: init.mergedAt });
        } else if (init.state === "closed") {
            this.closePull(pull);
        }
        return pull;
    }

    /**
     * Merges an open PR the way GitHub's merge button does and returns the new
     * commit on the base branch: "squash" writes `Title (#N)` authored by the PR
     * author, "merge" writes `Merge pull request #N from owner/head` with the head
     * as second parent; both are committed by GitHub (web-flow). The commit and
     * the PR's own commits become associated with it.
     */
    mergePull(number: number, options: MergeOptions = {}): string {
        const pull = this.pull(number);
        if (!pull) throw new Error(`fake: no pull request #${number} in ${this.fullName}`);
        const issue = this.pullIssue(pull);
        if (pull.merged_at !== null || issue.state !== "open") throw new Error(`fake: #${number} is not open`);
        const baseTip = this.head(pull.base);
        const headTip = this.head(pull.head);
        const files = this.mergeChanges(this.git.mergeBase(baseTip, headTip), baseTip, headTip);
        const date = dateOf(options.date);
        const by = options.by ?? this.actor().login;
        const webFlow = { login: "web-flow", name: "GitHub", email: "noreply@github.com" };
        const sha =
            (options.method ?? "squash") === "squash"
                ? this.commit(pull.base, {
                      message: `${issue.title} (#${number})`,
                      author: issue.user.login,
                      committer: webFlow,
                      date,
                      files,
                  })
                : this.commit(pull.base, {
                      message: `Merge pull request #${number} from ${this.owner.login}/${pull.head}\n\n${issue.title}`,
                      author: by,
                      committer: webFlow,
                      date,
                      files,
                      mergeParents: [headTip],
                  });
        pull.baseSha = baseTip;
        pull.headSha = headTip;
        this.markMerged(pull, sha, { by, date });
        if ((options.deleteBranch ?? this.delete_branch_on_merge) && pull.head !== this.default_branch) this.branches.delete(pull.head);
        return sha;
    }

    /** The files a merge of headTip into baseTip changes; a path both sides changed differently is a conflict. */
    private mergeChanges(mergeBase: string | undefined, baseTip: string, headTip: string): Record<string, Buffer | null> {
        const ancestor = mergeBase === undefined ? {} : this.commitRecord(mergeBase).tree;
        const ours = this.commitRecord(baseTip).tree;
        const files: Record<string, Buffer | null> = {};
        for (const change of diffTrees(ancestor, this.commitRecord(headTip).tree)) {
            const mine = ours[change.path];
            if (mine !== ancestor[change.path] && mine !== change.after) throw new Error(`fake: merge conflict in ${change.path}`);
            files[change.path] = change.after === undefined ? null : this.git.blob(change.after)!;
        }
        return files;
    }

    private markMerged(pull: PullRecord, sha: string, options: { by?: string | undefined; date?: string | Date | undefined }): void {
        this.commitRecord(sha);
        const date = dateOf(options.date);
        const by = options.by === undefined ? this.actor() : this.account(options.by);
        pull.merged_at = date;
        pull.merge_commit_sha = sha;
        pull.merged_by = by;
        const issue = this.pullIssue(pull);
        issue.state = "closed";
        issue.state_reason = null;
        issue.closed_at = date;
        issue.closed_by = by;
        issue.updated_at = date;
        this.associate(sha, pull.number);
        for (const commit of this.git.range(pull.baseSha, pull.headSha)) this.associate(commit.sha, pull.number);
    }

    /** Closes a PR without merging; its head sha is kept for when the branch goes. */
    closePull(pull: PullRecord, by: UserRecord = this.actor()): void {
        const issue = this.pullIssue(pull);
        pull.headSha = this.pullHeadSha(pull);
        pull.baseSha = this.pullBaseSha(pull);
        const now = timestamp();
        issue.state = "closed";
        issue.state_reason = null;
        issue.closed_at = now;
        issue.closed_by = by;
        issue.updated_at = now;
    }

    /** Records that GitHub lists PR `number` for commit `sha` (GET /commits/{sha}/pulls). */
    associate(sha: string, number: number): void {
        const numbers = this.commitPulls.get(sha) ?? [];
        if (!numbers.includes(number)) numbers.push(number);
        this.commitPulls.set(sha, numbers);
    }

    /** Recorded associations, plus open PRs whose own commits include `sha`. */
    pullsForCommit(sha: string): PullRecord[] {
        const numbers = new Set(this.commitPulls.get(sha) ?? []);
        for (const pull of this.pulls) {
            if (pull.merged_at !== null || this.pullIssue(pull).state !== "open") continue;
            if (this.git.range(this.pullBaseSha(pull), this.pullHeadSha(pull)).some((c) => c.sha === sha)) numbers.add(pull.number);
        }
        return [...numbers].sort((a, b) => a - b).map((n) => this.pull(n)!);
    }

    /** Gives `login` a role on this repository (see permissionOf). */
    setPermission(login: string, role: RepoRole): void {
        this.account(login);
        this.permissions.set(login.toLowerCase(), role);
    }

    /** The role set for `login`; otherwise admin for the authenticated user and a personal owner, else none. */
    permissionOf(login: string): RepoRole {
        const set = this.permissions.get(login.toLowerCase());
        if (set) return set;
        if (sameName(login, this.actor().login)) return "admin";
        if (this.owner.type === "User" && sameName(login, this.owner.login)) return "admin";
        return "none";
    }
}

/** GitHub's noreply address for an account, as it writes into web commits. */
export function noreplyEmail(user: UserRecord): string {
    return `${user.id}+${user.login}@users.noreply.github.com`;
}

function loginFromEmail(email: string | undefined): string | undefined {
    return /^(?:\d+\+)?([^@]+)@users\.noreply\.github\.com$/i.exec(email ?? "")?.[1];
}

export class GitHubState {
    /** When set, requests must carry exactly this token; otherwise any non-empty one passes. */
    token: string | undefined;
    /** The user every write is attributed to (GitHub's "authenticated user"). */
    user: UserRecord;
    /** Keyed by lower-cased "owner/repo": GitHub resolves names case-insensitively. */
    readonly repos = new Map<string, RepoState>();
    readonly ids = new IdSource();
    /** Every account the fake knows (owners, authors, collaborators), by lower-cased login. */
    private readonly accounts = new Map<string, UserRecord>();

    constructor() {
        this.user = this.account("conveyor-bot", "Bot");
    }

    /** Creates the repository (and its owner) and returns it for further seeding. */
    addRepo(fullName: string, init: RepoInit = {}): RepoState {
        const [ownerLogin, name, extra] = fullName.split("/");
        if (!ownerLogin || !name || extra !== undefined) throw new Error(`fake: repo name must be owner/repo, got ${fullName}`);
        const key = fullName.toLowerCase();
        if (this.repos.has(key)) throw new Error(`fake: repo ${fullName} already exists`);
        const owner = this.account(ownerLogin, init.ownerType ?? "Organization");
        const repo = new RepoState(
            owner,
            name,
            this.ids.next(),
            this.ids,
            () => this.user,
            (login) => this.account(login),
            init,
        );
        this.repos.set(key, repo);
        return repo;
    }

    /**
     * A repository as POST /orgs/{org}/repos makes it: GitHub's default labels and, with `autoInit`, a first
     * commit holding a README on the default branch. `onRepoCreated` hooks then run, so a test can act on
     * the new repository before the client's next request (file an issue, add a label).
     */
    createRepo(fullName: string, init: RepoInit & { autoInit?: boolean } = {}): RepoState {
        const repo = this.addRepo(fullName, init);
        Object.assign(repo.settings, createdSettings(repo.private));
        repo.delete_branch_on_merge = false;
        for (const [name, color, description] of DEFAULT_LABELS) repo.addLabel(name, color, description).default = true;
        if (init.autoInit) repo.commit(repo.default_branch, { message: "Initial commit", files: { "README.md": `# ${repo.name}\n` } });
        for (const hook of this.onRepoCreated) hook(repo);
        return repo;
    }

    /** Dependabot's sealing key and secrets of each organisation, by lower-cased login (see routes/dependabot.ts). */
    readonly orgDependabot = new Map<string, { key: SealingKey; secrets: Map<string, OrgSecretRecord> }>();

    /** Called with every repository POST /orgs/{org}/repos creates, after it exists. */
    readonly onRepoCreated: Array<(repo: RepoState) => void> = [];

    /** An organisation account (GET /orgs/{org} answers it; repositories can be created in it). */
    addOrg(login: string): UserRecord {
        const account = this.account(login, "Organization");
        if (account.type !== "Organization") throw new Error(`fake: ${login} is a ${account.type}, not an organisation`);
        return account;
    }

    /** The repository, or undefined (a 404 to the API). */
    findRepo(owner: string, name: string): RepoState | undefined {
        return this.repos.get(`${owner}/${name}`.toLowerCase());
    }

    /** The repository for test assertions; throws when it was never seeded. */
    repo(fullName: string): RepoState {
        const repo = this.repos.get(fullName.toLowerCase());
        if (!repo) throw new Error(`fake: no repo ${fullName}`);
        return repo;
    }

    /** The account with this login, created with `type` when the fake does not know it yet. */
    account(login: string, type: UserRecord["type"] = "User"): UserRecord {
        const key = login.toLowerCase();
        let account = this.accounts.get(key);
        if (!account) {
            account = { login, id: this.ids.next(), type };
            this.accounts.set(key, account);
        }
        return account;
    }

    /** Deletes the account, as its owner can: what it wrote stays, attributed to the ghost user. */
    deleteAccount(login: string): void {
        const account = this.findAccount(login);
        if (!account) throw new Error(`fake: no account ${login}`);
        account.deleted = true;
        this.accounts.delete(login.toLowerCase());
    }

    /** The account, or undefined when the fake has never seen the login (a 404 to the API). */
    findAccount(login: string): UserRecord | undefined {
        return this.accounts.get(login.toLowerCase());
    }
}
