import type { ApprovalsConfig } from "../../../src/core/approvals/config.js";
import type { ApprovalComment } from "../../../src/core/approvals/ledger.js";
import type { People, Person } from "../../../src/core/approvals/people.js";
import { defaultConfig } from "../../../src/core/config.js";
import type { IssueSnapshot } from "../../../src/core/snapshots.js";

export const config: ApprovalsConfig = defaultConfig.approvals;
export const NOW = new Date("2026-11-27T15:00:00Z");
export const formatDay = (iso: string) => iso.slice(0, 10);
export const bot = { login: "github-actions[bot]", type: "Bot" };

export interface Section9 {
  techLead?: string;
  product?: string;
  date?: string;
  ticket?: string;
  communication?: string;
}

/** A post-mortem body whose section 9 has these values (as the template writes the lines). */
export function postmortemBody(values: Section9 = {}): string {
  const line = (name: string, value = "") => `- **${name}:**${value ? ` ${value}` : ""}  \n`;
  return [
    "# Post-Mortem Report & Corrective Action Checklist\n\n## 1. Incident Summary\n- **Incident ID:** #12  \n\n",
    "## 8. Lessons Learned\n- **What went well?**\n\n---\n\n",
    "## 9. Approvals & Final Notes\n",
    line("Approved By (Tech Lead)", values.techLead),
    line("Approved By (Product/Business)", values.product),
    line("Date of Final Review", values.date),
    line("Related JIRA/Incident Ticket", values.ticket ?? "#12"),
    line("Communication Sent to Team (Yes/No)", values.communication),
    "\n---\n\n## 10. Incident Classification (Optional)\n- [ ] P1\n\n",
    '<!-- postmortem-bot:postmortem {"incident":12} -->\n',
  ].join("");
}

export const COMPLETE: Section9 = {
  techLead: "@tina (2026-11-27)",
  product: "@paul (2026-11-27)",
  date: "2026-11-27",
  ticket: "#12",
  communication: "Yes",
};

let nextId = 100;
export function command(
  body: string,
  login: string,
  options: { id?: number; at?: string; edited?: boolean; type?: string } = {},
): ApprovalComment {
  const at = options.at ?? "2026-11-27T14:00:00Z";
  return {
    id: options.id ?? nextId++,
    body,
    author: { login, type: options.type ?? "User" },
    createdAt: at,
    edited: options.edited ?? false,
  };
}

export function people(entries: Record<string, Partial<Person> | Person["permission"]>): People {
  return new Map(
    Object.entries(entries).map(([login, value]) => [
      login.toLowerCase(),
      typeof value === "string"
        ? { permission: value, teams: [] }
        : { permission: "none", teams: [], ...value },
    ]),
  );
}

/** tina and paul have write access; rita has read; mia maintains. */
export const PEOPLE = people({ tina: "write", paul: "write", rita: "read", mia: "maintain" });

export function postmortemIssue(
  body: string,
  overrides: Partial<IssueSnapshot> = {},
): IssueSnapshot {
  return {
    id: 5001,
    number: 20,
    title: "Post-mortem: Checkout returns 500",
    body,
    state: "closed",
    stateReason: "completed",
    author: { login: "postmortem-bot[bot]", type: "Bot" },
    labels: ["postmortem"],
    assignees: [],
    createdAt: "2026-11-27T13:00:00Z",
    isPullRequest: false,
    ...overrides,
  };
}
