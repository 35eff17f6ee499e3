// Turns in-memory records into the JSON shapes GitHub's REST API and webhooks use.
import { createHash } from "node:crypto";
import type { Comparison } from "./git.js";
import type {
  AppIdentity,
  CheckRunRecord,
  FileChange,
  CommentRecord,
  CommitRecord,
  DeploymentRecord,
  DeploymentStatusRecord,
  IssueEventRecord,
  IssueRecord,
  LabelRecord,
  MilestoneRecord,
  ReactionRecord,
  RepoRecord,
  StatusRecord,
  UserRecord,
} from "./model.js";
import { REACTION_CONTENTS, nodeId } from "./model.js";

export interface AppInfo {
  id: number;
  slug: string;
  name: string;
  clientId: string;
  createdAt: string;
  owner: UserRecord;
  permissions: Record<string, string>;
  events: string[];
  /**
   * What the installation's owner accepted, where it lags the App's settings (new permissions wait
   * for the owner's approval); the App's own when unset.
   */
  accepted?: { permissions: Record<string, string>; events: string[] };
}

/** What the serializers need to know about the world around a record. */
export interface World {
  apiUrl: string;
  webUrl: string;
  app: AppInfo;
  installationId: number;
  issueById(id: number): IssueRecord | undefined;
  userById(id: number): UserRecord | undefined;
  authorAssociation(user: UserRecord, repo: RepoRecord): string;
  /** A pull request's commits and changed files (see GitHubState). */
  pullCommits(pr: IssueRecord): CommitRecord[];
  pullFiles(pr: IssueRecord): FileChange[];
}

