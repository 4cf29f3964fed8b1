/**
 * In-memory state of the fake GitHub. Records hold only what GitHub stores;
 * the API shapes (urls, counts, nested objects) are derived on the way out
 * (see shapes.ts), so tests can seed and inspect plain data.
 */

export interface UserRecord {
  login: string;
  id: number;
  type: "User" | "Organization" | "Bot";
}

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
  default_branch: string;
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
    init: RepoInit = {},
  ) {
    this.default_branch = init.default_branch ?? "main";
    this.private = init.private ?? true;
    this.description = init.description ?? null;
    this.archived = init.archived ?? false;
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
}

export class GitHubState {
  /** When set, requests must carry exactly this token; otherwise any non-empty one passes. */
  token: string | undefined;
  /** The user every write is attributed to (GitHub's "authenticated user"). */
  user: UserRecord;
  /** Keyed by lower-cased "owner/repo": GitHub resolves names case-insensitively. */
  readonly repos = new Map<string, RepoState>();
  readonly ids = new IdSource();
  private readonly owners = new Map<string, UserRecord>();

  constructor() {
    this.user = { login: "conveyor-bot", id: this.ids.next(), type: "Bot" };
  }

  /** Creates the repository (and its owner) and returns it for further seeding. */
  addRepo(fullName: string, init: RepoInit = {}): RepoState {
    const [ownerLogin, name, extra] = fullName.split("/");
    if (!ownerLogin || !name || extra !== undefined) throw new Error(`fake: repo name must be owner/repo, got ${fullName}`);
    const key = fullName.toLowerCase();
    if (this.repos.has(key)) throw new Error(`fake: repo ${fullName} already exists`);
    const owner = this.owner(ownerLogin, init.ownerType ?? "Organization");
    const repo = new RepoState(owner, name, this.ids.next(), this.ids, () => this.user, init);
    this.repos.set(key, repo);
    return repo;
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

  private owner(login: string, type: UserRecord["type"]): UserRecord {
    const key = login.toLowerCase();
    let owner = this.owners.get(key);
    if (!owner) {
      owner = { login, id: this.ids.next(), type };
      this.owners.set(key, owner);
    }
    return owner;
  }
}
