/**
 * Records -> the JSON GitHub answers. Every field the OpenAPI schema marks
 * required is present; API urls point at the fake itself so a client that
 * follows one (pagination, `url` fields) stays on loopback.
 */
import type { CommentRecord, IssueRecord, LabelRecord, MilestoneRecord, RepoState, UserRecord } from "./state";

const HTML_ROOT = "https://github.com";

/** GitHub's global node ids are opaque base64 with a type prefix; clients must not parse them. */
export function nodeId(prefix: string, id: number): string {
  return `${prefix}_kwDO${Buffer.from(`fake:${id}`).toString("base64url")}`;
}

export function userShape(api: string, user: UserRecord): Record<string, unknown> {
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
  return {
    id: repo.id,
    node_id: nodeId("R", repo.id),
    name: repo.name,
    full_name: repo.fullName,
    private: repo.private,
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
    homepage: null,
    size: 0,
    stargazers_count: 0,
    watchers_count: 0,
    language: null,
    has_issues: true,
    has_projects: false,
    has_downloads: true,
    has_wiki: false,
    has_pages: false,
    has_discussions: false,
    forks_count: 0,
    mirror_url: null,
    archived: repo.archived,
    disabled: false,
    open_issues_count: openIssues,
    license: null,
    allow_forking: false,
    is_template: false,
    web_commit_signoff_required: false,
    topics: [],
    visibility: repo.private ? "private" : "public",
    forks: 0,
    open_issues: openIssues,
    watchers: 0,
    default_branch: repo.default_branch,
    permissions: { admin: true, maintain: true, push: true, triage: true, pull: true },
    allow_squash_merge: true,
    allow_merge_commit: false,
    allow_rebase_merge: false,
    allow_auto_merge: true,
    delete_branch_on_merge: true,
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
