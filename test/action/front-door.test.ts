// The Action as a front door (`flows.runIn: action`): the real bundle, run as the runner runs it,
// against the emulator, on the events a person's actions cause. Its own writes start no run
// (GITHUB_TOKEN), so only those events are run here, as on GitHub.
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createGitHubEmulator } from "../../emulator/index.js";
import type { GitHubEmulator } from "../../emulator/index.js";
import { runActionBundle } from "../../scripts/action-runner.js";
import type { SpawnClock } from "../support/clock.js";
import { useFixedClock } from "../support/clock.js";
import {
  RUNBOOKS,
  VALIDATION,
  check,
  childrenOf,
  onlyChild,
  pipe,
  rowOf,
} from "../e2e/capa-helpers.js";
import { postmortemsFor } from "../e2e/stack.js";

const ACTIONS_BOT = "github-actions[bot]";
const FLOWS_IN_ACTION = "flows:\n  runIn: action\n";
const DIST = fileURLToPath(new URL("../../dist/", import.meta.url));
const CONFIG_READS = [
  "GET /repos/acme/service/contents/.github%2Fpostmortem.yml 404",
  "GET /repos/acme/.github/contents/.github%2Fpostmortem.yml 404",
];

let emulator: GitHubEmulator;
let clock: SpawnClock;
/** dist/ without run.js: a run that needs nothing of the flows or the gate must not load it. */
let withoutRun: string;

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), "postmortem-dist-"));
  cpSync(DIST, dir, { recursive: true, filter: (source) => !source.endsWith("/run.js") });
  withoutRun = join(dir, "index.js");
});
afterAll(() => rmSync(join(withoutRun, ".."), { recursive: true }));

beforeEach(async () => {
  clock = useFixedClock("2026-11-27T13:00:00Z");
  emulator = createGitHubEmulator({
    users: [
      { login: "alice", role: "write" },
      { login: "bob", role: "write" },
      { login: "carol", role: "write" },
      { login: "rita", role: "read" },
    ],
  });
  emulator.addUser(ACTIONS_BOT, "write", { type: "Bot" });
  await emulator.start();
});
afterEach(async () => {
  await emulator.stop();
  vi.useRealTimers();
});

/** The payload GitHub sent for the latest event of this kind that `matches`. */
function lastEventWhere(
  event: string,
  action: string,
  matches: (payload: { issue?: { number?: number } }) => boolean,
) {
  const found = emulator.webhooks.events
    .filter((e) => e.event === event && e.action === action)
    .filter((e) => matches(e.payload as { issue?: { number?: number } }))
    .at(-1);
  if (!found) throw new Error(`no matching ${event}.${action} event`);
  return { eventName: event, payload: found.payload };
}

/** The payload GitHub sent for the latest event of this kind. */
function lastEvent(event: string, action: string) {
  const found = emulator.webhooks.events
    .filter((e) => e.event === event && e.action === action)
    .at(-1);
  if (!found) throw new Error(`no ${event}.${action} event`);
  return { eventName: event, payload: found.payload };
}

const lastSeq = () => emulator.requests.at(-1)?.seq ?? 0;

/** Runs the bundle as the runner does; returns the run and the requests GitHub saw meanwhile. */
async function run(
  event: { eventName: string; payload: unknown },
  options: { mode?: string; env?: Record<string, string>; bundle?: string } = {},
) {
  const since = lastSeq();
  const result = await runActionBundle({
    ...event,
    ...options,
    apiUrl: emulator.apiUrl,
    token: emulator.tokenFor(ACTIONS_BOT),
    repository: `${emulator.owner}/${emulator.repoName}`,
    nodeArgs: clock.nodeArgs,
    env: { ...clock.env, ...options.env },
  });
  const requests = emulator.requests
    .filter((r) => r.seq > since)
    .map((r) => `${r.method} ${r.path} ${r.status}`);
  return { ...result, requests, since };
}

/** The Action's writes since `since` (GraphQL only reads). */
function actionWrites(since: number) {
  return emulator.requests
    .filter(
      (r) =>
        r.seq > since && r.actor === ACTIONS_BOT && r.method !== "GET" && r.path !== "/graphql",
    )
    .map((r) => `${r.method} ${decodeURIComponent(r.path)}`);
}

