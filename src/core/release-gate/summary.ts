import type { Config } from "../config.js";
import { codeSpan, codeSpanInTable, inlineText } from "../markdown-text.js";
import type { BlockReason, GateEntry, ReleaseGateVerdict } from "./gate.js";
import { waiverCounts } from "./gate.js";
import { missingText } from "../reminders/overdue.js";

/** An issue's web address, from its number. */
export type IssueUrl = (issueNumber: number) => string;

export interface Annotation {
  level: "error" | "notice";
  title: string;
  message: string;
}

/** The job summary: the verdict, each blocking and waived post-mortem with links and reasons. */
export function releaseGateSummary(
  verdict: ReleaseGateVerdict,
  config: Config,
  url: IssueUrl,
): string {
  const lines = ["## postmortem-bot: release gate", ""];
  const count = verdict.blocking.length;
  lines.push(
    verdict.passed
      ? `✅ **Release allowed**: no post-mortem under the release gate has an overdue corrective action, a late review or an unapproved close (${verdict.postmortemsChecked} checked).`
      : `🚫 **Release blocked**: ${count} ${count === 1 ? "post-mortem has" : "post-mortems have"} overdue corrective actions, a late review or an unapproved close (${verdict.postmortemsChecked} checked).`,
    "",
  );
  if (verdict.blocking.length > 0) {
    lines.push(
      ...table(
        verdict.blocking,
        url,
        (entry) => ignoredWaiver(entry, config, true),
        config.evidence.environment,
      ),
      "",
    );
    lines.push(
      `Close the actions that are done (as not planned if they will not be done), move a \`Due:\` line if the date has moved, or complete the review (reopen a post-mortem closed without its approvals). A maintainer can waive a post-mortem with the ${codeSpan(config.releaseGate.waiverLabel)} label.`,
      "",
    );
    if (
      verdict.blocking.some((entry) => entry.reasons.some((r) => r.kind === "overdue" && r.missing))
    ) {
      lines.push(
        `An action closed without the evidence its severity's \`capaEvidence\` asks for still counts as open: link and merge the pull request that fixes it (and deploy it where \`shipped\` is asked), or have someone with ${config.approvals.forceClosePermission} permission or more record other evidence with \`/evidence <link or text>\` on it.`,
        "",
      );
    }
  }
  if (verdict.waived.length > 0) {
    lines.push("### Waived", "");
    lines.push(
      ...table(
        verdict.waived,
        url,
        (entry) =>
          entry.waiver?.addedBy
            ? `waived by @${entry.waiver.addedBy} (${entry.waiver.permission}) with ${codeSpanInTable(config.releaseGate.waiverLabel)}`
            : "",
        config.evidence.environment,
      ),
      "",
    );
  }
  if (verdict.exempt.length > 0) {
    const list = verdict.exempt.map(
      (entry) =>
        `[#${entry.postmortem.number}](${url(entry.postmortem.number)}) (${entry.severity})`,
    );
    lines.push(`Not gated by policy (\`releaseGate: false\`): ${list.join(", ")}.`, "");
  }
  return lines.join("\n");
}

/** One annotation per blocking post-mortem (error) and per waived one (notice). */
export function releaseGateAnnotations(
  verdict: ReleaseGateVerdict,
  config: Config,
  url: IssueUrl,
): Annotation[] {
  const describe = (entry: GateEntry) =>
    `${url(entry.postmortem.number)}: ${entry.reasons.map((reason) => reasonText(reason, url, false, config.evidence.environment)).join("; ")}`;
  return [
    ...verdict.blocking.map((entry): Annotation => {
      const ignored = ignoredWaiver(entry, config);
      return {
        level: "error",
        title: `Release blocked by post-mortem #${entry.postmortem.number} (${entry.severity})`,
        message: `${describe(entry)}${ignored ? `. ${ignored}` : ""}`,
      };
    }),
    ...verdict.waived.map((entry): Annotation => ({
      level: "notice",
      title: `Post-mortem #${entry.postmortem.number} waived by @${entry.waiver?.addedBy ?? "?"}`,
      message: describe(entry),
    })),
  ];
}

function table(
  entries: readonly GateEntry[],
  url: IssueUrl,
  note: (entry: GateEntry) => string,
  environment: string | undefined,
) {
  return [
    "| Post-mortem | Severity | Why |",
    "|---|---|---|",
    ...entries.map((entry) => {
      const reasons = entry.reasons.map((reason) => reasonText(reason, url, true, environment));
      const extra = note(entry);
      return `| [#${entry.postmortem.number}](${url(entry.postmortem.number)}) ${inlineText(entry.postmortem.title)} | ${entry.severity} | ${[...reasons, ...(extra ? [extra] : [])].join("<br>")} |`;
    }),
  ];
}

function reasonText(
  reason: BlockReason,
  url: IssueUrl,
  markdown: boolean,
  environment: string | undefined,
): string {
  if (reason.kind === "review-late") {
    return `review not approved, due ${reason.deadline}`;
  }
  if (reason.kind === "closed-unapproved") {
    return `closed on ${reason.closed} without complete approvals (the close gate did not let it stand)`;
  }
  const days = `${reason.daysOverdue} ${reason.daysOverdue === 1 ? "day" : "days"} overdue`;
  const child = markdown
    ? `[#${reason.child.number}](${url(reason.child.number)}) ${inlineText(reason.child.title)}`
    : `#${reason.child.number} ${reason.child.title} (${url(reason.child.number)})`;
  return `${child}: ${missingText(reason.missing, environment)}, due ${reason.due}, ${days}`;
}

function ignoredWaiver(entry: GateEntry, config: Config, inTable = false): string {
  const waiver = entry.waiver;
  if (!waiver || waiverCounts(waiver, config)) return "";
  const label = (inTable ? codeSpanInTable : codeSpan)(config.releaseGate.waiverLabel);
  return waiver.addedBy === undefined
    ? `the ${label} label was ignored: no record of who added it`
    : `the ${label} label was ignored: @${waiver.addedBy} added it with ${waiver.permission} permission; it counts only from someone with ${config.approvals.forceClosePermission} or more`;
}
