import { readPostmortemBody } from "../capa/items.js";
import type { Config } from "../config.js";
import { findMarker } from "../markers.js";
import type { Severity } from "../policy/config.js";
import { incidentSeverity } from "../policy/resolve.js";
import type { IssueSnapshot, RepositoryRef } from "../snapshots.js";
import type { Notice } from "./notice.js";

/** Where GitHub shows an issue (github.com unless the run knows its server, as the Action does). */
export function issueUrl(
  repository: Pick<RepositoryRef, "owner" | "repo">,
  issueNumber: number,
  server = "https://github.com",
): string {
  return `${server.replace(/\/+$/, "")}/${repository.owner}/${repository.repo}/issues/${issueNumber}`;
}

/** What every notice about a post-mortem says of it: its severity, title and link, and privacy. */
export type NoticeSubject = Pick<Notice, "postmortem" | "severity" | "title" | "url" | "private">;

/**
 * A post-mortem as a notice names it. Its severity is the one rule's (its checked box, its
 * incident's labels when read, its marker's severity); a private post-mortem (its incident is in
 * another repository) is flagged, and its title left out, so no message names it.
 */
export function noticeSubject(
  postmortem: IssueSnapshot,
  config: Config,
  url: (issueNumber: number) => string,
  incidentLabels?: readonly string[],
): NoticeSubject {
  const isPrivate = findMarker(postmortem.body, "postmortem")?.source !== undefined;
  return {
    postmortem: postmortem.number,
    severity: postmortemSeverity(postmortem, config, incidentLabels),
    // Not even handed on: what a notice does not carry, no message format can leak.
    title: isPrivate ? "" : postmortem.title,
    url: url(postmortem.number),
    ...(isPrivate ? { private: true } : {}),
  };
}

export function postmortemSeverity(
  postmortem: IssueSnapshot,
  config: Config,
  incidentLabels?: readonly string[],
): Severity | undefined {
  return incidentSeverity(
    {
      checked: readPostmortemBody(postmortem.body).checkedSeverity,
      labels: incidentLabels,
      answered: findMarker(postmortem.body, "postmortem")?.severity,
    },
    config,
  );
}

/** Logins without `@`, each once (compared without case), in order. */
export function distinctLogins(logins: readonly string[]): string[] {
  const seen = new Set<string>();
  return logins.filter((login) => {
    const key = login.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Whether any `notify:` route may send `event` (whatever its severity): a flow reads nothing more
 * for a notice no route can send.
 */
export function mayNotify(config: Pick<Config, "notify">, event: Notice["event"]): boolean {
  return config.notify.routes.some((route) => route.events?.includes(event) ?? true);
}