function openIncident(labeled = true): number {
  const number = emulator.openIssue({
    by: "alice",
    title: "Checkout API returns 500s",
    body: "About 30% of checkout requests fail.",
  }).number as number;
  if (labeled) emulator.addLabel({ by: "alice", issue: number, label: "incident" });
  return number;
}

const commentsBy = (issue: number, login: string) =>
  emulator.commentsOn(issue).filter((c) => c.user.login === login);

/** The incident's one open post-mortem, opened by the Action. */
function onlyPostmortem(incident: number): number {
  const open = postmortemsFor(emulator, incident, "open");
  expect(open).toHaveLength(1);
  const issue = emulator.issue(open[0]!.number) as { user: { login: string } };
  expect(issue.user.login).toBe(ACTIONS_BOT);
  return open[0]!.number;
}

/** A person edits the post-mortem's body (an `issues.edited` event). */
function personEdits(issue: number, edit: (body: string) => string) {
  emulator.editBody({ by: "alice", issue, body: edit(emulator.issue(issue).body as string) });
  return lastEvent("issues", "edited");
}

describe("with flows.runIn: action, the Action alone runs the incident and CAPA flows", () => {
  beforeEach(() => emulator.setFile(".github/postmortem.yml", FLOWS_IN_ACTION));

  it("incident label → one post-mortem and one link comment; the same event again writes nothing", async () => {
    const incident = openIncident();
    const event = lastEvent("issues", "labeled");

    const first = await run(event);

    expect(first.exitCode).toBe(0);
    const postmortem = onlyPostmortem(incident);
    expect(emulator.issue(postmortem).title).toBe("Post-mortem: Checkout API returns 500s");
    expect(actionWrites(first.since)).toEqual([
      "POST /repos/acme/service/labels",
      "POST /repos/acme/service/issues",
      `POST /repos/acme/service/issues/${incident}/comments`,
    ]);
    expect(commentsBy(incident, ACTIONS_BOT).map((c) => c.body)).toEqual([
      `📝 Post-mortem opened: #${postmortem}\n\n<!-- postmortem-bot:link {"postmortem":${postmortem}} -->`,
    ]);
    expect(first.stdout).toContain(`Incident #${incident}: converged`);

    const again = await run(event);
    expect(again.exitCode).toBe(0);
    expect(actionWrites(again.since)).toEqual([]);
    expect(postmortemsFor(emulator, incident)).toHaveLength(1);
  }, 60_000);

  it("/postmortem by someone with triage access or more → one post-mortem, the command acknowledged", async () => {
    const issue = openIncident(false);
    const command = emulator.comment({ by: "bob", issue, body: "/postmortem" });

    const result = await run(lastEvent("issue_comment", "created"));

    expect(result.exitCode).toBe(0);
    const postmortem = onlyPostmortem(issue);
    expect(actionWrites(result.since)).toEqual([
      "POST /repos/acme/service/labels",
      "POST /repos/acme/service/issues",
      `POST /repos/acme/service/issues/${issue}/comments`,
      `POST /repos/acme/service/issues/comments/${command.id}/reactions`,
    ]);
    expect(commentsBy(issue, ACTIONS_BOT)).toHaveLength(1);
    expect(emulator.issue(postmortem).labels).toEqual([
      expect.objectContaining({ name: "postmortem" }),
    ]);
  }, 60_000);

  it("checked CAPA boxes → children with owners, due dates and sub-issue links; a child closed → the post-mortem follows", async () => {
    const incident = openIncident();
    await run(lastEvent("issues", "labeled"));
    const postmortem = onlyPostmortem(incident);
    emulator.assign({ by: "alice", issue: postmortem, assignees: ["bob"] });

    const edit = personEdits(
      postmortem,
      pipe(check(VALIDATION, " @carol due 2026-12-15"), check(RUNBOOKS)),
    );
    const capa = await run(edit);

    expect(capa.exitCode).toBe(0);
    const validation = onlyChild(emulator, postmortem, VALIDATION);
    const runbooks = onlyChild(emulator, postmortem, RUNBOOKS);
    expect(childrenOf(emulator, postmortem)).toHaveLength(2);
    expect(validation.assignees.map((a) => a.login)).toEqual(["carol"]);
    expect(validation.body).toContain("Due: 2026-12-15\n");
    // No owner on the line: the post-mortem's assignee; no date, no severity: today + 30 days.
    expect(runbooks.assignees.map((a) => a.login)).toEqual(["bob"]);
    expect(runbooks.body).toContain("Due: 2026-12-27\n");
    for (const child of [validation, runbooks]) {
      expect(child.parent_issue_url).toMatch(new RegExp(`/issues/${postmortem}$`));
      expect((emulator.issue(child.number) as { user: { login: string } }).user.login).toBe(
        ACTIONS_BOT,
      );
    }
    expect(actionWrites(capa.since)).toEqual([
      "POST /repos/acme/service/labels",
      "POST /repos/acme/service/issues",
      "POST /repos/acme/service/issues",
      `POST /repos/acme/service/issues/${postmortem}/sub_issues`,
      `POST /repos/acme/service/issues/${postmortem}/sub_issues`,
      `PATCH /repos/acme/service/issues/${postmortem}`,
    ]);
    const body = emulator.issue(postmortem).body as string;
    expect(body).toContain(
      `- [x] ${VALIDATION} → #${validation.number} · @carol · due 2026-12-15\n`,
    );
    expect(rowOf(body, validation.number)).toBe(
      `| ${VALIDATION} (#${validation.number}) | @carol | 2026-12-15 | Open |`,
    );

    // The child's own event reaches the workflow (an `issues` event of the child).
    emulator.closeIssue({ by: "carol", issue: validation.number });
    const closed = await run(lastEvent("issues", "closed"));

    expect(closed.exitCode).toBe(0);
    expect(actionWrites(closed.since)).toEqual([`PATCH /repos/acme/service/issues/${postmortem}`]);
    expect(rowOf(emulator.issue(postmortem).body as string, validation.number)).toBe(
      `| ${VALIDATION} (#${validation.number}) | @carol | 2026-12-15 | Done |`,
    );
    // The gate looked at the child too, and found no post-mortem there.
    expect(closed.stdout).toContain(`#${validation.number} is not a post-mortem`);
  }, 90_000);

  it("a post-mortem written by hand and labeled by a triager → adopted, its checked box gets a child; a box checked later too", async () => {
    emulator.setPermission("carol", "triage");
    const incident = openIncident();
    const seed = readFileSync(new URL("../fixtures/seed-template.md", import.meta.url), "utf8");
    const postmortem = emulator.openIssue({
      by: "bob",
      title: "Post-mortem: checkout down",
      body: check(
        VALIDATION,
        " @carol",
      )(seed.replace("- **Incident ID:**  \n", `- **Incident ID:** #${incident}  \n`)),
    }).number as number;
    emulator.addLabel({ by: "carol", issue: postmortem, label: "postmortem" });

    const adoption = await run(lastEvent("issues", "labeled"));

    expect(adoption.exitCode).toBe(0);
    expect(adoption.stdout).toContain(`#${postmortem}, adoption: adopted`);
    expect(emulator.issue(postmortem).body).toContain(
      `<!-- postmortem-bot:postmortem {"incident":${incident}} -->`,
    );
    expect(commentsBy(postmortem, ACTIONS_BOT)[0]!.body).toContain(
      `📎 Adopted as a post-mortem of #${incident}`,
    );
    const child = onlyChild(emulator, postmortem, VALIDATION);
    expect(child.assignees.map((a) => a.login)).toEqual(["carol"]);
    expect(child.parent_issue_url).toMatch(new RegExp(`/issues/${postmortem}$`));
    // The incident's own labeled run finds the adopted post-mortem: no second one.
    const incidentRun = await run(
      lastEventWhere("issues", "labeled", (p) => p.issue?.number === incident),
    );
    expect(incidentRun.exitCode).toBe(0);
    expect(postmortemsFor(emulator, incident).map((i) => i.number)).toEqual([postmortem]);
    expect(
      actionWrites(incidentRun.since).filter((w) => w === "POST /repos/acme/service/issues"),
    ).toEqual([]);

    // A person's edit of the adopted post-mortem reaches the flows (its author is no bot).
    const later = await run(personEdits(postmortem, check(RUNBOOKS, " @carol due 2027-01-10")));
    expect(later.exitCode).toBe(0);
    expect(onlyChild(emulator, postmortem, RUNBOOKS).body).toContain("Due: 2027-01-10\n");
  }, 120_000);

  it("an adopted post-mortem's author without write access: boxes checked before and after the adoption are unchecked with one comment each, no child", async () => {
    emulator.setPermission("carol", "triage");
    const incident = openIncident();
    const seed = readFileSync(new URL("../fixtures/seed-template.md", import.meta.url), "utf8");
    const postmortem = emulator.openIssue({
      by: "rita",
      title: "Post-mortem: checkout down",
      body: check(
        VALIDATION,
        " @acme/everyone",
      )(seed.replace("- **Incident ID:**  \n", `- **Incident ID:** #${incident}  \n`)),
    }).number as number;
    emulator.addLabel({ by: "carol", issue: postmortem, label: "postmortem" });

    const adoption = await run(lastEvent("issues", "labeled"));

    expect(adoption.exitCode).toBe(0);
    expect(adoption.stdout).toContain(`#${postmortem}, adoption: adopted`);
    expect(childrenOf(emulator, postmortem)).toEqual([]);
    expect(emulator.issue(postmortem).body).toContain(`- [ ] ${VALIDATION} @acme/everyone\n`);
    expect(adoption.requests).toContain(
      "GET /repos/acme/service/collaborators/rita/permission 200",
    );
    const refusals = () =>
      commentsBy(postmortem, ACTIONS_BOT)
        .map((c) => c.body)
        .filter((b) => b.startsWith("@rita asked for"));
    expect(refusals()).toEqual([
      `@rita asked for corrective-action issues for “${VALIDATION}”, but only people with write access to this repository can open them, so nothing was opened and the boxes were unchecked. Someone with write access can check a box again (or write a Follow-Up row again) to open its issue.\n\n<!-- postmortem-bot:notice {"key":"refused:rita:976133d86292c035"} -->`,
    ]);

    // rita checks another box on her issue: the same, one more comment, nothing opened.
    emulator.editBody({
      by: "rita",
      issue: postmortem,
      body: check(RUNBOOKS, " @outsider")(emulator.issue(postmortem).body as string),
    });
    const edit = await run(lastEvent("issues", "edited"));

    expect(edit.exitCode).toBe(0);
    expect(actionWrites(edit.since)).toEqual([
      `PATCH /repos/acme/service/issues/${postmortem}`,
      `POST /repos/acme/service/issues/${postmortem}/comments`,
    ]);
    expect(emulator.issue(postmortem).body).toContain(`- [ ] ${RUNBOOKS} @outsider\n`);
    expect(refusals()).toHaveLength(2);
    expect(childrenOf(emulator, postmortem)).toEqual([]);
  }, 120_000);

  it("concurrent runs of the same event → one open post-mortem, one link comment, one child per box", async () => {
    const incident = openIncident();
    const labeled = lastEvent("issues", "labeled");

    const runs = await Promise.all([run(labeled), run(labeled), run(labeled)]);

    expect(runs.map((r) => r.exitCode)).toEqual([0, 0, 0]);
    const postmortem = onlyPostmortem(incident);
    // Runs may each open one; all but one are closed as duplicates.
    for (const extra of postmortemsFor(emulator, incident).filter((i) => i.number !== postmortem)) {
      expect(emulator.issue(extra.number).state).toBe("closed");
      expect(emulator.issue(extra.number).state_reason).toBe("duplicate");
    }
    expect(commentsBy(incident, ACTIONS_BOT)).toHaveLength(1);

    const edit = personEdits(
      postmortem,
      pipe(check(VALIDATION, " @carol due 2026-12-15"), check(RUNBOOKS)),
    );
    const capaRuns = await Promise.all([run(edit), run(edit), run(edit)]);

    expect(capaRuns.map((r) => r.exitCode)).toEqual([0, 0, 0]);
    const open = childrenOf(emulator, postmortem).filter((c) => c.state === "open");
    expect(open.map((c) => c.title).sort()).toEqual([`CAPA: ${VALIDATION}`, `CAPA: ${RUNBOOKS}`]);
    for (const extra of childrenOf(emulator, postmortem).filter((c) => c.state !== "open")) {
      expect(extra.state_reason).toBe("duplicate");
    }
    const body = emulator.issue(postmortem).body as string;
    for (const child of open) expect(body).toContain(`→ #${child.number} ·`);
  }, 180_000);
});