export function simpleUser(w: World, u: UserRecord) {
  const api = `${w.apiUrl}/users/${u.login}`;
  return {
    login: u.login,
    id: u.id,
    node_id: nodeId(u.type === "Bot" ? "BOT" : u.type === "Organization" ? "O" : "U", u.id),
    avatar_url: `${w.webUrl}/avatars/u/${u.id}?v=4`,
    gravatar_id: "",
    url: api,
    html_url: u.type === "Bot" ? `${w.webUrl}/apps/${w.app.slug}` : `${w.webUrl}/${u.login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: u.type,
    user_view_type: "public",
    site_admin: false,
  };
}

export function repoApiUrl(w: World, repo: RepoRecord): string {
  return `${w.apiUrl}/repos/${repo.owner.login}/${repo.name}`;
}

export function integration(w: World) {
  const a = w.app;
  return {
    id: a.id,
    slug: a.slug,
    node_id: nodeId("A", a.id),
    client_id: a.clientId,
    owner: simpleUser(w, a.owner),
    name: a.name,
    description: "Emulated GitHub App",
    external_url: `${w.webUrl}/apps/${a.slug}`,
    html_url: `${w.webUrl}/apps/${a.slug}`,
    created_at: a.createdAt,
    updated_at: a.createdAt,
    permissions: a.permissions,
    events: a.events,
    installations_count: 1,
  };
}

export function installation(w: World, repo: RepoRecord) {
  const a = w.app;
  return {
    id: w.installationId,
    account: simpleUser(w, repo.owner),
    access_tokens_url: `${w.apiUrl}/app/installations/${w.installationId}/access_tokens`,
    repositories_url: `${w.apiUrl}/installation/repositories`,
    html_url: `${w.webUrl}/organizations/${repo.owner.login}/settings/installations/${w.installationId}`,
    app_id: a.id,
    client_id: a.clientId,
    target_id: repo.owner.id,
    target_type: repo.owner.type === "Organization" ? "Organization" : "User",
    permissions: a.accepted?.permissions ?? a.permissions,
    events: a.accepted?.events ?? a.events,
    created_at: a.createdAt,
    updated_at: a.createdAt,
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    app_slug: a.slug,
    repository_selection: "all",
    suspended_by: null,
    suspended_at: null,
  };
}

export function label(w: World, repo: RepoRecord, l: LabelRecord) {
  return {
    id: l.id,
    node_id: nodeId("LA", l.id),
    url: `${repoApiUrl(w, repo)}/labels/${encodeURIComponent(l.name)}`,
    name: l.name,
    color: l.color,
    default: l.isDefault,
    description: l.description,
  };
}

export function milestone(w: World, repo: RepoRecord, m: MilestoneRecord) {
  const issues = [...repo.issues.values()].filter(
    (i) => !i.deleted && i.milestoneNumber === m.number,
  );
  const url = `${repoApiUrl(w, repo)}/milestones/${m.number}`;
  return {
    url,
    html_url: `${w.webUrl}/${repo.owner.login}/${repo.name}/milestone/${m.number}`,
    labels_url: `${url}/labels`,
    id: m.id,
    node_id: nodeId("MI", m.id),
    number: m.number,
    state: m.state,
    title: m.title,
    description: m.description,
    creator: simpleUser(w, m.creator),
    open_issues: issues.filter((i) => i.state === "open").length,
    closed_issues: issues.filter((i) => i.state === "closed").length,
    created_at: m.createdAt,
    updated_at: m.updatedAt,
    closed_at: m.closedAt,
    due_on: m.dueOn,
  };
}

export function reactionRollup(url: string, reactions: ReactionRecord[]) {
  const counts: Record<string, number> = {};
  for (const c of REACTION_CONTENTS) counts[c] = reactions.filter((r) => r.content === c).length;
  return { url, total_count: reactions.length, ...counts };
}

export function reaction(w: World, r: ReactionRecord) {
  return {
    id: r.id,
    node_id: nodeId("REA", r.id),
    user: simpleUser(w, r.user),
    content: r.content,
    created_at: r.createdAt,
  };
}

export function issueApiUrl(w: World, issue: IssueRecord): string {
  return `${repoApiUrl(w, issue.repo)}/issues/${issue.number}`;
}

export function subIssuesSummary(w: World, issue: IssueRecord) {
  const children = issue.subIssueIds
    .map((id) => w.issueById(id))
    .filter((c): c is IssueRecord => c !== undefined && !c.deleted);
  const completed = children.filter((c) => c.state === "closed").length;
  return {
    total: children.length,
    completed,
    percent_completed: children.length ? Math.floor((completed * 100) / children.length) : 0,
  };
}

export function issue(w: World, i: IssueRecord) {
  const repo = i.repo;
  const url = issueApiUrl(w, i);
  const webPath = `${w.webUrl}/${repo.owner.login}/${repo.name}`;
  const labels = i.labelIds
    .map((id) => [...repo.labels.values()].find((l) => l.id === id))
    .filter((l): l is LabelRecord => l !== undefined)
    .map((l) => label(w, repo, l));
  const assignees = i.assigneeIds
    .map((id) => w.userById(id))
    .filter((u): u is UserRecord => u !== undefined)
    .map((u) => simpleUser(w, u));
  const ms = i.milestoneNumber === null ? undefined : repo.milestones.get(i.milestoneNumber);
  const parent = i.parentId === null ? undefined : w.issueById(i.parentId);
  const out: Record<string, unknown> = {
    url,
    repository_url: repoApiUrl(w, repo),
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: `${webPath}/${i.isPullRequest ? "pull" : "issues"}/${i.number}`,
    id: i.id,
    node_id: nodeId(i.isPullRequest ? "PR" : "I", i.id),
    number: i.number,
    title: i.title,
    user: simpleUser(w, i.user),
    labels,
    state: i.state,
    locked: i.locked,
    assignee: assignees[0] ?? null,
    assignees,
    milestone: ms ? milestone(w, repo, ms) : null,
    comments: i.commentCount,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
    closed_at: i.closedAt,
    closed_by: i.closedBy ? simpleUser(w, i.closedBy) : null,
    author_association: w.authorAssociation(i.user, repo),
    type: null,
    active_lock_reason: i.lockReason,
    sub_issues_summary: subIssuesSummary(w, i),
    parent_issue_url: parent ? issueApiUrl(w, parent) : null,
    body: i.body,
    reactions: reactionRollup(`${url}/reactions`, i.reactions),
    timeline_url: `${url}/timeline`,
    performed_via_github_app: i.viaApp ? integration(w) : null,
    state_reason: i.stateReason,
  };
  if (i.isPullRequest) {
    const pulls = `${repoApiUrl(w, repo)}/pulls/${i.number}`;
    out.draft = false;
    out.pull_request = {
      url: pulls,
      html_url: `${webPath}/pull/${i.number}`,
      diff_url: `${webPath}/pull/${i.number}.diff`,
      patch_url: `${webPath}/pull/${i.number}.patch`,
      merged_at: i.pull?.mergedAt ?? null,
    };
  }
  return out;
}

export function comment(w: World, c: CommentRecord) {
  const repo = c.issue.repo;
  const url = `${repoApiUrl(w, repo)}/issues/comments/${c.id}`;
  return {
    url,
    html_url: `${w.webUrl}/${repo.owner.login}/${repo.name}/issues/${c.issue.number}#issuecomment-${c.id}`,
    issue_url: issueApiUrl(w, c.issue),
    id: c.id,
    node_id: nodeId("IC", c.id),
    user: simpleUser(w, c.user),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    body: c.body,
    author_association: w.authorAssociation(c.user, repo),
    reactions: reactionRollup(`${url}/reactions`, c.reactions),
    performed_via_github_app: c.viaApp ? integration(w) : null,
  };
}

