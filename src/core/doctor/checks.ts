import { parse as parseYaml } from "yaml";
import type { Config } from "../config.js";
import type { CodeownersFile } from "../capa/codeowners.js";
import {
  CODEOWNERS_PATHS,
  ownersOfPaths,
  parseCodeowners,
  unsupportedCodeownersLines,
} from "../capa/codeowners.js";
import { codeSpan } from "../markdown-text.js";

/*
 * `postmortem-bot doctor`: what the App or the Action needs in a repository, compared with what
 * GitHub says it has. Each finding names its fix; `blocking` ones stop the product from working,
 * warnings make it work less well. The shell (src/entry/doctor.ts) gathers the facts.
 */

export interface Finding {
  level: "blocking" | "warning";
  problem: string;
  fix: string;
}

type Access = "read" | "write";

export interface Needs {
  permissions: Record<string, Access>;
  /** Events without which a flow never runs. */
  events: string[];
  /** Events that make it better (a pushed configuration takes effect at once). */
  optionalEvents: string[];
}

/** What the App needs under this configuration (the one in the repository, when readable). */
export function appNeeds(config: Config | undefined): Needs {
  const permissions: Record<string, Access> = {
    issues: "write",
    contents: "read",
    metadata: "read",
    // The Changes before the incident block of every post-mortem: the closed pull requests and
    // the deployments (without them the block says what could not be read).
    pull_requests: "read",
    deployments: "read",
  };
  if (config && usesTeamRoles(config)) permissions.members = "read";
  // The culprit check (src/core/culprit-check) in every repository: a check run on pull requests
  // that touch the paths of a recent post-mortem's culprits.
  permissions.checks = "write";
  const events = ["issues", "issue_comment", "sub_issues", "pull_request"];
  if (config?.evidence.environment !== undefined) events.push("deployment_status");
  // `projects:` on an organization's project: the children's items and fields, and the board's
  // date edits coming back. A user's project is the Action's (the App cannot reach it).
  if (config?.projects?.url.startsWith("https://github.com/orgs/")) {
    permissions.organization_projects = "write";
    events.push("projects_v2_item");
  }
  return {
    permissions,
    events,
    optionalEvents: ["push"],
  };
}

export function usesTeamRoles(config: Config): boolean {
  return Object.values(config.approvals.roles).some((role) => role.teams.length > 0);
}

const RANK: Record<string, number> = { none: 0, read: 1, write: 2, admin: 3 };

export interface Grant {
  permissions: Record<string, string | undefined>;
  events: readonly string[];
}

/** What a grant lacks of the needs: permissions (with the access needed), events, optional events. */
export interface Gaps {
  permissions: [string, Access, string][];
  events: string[];
  optionalEvents: string[];
}

export function grantGaps(granted: Grant, needs: Needs, except?: Gaps): Gaps {
  return {
    permissions: Object.entries(needs.permissions)
      .filter(([name]) => !except?.permissions.some(([other]) => other === name))
      .map(([name, access]): [string, Access, string] => [
        name,
        access,
        granted.permissions[name] ?? "none",
      ])
      .filter(([, access, has]) => (RANK[has] ?? 0) < RANK[access]!),
    events: needs.events.filter(
      (event) => !granted.events.includes(event) && !except?.events.includes(event),
    ),
    optionalEvents: needs.optionalEvents.filter(
      (event) => !granted.events.includes(event) && !except?.optionalEvents.includes(event),
    ),
  };
}

/**
 * The gaps of the App (as registered) or of its installation (as its owner accepted it: it lags
 * the App's settings until then), each with its fix.
 */
export function grantFindings(
  gaps: Gaps,
  where: { kind: "app" | "installation"; settingsUrl: string },
): Finding[] {
  const subject = where.kind === "app" ? "The App" : "The installation";
  const fix =
    where.kind === "app"
      ? `Add it in the App's settings (${where.settingsUrl} → Permissions & events); each installation's owner then accepts it.`
      : `Accept the App's new permissions and events in the installation's settings (${where.settingsUrl}).`;
  return [
    ...gaps.permissions.map(([name, access, has]): Finding => ({
      level: "blocking",
      problem: `${subject} has ${name}: ${has}; it needs ${name}: ${access}${name === "members" ? " (a role in approvals.roles lists teams)" : ""}.`,
      fix,
    })),
    ...gaps.events.map((event): Finding => ({
      level: "blocking",
      problem: `${subject} is not subscribed to the \`${event}\` event.`,
      fix,
    })),
    ...gaps.optionalEvents.map((event): Finding => ({
      level: "warning",
      problem: `${subject} is not subscribed to the \`${event}\` event: a pushed configuration takes effect only after CONFIG_MAX_AGE.`,
      fix,
    })),
  ];
}