describe("with flows.runIn: action, a severity lowered by its labels", () => {
  beforeEach(() => {
    emulator.setFile(".github/postmortem.yml", FLOWS_IN_ACTION);
    emulator.addUser("mia", "maintain");
  });

  it("a maintainer's P1 → P3 is recorded in the post-mortem's marker and box; a writer's P3 → P4 lowers nothing", async () => {
    const incident = openIncident(false);
    emulator.addLabel({ by: "alice", issue: incident, label: "P1" });
    emulator.addLabel({ by: "alice", issue: incident, label: "incident" });
    await run(lastEvent("issues", "labeled"));
    const postmortem = onlyPostmortem(incident);
    const opened = String(emulator.issue(postmortem).body);
    expect(opened).toContain(`{"incident":${incident},"severity":"P1","gate":2}`);

    emulator.addLabel({ by: "mia", issue: incident, label: "P3" });
    emulator.removeLabel({ by: "mia", issue: incident, label: "P1" });
    const lowering = await run(lastEvent("issues", "unlabeled"));

    expect(lowering.exitCode).toBe(0);
    const lowered = String(emulator.issue(postmortem).body);
    expect(lowered).toContain(`{"incident":${incident},"severity":"P3","gate":2}`);
    expect(lowered).toContain("- [x] P3 - Medium Outage");
    expect(lowered).not.toContain("- [x] P1");
    expect(actionWrites(lowering.since)).toEqual([
      `PATCH /repos/acme/service/issues/${postmortem}`,
    ]);
    expect(lowering.stdout).toContain(`Incident #${incident}, severity: lowered`);

    emulator.addLabel({ by: "bob", issue: incident, label: "P4" });
    emulator.removeLabel({ by: "bob", issue: incident, label: "P3" });
    const refused = await run(lastEvent("issues", "unlabeled"));

    expect(refused.exitCode).toBe(0);
    expect(actionWrites(refused.since)).toEqual([]);
    expect(String(emulator.issue(postmortem).body)).toBe(lowered);
    // One configuration read; the incident and its post-mortem (a listing); a lower level named:
    // who changed the severity labels last (the incident's events) and their permission.
    const reads = (who: string) => [
      "GET /repos/acme/service/contents/.github%2Fpostmortem.yml 200",
      `GET /repos/acme/service/issues/${incident} 200`,
      "GET /repos/acme/service/issues 200",
      `GET /repos/acme/service/issues/${incident}/events 200`,
      `GET /repos/acme/service/collaborators/${who}/permission 200`,
    ];
    expect(lowering.requests).toEqual([
      ...reads("mia"),
      `PATCH /repos/acme/service/issues/${postmortem} 200`,
      `GET /repos/acme/service/issues/${postmortem} 200`,
    ]);
    expect(refused.requests).toEqual(reads("bob"));
  }, 60_000);
});

