import type { Config } from "../config.js";
import { findSection, readDocument } from "../document.js";
import type { Plan } from "../plan.js";
import { MAX_BODY_LENGTH } from "../template.js";
import { parseDateTime } from "../timeline/datetime.js";
import type { TimelineEntry } from "../timeline/events.js";
import { editBody } from "../timeline/plan.js";
import { formatDateTime } from "../time.js";
import { findChangesBlock } from "./block.js";

/**
 * `body` with the Timeline rows of the block's deployments, added by the timeline's own rules
 * (src/core/timeline/plan.ts): in time order, hashed in its `timeline` marker, so a row is never
 * rewritten and a row a person deleted stays deleted. The body as it is when nothing is added.
 */
export function withDeploymentRows(
  body: string,
  entries: readonly TimelineEntry[],
  config: Pick<Config, "timezone">,
  /**
   * The body as read before this write (the timeline marker's fingerprint of what the write was
   * based on: the App's own `edited` event then shows nobody's text was overwritten).
   */
  basedOn: string = body,
): string {
  if (entries.length === 0) return body;
  const zone = config.timezone;
  const rows = entries.map((entry) => ({
    time: formatDateTime(entry.at, zone),
    event: entry.text,
  }));
  return editBody(body, { rows }, zone, basedOn) ?? body;
}

/**
 * `body` with the block in place: the block between its markers replaced; without it (a custom
 * template without `changes`, or a person deleted it), at the end of the Timeline section (before
 * its closing `---`), else at the end of the body.
 */
export function placeChanges(body: string, block: string): string {
  const found = findChangesBlock(body);
  if (found) return `${body.slice(0, found.start)}${block}${body.slice(found.end)}`;
  const section = findSection(readDocument(body), /^4\.|timeline of events/i);
  if (!section) return `${body.trimEnd()}\n\n${block}\n`;
  const text = body.slice(section.span.start, section.span.end);
  const rule = /\n(?:-{3,}|\*{3,}|_{3,})[ \t]*\n?\s*$/.exec(text);
  const at = section.span.start + (rule ? rule.index : text.trimEnd().length);
  const before = body.slice(0, at).trimEnd();
  return `${before}\n\n${block}\n${body.slice(at).startsWith("\n") ? "" : "\n"}${body.slice(at)}`;
}

/** The one write of `/changes`: the block replaced (or put back) and its deployments' rows. */
export function planChangesWrite(input: {
  postmortemNumber: number;
  body: string;
  block: string;
  entries: readonly TimelineEntry[];
  config: Pick<Config, "timezone">;
}): Plan {
  const placed = placeChanges(input.body, input.block);
  const body = withDeploymentRows(placed, input.entries, input.config, input.body);
  if (body === input.body || body.length > MAX_BODY_LENGTH) return [];
  return [{ kind: "updateIssueBody", issueNumber: input.postmortemNumber, body }];
}

const START_FIELD = /^date\s*&\s*time\s*\(start\)$/i;
const REPORTED_FIELD = /^date\s*&\s*time\s*\((?:reported|identified|reported\/identified)\)$/i;
const ENVIRONMENT_FIELD = /^environment\s+affected$/i;
/** The shipped template's placeholder for an environment nobody named. */
const ENVIRONMENT_PLACEHOLDER = "Production / UAT / Other";

/**
 * What a post-mortem's section 1 says of the incident: its Start (else when it was reported) and
 * its environment (the value the template wrote from the form's answer; not the placeholder).
 */
export function summaryOf(
  body: string,
  config: Pick<Config, "timezone">,
): { start?: string; environment?: string } {
  const document = readDocument(body);
  const section = findSection(document, /^1\.|incident summary/i);
  if (!section) return {};
  const fields = document.fieldsIn(section.span);
  const value = (name: RegExp) => fields.find((line) => name.test(line.name))?.value ?? "";
  const start =
    parseDateTime(value(START_FIELD), config.timezone) ??
    parseDateTime(value(REPORTED_FIELD), config.timezone);
  const environment = value(ENVIRONMENT_FIELD).replace(/\\(.)/g, "$1").trim();
  return {
    ...(start === undefined ? {} : { start }),
    ...(environment === "" || environment === ENVIRONMENT_PLACEHOLDER ? {} : { environment }),
  };
}

/** The incident's environment from its `env:` labels (the first one); undefined: none. */
export function environmentOfLabels(
  labels: readonly string[],
  config: Pick<Config, "environmentLabelPrefix">,
): string | undefined {
  const prefix = config.environmentLabelPrefix.toLowerCase();
  return labels
    .filter((label) => label.toLowerCase().startsWith(prefix))
    .map((label) => label.slice(prefix.length).trim())
    .find((name) => name !== "");
}
