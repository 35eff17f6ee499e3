import type { Config } from "../config.js";
import { codeSpan, inlineText } from "../markdown-text.js";
import type { Severity } from "../severity.js";
import { severityFromAnswer, words } from "../severity.js";
import { parseDateTime } from "../timeline/datetime.js";
import { formatDateTime } from "../time.js";
import type { FormAnswer } from "./answers.js";
import { readFormAnswers } from "./answers.js";
import type { FormTarget } from "./config.js";
import { formFields } from "./config.js";
import type { FormDefinition, FormDefinitionResult } from "./definition.js";

/** Longest answer copied into a post-mortem field, like the summary taken from a body. */
export const ANSWER_MAX_LENGTH = 500;

/** What an incident opened from an issue form contributes to its post-mortem. */
export interface FormPrefill {
  /** The form the body was written by; undefined for a body written by hand. */
  form?: FormDefinition;
  /** Every answer by field id, inert text (checkboxes: the checked options, comma-separated). */
  fields: Record<string, string>;
  severity?: Severity;
  environment?: string;
  /** Date & Time (Start), `YYYY-MM-DD HH:MM <zone>` in the configured zone. */
  start?: string;
  services?: string;
  summary?: string;
  impact?: string;
  customers?: string;
  classification: { security: boolean; dataLoss: boolean; thirdParty: boolean };
  /** Broken form definitions and `form:` keys the form lacks: reported on the incident. */
  problems: string[];
  /** Answers that could not be used, for the people filling in the post-mortem. */
  notes: string[];
}

export const NO_PREFILL: FormPrefill = {
  fields: {},
  classification: { security: false, dataLoss: false, thirdParty: false },
  problems: [],
  notes: [],
};

/**
 * Reads an incident body as the answers of one of the repository's issue forms: the form whose
 * questions its `### ` headings are. Labels resolve to field ids through that form, and the
 * `form:` mapping says which answer fills which post-mortem field.
 */
export function prefillFromForm(
  body: string | null | undefined,
  definitions: readonly FormDefinitionResult[],
  config: Config,
): FormPrefill {
  const answers = readFormAnswers(body);
  if (answers.length === 0) return NO_PREFILL;
  const problems = definitions.flatMap((result) => (result.ok ? [] : [result.problem]));
  const form = matchingForm(
    answers,
    definitions.flatMap((result) => (result.ok ? [result.form] : [])),
  );
  if (!form) return { ...NO_PREFILL, problems };

  const byId = new Map<string, FormAnswer>();
  for (const field of form.fields) {
    const answer = answers.find((candidate) => sameWords(candidate.label, field.label));
    if (answer) byId.set(field.id, answer);
  }
  const mapping = formFields(config.form);
  for (const [target, id] of Object.entries(config.form) as [FormTarget, string][]) {
    if (!form.fields.some((field) => field.id === id)) {
      problems.push(
        `\`form.${target}\` names the field ${codeSpan(id)}, which ${codeSpan(form.path)} does not have (its ids: ${form.fields.map((field) => codeSpan(field.id)).join(", ")}).`,
      );
    }
  }
  const fields: Record<string, string> = {};
  for (const [id, answer] of byId) fields[id] = inlineText(answerText(answer), ANSWER_MAX_LENGTH);
  const raw = (target: FormTarget) => {
    const answer = byId.get(mapping[target]);
    const text = answer ? answerText(answer) : "";
    return text === "" ? undefined : text;
  };
  const inert = (target: FormTarget) => {
    const text = raw(target);
    return text === undefined ? undefined : inlineText(text, ANSWER_MAX_LENGTH);
  };

  const notes: string[] = [];
  const startAnswer = raw("start");
  const startInstant =
    startAnswer === undefined ? undefined : parseDateTime(startAnswer, config.timezone);
  if (startAnswer !== undefined && startInstant === undefined) {
    notes.push(
      `**Date & Time (Start)** was left for you: the incident's answer “${inlineText(startAnswer, 100)}” is not a date and time (\`YYYY-MM-DD HH:MM\`, optionally with a zone such as \`UTC\` or \`+02:00\`; without one, ${inlineText(config.timezone)}).`,
    );
  }
  const severityAnswer = raw("severity");
  const checkedOptions = byId.get(mapping.classification)?.checked ?? [];
  const checks = (names: readonly string[], text: string) =>
    checkedOptions.some((option) =>
      [...names, text].some((name) => ` ${words(option)} `.includes(` ${words(name)} `)),
    );
  return {
    form,
    fields,
    severity: severityAnswer === undefined ? undefined : severityFromAnswer(severityAnswer, config),
    environment: inert("environment"),
    start: startInstant === undefined ? undefined : formatDateTime(startInstant, config.timezone),
    services: inert("services"),
    summary: inert("summary"),
    impact: inert("impact"),
    customers: inert("customers"),
    classification: {
      security: checks(config.classificationLabels.security, "Security Incident"),
      dataLoss: checks(config.classificationLabels.dataLoss, "Data Loss Event"),
      thirdParty: checks(config.classificationLabels.thirdParty, "Third-party Service Impact"),
    },
    problems,
    notes,
  };
}

/** Whether a body looks written by an issue form, so that reading the forms is worth a request. */
export function mayBeFormBody(body: string | null | undefined): boolean {
  return readFormAnswers(body).length > 0;
}

/** The form whose questions most of the body's headings are (ties: the first file). */
function matchingForm(
  answers: readonly FormAnswer[],
  forms: readonly FormDefinition[],
): FormDefinition | undefined {
  let best: { form: FormDefinition; score: number } | undefined;
  for (const form of forms) {
    const score = answers.filter((answer) =>
      form.fields.some((field) => sameWords(field.label, answer.label)),
    ).length;
    if (score > (best?.score ?? 0)) best = { form, score };
  }
  // Most headings must be the form's questions: a hand-written body with one `### Impact` is not.
  return best && best.score * 2 >= answers.length ? best.form : undefined;
}

function answerText(answer: FormAnswer): string {
  return answer.checked ? answer.checked.join(", ") : answer.text;
}

function sameWords(a: string, b: string): boolean {
  return words(a) === words(b);
}