describe("with flows.runIn: action, whose post-mortems the Action trusts", () => {
  const OTHER_APP = "other-app[bot]";

  it("github-actions[bot]'s post-mortem gets its children; another bot's copy of it gets none, and is no incident's post-mortem", async () => {
    emulator.addUser(OTHER_APP, "write", { type: "Bot" });
    emulator.setFile(".github/postmortem.yml", FLOWS_IN_ACTION);
    const incident = openIncident();
    await run(lastEvent("issues", "labeled"));
    const own = onlyPostmortem(incident);
    const body = emulator.issue(own).body as string;

    // Another App's bot opens the same post-mortem, marker and label included.
    const forged = emulator.openIssue({
      by: OTHER_APP,
      title: "Post-mortem: Checkout API returns 500s",
      body,
      labels: ["postmortem"],
    }).number as number;
    const edit = personEdits(forged, check(RUNBOOKS));
    const onForged = await run(edit);
    expect(onForged.exitCode).toBe(0);
    expect(childrenOf(emulator, forged)).toEqual([]);
    expect(actionWrites(onForged.since)).toEqual([]);

    // The Action's own, the same edit: its child is opened.
    const ownEdit = await run(personEdits(own, check(RUNBOOKS)));
    expect(ownEdit.exitCode).toBe(0);
    expect(onlyChild(emulator, own, RUNBOOKS).title).toBe(`CAPA: ${RUNBOOKS}`);

    // A second incident whose only "post-mortem" is another bot's: the Action opens its own.
    const second = openIncident(false);
    emulator.openIssue({
      by: OTHER_APP,
      title: "Post-mortem: Checkout API returns 500s",
      body: body.replace(`{"incident":${incident},`, `{"incident":${second},`),
      labels: ["postmortem"],
    });
    emulator.addLabel({ by: "alice", issue: second, label: "incident" });
    const opened = await run(lastEvent("issues", "labeled"));
    expect(opened.exitCode).toBe(0);
    const authors = postmortemsFor(emulator, second, "open").map(
      (issue) => (emulator.issue(issue.number) as { user: { login: string } }).user.login,
    );
    expect(authors.sort()).toEqual([ACTIONS_BOT, OTHER_APP].sort());
    expect(actionWrites(opened.since)).toEqual([
      "POST /repos/acme/service/issues",
      `POST /repos/acme/service/issues/${second}/comments`,
    ]);
  }, 90_000);
});