export function repository(w: World, repo: RepoRecord) {
  const api = repoApiUrl(w, repo);
  const html = `${w.webUrl}/${repo.owner.login}/${repo.name}`;
  const host = new URL(w.webUrl).host;
  const openIssues = [...repo.issues.values()].filter(
    (i) => !i.deleted && i.state === "open",
  ).length;
  return {
    id: repo.id,
    node_id: nodeId("R", repo.id),
    name: repo.name,
    full_name: `${repo.owner.login}/${repo.name}`,
    private: repo.private,
    owner: simpleUser(w, repo.owner),
    html_url: html,
    description: repo.description,
    fork: repo.fork === true,
    url: api,
    archive_url: `${api}/{archive_format}{/ref}`,
    assignees_url: `${api}/assignees{/user}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`,
    compare_url: `${api}/compare/{base}...{head}`,
    contents_url: `${api}/contents/{+path}`,
    contributors_url: `${api}/contributors`,
    deployments_url: `${api}/deployments`,
    downloads_url: `${api}/downloads`,
    events_url: `${api}/events`,
    forks_url: `${api}/forks`,
    git_commits_url: `${api}/git/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_url: `git://${host}/${repo.owner.login}/${repo.name}.git`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`,
    issues_url: `${api}/issues{/number}`,
    keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`,
    languages_url: `${api}/languages`,
    merges_url: `${api}/merges`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    pulls_url: `${api}/pulls{/number}`,
    releases_url: `${api}/releases{/id}`,
    ssh_url: `git@${host}:${repo.owner.login}/${repo.name}.git`,
    stargazers_url: `${api}/stargazers`,
    statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`,
    teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`,
    clone_url: `${html}.git`,
    mirror_url: null,
    hooks_url: `${api}/hooks`,
    svn_url: html,
    homepage: null,
    language: "TypeScript",
    forks_count: 0,
    forks: 0,
    stargazers_count: 0,
    watchers_count: 0,
    watchers: 0,
    size: 1,
    default_branch: repo.defaultBranch,
    open_issues_count: openIssues,
    open_issues: openIssues,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: true,
    has_wiki: false,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: repo.private ? "private" : "public",
    pushed_at: repo.createdAt,
    created_at: repo.createdAt,
    updated_at: repo.createdAt,
    allow_forking: true,
    web_commit_signoff_required: false,
    license: null,
    subscribers_count: 0,
    network_count: 0,
  };
}

export function issueEvent(w: World, i: IssueRecord, e: IssueEventRecord) {
  const out: Record<string, unknown> = {
    id: e.id,
    node_id: nodeId("LE", e.id),
    url: `${repoApiUrl(w, i.repo)}/issues/events/${e.id}`,
    actor: simpleUser(w, e.actor),
    event: e.event,
    commit_id: e.commit?.sha ?? null,
    commit_url: e.commit ? `${repoApiUrl(w, e.commit.repo)}/commits/${e.commit.sha}` : null,
    created_at: e.createdAt,
    performed_via_github_app: e.viaApp ? integration(w) : null,
  };
  if (e.label) out.label = e.label;
  if (e.assignee) {
    out.assignee = simpleUser(w, e.assignee);
    out.assigner = simpleUser(w, e.actor);
  }
  if (e.milestone) out.milestone = e.milestone;
  if (e.rename) out.rename = e.rename;
  if (e.stateReason !== undefined) out.state_reason = e.stateReason;
  if (e.lockReason !== undefined) out.lock_reason = e.lockReason;
  return out;
}

/** An item of an issue's timeline: an issue event, or a cross-reference from a pull request. */
export function timelineEvent(w: World, i: IssueRecord, e: IssueEventRecord) {
  if (e.event === "cross-referenced" && e.source) {
    return {
      event: e.event,
      actor: simpleUser(w, e.actor),
      created_at: e.createdAt,
      updated_at: e.createdAt,
      source: { type: "issue", issue: issue(w, e.source) },
    };
  }
  return issueEvent(w, i, e);
}

export function timelineComment(w: World, c: CommentRecord) {
  return { event: "commented", actor: simpleUser(w, c.user), ...comment(w, c) };
}

export function checkRun(w: World, repo: RepoRecord, c: CheckRunRecord) {
  const url = `${repoApiUrl(w, repo)}/check-runs/${c.id}`;
  return {
    id: c.id,
    head_sha: c.headSha,
    node_id: nodeId("CR", c.id),
    external_id: c.externalId ?? "",
    url,
    html_url: `${w.webUrl}/${repo.owner.login}/${repo.name}/runs/${c.id}`,
    details_url: c.detailsUrl ?? `${w.webUrl}/${repo.owner.login}/${repo.name}/runs/${c.id}`,
    status: c.status,
    conclusion: c.conclusion,
    started_at: c.startedAt,
    completed_at: c.completedAt,
    output: {
      title: c.output.title,
      summary: c.output.summary,
      text: c.output.text,
      annotations_count: 0,
      annotations_url: `${url}/annotations`,
    },
    name: c.name,
    check_suite: { id: c.id + 1 },
    app: c.app.id === w.app.id ? integration(w) : otherIntegration(w, c.app),
    // GitHub lists the open pull requests of this repository whose head is the run's commit.
    pull_requests: [...repo.issues.values()]
      // A fork's pull requests are left out, as GitHub does.
      .filter(
        (pr) =>
          pr.pull &&
          !pr.pull.headRepo &&
          !pr.deleted &&
          pr.state === "open" &&
          pr.pull.headSha === c.headSha,
      )
      .map((pr) => {
        const ref = (name: string, sha: string) => ({
          ref: name,
          sha,
          repo: { id: repo.id, url: repoApiUrl(w, repo), name: repo.name },
        });
        return {
          id: pr.id,
          number: pr.number,
          url: `${repoApiUrl(w, repo)}/pulls/${pr.number}`,
          head: ref(pr.pull?.headRef ?? "", pr.pull?.headSha ?? ""),
          base: ref(pr.pull?.baseRef ?? "", pr.pull?.baseSha ?? ""),
        };
      }),
  };
}

/** Another GitHub App than the emulated one (github-actions for a GITHUB_TOKEN), as `integration`. */
export function otherIntegration(w: World, app: AppIdentity) {
  const github: UserRecord = {
    id: 9919,
    login: "github",
    type: "Organization",
    role: "none",
    orgMember: false,
  };
  return {
    id: app.id,
    slug: app.slug,
    node_id: nodeId("A", app.id),
    client_id: `Iv1.${app.id.toString(16).padStart(16, "0")}`,
    owner: simpleUser(w, github),
    name: app.slug === "github-actions" ? "GitHub Actions" : app.slug,
    description: "",
    external_url: `${w.webUrl}/apps/${app.slug}`,
    html_url: `${w.webUrl}/apps/${app.slug}`,
    created_at: "2018-07-30T09:30:17Z",
    updated_at: "2024-04-10T20:33:16Z",
    permissions: { checks: "write", metadata: "read" },
    events: ["check_run", "check_suite"],
  };
}

export function status(w: World, repo: RepoRecord, s: StatusRecord) {
  return {
    url: `${repoApiUrl(w, repo)}/statuses/${s.sha}`,
    avatar_url: null,
    id: s.id,
    node_id: nodeId("SC", s.id),
    state: s.state,
    description: s.description,
    target_url: s.targetUrl,
    context: s.context,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
    creator: simpleUser(w, s.creator),
  };
}

/** Git blob sha of a text, as GitHub computes it. */
export function blobSha(content: string): string {
  const bytes = Buffer.from(content, "utf8");
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

export function contentFile(
  w: World,
  repo: RepoRecord,
  path: string,
  ref: string,
  file: { content: string; sha: string },
) {
  const api = `${repoApiUrl(w, repo)}/contents/${path}?ref=${encodeURIComponent(ref)}`;
  const html = `${w.webUrl}/${repo.owner.login}/${repo.name}/blob/${ref}/${path}`;
  const git = `${repoApiUrl(w, repo)}/git/blobs/${file.sha}`;
  // GitHub wraps base64 content at 60 characters.
  const b64 = Buffer.from(file.content, "utf8").toString("base64");
  return {
    type: "file",
    encoding: "base64",
    size: Buffer.byteLength(file.content),
    name: path.split("/").pop() ?? path,
    path,
    content: (b64.match(/.{1,60}/g) ?? [""]).join("\n") + "\n",
    sha: file.sha,
    url: api,
    git_url: git,
    html_url: html,
    download_url: `${w.webUrl}/raw/${repo.owner.login}/${repo.name}/${ref}/${path}`,
    _links: { self: api, git, html },
  };
}

// ---- commits, pull requests and deployments ----

export function commit(w: World, repo: RepoRecord, c: CommitRecord) {
  const api = repoApiUrl(w, repo);
  const html = `${w.webUrl}/${repo.owner.login}/${repo.name}`;
  const person = {
    name: c.author.login,
    email: `${c.author.login}@users.noreply.emulator`,
    date: c.date,
  };
  const author = c.author.type === "Organization" ? null : simpleUser(w, c.author);
  return {
    url: `${api}/commits/${c.sha}`,
    sha: c.sha,
    node_id: nodeId("C", c.seq),
    html_url: `${html}/commit/${c.sha}`,
    comments_url: `${api}/commits/${c.sha}/comments`,
    commit: {
      url: `${api}/git/commits/${c.sha}`,
      author: person,
      committer: person,
      message: c.message,
      comment_count: 0,
      tree: { sha: c.treeSha, url: `${api}/git/trees/${c.treeSha}` },
      verification: {
        verified: false,
        reason: "unsigned",
        payload: null,
        signature: null,
        verified_at: null,
      },
    },
    author,
    committer: author,
    parents: c.parents.map((sha) => ({
      sha,
      url: `${api}/commits/${sha}`,
      html_url: `${html}/commit/${sha}`,
    })),
  };
}

export function comparison(
  w: World,
  repo: RepoRecord,
  base: CommitRecord,
  head: CommitRecord,
  result: Comparison,
  basehead: string,
) {
  const api = repoApiUrl(w, repo);
  const html = `${w.webUrl}/${repo.owner.login}/${repo.name}`;
  return {
    url: `${api}/compare/${basehead}`,
    html_url: `${html}/compare/${basehead}`,
    permalink_url: `${html}/compare/${repo.owner.login}:${base.sha.slice(0, 7)}...${repo.owner.login}:${head.sha.slice(0, 7)}`,
    diff_url: `${html}/compare/${basehead}.diff`,
    patch_url: `${html}/compare/${basehead}.patch`,
    base_commit: commit(w, repo, base),
    merge_base_commit: commit(w, repo, result.mergeBase),
    status: result.status,
    ahead_by: result.aheadBy,
    behind_by: result.behindBy,
    total_commits: result.commits.length,
    // GitHub lists at most 250 commits in a comparison.
    commits: result.commits.slice(0, 250).map((c) => commit(w, repo, c)),
    files: [],
  };
}

export function pullRequest(w: World, pr: IssueRecord) {
  const pull = pr.pull;
  if (!pull) throw new Error(`#${pr.number} is not a pull request`);
  const repo = pr.repo;
  const api = repoApiUrl(w, repo);
  const html = `${w.webUrl}/${repo.owner.login}/${repo.name}`;
  const url = `${api}/pulls/${pr.number}`;
  const asIssue = issue(w, pr);
  const files = w.pullFiles(pr);
  const side = (ref: string, sha: string, of: RepoRecord = repo) => ({
    label: `${of.owner.login}:${ref}`,
    ref,
    sha,
    user: simpleUser(w, of.owner),
    repo: repository(w, of),
  });
  const link = (href: string) => ({ href });
  return {
    url,
    id: pr.id,
    node_id: nodeId("PR", pr.id),
    html_url: `${html}/pull/${pr.number}`,
    diff_url: `${html}/pull/${pr.number}.diff`,
    patch_url: `${html}/pull/${pr.number}.patch`,
    issue_url: issueApiUrl(w, pr),
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${issueApiUrl(w, pr)}/comments`,
    statuses_url: `${api}/statuses/${pull.headSha}`,
    number: pr.number,
    state: pr.state,
    locked: pr.locked,
    title: pr.title,
    user: simpleUser(w, pr.user),
    body: pr.body,
    labels: asIssue.labels,
    milestone: asIssue.milestone,
    active_lock_reason: pr.lockReason,
    created_at: pr.createdAt,
    updated_at: pr.updatedAt,
    closed_at: pr.closedAt,
    merged_at: pull.mergedAt,
    merge_commit_sha: pull.mergeCommitSha,
    assignee: asIssue.assignee,
    assignees: asIssue.assignees,
    requested_reviewers: [],
    requested_teams: [],
    head: side(pull.headRef, pull.headSha, pull.headRepo),
    base: side(pull.baseRef, pull.baseSha),
    _links: {
      self: link(url),
      html: link(`${html}/pull/${pr.number}`),
      issue: link(issueApiUrl(w, pr)),
      comments: link(`${issueApiUrl(w, pr)}/comments`),
      review_comments: link(`${url}/comments`),
      review_comment: link(`${api}/pulls/comments{/number}`),
      commits: link(`${url}/commits`),
      statuses: link(`${api}/statuses/${pull.headSha}`),
    },
    author_association: w.authorAssociation(pr.user, repo),
    auto_merge: null,
    draft: false,
    merged: pull.merged,
    mergeable: pull.merged || pr.state === "closed" ? null : true,
    rebaseable: pull.merged || pr.state === "closed" ? null : true,
    mergeable_state: pull.merged || pr.state === "closed" ? "unknown" : "clean",
    merged_by: pull.mergedBy ? simpleUser(w, pull.mergedBy) : null,
    comments: pr.commentCount,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: w.pullCommits(pr).length,
    additions: files.reduce((sum, f) => sum + f.additions, 0),
    deletions: files.reduce((sum, f) => sum + f.deletions, 0),
    changed_files: files.length,
  };
}

/** A pull request's changed file (`GET /pulls/{n}/files`, the `diff-entry` schema). */
export function pullFile(w: World, pr: IssueRecord, f: FileChange) {
  const repo = pr.repo;
  const head = pr.pull?.headSha ?? "";
  const path = f.filename.split("/").map(encodeURIComponent).join("/");
  const html = `${w.webUrl}/${repo.owner.login}/${repo.name}`;
  return {
    // A removed file's blob is the one before; the emulator keeps no contents, so it names both.
    sha: createHash("sha1").update(`blob ${head} ${f.filename} ${f.status}`).digest("hex"),
    filename: f.filename,
    status: f.status,
    additions: f.additions,
    deletions: f.deletions,
    changes: f.additions + f.deletions,
    blob_url: `${html}/blob/${head}/${path}`,
    raw_url: `${html}/raw/${head}/${path}`,
    contents_url: `${repoApiUrl(w, repo)}/contents/${path}?ref=${head}`,
    ...(f.patch !== undefined ? { patch: f.patch } : {}),
    ...(f.previousFilename !== undefined ? { previous_filename: f.previousFilename } : {}),
  };
}

export function deployment(w: World, repo: RepoRecord, d: DeploymentRecord) {
  const url = `${repoApiUrl(w, repo)}/deployments/${d.id}`;
  return {
    url,
    id: d.id,
    node_id: nodeId("DE", d.id),
    sha: d.sha,
    ref: d.ref,
    task: d.task,
    payload: d.payload,
    original_environment: d.originalEnvironment,
    environment: d.environment,
    description: d.description,
    creator: simpleUser(w, d.creator),
    created_at: d.createdAt,
    updated_at: d.updatedAt,
    statuses_url: `${url}/statuses`,
    repository_url: repoApiUrl(w, repo),
    transient_environment: d.transientEnvironment,
    production_environment: d.productionEnvironment,
    performed_via_github_app: d.viaApp ? integration(w) : null,
  };
}

export function deploymentStatus(
  w: World,
  repo: RepoRecord,
  d: DeploymentRecord,
  s: DeploymentStatusRecord,
) {
  const deploymentUrl = `${repoApiUrl(w, repo)}/deployments/${d.id}`;
  return {
    url: `${deploymentUrl}/statuses/${s.id}`,
    id: s.id,
    node_id: nodeId("DES", s.id),
    state: s.state,
    creator: simpleUser(w, s.creator),
    description: s.description,
    environment: s.environment,
    target_url: s.targetUrl,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
    deployment_url: deploymentUrl,
    repository_url: repoApiUrl(w, repo),
    ...(s.environmentUrl !== null ? { environment_url: s.environmentUrl } : {}),
    ...(s.logUrl !== null ? { log_url: s.logUrl } : {}),
    performed_via_github_app: s.viaApp ? integration(w) : null,
  };
}
