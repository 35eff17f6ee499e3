import { findMarker } from "../markers.js";
import type { Notice } from "../notify/notice.js";
import { issueUrl } from "../notify/subject.js";
import type { IssueSnapshot, RepositoryRef } from "../snapshots.js";

/**
 * `opened`: the incident flow opened this post-mortem. Keyed by the post-mortem, so the replicas
 * and redeliveries that raced to open it claim one message. The people who must act are the
 * post-mortem's assignees (the incident's when it has none); its severity is the one it was
 * opened with (its marker).
 */
export function openedNotice(
  postmortem: IssueSnapshot,
  incident: IssueSnapshot | undefined,
  repository: Pick<RepositoryRef, "owner" | "repo">,
): Notice {
  const people =
    postmortem.assignees.length > 0 ? postmortem.assignees : (incident?.assignees ?? []);
  return {
    event: "opened",
    key: `opened:#${postmortem.number}`,
    issueNumber: postmortem.number,
    postmortem: postmortem.number,
    severity: findMarker(postmortem.body, "postmortem")?.severity,
    title: postmortem.title,
    // Its `html_url` (GitHub Enterprise too), else where github.com shows it.
    url: postmortem.htmlUrl ?? issueUrl(repository, postmortem.number),
    people,
  };
}
