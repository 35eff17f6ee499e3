import { MARKER_PREFIX } from "../constants.js";
import type { MarkerData } from "../markers.js";
import { findMarker, setMarker } from "../markers.js";
import { inlineText } from "../markdown-text.js";
import { formatDate } from "../time.js";
import type { CapaEvidence } from "./config.js";

/**
 * The evidence recorded on a CAPA child, in its `capa` marker (see src/core/markers.ts). The
 * marker counts only on an issue the product wrote (src/core/trust/writers.ts): callers pass
 * children already filtered so (`childrenOf` in src/core/capa/plan.ts).
 */
export type Evidence = NonNullable<MarkerData<"capa">["evidence"]>;
export type MergedFix = NonNullable<Evidence["merged"]>[number];
export type Shipment = NonNullable<Evidence["shipped"]>;
export type ManualEvidence = NonNullable<Evidence["manual"]>;

/** The evidence in a child's body; empty when it has none (or no product marker). */
export function evidenceOf(body: string | null | undefined): Evidence {
  return findMarker(body, "capa")?.evidence ?? {};
}

/** The merged pull requests that still count: those not taken back by a revert. */
export function fixesOf(evidence: Evidence): MergedFix[] {
  const reverted = new Set((evidence.reverted ?? []).map((revert) => revert.pr));
  return (evidence.merged ?? []).filter((fix) => !reverted.has(fix.pr));
}

/** Shipped: some fix counts and every fix that counts was in the recorded deployment. */
export function isShipped(evidence: Evidence): boolean {
  const fixes = fixesOf(evidence);
  const shipped = new Set(evidence.shipped?.prs ?? []);
  return fixes.length > 0 && fixes.every((fix) => shipped.has(fix.pr));
}

/** Whether the evidence meets what the policy asks; a maintainer's `/evidence` meets any. */
export function satisfies(evidence: Evidence, required: CapaEvidence): boolean {
  if (required === "none" || evidence.manual !== undefined) return true;
  if (required === "merged") return fixesOf(evidence).length > 0;
  return isShipped(evidence);
}

/** What the product writes in a child's row: the statuses this feature adds to the CAPA ones. */
export type EvidenceStatus =
  | "Open"
  | "Done"
  | "Merged"
  | "Closed, no evidence"
  | `Done · merged ${string}`
  | `Shipped ${string}`
  | `Done (manual evidence by @${string})`;

/** The parts of a child issue its judgement needs. */
export interface ChildState {
  state: "open" | "closed";
  stateReason: string | null;
}

/**
 * A child judged on its evidence. For the reminders, the release gate and the report (later):
 * `open` is whether it still counts as open work; `missing` what its policy still asks for.
 */
export interface EvidenceJudgement {
  /** The row status, for an open child or one closed as completed; undefined otherwise. */
  status: EvidenceStatus | undefined;
  /** Counts as open: open, or closed as completed without the evidence its policy asks for. */
  open: boolean;
  /** What is still missing under the policy, for a child closed as completed. */
  missing: "merged" | "shipped" | undefined;
  /** Should carry the awaiting-ship label: a fix counts, is not shipped, `evidence.environment` set. */
  awaitingShip: boolean;
  /** Should carry the no-evidence label: closed as completed, the policy unmet, no fix to wait for. */
  noEvidence: boolean;
}

export interface JudgeOptions {
  required: CapaEvidence;
  /** `evidence.environment`; undefined: nothing ships. */
  environment: string | undefined;
  timeZone: string;
}

