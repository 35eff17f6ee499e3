// CAPA children on a GitHub Project (v2): which fields the configuration names, what each child's
// item should hold (Due, Severity, Status), the writes that bring it there, and the one comment
// naming what to grant or create when the project cannot take them. Pure: src/github/projects.ts
// reads and writes (GraphQL: REST has no Projects v2 writes).
import { createHash } from "node:crypto";
import type { Config } from "../config.js";
import { readPostmortemBody, parseIsoDate } from "../capa/items.js";
import { dueLineOf } from "../capa/plan.js";
import type { CapaEvidence } from "../evidence/config.js";
import { evidenceOf, fixesOf, isShipped, satisfies } from "../evidence/model.js";
import { findMarker, formatMarker } from "../markers.js";
import { codeSpan } from "../markdown-text.js";
import type { Step } from "../plan.js";
import { incidentSeverity } from "../severity.js";
import type { CommentSnapshot, IssueSnapshot } from "../snapshots.js";
import { wroteIt } from "../trust/writers.js";
import type { Writers } from "../trust/writers.js";
import type { ProjectsConfig } from "./config.js";

/** A project's field as GitHub describes it (`ProjectV2FieldCommon`, options of a single select). */
export interface ProjectField {
  id: string;
  name: string;
  /** `DATE`, `SINGLE_SELECT`, `TEXT`, … */
  dataType: string;
  options?: { id: string; name: string }[];
}

/** A project resolved from its URL: its node id and fields. */
export interface ResolvedProject {
  id: string;
  url: string;
  fields: ProjectField[];
}

/** Why the project cannot be written: what to grant (permission) or create (field, option). */
export type ProjectProblem =
  | { kind: "unreachable"; url: string; message: string }
  | { kind: "field-missing"; role: FieldRole; name: string }
  | { kind: "field-type"; role: FieldRole; name: string; want: "DATE" | "SINGLE_SELECT" }
  | { kind: "option-missing"; role: FieldRole; name: string; option: string };

export type FieldRole = "due" | "status" | "severity";

/** The statuses the Status field mirrors, by name (matched case-insensitively). */
export const PROJECT_STATUSES = ["Open", "Fix merged", "Shipped", "Done", "Not planned"] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

/** The configured fields found in the project, by role. */
export interface BoundFields {
  due?: ProjectField;
  status?: ProjectField;
  severity?: ProjectField;
}

const WANT: Record<FieldRole, "DATE" | "SINGLE_SELECT"> = {
  due: "DATE",
  status: "SINGLE_SELECT",
  severity: "SINGLE_SELECT",
};

/** The configured fields in the project (by name, case-insensitive), and what is wrong with them. */
export function bindFields(
  project: ResolvedProject,
  fields: NonNullable<ProjectsConfig>["fields"],
): { bound: BoundFields; problems: ProjectProblem[] } {
  const bound: BoundFields = {};
  const problems: ProjectProblem[] = [];
  for (const role of ["due", "status", "severity"] as const) {
    const name = fields[role];
    if (name === undefined) continue;
    const field = project.fields.find((f) => f.name.toLowerCase() === name.toLowerCase());
    if (!field) problems.push({ kind: "field-missing", role, name });
    else if (field.dataType !== WANT[role]) {
      problems.push({ kind: "field-type", role, name: field.name, want: WANT[role] });
    } else bound[role] = field;
  }
  return { bound, problems };
}

/**
 * The Status a child shows on the board: Not planned (closed as not planned or duplicate), Done
 * (closed as completed with the evidence its policy asks for), Shipped (every fix deployed), Fix
 * merged (a fix counts), else Open.
 */
export function projectStatus(child: IssueSnapshot, required: CapaEvidence): ProjectStatus {
  const withdrawn =
    child.state === "closed" &&
    (child.stateReason === "not_planned" || child.stateReason === "duplicate");
  if (withdrawn) return "Not planned";
  const evidence = evidenceOf(child.body);
  if (child.state === "closed" && satisfies(evidence, required)) return "Done";
  if (isShipped(evidence)) return "Shipped";
  if (fixesOf(evidence).length > 0) return "Fix merged";
  return "Open";
}

/** The post-mortem's severity, as the evidence policy reads it (checked box, labels, marker). */
export function postmortemSeverity(config: Config, postmortem: IssueSnapshot): string | undefined {
  return incidentSeverity(
    {
      checked: readPostmortemBody(postmortem.body).checkedSeverity,
      labels: postmortem.labels,
      answered: findMarker(postmortem.body, "postmortem")?.severity,
    },
    config,
  );
}