export interface HookFacts {
  url: string | undefined;
  insecureSsl: string | undefined;
}

export interface DeliveryFact {
  event: string;
  statusCode: number;
  deliveredAt: string;
}

/** The webhook URL GitHub uses, and whether its recent deliveries reached the server. */
export function hookFindings(hook: HookFacts, deliveries: readonly DeliveryFact[]): Finding[] {
  const findings: Finding[] = [];
  const settings = "the App's settings → General → Webhook";
  let url: URL | undefined;
  try {
    url = hook.url ? new URL(hook.url) : undefined;
  } catch {
    url = undefined;
  }
  if (!url) {
    findings.push({
      level: "blocking",
      problem: "The App has no usable webhook URL: GitHub sends its events nowhere.",
      fix: `Set it to https://<your host>/api/github/webhooks in ${settings}.`,
    });
  } else if (url.hostname === "example.com" || url.hostname.endsWith(".example.com")) {
    findings.push({
      level: "blocking",
      problem: `The webhook URL is app.yml's placeholder (${url.origin}): GitHub sends events nowhere.`,
      fix: `Set it to your server's https://<host>/api/github/webhooks in ${settings}.`,
    });
  } else if (url.protocol !== "https:" && !["127.0.0.1", "localhost"].includes(url.hostname)) {
    findings.push({
      level: "warning",
      problem: `The webhook URL ${url.origin} is not https: deliveries (incident text) cross the network in clear.`,
      fix: `Serve the App behind TLS and change the URL in ${settings}.`,
    });
  }
  if (hook.insecureSsl === "1") {
    findings.push({
      level: "warning",
      problem:
        "The webhook skips TLS verification (insecure_ssl): anyone in between can read or alter deliveries.",
      fix: `Turn SSL verification on in ${settings}.`,
    });
  }
  const recent = [...deliveries].sort((a, b) => b.deliveredAt.localeCompare(a.deliveredAt));
  const failed = recent.filter(
    (delivery) => delivery.statusCode === 0 || delivery.statusCode >= 400,
  );
  if (recent.length === 0) {
    findings.push({
      level: "warning",
      problem: "GitHub has no recent deliveries for the App: nothing has reached the server yet.",
      fix: "Label an issue `incident` in an installed repository, then run doctor again.",
    });
  } else if (failed.length > 0) {
    const last = failed[0]!;
    const code = last.statusCode === 0 ? "no answer" : `HTTP ${last.statusCode}`;
    findings.push({
      level: failed.length === recent.length ? "blocking" : "warning",
      problem: `${failed.length} of the last ${recent.length} deliveries failed (latest: ${last.event} at ${last.deliveredAt}, ${code}).`,
      fix:
        last.statusCode === 0
          ? "GitHub could not reach the webhook URL: check that the server runs and the URL reaches it from the internet."
          : last.statusCode === 401 || last.statusCode === 400
            ? "The server refused the signature: WEBHOOK_SECRET must equal the App's webhook secret."
            : "See the server's log for these delivery ids (Advanced → Recent Deliveries in the App's settings).",
    });
  }
  return findings;
}

/** Labels people apply by hand must exist (the App creates its own labels when it needs them). */
export function labelFindings(config: Config, existing: ReadonlySet<string>): Finding[] {
  const has = (name: string) => existing.has(name.toLowerCase());
  if (config.incidentLabels.some(has)) return [];
  return [
    {
      level: "warning",
      problem: `No incident label exists (${config.incidentLabels.map((name) => `\`${name}\``).join(", ")}): nobody can declare an incident by label.`,
      fix: `Create the label \`${config.incidentLabels[0]}\` (Issues → Labels → New label), or use the shipped issue form, which applies it.`,
    },
  ];
}

export interface WorkflowFile {
  path: string;
  text: string;
}

/** Trigger types the Action's flows and gate need on each event (`unlabeled`: a removed label is put back). */
const NEEDED_TYPES: Record<string, readonly string[]> = {
  issues: ["opened", "labeled", "unlabeled", "edited", "closed", "reopened"],
  issue_comment: ["created", "edited"],
};

/** The pull-request events the culprit check answers where the flows run in the Action. */
const CULPRIT_CHECK_TYPES = ["opened", "synchronize", "reopened"] as const;

/**
 * The workflows that run the Action: present, pinned, allowed to write issues, with the triggers.
 * `flowsInAction`: `flows.runIn: action`, where the Action also runs the culprit check.
 */
