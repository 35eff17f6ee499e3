import { codeSpanInTable, inlineText } from "../markdown-text.js";
import type { CulpritReport } from "./culprits.js";
import type { DurationStats, ReliabilityReport, Severity } from "./compute.js";
import { EVIDENCE_KINDS, SEVERITIES } from "./compute.js";
import type { EvidenceKind } from "./compute.js";

const EVIDENCE_NAMES: Record<EvidenceKind, string> = {
  shipped: "Shipped",
  merged: "Merged, not shipped",
  manual: "Manual evidence",
  none: "No evidence",
};

/** `3 (60 %)`; `0` without a percentage. */
function share(report: ReliabilityReport, kind: EvidenceKind): string {
  const percent = report.evidence.percentByKind[kind];
  const count = report.evidence.byKind[kind];
  return percent === null ? String(count) : `${count} (${percent} %)`;
}

const SEVERITY_NAMES: Record<Severity, string> = {
  P1: "P1",
  P2: "P2",
  P3: "P3",
  P4: "P4",
  default: "no severity",
};

/**
 * The report as GitHub markdown: tables, and Mermaid charts GitHub draws (`xychart-beta` bars of
 * incidents per month, `pie` charts of severities and of the actions' states).
 */
export function renderReportMarkdown(report: ReliabilityReport, repository: string): string {
  const { period, incidents, actions } = report;
  const lines = [
    `## Reliability report: ${inlineText(repository)}`,
    "",
    `${period.since} – ${period.until} (${period.timezone}); computed ${report.generatedAt.slice(0, 16).replace("T", " ")} UTC from the repository's issues.`,
    "",
    "### Incidents",
    "",
    ...mermaid(incidentsChart(report)),
    "",
    `| Month | ${SEVERITIES.map((s) => SEVERITY_NAMES[s]).join(" | ")} | Total |`,
    `|---|${SEVERITIES.map(() => "--:|").join("")}--:|`,
    ...incidents.byMonth.map(
      (entry) =>
        `| ${entry.month} | ${SEVERITIES.map((s) => entry[s]).join(" | ")} | ${entry.total} |`,
    ),
    `| **Total** | ${SEVERITIES.map((s) => incidents.bySeverity[s]).join(" | ")} | **${incidents.total}** |`,
    "",
    ...(incidents.total > 0 ? [...mermaid(severityPie(report)), ""] : []),
    "### Time to resolve and to review",
    "",
    "| | Median | 90th percentile | Incidents |",
    "|---|--:|--:|--:|",
    durationRow("Incident opened → closed", report.timeToResolve),
    durationRow("Incident closed → post-mortem approved", report.timeToApproval),
    "",
    "### Corrective actions",
    "",
    ...(actions.opened > 0 ? [...mermaid(actionsPie(report)), ""] : []),
    "| Opened in the period | Done | Won't do | Still open | Overdue now | Done on time |",
    "|--:|--:|--:|--:|--:|--:|",
    `| ${actions.opened} | ${actions.done} | ${actions.wontDo} | ${actions.open} | ${actions.overdue} | ${onTime(report)} |`,
    "",
    ...(actions.closedWithoutEvidence > 0
      ? [
          `Still open counts ${actions.closedWithoutEvidence} closed as completed without the evidence their severity's policy asks for (\`capaEvidence\`).`,
          "",
        ]
      : []),
    "### Evidence that the actions are done",
    "",
    "| | Median | 90th percentile | Actions |",
    "|---|--:|--:|--:|",
    durationRow("Action opened → fix merged", report.evidence.timeToMerge),
    durationRow("Action opened → fix shipped", report.evidence.timeToShip),
    "",
    `| Closed as completed | ${EVIDENCE_KINDS.map((kind) => EVIDENCE_NAMES[kind]).join(" | ")} |`,
    `|--:|${EVIDENCE_KINDS.map(() => "--:|").join("")}`,
    `| ${report.evidence.closedAsCompleted} | ${EVIDENCE_KINDS.map((kind) => share(report, kind)).join(" | ")} |`,
    "",
    "### Oldest open actions",
    "",
    ...oldestTable(report),
    "",
    ...(report.culprits ? culpritSection(report.culprits) : []),
  ];
  return lines.join("\n");
}

/** The report as JSON, for dashboards: the same numbers, durations in hours. */
export function renderReportJson(report: ReliabilityReport, repository: string): string {
  return `${JSON.stringify({ repository, ...report }, null, 2)}\n`;
}

