// Issues written straight into the emulator with the times a report reads (opened, closed), as
// months of incident work leave them: for the report's end-to-end tests and `npm run bench`.
import type { GitHubEmulator } from "../../emulator/index.js";
import type { StateReason } from "../../emulator/model.js";

export const APP_BOT = "postmortem-bot[bot]";
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface SeededIssue {
  by: string;
  title: string;
  body?: string;
  labels: string[];
  assignees?: string[];
  createdAt: string;
  closed?: { at: string; reason: StateReason };
}

/** Creates the issue (no webhook target needs to listen) and sets its times; its number. */
export function seedIssue(emulator: GitHubEmulator, spec: SeededIssue): number {
  const { number } = emulator.openIssue({
    by: spec.by,
    title: spec.title,
    body: spec.body ?? "",
    labels: spec.labels,
    assignees: spec.assignees ?? [],
  }) as { number: number };
  const record = emulator.state.issue(emulator.mainRepo, number);
  record.createdAt = spec.createdAt;
  record.updatedAt = spec.closed?.at ?? spec.createdAt;
  if (spec.closed) {
    record.state = "closed";
    record.stateReason = spec.closed.reason;
    record.closedAt = spec.closed.at;
  }
  return number;
}

/** A post-mortem body as the App writes it: the classification boxes and the incident marker. */
export function postmortemBody(incident: number, severity?: "P1" | "P2" | "P3" | "P4"): string {
  return [
    `Post-mortem of #${incident}.`,
    "",
    "## 10. Incident Classification",
    "",
    ...["P1", "P2", "P3", "P4"].map(
      (level) => `- [${level === severity ? "x" : " "}] ${level} - severity ${level}  `,
    ),
    "",
    `<!-- postmortem-bot:postmortem {"incident":${incident}} -->`,
    "",
  ].join("\n");
}

/** A CAPA child's body as the App writes it: Owner and Due lines, and the marker to its parent. */
export function actionBody(parent: number, key: string, owner: string, due: string): string {
  return [
    `Corrective or preventive action from post-mortem #${parent}.`,
    "",
    `**Owner:** ${owner}  `,
    "**Category:** Technical Fixes  ",
    `Due: ${due}`,
    "",
    `<!-- postmortem-bot:capa {"parent":${parent},"key":"${key}"} -->`,
    "",
  ].join("\n");
}

export interface Volume {
  incidents: number;
  actionsPerPostmortem: number;
  /** When the first incident opened; one opens every four hours after it. */
  start: string;
}

/**
 * `incidents` incidents, each with its post-mortem and `actionsPerPostmortem` actions, all made
 * by rules the expected numbers follow from:
 * - incident i opens at start + 4 h × i with label P1, P2, P3, P4 or none (i mod 5) and closes
 *   1 + (i mod 10) hours later;
 * - its post-mortem opens an hour after that; every even one is approved (closed) 24 h later;
 * - action j of a post-mortem opens an hour after it, due 14 days later, and is: done on time
 *   (j mod 6 = 0 or 5), done three days late (1), won't do (2), open and overdue by the end of
 *   the due day (3), open and due on 2027-06-30 (4).
 */
export function seedVolume(emulator: GitHubEmulator, volume: Volume): void {
  const start = Date.parse(volume.start);
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, "Z");
  for (let i = 0; i < volume.incidents; i++) {
    const opened = start + i * 4 * HOUR_MS;
    const closed = opened + (1 + (i % 10)) * HOUR_MS;
    const label = (["P1", "P2", "P3", "P4"] as const)[i % 5];
    const incident = seedIssue(emulator, {
      by: "carol",
      title: `Incident ${i}`,
      labels: label ? ["incident", label] : ["incident"],
      createdAt: iso(opened),
      closed: { at: iso(closed), reason: "completed" },
    });
    const postmortemOpened = closed + HOUR_MS;
    const postmortem = seedIssue(emulator, {
      by: APP_BOT,
      title: `Post-mortem: Incident ${i}`,
      body: postmortemBody(incident),
      labels: ["postmortem"],
      createdAt: iso(postmortemOpened),
      ...(i % 2 === 0
        ? { closed: { at: iso(closed + 24 * HOUR_MS), reason: "completed" as const } }
        : {}),
    });
    for (let j = 0; j < volume.actionsPerPostmortem; j++) {
      const actionOpened = postmortemOpened + HOUR_MS + j * 60_000;
      const due = iso(actionOpened + 14 * DAY_MS).slice(0, 10);
      const kind = j % 6;
      const closedAs: SeededIssue["closed"] =
        kind === 0 || kind === 5
          ? { at: iso(actionOpened + 2 * DAY_MS), reason: "completed" }
          : kind === 1
            ? { at: iso(Date.parse(due) + 3 * DAY_MS), reason: "completed" }
            : kind === 2
              ? { at: iso(actionOpened + DAY_MS), reason: "not_planned" }
              : undefined;
      seedIssue(emulator, {
        by: APP_BOT,
        title: `CAPA: Action ${j} of incident ${i}`,
        body: actionBody(postmortem, `a${j}`, "@carol", kind === 4 ? "2027-06-30" : due),
        labels: ["capa"],
        assignees: ["carol"],
        createdAt: iso(actionOpened),
        ...(closedAs ? { closed: closedAs } : {}),
      });
    }
  }
}
