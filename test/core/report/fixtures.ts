// Issues as the report's three listings return them: incidents, the App's post-mortems, and the
// App's CAPA children, with the times and states the report reads.
import type { IssueSnapshot } from "../../../src/core/snapshots.js";

const bot = { login: "postmortem-bot[bot]", type: "Bot" };

function issue(number: number, overrides: Partial<IssueSnapshot>): IssueSnapshot {
  return {
    id: 50_000 + number,
    number,
    title: `Issue ${number}`,
    body: "",
    state: "open",
    stateReason: null,
    author: { login: "alice", type: "User" },
    labels: [],
    assignees: [],
    createdAt: "2026-09-01T00:00:00Z",
    isPullRequest: false,
    closedAt: null,
    ...overrides,
  };
}

export function incident(
  number: number,
  opened: string,
  closed?: string,
  labels: string[] = ["incident"],
): IssueSnapshot {
  return issue(number, {
    title: `Incident ${number}`,
    labels,
    createdAt: opened,
    ...(closed ? { state: "closed", stateReason: "completed", closedAt: closed } : {}),
  });
}

/** A post-mortem of `incidentNumber`, its classification box `severity` checked if given. */
export function postmortem(
  number: number,
  incidentNumber: number,
  options: { severity?: "P1" | "P2" | "P3" | "P4"; approved?: string; reason?: string } = {},
): IssueSnapshot {
  const box = (level: string) =>
    `- [${options.severity === level ? "x" : " "}] ${level} - something  `;
  return issue(number, {
    title: `Post-mortem: Incident ${incidentNumber}`,
    author: bot,
    labels: ["postmortem"],
    createdAt: "2026-09-01T00:00:00Z",
    body: [
      "# Post-mortem",
      "",
      "## 10. Incident Classification",
      "",
      ...["P1", "P2", "P3", "P4"].map(box),
      "",
      `<!-- postmortem-bot:postmortem {"incident":${incidentNumber}} -->`,
      "",
    ].join("\n"),
    ...(options.approved
      ? {
          state: "closed",
          stateReason: options.reason ?? "completed",
          closedAt: options.approved,
        }
      : {}),
  });
}

/** A CAPA child of `parent` opened at `opened`, due `due`; closed as `reason` at `closed`. */
export function action(
  number: number,
  parent: number,
  opened: string,
  due: string | undefined,
  closed?: { at: string; reason: "completed" | "not_planned" | "duplicate" },
  owner: { assignees?: string[]; line?: string } = { assignees: ["carol"] },
): IssueSnapshot {
  return issue(number, {
    title: `[CAPA] Action ${number}`,
    author: bot,
    labels: ["capa"],
    assignees: owner.assignees ?? [],
    createdAt: opened,
    body: [
      `Corrective or preventive action from post-mortem #${parent}.`,
      "",
      `**Owner:** ${owner.line ?? (owner.assignees ?? []).map((l) => `@${l}`).join(", ")}  `,
      "**Category:** Technical Fixes  ",
      `Due: ${due ?? "_not set_"}`,
      "",
      `<!-- postmortem-bot:capa {"parent":${parent},"key":"k${number}"} -->`,
      "",
    ].join("\n"),
    ...(closed ? { state: "closed", stateReason: closed.reason, closedAt: closed.at } : {}),
  });
}