describe("with flows.runIn: action, what a run cannot see or did not finish", () => {
  it("a scheduled run opens the post-mortem of an incident whose run never happened, once", async () => {
    emulator.setFile(".github/postmortem.yml", FLOWS_IN_ACTION);
    // Labeled, but its run was replaced in the concurrency group (or failed): nothing opened.
    const incident = openIncident();
    const schedule = {
      eventName: "schedule",
      payload: {
        schedule: "0 8 * * 1-5",
        repository: { name: "service", owner: { login: "acme" }, default_branch: "main" },
      },
    };

    const first = await run(schedule);

    expect(first.exitCode).toBe(0);
    onlyPostmortem(incident);
    expect(first.summary).toContain("| incidents without a post-mortem, settled now | 1 |");
    const again = await run(schedule);
    expect(again.exitCode).toBe(0);
    expect(actionWrites(again.since)).toEqual([]);
    expect(postmortemsFor(emulator, incident)).toHaveLength(1);
  }, 60_000);

  it("a broken configuration that names the Action is reported once on the incident, and the job fails", async () => {
    emulator.setFile(".github/postmortem.yml", `${FLOWS_IN_ACTION}incidentLabels: incident\n`);
    const incident = openIncident();
    const event = lastEvent("issues", "labeled");

    const result = await run(event);

    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain("::error::The configuration in");
    expect(actionWrites(result.since)).toEqual([
      `POST /repos/acme/service/issues/${incident}/comments`,
    ]);
    const [report] = commentsBy(incident, ACTIONS_BOT);
    expect(report?.body).toContain("incidentLabels: ");
    expect(postmortemsFor(emulator, incident)).toEqual([]);

    const again = await run(event);
    expect(again.exitCode).toBe(1);
    expect(commentsBy(incident, ACTIONS_BOT)).toHaveLength(1);
  }, 60_000);
});

