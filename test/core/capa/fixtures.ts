import { builtInTemplate } from "../../../src/handlers/built-in-template.js";
import type { CapaState } from "../../../src/core/capa/plan.js";
import { defaultConfig } from "../../../src/core/config.js";
import { renderPostmortem } from "../../../src/core/incident/content.js";
import type { IssueSnapshot } from "../../../src/core/snapshots.js";
import { bot, incidentIssue, labeledEvent, postmortemIssue, repository } from "../fixtures.js";
import { appWriters } from "../../support/writers.js";

export const config = defaultConfig;

/** The body the App opens for the standard incident, post-mortem #20 of incident #12. */
export function renderedPostmortem(): string {
  const result = renderPostmortem(incidentIssue(), labeledEvent(), defaultConfig, repository, {
    name: "built-in",
    source: builtInTemplate(),
  });
  if (!result.ok) throw new Error(result.problem);
  return result.body;
}

/** The rendered body with one CAPA line replaced, as a person would edit it. */
export function withLine(from: string, to: string, body = renderedPostmortem()): string {
  if (!body.includes(from)) throw new Error(`no line ${from}`);
  return body.replace(from, to);
}

export function postmortem(body: string, overrides: Partial<IssueSnapshot> = {}): IssueSnapshot {
  return postmortemIssue(20, { body, assignees: ["pat"], ...overrides });
}

export function child(
  number: number,
  key: string,
  overrides: Partial<IssueSnapshot> & { due?: string; owner?: string } = {},
): IssueSnapshot {
  const { due = "2026-12-15", owner = "@carol", ...issue } = overrides;
  return {
    id: 50_000 + number,
    number,
    title: "CAPA: Add automated validation checks (CI/CD gates)",
    body: `Corrective or preventive action from post-mortem #20 (incident #12).\n\n**Owner:** ${owner}  \n**Category:** Technical Fixes  \nDue: ${due}\n\n<!-- postmortem-bot:capa {"parent":20,"key":"${key}"} -->\n`,
    state: "open",
    stateReason: null,
    author: bot,
    labels: ["capa"],
    assignees: ["carol"],
    createdAt: "2026-11-27T14:00:00Z",
    isPullRequest: false,
    parentIssueUrl: "https://api.github.com/repos/acme/shop/issues/20",
    ...issue,
  };
}

/**
 * The state of a run for `body`; by default the run of a writer's edit that saved `body` (what it
 * asks for may be opened), with the configured budget.
 */
export function state(overrides: Partial<CapaState> & { body?: string } = {}): CapaState {
  const { body = renderedPostmortem(), ...rest } = overrides;
  return {
    edit: { by: "writer", login: "carol", before: renderedPostmortem(), after: body },
    budget: config.capa.maxChildrenPerEdit,
    writers: appWriters,
    postmortem: postmortem(body),
    incident: { number: 12, labels: ["incident"], assignees: ["bob"] },
    children: [],
    missing: new Map(),
    comments: [],
    assignable: new Map(),
    subIssues: "supported",
    today: "2026-11-27",
    ...rest,
  };
}
