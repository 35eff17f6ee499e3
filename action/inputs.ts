// The Action's inputs (action.yml), read once per run and parsed by one schema;
// test/action/run-context.test.ts holds the schema to action.yml's names and defaults.
import * as core from "@actions/core";
import { z } from "zod";

/**
 * A yes/no input: its action.yml default unless it says the other word ("true" or "false", in any
 * case, spaces trimmed). So a typo keeps the default: the gate still fails the job on a blocked
 * close, and no report issue is written that nobody asked for.
 */
function flag(byDefault: boolean) {
  return z.string().transform((text) => {
    const other = String(!byDefault);
    return text.trim().toLowerCase() === other ? !byDefault : byDefault;
  });
}

const text = z.string().transform((value) => value.trim());
/** Unset (action.yml's default is empty) or blank → undefined. */
const optionalText = text.transform((value) => (value === "" ? undefined : value));

export const ACTION_INPUTS = z.object({
  "github-token": text,
  "fail-on-block": flag(true),
  /** Read by the entry (action/mode.ts) before this schema is loaded; here for completeness. */
  mode: text,
  /** `mode: backfill`: an issue number or `all-open`, as typed (the mode reads it). */
  incident: text,
  "report-issue": flag(false),
  "report-since": optionalText,
  "report-until": optionalText,
  /** Owners `_extends` may name besides the repository's own, as typed (action/gateway.ts reads it). */
  "config-extends-owners": text,
  /**
   * A token that can write to `private.repository` (a GitHub App installation token, from
   * `actions/create-github-app-token`); unset: private post-mortems are refused with a comment.
   */
  "private-repository-token": optionalText,
  /** A token that can write the project `projects.url` names (GITHUB_TOKEN cannot). */
  "projects-token": optionalText,
  /** Chat receivers' URLs and `webhook` secrets, `name=value` lines (action/notify.ts reads them). */
  "notify-urls": z.string(),
  "notify-secrets": z.string(),
});
export type ActionInputs = z.output<typeof ACTION_INPUTS>;

/** Every input, as the runner passes them (`INPUT_<NAME>`, through @actions/core). */
export function readInputs(): ActionInputs {
  const given = Object.keys(ACTION_INPUTS.shape).map((name) => [name, core.getInput(name)]);
  return ACTION_INPUTS.parse(Object.fromEntries(given));
}