export function workflowFindings(
  files: readonly WorkflowFile[],
  options: { flowsInAction?: boolean } = {},
): Finding[] {
  const findings: Finding[] = [];
  const using = files.flatMap((file) => {
    let parsed: unknown;
    try {
      parsed = parseYaml(file.text);
    } catch {
      return [];
    }
    const uses = actionRefs(parsed);
    return uses.length > 0 ? [{ file, parsed: parsed as Workflow, uses }] : [];
  });
  if (using.length === 0) {
    return [
      {
        level: "blocking",
        problem: "No workflow in .github/workflows uses postmortem-bot: the Action never runs.",
        fix: "Add .github/workflows/postmortem.yml from docs/action.md (“One workflow for everything”).",
      },
    ];
  }
  for (const { file, parsed, uses } of using) {
    for (const ref of uses) {
      if (!/@[0-9a-f]{40}$/.test(ref)) {
        findings.push({
          level: "warning",
          problem: `${file.path} uses \`${ref}\`, a tag or branch that can move.`,
          fix: "Pin it to a full commit SHA (the release notes list it), with the version in a comment.",
        });
      }
    }
    if (!writesIssues(parsed)) {
      findings.push({
        level: "blocking",
        problem: `${file.path} does not give its token \`issues: write\`: the Action cannot comment, label or reopen.`,
        fix: "Add `permissions: { issues: write, contents: read }` to the workflow.",
      });
    }
    const on = triggers(parsed.on);
    for (const [event, types] of Object.entries(NEEDED_TYPES)) {
      const given = on.get(event);
      const missing =
        given === undefined
          ? [...types]
          : given === "all"
            ? []
            : types.filter((type) => !given.includes(type));
      if (missing.length > 0) {
        findings.push({
          level: "blocking",
          problem: `${file.path} does not run on \`${event}\` ${missing.join(", ")}: ${event === "issues" ? "closes, removed labels or edits go unjudged" : "commands go unanswered"}.`,
          fix: `Add them: \`on: ${event}: types: [${types.join(", ")}]\`.`,
        });
      }
    }
    if (options.flowsInAction) findings.push(...culpritCheckFindings(file.path, parsed, on));
    if (!on.has("schedule")) {
      findings.push({
        level: "warning",
        problem: `${file.path} has no \`schedule\`: a close whose run was cancelled waits for the next event on it, and no reminders are sent.`,
        fix: 'Add `schedule: [{ cron: "0 8 * * 1-5" }]`.',
      });
    }
  }
  return findings;
}

/**
 * The culprit check in the Action (src/core/culprit-check): `pull_request_target` (a fork's
 * `pull_request` token cannot write a check run) and `checks: write`. Warnings: the flows work
 * without it, pull requests just get no warning.
 */
function culpritCheckFindings(
  path: string,
  workflow: Workflow,
  on: Map<string, readonly string[] | "all">,
): Finding[] {
  const given = on.get("pull_request_target");
  const missing =
    given === undefined
      ? [...CULPRIT_CHECK_TYPES]
      : given === "all"
        ? []
        : CULPRIT_CHECK_TYPES.filter((type) => !given.includes(type));
  if (missing.length > 0) {
    return [
      {
        level: "warning",
        problem: `${path} does not run on \`pull_request_target\` ${missing.join(", ")}: pull requests that touch a culprit's paths get no check run.`,
        fix: "Add them: `on: pull_request_target: types: [closed, opened, synchronize, reopened]` (docs/action.md).",
      },
    ];
  }
  if (!jobsGrant(workflow, "checks", "write")) {
    return [
      {
        level: "warning",
        problem: `${path} does not give its token \`checks: write\`: the culprit check cannot write its check run.`,
        fix: "Add `checks: write` to the workflow's `permissions`.",
      },
    ];
  }
  return [];
}

/** Whether every job that uses the Action gets `scope: access` (its own permissions, else the workflow's). */
function jobsGrant(workflow: Workflow, scope: string, access: "write"): boolean {
  const grants = (permissions: unknown) =>
    permissions === "write-all" ||
    (typeof permissions === "object" &&
      permissions !== null &&
      (permissions as Record<string, unknown>)[scope] === access);
  const jobs = Object.values(workflow.jobs ?? {}).filter(
    (job) => actionRefs({ jobs: { job } }).length > 0,
  );
  return jobs.every((job) =>
    job.permissions !== undefined ? grants(job.permissions) : grants(workflow.permissions),
  );
}

interface Workflow {
  on?: unknown;
  permissions?: unknown;
  jobs?: Record<string, { permissions?: unknown; steps?: { uses?: unknown }[] }>;
}

function actionRefs(parsed: unknown): string[] {
  const jobs = (parsed as Workflow | null)?.jobs;
  if (typeof jobs !== "object" || jobs === null) return [];
  return Object.values(jobs).flatMap((job) =>
    (Array.isArray(job?.steps) ? job.steps : [])
      .map((step) => step?.uses)
      .filter((uses): uses is string => typeof uses === "string" && /\/postmortem-bot@/.test(uses)),
  );
}

