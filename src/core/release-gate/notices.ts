import type { Config } from "../config.js";
import type { Notice } from "../notify/notice.js";
import { distinctLogins, noticeSubject } from "../notify/subject.js";
import type { Severity } from "../policy/config.js";
import { SEVERITIES } from "../policy/config.js";
import type { ReleaseGateVerdict } from "./gate.js";

export interface ReleaseGateNoticeInput {
  verdict: Pick<ReleaseGateVerdict, "passed" | "blocking">;
  /** What the gate judged a release of: the commit's SHA, else the ref. */
  release: string;
  config: Config;
  url: (issueNumber: number) => string;
}

/**
 * `release-gate-blocking`, once per commit (or ref) the gate blocks: claimed on the
 * lowest-numbered blocking post-mortem, whose title and link it carries; its severity is the most
 * severe of the blocking ones (so a P1 among them is routed as a P1), its people their assignees,
 * and its detail says how many block. A rerun of the same commit gives the same key.
 */
export function releaseGateNotice(input: ReleaseGateNoticeInput): Notice | undefined {
  const blocking = [...input.verdict.blocking].sort(
    (a, b) => a.postmortem.number - b.postmortem.number,
  );
  const first = blocking[0];
  if (input.verdict.passed || first === undefined) return undefined;
  const severity: Severity | undefined = SEVERITIES.find((candidate) =>
    blocking.some((entry) => entry.severity === candidate),
  );
  const numbers = blocking.map((entry) => `#${entry.postmortem.number}`).join(", ");
  const count =
    blocking.length === 1 ? "1 post-mortem blocks" : `${blocking.length} post-mortems block`;
  return {
    ...noticeSubject(first.postmortem, input.config, input.url),
    severity,
    event: "release-gate-blocking",
    key: `release-gate-blocking:${input.release}`,
    issueNumber: first.postmortem.number,
    people: distinctLogins(blocking.flatMap((entry) => entry.postmortem.assignees)),
    detail: `${count} the release of ${shortRelease(input.release)}: ${numbers}`,
  };
}

/** A commit's SHA as GitHub shows it (7 characters); a ref as it is. */
function shortRelease(release: string): string {
  return /^[0-9a-f]{40}$/.test(release) ? release.slice(0, 7) : release;
}
