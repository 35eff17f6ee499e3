import type { Config } from "../config.js";
import { sameLabel } from "../config.js";
import type { IncidentEvent } from "./events.js";
import type { FormPrefill } from "../forms/prefill.js";
import { NO_PREFILL } from "../forms/prefill.js";
import { formatMarker } from "../markers.js";
import { codeSpan, firstParagraphText, inlineText, plainLine } from "../markdown-text.js";
import { incidentSeverity } from "../severity.js";
import type { ChangesTemplateData } from "../changes/block.js";
import type { IssueSnapshot, RepositoryRef } from "../snapshots.js";
import { MAX_BODY_LENGTH, renderTemplate } from "../template.js";
import { formatDateTime } from "../time.js";

export const SUMMARY_MAX_LENGTH = 500;
/** GitHub's limit for issue titles. */
export const TITLE_MAX_LENGTH = 256;

const LOGIN = /^[a-z\d](?:[a-z\d-]*[a-z\d])?(?:\[bot\])?$/i;

export interface TemplateSource {
  /** A file path or the built-in template's name, for error messages. */
  name: string;
  source: string;
}

export type PostmortemContent =
  { ok: true; title: string; body: string } | { ok: false; problem: string };

/**
 * Everything GitHub already knows about the incident, in the shape the template sees. Every string
 * that came from a user is made inert for markdown here, so templates can print values as they are.
 * Labels come first; the issue form's answers (`form`) fill what they leave open.
 */
export function templateContext(
  incident: IssueSnapshot,
  event: IncidentEvent,
  config: Config,
  repository: RepositoryRef,
  form: FormPrefill = NO_PREFILL,
  origin?: string,
  changes?: ChangesTemplateData,
) {
  const zone = config.timezone;
  // In another repository (a private post-mortem), the incident is named with its repository.
  const reference = `${origin ?? ""}#${incident.number}`;
  const severity = incidentSeverity({ labels: incident.labels, answered: form.severity }, config);
  const environments = incident.labels
    .filter((label) => label.toLowerCase().startsWith(config.environmentLabelPrefix.toLowerCase()))
    .map((label) => label.slice(config.environmentLabelPrefix.length).trim())
    .filter((name) => name !== "");
  // A form's body has no free first paragraph: only its summary answer is a summary.
  const summary = form.form ? undefined : firstParagraphText(incident.body);
  return {
    repository: { owner: repository.owner, name: repository.repo },
    incident: {
      number: incident.number,
      reference,
      title: inlineText(incident.title),
      author: mentionable(incident.author.login),
      reportedAt: formatDateTime(incident.createdAt, zone),
      summary:
        form.summary ??
        (summary === undefined ? undefined : inlineText(summary, SUMMARY_MAX_LENGTH)),
      labels: incident.labels.map((label) => inlineText(label)),
      assignees: incident.assignees.map(mentionable),
      startedAt: form.start,
      services: form.services,
      impact: form.impact,
      customers: form.customers,
      /** Every answer of the issue form by field id (empty for a body written by hand). */
      fields: form.fields,
    },
    owners: incident.assignees.map((login) => `@${mentionable(login)}`).join(", "),
    environment:
      environments.length > 0
        ? environments.map((name) => inlineText(name)).join(", ")
        : (form.environment ?? ""),
    severity,
    classification: {
      P1: severity === "P1",
      P2: severity === "P2",
      P3: severity === "P3",
      P4: severity === "P4",
      security:
        hasAnyLabel(incident, config.classificationLabels.security) || form.classification.security,
      dataLoss:
        hasAnyLabel(incident, config.classificationLabels.dataLoss) || form.classification.dataLoss,
      thirdParty:
        hasAnyLabel(incident, config.classificationLabels.thirdParty) ||
        form.classification.thirdParty,
    },
    timeline: timeline(incident, event, zone, reference),
    /**
     * The **Changes before the incident** block (src/core/changes/block.ts): `markdown` is the
     * rendered block between its markers; the rest the same facts, every text inert. Undefined
     * where it was not read (a private post-mortem, the doctor's sample).
     */
    changes,
  };
}

/** Renders title and body; the marker is added here, so no template can forget or forge it. */
export function renderPostmortem(
  incident: IssueSnapshot,
  event: IncidentEvent,
  config: Config,
  repository: RepositoryRef,
  template: TemplateSource,
  form: FormPrefill = NO_PREFILL,
  /**
   * The incident's repository (`owner/name`) when the post-mortem is opened in another one: the
   * marker then records it as its `source` (and names no incident of the repository it is in).
   */
  origin?: string,
  /** The block the template may show as `changes` (read before rendering, so one write has it). */
  changes?: ChangesTemplateData,
): PostmortemContent {
  const context = templateContext(incident, event, config, repository, form, origin, changes);
  const body = renderTemplate(template.source, context);
  if (!body.ok) return { ok: false, problem: `${codeSpan(template.name)}: ${body.problem}` };
  const titleContext = { ...context, incident: { ...context.incident, title: incident.title } };
  const title = renderTemplate(config.titleTemplate, titleContext);
  if (!title.ok) return { ok: false, problem: `titleTemplate: ${title.problem}` };

  // The severity at opening stays with the post-mortem: later it only rises (src/core/severity.ts).
  const opened = incidentSeverity({ labels: incident.labels, answered: form.severity }, config);
  const marker = formatMarker("postmortem", {
    ...(origin === undefined
      ? { incident: incident.number }
      : { source: { repository: origin, incident: incident.number } }),
    ...(opened === undefined ? {} : { severity: opened }),
    gate: 2,
  });
  const fullBody = `${body.text.trimEnd()}\n\n${marker}\n`;
  if (fullBody.length > MAX_BODY_LENGTH) {
    return {
      ok: false,
      problem: `${codeSpan(template.name)}: the rendered post-mortem has ${fullBody.length} characters, over GitHub's limit of ${MAX_BODY_LENGTH}`,
    };
  }
  const plainTitle = plainLine(title.text, TITLE_MAX_LENGTH);
  if (plainTitle === "") return { ok: false, problem: "titleTemplate: renders an empty title" };
  return { ok: true, title: plainTitle, body: fullBody };
}

function timeline(incident: IssueSnapshot, event: IncidentEvent, zone: string, reference: string) {
  const opened = {
    time: formatDateTime(incident.createdAt, zone),
    event: `Incident issue ${reference} opened by @${mentionable(incident.author.login)}`,
  };
  const by = `@${mentionable(event.sender.login)}`;
  switch (event.kind) {
    case "opened":
      return [opened];
    case "labeled":
      return [
        opened,
        {
          time: formatDateTime(event.at, zone),
          event: `Labeled ${inlineText(event.label)} by ${by}`,
        },
      ];
    case "command":
      return [
        opened,
        { time: formatDateTime(event.at, zone), event: `Post-mortem requested by ${by}` },
      ];
  }
}

function hasAnyLabel(incident: IssueSnapshot, wanted: readonly string[]): boolean {
  return incident.labels.some((label) => wanted.some((name) => sameLabel(label, name)));
}

/** Logins are safe to mention as they are; anything else (never seen from GitHub) is defused. */
function mentionable(login: string): string {
  return LOGIN.test(login) ? login : inlineText(login);
}