describe("by default (flows.runIn: app) the Action leaves the flows to the App", () => {
  it("an incident label and /postmortem: the configuration read, nothing written, dist/run.js not loaded", async () => {
    const incident = openIncident();
    const labeled = await run(lastEvent("issues", "labeled"), { bundle: withoutRun });
    emulator.comment({ by: "bob", issue: incident, body: "/postmortem" });
    const command = await run(lastEvent("issue_comment", "created"), { bundle: withoutRun });

    for (const result of [labeled, command]) {
      expect(result).toMatchObject({ exitCode: 0, outputs: {}, summary: "" });
      expect(result.requests).toEqual(CONFIG_READS);
      expect(result.stdout).toContain(`#${incident} is not a post-mortem`);
    }
    expect(postmortemsFor(emulator, incident)).toEqual([]);
  });

  it("a checked box on a post-mortem: the gate judges it, the flows write nothing", async () => {
    emulator.setFile(".github/postmortem.yml", FLOWS_IN_ACTION);
    const incident = openIncident();
    await run(lastEvent("issues", "labeled"));
    const postmortem = onlyPostmortem(incident);
    emulator.setFile(".github/postmortem.yml", "flows:\n  runIn: app\n");

    const result = await run(personEdits(postmortem, check(RUNBOOKS)));

    expect(result.exitCode).toBe(0);
    expect(actionWrites(result.since)).toEqual([]);
    expect(childrenOf(emulator, postmortem)).toEqual([]);
    expect(result.outputs).toEqual({ approved: "false", missing: expect.any(String) });
  }, 60_000);
});

