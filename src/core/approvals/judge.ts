import { codeSpan } from "../markdown-text.js";
import type { ApprovalsConfig } from "./config.js";
import type { PLAIN_FIELDS } from "./config.js";
import type { Approval, ApprovalComment } from "./ledger.js";
import { approveCommandFor, replayApprovals, roleName } from "./ledger.js";
import type { People } from "./people.js";
import { mayFill } from "./people.js";
import type { ApprovalSection } from "./section.js";
import {
  APPROVALS_SECTION_TITLE,
  cleanValue,
  fieldNameOf,
  findField,
  isPlaceholder,
  lineOf,
  namedLogin,
  parseDay,
  parseYesNo,
  readApprovalSection,
} from "./section.js";

export interface Finding {
  /** The field's name as section 9 writes it, or the section's title. */
  field: string;
  message: string;
  /** 1-based line in the body, when there is one to point at. */
  line?: number;
}

export interface CountedApproval {
  role: string;
  field: string;
  login: string;
  /** `YYYY-MM-DD` in the configured time zone. */
  date: string;
}

export interface Verdict {
  approved: boolean;
  findings: Finding[];
  /** Names of the required fields that are missing or invalid (the Action's `missing` output). */
  missing: string[];
  approvals: CountedApproval[];
}

/**
 * Where an Approved By name can be proven: by `/approve` comments on an issue, or (for
 * post-mortems kept as files) by pull-request reviews.
 */
export type ApprovalEvidence =
  | { kind: "comments"; comments: readonly ApprovalComment[] }
  | { kind: "reviews"; approvedBy: readonly string[] }
  /** The local CLI: nothing can be proven, so names are only checked for form. */
  | { kind: "none" };

export interface JudgeInput {
  body: string;
  evidence: ApprovalEvidence;
  people: People;
  config: ApprovalsConfig;
  /** Formats an ISO time as a day in the configured zone. */
  formatDay: (iso: string) => string;
  now: Date;
}

/** Judges section 9 against the rules. Pure: everything it needs was read by the shell. */
export function judgeApprovals(input: JudgeInput): Verdict {
  const { config } = input;
  const approvals = readApprovalSection(input.body);
  if (!approvals.section) {
    const missing = config.required.map((key) => fieldNameOf(key, config));
    return {
      approved: false,
      missing,
      approvals: [],
      findings: [
        {
          field: APPROVALS_SECTION_TITLE,
          message: `the section \`## ${APPROVALS_SECTION_TITLE}\` is missing, so none of ${missing.map((name) => `“${name}”`).join(", ")} can be read`,
        },
      ],
    };
  }
  const ledger =
    input.evidence.kind === "comments"
      ? replayApprovals(input.evidence.comments, config, input.people).approvals
      : undefined;

  const findings: Finding[] = [];
  const counted: CountedApproval[] = [];
  for (const key of config.required) {
    const name = fieldNameOf(key, config);
    const field = findField(approvals, name);
    const fail = (message: string) =>
      findings.push({
        field: name,
        message,
        line: lineOf(input.body, field?.line.start ?? approvals.section!.heading.start),
      });
    if (!field) {
      fail(`the line \`- **${name}:**\` is missing from section 9`);
      continue;
    }
    if (key in config.roles) {
      const result = judgeRole(key, field.value, input, ledger, counted);
      if (typeof result === "string") fail(result);
      else counted.push(result);
      continue;
    }
    const problem = judgePlainField(key as keyof typeof PLAIN_FIELDS, field.value, input.now);
    if (problem) fail(problem);
  }
  return {
    approved: findings.length === 0,
    findings,
    missing: [...new Set(findings.map((finding) => finding.field))],
    approvals: counted,
  };
}

function judgeRole(
  role: string,
  value: string,
  input: JudgeInput,
  ledger: ReadonlyMap<string, Approval> | undefined,
  counted: readonly CountedApproval[],
): CountedApproval | string {
  const { config } = input;
  const roleConfig = config.roles[role]!;
  const command = `\`${approveCommandFor(role, config)}\``;
  if (isPlaceholder(value)) return `empty: an allowed approver comments ${command}`;
  const login = namedLogin(value);
  if (!login)
    return `${codeSpan(cleanValue(value))} names no GitHub user (write \`@login\`, or comment ${command})`;
  const evidence = input.evidence;
  // For files, the review comes first: whoever did not approve the pull request is not asked about.
  if (
    evidence.kind === "reviews" &&
    !evidence.approvedBy.some((user) => user.toLowerCase() === login.toLowerCase())
  ) {
    return `@${login} is named, but has not approved this pull request's head commit in a review`;
  }
  // Without evidence (the local CLI) nobody's access can be known: only the form is checked.
  const eligibility =
    input.evidence.kind === "none"
      ? { allowed: true as const }
      : mayFill(roleConfig, login, input.people);
  if (!eligibility.allowed)
    return `@${login} may not approve as ${roleName(role, config)}: ${eligibility.reason}`;
  if (
    config.distinctApprovers &&
    counted.some((approval) => approval.login.toLowerCase() === login.toLowerCase())
  ) {
    return `@${login} already fills another role, and one person cannot fill two`;
  }
  let at: string | undefined;
  if (evidence.kind === "comments") {
    const approval = ledger?.get(role);
    if (!approval || approval.login.toLowerCase() !== login.toLowerCase()) {
      return `@${login} is named, but has no unedited ${command} comment of their own on this issue (a name typed into the text does not count)`;
    }
    at = approval.at;
  }
  return {
    role,
    field: roleConfig.field,
    login,
    date: at ? input.formatDay(at) : (/\d{4}-\d{2}-\d{2}/.exec(value)?.[0] ?? ""),
  };
}

function judgePlainField(
  key: keyof typeof PLAIN_FIELDS,
  value: string,
  now: Date,
): string | undefined {
  switch (key) {
    case "finalReviewDate": {
      if (isPlaceholder(value)) return "empty: write the date of the final review as YYYY-MM-DD";
      const day = parseDay(value);
      if (!day) return `${codeSpan(cleanValue(value))} is not a real date (write YYYY-MM-DD)`;
      // A day of slack: the reviewer's "today" may already be tomorrow in UTC.
      if (day.getTime() > now.getTime() + 24 * 3600 * 1000)
        return `${codeSpan(cleanValue(value))} is in the future`;
      return undefined;
    }
    case "communicationSent":
      if (parseYesNo(value) === undefined) {
        return isPlaceholder(value)
          ? "empty: write Yes or No"
          : `${codeSpan(cleanValue(value))} is neither Yes nor No`;
      }
      return undefined;
    case "ticket":
      return isPlaceholder(value) ? "empty: link the JIRA or incident ticket" : undefined;
  }
}

export type { ApprovalSection };