export function judgeChild(
  child: ChildState,
  evidence: Evidence,
  options: JudgeOptions,
): EvidenceJudgement {
  const fixes = fixesOf(evidence);
  const shipped = isShipped(evidence);
  const completed =
    child.state === "closed" &&
    child.stateReason !== "not_planned" &&
    child.stateReason !== "duplicate";
  const withdrawn = child.state === "closed" && !completed;
  const met = satisfies(evidence, options.required);
  const awaitingShip =
    !withdrawn && options.environment !== undefined && fixes.length > 0 && !shipped;
  if (child.state === "open" || withdrawn) {
    return {
      status: child.state === "open" ? "Open" : undefined,
      open: child.state === "open",
      missing: undefined,
      awaitingShip,
      noEvidence: false,
    };
  }
  const codeMeets =
    options.required === "none" || (options.required === "merged" ? fixes.length > 0 : shipped);
  let status: EvidenceStatus;
  if (shipped && options.environment !== undefined && evidence.shipped) {
    status = `Shipped ${formatDate(evidence.shipped.at, options.timeZone)}`;
  } else if (fixes.length > 0 && codeMeets) {
    status =
      options.required === "none"
        ? `Done · merged ${fixes.map((fix) => `#${fix.pr}`).join(", ")}`
        : "Merged";
  } else if (evidence.manual) {
    status = `Done (manual evidence by @${evidence.manual.by})`;
  } else if (fixes.length > 0) {
    // Merged, waiting for the deployment `shipped` asks for.
    status = "Merged";
  } else {
    status = options.required === "none" ? "Done" : "Closed, no evidence";
  }
  return {
    status,
    open: !met,
    missing: met
      ? undefined
      : options.required === "merged" || fixes.length === 0
        ? "merged"
        : "shipped",
    awaitingShip,
    noEvidence: !met && fixes.length === 0,
  };
}

/** The lines the product writes in a child's body about its evidence (see withEvidence). */
export function evidenceLines(evidence: Evidence, timeZone: string): string[] {
  const lines: string[] = [];
  const merged = evidence.merged ?? [];
  const fixes = fixesOf(evidence);
  if (fixes.length > 0) {
    lines.push(
      `Fixed by ${fixes.map((fix) => `#${fix.pr} (merged ${formatDate(fix.at, timeZone)})`).join(", ")}`,
    );
  }
  if (evidence.shipped && isShipped(evidence)) {
    const shipment = evidence.shipped;
    const deployment = safeUrl(shipment.url)
      ? `[deployment ${shipment.deployment}](${shipment.url})`
      : `deployment ${shipment.deployment}`;
    lines.push(
      `Shipped to ${inlineText(shipment.environment, 100)} ${formatDate(shipment.at, timeZone)}: ${deployment} of ${shipment.prs.map((pr) => `#${pr}`).join(", ")}`,
    );
  }
  for (const revert of evidence.reverted ?? []) {
    if (merged.some((fix) => fix.pr === revert.pr)) {
      lines.push(`Taken back: #${revert.pr} (reverted by #${revert.by})`);
    }
  }
  if (evidence.manual) {
    lines.push(
      `Evidence (manual): ${inlineText(evidence.manual.text, MANUAL_TEXT_MAX)} (recorded by @${evidence.manual.by} on ${formatDate(evidence.manual.at, timeZone)})`,
    );
  }
  return lines;
}

/** How much of a `/evidence` text is kept. */
export const MANUAL_TEXT_MAX = 500;

const OWN_LINE =
  /^(?:Fixed by #\d+ \(merged |Shipped to .* \d{4}-\d{2}-\d{2}: |Taken back: #\d+ \(reverted by #\d+\)|Evidence \(manual\): )/;

/**
 * A child's body with its evidence: the marker's `evidence` set, and the lines about it written
 * right before the marker (replacing the product's earlier ones; the people's text stays).
 */
export function withEvidence(body: string, evidence: Evidence, timeZone: string): string {
  const marker = findMarker(body, "capa");
  if (!marker) return body;
  const kept = body.split("\n").filter((line) => !OWN_LINE.test(line));
  // Blank lines the removed block leaves behind collapse to one.
  const text = kept.join("\n").replace(/\n{3,}/g, "\n\n");
  const empty = Object.keys(evidence).length === 0;
  const rest = { parent: marker.parent, key: marker.key };
  const marked = setMarker(text, "capa", empty ? rest : { ...rest, evidence });
  const lines = evidenceLines(evidence, timeZone);
  if (lines.length === 0) return marked;
  const found = marked.indexOf(`<!-- ${MARKER_PREFIX}capa `);
  const start = found < 0 ? marked.length : found;
  const before = marked.slice(0, start).replace(/\n*$/, "\n\n");
  return `${before}${lines.join("  \n")}\n\n${marked.slice(start)}`;
}

function safeUrl(url: string): boolean {
  return /^https:\/\/[^\s()<>]+$/.test(url);
}
