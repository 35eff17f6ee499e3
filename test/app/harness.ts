import { expect } from "vitest";
import { createPostmortemApp } from "../../src/app/app.js";
import type { FakeGitHub } from "../support/github-api.js";
import type { FakeIssue } from "../support/repo-state.js";
import { FakeRepo } from "../support/repo-state.js";
import { webhook } from "../support/webhooks.js";

export const OWNER = "acme";
export const REPO = "web";
export const BOT = "postmortem-bot[bot]";
const INSTALLATION = 1;

/** The moment every App test runs at: nothing here may depend on the real date. */
export const NOW = new Date("2026-11-27T13:00:00Z");

/** The App with its clock fixed at NOW, knowing its slug (no `GET /app`: see identity.test.ts). */
export const app = createPostmortemApp({ now: () => NOW, appSlug: "postmortem-bot" });

/** A repository with one incident issue (#1), served statefully by the fake API. */
export function repositoryWithIncident(
  api: FakeGitHub,
  incident: Partial<Parameters<FakeRepo["addIssue"]>[0]> = {},
) {
  const repo = new FakeRepo(OWNER, REPO, { now: NOW }).serve(api);
  const issue = repo.addIssue({
    title: "Checkout returns 500",
    body: "Checkout fails for EU users since the 13:00 deploy.\n\nMore detail.",
    labels: ["incident"],
    assignees: ["bob"],
    user: "alice",
    ...incident,
  });
  expect(issue.number === 1 ? issue.created_at : INCIDENT_OPENED_AT).toBe(INCIDENT_OPENED_AT);
  return { repo, incident: issue };
}

/** `.github/postmortem.yml` in the repository and in the org's `.github` repository (404 when absent). */
export function serveConfig(
  api: FakeGitHub,
  files: { repo?: string; org?: string; extra?: Record<string, string> } = {},
) {
  const file = (content: string | undefined) =>
    content === undefined
      ? {
          status: 404,
          body: { message: "Not Found", documentation_url: "https://docs.github.com/rest" },
        }
      : {
          status: 200,
          body: content,
          headers: { "content-type": "application/vnd.github.raw+json; charset=utf-8" },
        };
  api.expect(`GET /repos/${OWNER}/${REPO}/contents/{path}`, {
    persist: true,
    name: "repository files",
    reply: (request) => {
      const path = decodeURIComponent(String(request.params.path));
      return file(path === ".github/postmortem.yml" ? files.repo : files.extra?.[path]);
    },
  });
  api.expect(`GET /repos/${OWNER}/.github/contents/{path}`, {
    persist: true,
    name: "org config",
    reply: file(files.org),
  });
}

export function asPayloadIssue(issue: FakeIssue) {
  return {
    number: issue.number,
    id: issue.id,
    title: issue.title,
    body: issue.body,
    labels: issue.labels.map((label) => label.name),
    assignees: issue.assignees.map((user) => user.login),
    user: issue.user.login,
  };
}

/** GitHub sets the issue's `updated_at` to the moment of labeling. */
export const LABELED_AT = "2026-11-27T13:07:00Z";

export function labeled(issue: FakeIssue, label = "incident", sender = "dave") {
  return webhook("issues.labeled")
    .repo(OWNER, REPO)
    .issue(asPayloadIssue(issue))
    .label(label)
    .sender(sender)
    .installation(INSTALLATION)
    .edit((payload) => {
      payload.issue.created_at = issue.created_at;
      payload.issue.updated_at = LABELED_AT;
    });
}

export function opened(issue: FakeIssue, sender = issue.user.login) {
  return webhook("issues.opened")
    .repo(OWNER, REPO)
    .issue(asPayloadIssue(issue))
    .sender(sender)
    .installation(INSTALLATION)
    .edit((payload) => {
      payload.issue.created_at = issue.created_at;
    });
}

export function commented(issue: FakeIssue, body: string, user: string, id = 7001) {
  return webhook("issue_comment.created")
    .repo(OWNER, REPO)
    .issue(asPayloadIssue(issue))
    .comment({ id, body, user })
    .sender(user)
    .installation(INSTALLATION)
    .edit((payload) => {
      payload.issue.created_at = issue.created_at;
    });
}

export function postmortemsIn(repo: FakeRepo) {
  return repo.issues.filter((issue) => issue.labels.some((label) => label.name === "postmortem"));
}

