import type { Edit, FieldLine } from "../document.js";
import { applyEdits, setFieldValue } from "../document.js";
import type { IssueSnapshot } from "../snapshots.js";
import type { ApprovalsConfig } from "./config.js";
import { PLAIN_FIELDS } from "./config.js";
import type { ApprovalComment, Ledger } from "./ledger.js";
import { replayApprovals } from "./ledger.js";
import type { People } from "./people.js";
import type { ApprovalSection } from "./section.js";
import { findField, isPlaceholder, namedLogin, readApprovalSection } from "./section.js";

export interface SectionSyncInput {
  /** The post-mortem as it is now. */
  issue: IssueSnapshot;
  /** Every comment on the post-mortem, fresh. */
  comments: readonly ApprovalComment[];
  people: People;
  config: ApprovalsConfig;
  formatDay: (iso: string) => string;
}

export interface SectionSync {
  ledger: Ledger;
  /** The body as the command comments want it; equal to the issue's body when nothing is due. */
  body: string;
  /** Roles held by an approval whose field line is missing from section 9, so it cannot show. */
  unwritable: string[];
}

/**
 * Section 9 as the whole comment history says it should read. The comments are the record and the
 * fields follow from them, so every run derives the fields from ALL command comments, not only
 * the one that started it: a command whose own run was cancelled or lost is written by the next
 * run, and two runs racing on the body (there is no If-Match) both aim at the same text, so
 * whichever writes last, a re-read shows what is still missing and the next round writes it.
 *
 * - A held role whose field does not name its holder gets `@login (YYYY-MM-DD)` (a field already
 *   naming the holder is left as the people wrote it).
 * - A field naming someone who withdrew that role with `/unapprove` is emptied; a name nobody's
 *   command put there is left for the judge to report, not silently removed.
 * - Date of Final Review gets the day of the last required approval once all are held, if empty.
 */
export function syncApprovalSection(input: SectionSyncInput): SectionSync {
  const { issue, config } = input;
  const ledger = replayApprovals(input.comments, config, input.people);
  const approvals = readApprovalSection(issue.body);
  const withdrawnBy = withdrawals(input.comments, ledger);
  const edits: Edit[] = [];
  const unwritable: string[] = [];
  for (const [role, roleConfig] of Object.entries(config.roles)) {
    const field = findField(approvals, roleConfig.field);
    const holder = ledger.approvals.get(role);
    const named = field ? namedLogin(field.value)?.toLowerCase() : undefined;
    if (holder) {
      if (!field) unwritable.push(role);
      else if (named !== holder.login.toLowerCase()) {
        edits.push(
          setFieldValue(issue.body, field, `@${holder.login} (${input.formatDay(holder.at)})`),
        );
      }
    } else if (field && named !== undefined && withdrawnBy.get(role)?.has(named)) {
      edits.push(clearFieldValue(issue.body, field));
    }
  }
  const dateEdit = finalReviewDateEdit(input, ledger, approvals);
  if (dateEdit) edits.push(dateEdit);
  return { ledger, body: applyEdits(issue.body, edits), unwritable };
}

/** role → the logins (lower case) whose `/unapprove` released it. */
function withdrawals(
  comments: readonly ApprovalComment[],
  ledger: Ledger,
): Map<string, Set<string>> {
  const byRole = new Map<string, Set<string>>();
  for (const comment of comments) {
    const outcome = ledger.outcomes.get(comment.id);
    if (outcome?.kind !== "withdrawn") continue;
    for (const role of outcome.roles) {
      const logins = byRole.get(role) ?? new Set<string>();
      logins.add(comment.author.login.toLowerCase());
      byRole.set(role, logins);
    }
  }
  return byRole;
}

/** Date of Final Review gets the date of the last required approval, if it is still empty. */
function finalReviewDateEdit(
  input: SectionSyncInput,
  ledger: Ledger,
  approvals: ApprovalSection,
): Edit | undefined {
  const requiredRoles = input.config.required.filter((key) => key in input.config.roles);
  const held = requiredRoles.map((role) => ledger.approvals.get(role));
  if (requiredRoles.length === 0 || held.some((approval) => approval === undefined)) {
    return undefined;
  }
  const field = findField(approvals, PLAIN_FIELDS.finalReviewDate);
  if (!field || !isPlaceholder(field.value)) return undefined;
  const last = held.reduce((latest, approval) =>
    Date.parse(approval!.at) > Date.parse(latest!.at) ? approval : latest,
  );
  return setFieldValue(input.issue.body, field, input.formatDay(last!.at));
}

/** Empties a field, taking the space after `**Name:**` too, so the line reads as the template's. */
function clearFieldValue(text: string, field: FieldLine): Edit {
  const edit = setFieldValue(text, field, "");
  const start = text[edit.span.start - 1] === " " ? edit.span.start - 1 : edit.span.start;
  return { span: { start, end: edit.span.end }, replacement: "" };
}
