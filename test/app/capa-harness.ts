// The CAPA App tests' setup: an incident's post-mortem opened by the App, and a person's edits.
import type { FakeGitHub } from "../support/github-api.js";
import { formatMarker } from "../../src/core/markers.js";
import { createTestProbot } from "../support/probot.js";
import type { FakeRepo } from "../support/repo-state.js";
import { makeUser } from "../support/webhooks.js";
import {
  app,
  BOT,
  edited,
  expectOnePostmortem,
  labeled,
  repositoryWithIncident,
  serveAssignees,
  serveConfig,
  servePermissions,
} from "./harness.js";

export const VALIDATION = "- [ ] Add automated validation checks (CI/CD gates)";
export const RUNBOOKS = "- [ ] Update runbooks/playbooks";

/** An incident with its post-mortem (#2) opened by the App, ready for CAPA edits. */
export async function withPostmortem(
  api: FakeGitHub,
  unassignable: string[] = [],
  roles: Record<string, string> = {},
  config?: string,
  /** Other files of the repository (path → text), e.g. `.github/CODEOWNERS`. */
  files?: Record<string, string>,
) {
  const { repo, incident } = repositoryWithIncident(api);
  serveConfig(api, { repo: config, ...(files ? { extra: files } : {}) });
  serveAssignees(api, unassignable);
  // alice, who edits in these tests, may write; anyone not listed has no access.
  servePermissions(api, { alice: "write", ...roles });
  const probot = await createTestProbot(app);
  await probot.deliver(labeled(incident));
  const postmortem = repo.issue(expectOnePostmortem(repo).number)!;
  const mark = api.requests.length;
  /** The requests since the post-mortem was opened. */
  const requestsSince = () => api.requests.slice(mark);
  return { repo, postmortem, requestsSince, ...probot };
}

/** A person edits the post-mortem's body: the fake repository changes, then the webhook arrives. */
export function personEdits(
  repo: FakeRepo,
  number: number,
  edit: (body: string) => string,
  sender = "alice",
) {
  const issue = repo.issue(number)!;
  const from = issue.body ?? "";
  issue.body = edit(from);
  return edited(issue, from, sender);
}

export const childrenIn = (repo: FakeRepo) =>
  repo.issues.filter((issue) => issue.labels.some((label) => label.name === "capa"));
/** The requests that change something (a GraphQL question is a read). */
export const writes = <T extends { method: string; path: string }>(requests: T[]) =>
  requests
    .filter((request) => request.method !== "GET" && request.path !== "/graphql")
    .map((request) => `${request.method} ${request.path}`);

/** The post-mortem as if `author` had written it and the App adopted it: they can edit its body. */
export function adoptedFrom(repo: FakeRepo, number: number, author = "rita") {
  const issue = repo.issue(number)!;
  issue.user = makeUser(author);
  repo.addComment(number, {
    body: `📎 Adopted as a post-mortem.\n\n${formatMarker("adopted", { issue: number })}`,
    user: BOT,
  });
}

/** One round of the CAPA flow's reads: the post-mortem, its children's listing, its comments. */
export function capaReads(since = "2026-11-27T13:00:02Z") {
  return [
    { method: "GET", path: "/repos/acme/web/issues/2" },
    {
      method: "GET",
      path: "/repos/acme/web/issues",
      query: {
        labels: "capa",
        state: "all",
        sort: "created",
        direction: "asc",
        per_page: "100",
        since,
      },
    },
    { method: "GET", path: "/repos/acme/web/issues/2/comments", query: { per_page: "100" } },
  ];
}