/** The Mermaid sources of the report's charts, in the order they appear (for checks). */
export function reportCharts(report: ReliabilityReport): string[] {
  return [
    incidentsChart(report),
    ...(report.incidents.total > 0 ? [severityPie(report)] : []),
    ...(report.actions.opened > 0 ? [actionsPie(report)] : []),
  ];
}

function mermaid(source: string): string[] {
  return ["```mermaid", source, "```"];
}

function incidentsChart(report: ReliabilityReport): string {
  const months = report.incidents.byMonth;
  const top = Math.max(1, ...months.map((entry) => entry.total));
  return [
    "xychart-beta",
    '  title "Incidents per month"',
    `  x-axis [${months.map((entry) => `"${entry.month}"`).join(", ")}]`,
    `  y-axis "Incidents" 0 --> ${top}`,
    `  bar [${months.map((entry) => entry.total).join(", ")}]`,
  ].join("\n");
}

function severityPie(report: ReliabilityReport): string {
  return pie(
    "Incidents by severity",
    SEVERITIES.map((s) => [SEVERITY_NAMES[s], report.incidents.bySeverity[s]]),
  );
}

function actionsPie(report: ReliabilityReport): string {
  const { actions } = report;
  return pie("Actions opened in the period, now", [
    ["Done", actions.done],
    ["Won't do", actions.wontDo],
    ["Open, not overdue", actions.open - actions.overdue],
    ["Overdue", actions.overdue],
  ]);
}

/** A pie of the slices that are not empty (Mermaid draws an empty slice as a stray label). */
function pie(title: string, slices: [string, number][]): string {
  return [
    `pie title ${title}`,
    ...slices.filter(([, value]) => value > 0).map(([name, value]) => `  "${name}" : ${value}`),
  ].join("\n");
}

function durationRow(label: string, stats: DurationStats): string {
  return `| ${label} | ${formatHours(stats.medianHours)} | ${formatHours(stats.p90Hours)} | ${stats.count} |`;
}

/** `45 min`, `5.5 h` up to two days, then `3.2 d`; `—` without data. */
export function formatHours(hours: number | null): string {
  if (hours === null) return "—";
  if (hours < 1) return `${Math.round(hours * 60)} min`;
  if (hours < 48) return `${trim(hours)} h`;
  return `${trim(hours / 24)} d`;
}

function trim(value: number): string {
  return String(Math.round(value * 10) / 10);
}

function onTime(report: ReliabilityReport): string {
  const { onTimePercent, doneOnTime, doneWithDueDate } = report.actions;
  return onTimePercent === null ? "—" : `${onTimePercent} % (${doneOnTime} of ${doneWithDueDate})`;
}

function oldestTable(report: ReliabilityReport): string[] {
  if (report.oldestOpenActions.length === 0) return ["No open corrective actions."];
  return [
    "| Action | Owner | Due | Days overdue | Post-mortem |",
    "|---|---|---|--:|---|",
    ...report.oldestOpenActions.map(
      (action) =>
        `| ${inlineText(action.title)} (#${action.number}) | ${action.owner ? inlineText(action.owner) : "—"} | ${action.due ?? "—"} | ${action.daysOverdue || "—"} | #${action.postmortem} |`,
    ),
  ];
}

/** Repeats and the most implicated paths (paths are hostile text: code spans). */
function culpritSection(culprits: CulpritReport): string[] {
  const repeats =
    culprits.repeats.length === 0
      ? ["No post-mortem was linked as possibly related to an earlier one."]
      : [
          "| Post-mortem | Possibly repeats |",
          "|---|---|",
          ...culprits.repeats.map((pair) => `| #${pair.postmortem} | #${pair.repeats} |`),
        ];
  const paths =
    culprits.implicatedPaths.length === 0
      ? ["No paths are indexed for the period's post-mortems."]
      : [
          "| Path | Post-mortems |",
          "|---|--:|",
          ...culprits.implicatedPaths.map(
            (item) => `| ${codeSpanInTable(item.path, 200)} | ${item.postmortems} |`,
          ),
        ];
  return [
    "### Repeats and implicated code",
    "",
    `${culprits.withCulprits} post-mortem${culprits.withCulprits === 1 ? "" : "s"} of the period ${culprits.withCulprits === 1 ? "names" : "name"} culprits (\`/culprit\`).`,
    "",
    ...repeats,
    "",
    "Most implicated paths:",
    "",
    ...paths,
    "",
  ];
}