describe("mode backfill", () => {
  /** A workflow_dispatch event, as GitHub sends it for the README's workflow. */
  const dispatch = (inputs: Record<string, string>) => ({
    eventName: "workflow_dispatch",
    payload: {
      inputs,
      ref: "refs/heads/main",
      repository: { name: "service", owner: { login: "acme" }, default_branch: "main" },
      sender: { login: "alice", type: "User" },
    },
  });

  it("one incident by number, then all open ones; each twice, the second time writing nothing", async () => {
    emulator.setFile(".github/postmortem.yml", FLOWS_IN_ACTION);
    // Labeled before the workflow existed: no run saw these events.
    const first = openIncident();
    const second = openIncident();
    const ordinary = openIncident(false);
    const closedIncident = openIncident();
    emulator.closeIssue({ by: "alice", issue: closedIncident });

    const one = await run(dispatch({ mode: "backfill", incident: String(first) }));
    expect(one.exitCode).toBe(0);
    onlyPostmortem(first);
    expect(postmortemsFor(emulator, second)).toEqual([]);
    expect(one.summary).toContain(`Incident #${first}: its post-mortem is open.`);
    const oneAgain = await run(dispatch({ mode: "backfill", incident: `#${first}` }));
    expect(oneAgain.exitCode).toBe(0);
    expect(actionWrites(oneAgain.since)).toEqual([]);

    // The input given to the step (`incident:`) and an explicit mode, as a workflow may pass them.
    const all = await run(dispatch({}), { mode: "backfill", env: { INPUT_INCIDENT: "all-open" } });
    expect(all.exitCode).toBe(0);
    onlyPostmortem(second);
    expect(postmortemsFor(emulator, first)).toHaveLength(1);
    expect(postmortemsFor(emulator, ordinary)).toEqual([]);
    expect(postmortemsFor(emulator, closedIncident)).toEqual([]);
    expect(all.summary).toContain("| open incidents without a post-mortem | 1 |");
    const allAgain = await run(dispatch({ mode: "backfill", incident: "all-open" }));
    expect(allAgain.exitCode).toBe(0);
    expect(actionWrites(allAgain.since)).toEqual([]);
    expect(allAgain.summary).toContain("| open incidents without a post-mortem | 0 |");
  }, 90_000);

  it("fails clearly and writes nothing: no incident input, an issue that is no incident, flows left to the App", async () => {
    emulator.setFile(".github/postmortem.yml", FLOWS_IN_ACTION);
    const ordinary = openIncident(false);
    const missing = await run(dispatch({ mode: "backfill" }));
    expect(missing.exitCode).toBe(1);
    expect(missing.stdout).toContain(
      '::error::mode backfill needs the `incident` input: an issue number or `all-open` (got "").',
    );
    const notIncident = await run(dispatch({ mode: "backfill", incident: String(ordinary) }));
    expect(notIncident.exitCode).toBe(1);
    expect(notIncident.stdout).toContain(`::error::#${ordinary} is no incident here`);

    emulator.setFile(".github/postmortem.yml", "flows:\n  runIn: app\n");
    const incident = openIncident();
    const app = await run(dispatch({ mode: "backfill", incident: String(incident) }));
    expect(app.exitCode).toBe(1);
    expect(app.stdout).toContain("::error::`flows.runIn` is `app`");
    for (const result of [missing, notIncident, app])
      expect(actionWrites(result.since)).toEqual([]);
    expect(postmortemsFor(emulator, incident)).toEqual([]);
  }, 60_000);
});