/** The requests a delivery makes to read the config when neither file exists. */
export const CONFIG_READS = [
  { method: "GET", path: `/repos/${OWNER}/${REPO}/contents/.github%2Fpostmortem.yml` },
  { method: "GET", path: `/repos/${OWNER}/.github/contents/.github%2Fpostmortem.yml` },
];

/** When incident #1 was opened: the fake repository's clock ticks a second per change. */
export const INCIDENT_OPENED_AT = "2026-11-27T13:00:01Z";

/** The listing of post-mortems updated since the incident was opened. */
export function postmortemListing(since = INCIDENT_OPENED_AT) {
  return {
    method: "GET",
    path: `/repos/${OWNER}/${REPO}/issues`,
    query: {
      labels: "postmortem",
      state: "all",
      sort: "created",
      direction: "asc",
      per_page: "100",
      since,
    },
  };
}

export function incidentCommentsRead(incident = 1) {
  return {
    method: "GET",
    path: `/repos/${OWNER}/${REPO}/issues/${incident}/comments`,
    query: { per_page: "100" },
  };
}

/**
 * The one listing of closed pull requests into the default branch that opening a post-mortem adds
 * for its Changes before the incident block (the webhook examples' repository's branch: master).
 */
export function closedPullsListing(base = "master") {
  return {
    method: "GET",
    path: `/repos/${OWNER}/${REPO}/pulls`,
    query: { state: "closed", base, sort: "updated", direction: "desc", per_page: "100" },
  };
}

/** The first round of reading the incident's state: three reads at once. */
export function stateReads(incident = 1) {
  return [
    { method: "GET", path: `/repos/${OWNER}/${REPO}/issues/${incident}` },
    postmortemListing(),
    incidentCommentsRead(incident),
  ];
}

export function expectOnePostmortem(repo: FakeRepo) {
  const open = postmortemsIn(repo).filter((issue) => issue.state === "open");
  expect(open).toHaveLength(1);
  return { ...open[0]!, body: open[0]!.body ?? "" };
}

/** A person's edit of an issue body, as GitHub reports it (`changes.body.from`). */
export function edited(issue: FakeIssue, from: string, sender: string) {
  return webhook("issues.edited", { fixture: "issues.edited.body-changed" })
    .repo(OWNER, REPO)
    .issue(asPayloadIssue(issue))
    .changes({ body: { from } })
    .sender(sender)
    .installation(INSTALLATION);
}

export function closed(issue: FakeIssue, reason: "completed" | "not_planned", sender: string) {
  return webhook("issues.closed")
    .repo(OWNER, REPO)
    .issue({ ...asPayloadIssue(issue), state: "closed", state_reason: reason })
    .sender(sender)
    .installation(INSTALLATION);
}

/** Everyone can be assigned unless listed. */
export function serveAssignees(api: FakeGitHub, unassignable: string[] = []) {
  api.expect(`GET /repos/${OWNER}/${REPO}/assignees/{assignee}`, {
    persist: true,
    name: "assignees",
    reply: (request) =>
      unassignable.includes(String(request.params.assignee))
        ? { status: 404, body: { message: "Not Found" } }
        : { status: 204 },
  });
}

/** The next issue create succeeds on GitHub but its answer is lost (a 502 after the write). */
export function loseAnswerOfNextCreate(api: FakeGitHub, repo: FakeRepo) {
  api.expect(`POST /repos/${OWNER}/${REPO}/issues`, {
    name: "create succeeds, answer lost",
    reply: (request) => {
      const body = request.body as {
        title: string;
        body: string;
        labels: string[];
        assignees: string[];
      };
      repo.addIssue({ ...body, user: BOT });
      return { status: 502, body: { message: "Server Error" } };
    },
  });
}

/** People's roles here, as GitHub answers `…/collaborators/{username}/permission`; others: none. */
export function servePermissions(api: FakeGitHub, roles: Record<string, string>) {
  api.expect(`GET /repos/${OWNER}/${REPO}/collaborators/{username}/permission`, {
    persist: true,
    name: "permissions",
    reply: (request) => {
      const role = roles[String(request.params.username)] ?? "none";
      const permission = role === "maintain" ? "write" : role === "triage" ? "read" : role;
      return [200, { permission, role_name: role, user: null }];
    },
  });
}

/** The read of one person's permission. */
export function permissionRead(login: string) {
  return { method: "GET", path: `/repos/${OWNER}/${REPO}/collaborators/${login}/permission` };
}
