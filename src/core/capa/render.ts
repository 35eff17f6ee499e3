import type { EvidenceStatus } from "../evidence/model.js";
import { formatMarker } from "../markers.js";
import { inlineText, plainLine } from "../markdown-text.js";
import { TITLE_MAX_LENGTH } from "../incident/content.js";
import { LINK_ARROW } from "./items.js";

/** A child's status in its row; with evidence (src/core/evidence) `Merged`, `Shipped …`, and so on. */
export type ChildStatus =
  EvidenceStatus | "Overdue" | "Won't do" | "Duplicate" | "Deleted" | "Transferred";

/** What the post-mortem shows of a child; `owner` and `due` are already safe markdown. */
export interface ChildFacts {
  number: number;
  title: string;
  /** `@bob, @erin`, or the owner named in the child's body. */
  owner: string;
  /** `YYYY-MM-DD`, or what the `Due:` line says when it is not a date. */
  due: string;
  status: ChildStatus;
}

export interface NewChild {
  parent: number;
  incident: number | undefined;
  key: string;
  title: string;
  category: string;
  /** Logins to assign. */
  assignees: string[];
  /** Named in the body: a team, or people who could not be assigned. */
  ownerText: string;
  unassignable: string[];
  due: string;
  /** Where the owner came from (`capa.defaultOwners: codeowners`), as safe markdown. */
  ownerSource?: string;
}

export function childTitle(prefix: string, title: string): string {
  return plainLine(`${prefix}${title}`, TITLE_MAX_LENGTH);
}

/**
 * The child's body. Its `Due:` line is where the due date lives: people change it there and the
 * post-mortem follows.
 */
export function childBody(child: NewChild): string {
  const lines = [
    `Corrective or preventive action from post-mortem #${child.parent}${child.incident ? ` (incident #${child.incident})` : ""}.`,
    "",
    `> ${inlineText(child.title)}`,
    "",
    `**Owner:** ${child.ownerText || "_nobody yet_"}  `,
    ...(child.ownerSource === undefined ? [] : [`**Owner from:** ${child.ownerSource}  `]),
    `**Category:** ${inlineText(child.category)}  `,
    `Due: ${child.due}`,
  ];
  if (child.unassignable.length > 0) {
    lines.push(
      "",
      `⚠️ ${child.unassignable.map((login) => `\`@${login}\``).join(", ")} could not be assigned (not a collaborator of this repository).`,
    );
  }
  lines.push(
    "",
    "Close this issue as completed when the action is done, or as not planned if it will not be done.",
    "",
    formatMarker("capa", { parent: child.parent, key: child.key }),
  );
  return `${lines.join("\n")}\n`;
}

/** What the App writes after the user's words on a CAPA line. */
export function itemSuffix(facts: Pick<ChildFacts, "number" | "owner" | "due" | "status">): string {
  const parts = [`${LINK_ARROW} #${facts.number}`];
  if (facts.owner) parts.push(facts.owner);
  if (facts.due) parts.push(`due ${facts.due}`);
  if (facts.status !== "Open") parts.push(facts.status);
  return parts.join(" · ");
}

/** A row of the Follow-Up Actions table for a child. */
export function followUpRow(facts: ChildFacts): string {
  return `| ${inlineText(facts.title)} (#${facts.number}) | ${facts.owner || "—"} | ${facts.due || "—"} | ${facts.status} |`;
}