function grantsIssuesWrite(permissions: unknown): boolean {
  if (permissions === "write-all") return true;
  return (
    typeof permissions === "object" &&
    permissions !== null &&
    (permissions as Record<string, unknown>).issues === "write"
  );
}

/** `issues: write` for the jobs that use the Action: theirs, else the workflow's. */
function writesIssues(workflow: Workflow): boolean {
  const jobs = Object.values(workflow.jobs ?? {}).filter(
    (job) => actionRefs({ jobs: { job } }).length > 0,
  );
  return jobs.every((job) =>
    job.permissions !== undefined
      ? grantsIssuesWrite(job.permissions)
      : grantsIssuesWrite(workflow.permissions),
  );
}

/** The workflow's events, each with its `types` (or "all" when it lists none). */
function triggers(on: unknown): Map<string, readonly string[] | "all"> {
  const found = new Map<string, readonly string[] | "all">();
  if (typeof on === "string") {
    found.set(on, "all");
  } else if (Array.isArray(on)) {
    for (const event of on) {
      if (typeof event === "string") found.set(event, "all");
    }
  } else if (typeof on === "object" && on !== null) {
    for (const [event, settings] of Object.entries(on)) {
      const types = (settings as { types?: unknown } | null)?.types;
      found.set(
        event,
        Array.isArray(types)
          ? types.filter((type): type is string => typeof type === "string")
          : typeof types === "string"
            ? [types]
            : "all",
      );
    }
  }
  return found;
}

/** The report: findings first by weight, each with its fix; whether any blocks. */
export function renderFindings(
  repository: string,
  findings: readonly Finding[],
): { text: string; blocking: boolean } {
  const ordered = [
    ...findings.filter((f) => f.level === "blocking"),
    ...findings.filter((f) => f.level === "warning"),
  ];
  if (ordered.length === 0)
    return { text: `${repository}: everything postmortem-bot needs is in place.`, blocking: false };
  const lines = [`${repository}: ${ordered.length} problem${ordered.length === 1 ? "" : "s"}`];
  for (const finding of ordered) {
    // A problem of several lines (a configuration's validation) keeps them, indented under its mark.
    const [first, ...more] = finding.problem.split("\n").filter((line) => line.trim() !== "");
    lines.push(
      `${finding.level === "blocking" ? "✗" : "!"} ${first ?? ""}`,
      ...more.map((line) => `  ${line}`),
      `  fix: ${finding.fix}`,
    );
  }
  return {
    text: lines.join("\n"),
    blocking: ordered.some((finding) => finding.level === "blocking"),
  };
}

/**
 * `capa.defaultOwners: codeowners` (src/core/capa/codeowners.ts): the CODEOWNERS file it reads,
 * lines GitHub would refuse, and `capa.servicePaths` entries no rule owns. Nothing otherwise.
 */
export function codeownersFindings(config: Config, file: CodeownersFile | undefined): Finding[] {
  if (config.capa.defaultOwners !== "codeowners") return [];
  if (!file) {
    return [
      {
        level: "warning",
        problem: `\`capa.defaultOwners: codeowners\` but there is no CODEOWNERS file (${CODEOWNERS_PATHS.map((path) => codeSpan(path)).join(", ")}) on the default branch: a corrective action whose line names nobody goes to the post-mortem's assignees.`,
        fix: "Add a CODEOWNERS file, or choose another `capa.defaultOwners`.",
      },
    ];
  }
  const findings: Finding[] = [];
  const unsupported = unsupportedCodeownersLines(file.text);
  if (unsupported.length > 0) {
    findings.push({
      level: "warning",
      problem: `${codeSpan(file.path)} has patterns GitHub does not accept (a \`!\` negation or a \`[ ]\` range) on line ${unsupported.join(", ")}: no owner is read from ${unsupported.length === 1 ? "it" : "them"}.`,
      fix: "Rewrite those patterns without `!` or `[ ]`.",
    });
  }
  const rules = parseCodeowners(file.text);
  for (const [service, paths] of Object.entries(config.capa.servicePaths)) {
    const unowned = paths.filter((path) => {
      const owners = ownersOfPaths(rules, [path]);
      return owners.users.length === 0 && owners.teams.length === 0;
    });
    if (unowned.length === 0) continue;
    findings.push({
      level: "warning",
      problem: `No rule of ${codeSpan(file.path)} owns ${unowned.map((path) => codeSpan(path)).join(", ")} (\`capa.servicePaths\` of ${codeSpan(service)}): its corrective actions go to the post-mortem's assignees.`,
      fix: `Add a rule with owners for ${unowned.length === 1 ? "that path" : "those paths"} to ${codeSpan(file.path)}, or correct \`capa.servicePaths\`.`,
    });
  }
  return findings;
}