/** What one field of an item holds, as GitHub returns it. */
export type FieldValue = { date: string } | { singleSelectOptionId: string };

/** One child's item: its id and what its fields hold now (field id → value). */
export interface ProjectItem {
  id: string;
  values: ReadonlyMap<string, FieldValue>;
}

/** One `updateProjectV2ItemFieldValue`. */
export interface FieldWrite {
  itemId: string;
  fieldId: string;
  value: FieldValue;
}

/** What a child should show: its due date (when a real date), severity and status names. */
export interface ChildWants {
  due: string | undefined;
  severity: string | undefined;
  status: ProjectStatus;
}

export function childWants(
  child: IssueSnapshot,
  severity: string | undefined,
  required: CapaEvidence,
): ChildWants {
  const line = dueLineOf(child.body);
  return {
    due: line === undefined ? undefined : parseIsoDate(line),
    severity,
    status: projectStatus(child, required),
  };
}

/**
 * The writes that bring an item to what its child wants: only fields whose value differs (a field
 * already right costs nothing). A single-select option missing from the project is a problem.
 */
export function planItemWrites(
  bound: BoundFields,
  item: ProjectItem,
  wants: ChildWants,
): { writes: FieldWrite[]; problems: ProjectProblem[] } {
  const writes: FieldWrite[] = [];
  const problems: ProjectProblem[] = [];
  const set = (fieldId: string, value: FieldValue) => {
    if (JSON.stringify(item.values.get(fieldId)) !== JSON.stringify(value)) {
      writes.push({ itemId: item.id, fieldId, value });
    }
  };
  if (bound.due && wants.due !== undefined) set(bound.due.id, { date: wants.due });
  for (const role of ["severity", "status"] as const) {
    const field = bound[role];
    const name = wants[role];
    if (!field || name === undefined) continue;
    const option = field.options?.find((o) => o.name.toLowerCase() === name.toLowerCase());
    if (!option) problems.push({ kind: "option-missing", role, name: field.name, option: name });
    else set(field.id, { singleSelectOptionId: option.id });
  }
  return { writes, problems };
}

/** A name or message in a code span that cannot spell a hidden marker (`<!--` broken up). */
function shown(text: string): string {
  return codeSpan(text.replace(/<!--/g, "<!- -"));
}

/** One line per problem, naming what to grant or create. */
export function problemLine(problem: ProjectProblem): string {
  switch (problem.kind) {
    case "unreachable":
      return `The project ${problem.url} cannot be reached (${shown(problem.message)}). The App needs **Organization permissions → Projects: Read and write** (\`organization_projects: write\`; accept it in the installation's settings); the Action's token must reach the project (a classic token with the \`project\` scope, or a fine-grained token with Projects: Read and write).`;
    case "field-missing":
      return `The project has no field ${shown(problem.name)} (\`projects.fields.${problem.role}\`): create it as a ${problem.role === "due" ? "Date" : "Single select"} field.`;
    case "field-type":
      return `The project's field ${shown(problem.name)} (\`projects.fields.${problem.role}\`) is not a ${problem.want === "DATE" ? "Date" : "Single select"} field: change it or name another.`;
    case "option-missing":
      return `The project's field ${shown(problem.name)} has no option ${shown(problem.option)}: add it.`;
  }
}

/**
 * The one comment on the post-mortem about the project's problems: none when there are none, or
 * when the product already wrote one for the same problems (its `notice` marker).
 */
export function problemComment(
  postmortem: number,
  problems: readonly ProjectProblem[],
  comments: readonly CommentSnapshot[],
  writers: Writers,
): Step | undefined {
  if (problems.length === 0) return undefined;
  const lines = [...new Set(problems.map(problemLine))];
  const key = createHash("sha256")
    .update(`projects:${lines.join("\n")}`)
    .digest("hex")
    .slice(0, 16);
  const given = comments.some(
    (comment) =>
      wroteIt(comment.author, "flows", writers) && findMarker(comment.body, "notice")?.key === key,
  );
  if (given) return undefined;
  return {
    kind: "createComment",
    issueNumber: postmortem,
    body: `🗂️ The CAPA children could not all be put on the project:\n\n${lines.map((line) => `- ${line}`).join("\n")}\n\n${formatMarker("notice", { key })}`,
  };
}

/**
 * A child's `Due:` line moved to `date` (from the board); undefined when it already says so or the
 * child has no `Due:` line.
 */
export function movedDueBody(childBody: string, date: string): string | undefined {
  const line = dueLineOf(childBody);
  if (line === undefined || parseIsoDate(line) === date) return undefined;
  return childBody.replace(/^Due:[ \t]*.*$/m, `Due: ${date}`);
}
