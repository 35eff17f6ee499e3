// Offline demo (`npm run demo`): the real App server against the GitHub emulator, playing a scripted
// incident. `npm run demo -- --serve` keeps both running afterwards so you can send your own events.
// Steps are named so later capabilities (CAPA child issues, approval gate) can be appended.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createGitHubEmulator } from "../emulator/index.js";
import type { GitHubEmulator } from "../emulator/index.js";
import type { AppProcess } from "../emulator/app-process.js";
import { generateAppCredentials, startAppProcess } from "../emulator/app-process.js";
import { runActionBundle } from "./action-runner.js";
import { runApprovalDemo, runReminderDemo } from "./demo-approvals.js";
import { runProjectsDemo } from "./demo-projects.js";
import { runNotifyDemo } from "./demo-notify.js";

const APP_ID = 4242;
const MARKER = /<!-- postmortem-bot:postmortem (\{.*?\}) -->/;
const serve = process.argv.includes("--serve");
const verbose = process.argv.includes("--verbose");
/** `--snapshot DIR`: write what the demo produced, as markdown, for `npm run screenshots`. */
const snapshotAt = process.argv.indexOf("--snapshot");
const snapshotDir = snapshotAt === -1 ? undefined : process.argv[snapshotAt + 1];

interface Issue {
  number: number;
  id: number;
  title: string;
  body: string | null;
  state: string;
  state_reason?: string | null;
  labels: { name: string }[];
  assignees: { login: string }[];
  user: { login: string };
  parent_issue_url: string | null;
  url: string;
}

interface Demo {
  emulator: GitHubEmulator;
  app?: AppProcess;
  /** Incident number per scenario name. */
  incidents: Map<string, number>;
  /** The post-mortem whose CAPA boxes are checked, and its children per action. */
  capa?: { postmortem: number; children: Map<string, Issue> };
  /** The gate's comment right after a close without approvals. */
  blockedGateComment?: string | undefined;
}

interface Step {
  name: string;
  run(demo: Demo): Promise<void>;
}

function heading(text: string): void {
  console.log(`\n━━ ${text} ${"━".repeat(Math.max(3, 70 - text.length))}`);
}

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

function allIssues(emulator: GitHubEmulator): Issue[] {
  return emulator.issues({ state: "all" }) as unknown as Issue[];
}

/** Post-mortems of an incident: issues labeled `postmortem` whose hidden marker names it. */
function postmortemsFor(emulator: GitHubEmulator, incident: number): Issue[] {
  return allIssues(emulator).filter((i) => {
    if (!i.labels.some((l) => l.name === "postmortem")) return false;
    const marker = MARKER.exec(i.body ?? "")?.[1];
    return (
      marker !== undefined && (JSON.parse(marker) as { incident?: number }).incident === incident
    );
  });
}

function botComments(emulator: GitHubEmulator, issue: number) {
  return emulator.commentsOn(issue).filter((c) => c.user.login === emulator.state.bot.login);
}

function expectOnePostmortem(demo: Demo, incident: number): Issue {
  const found = postmortemsFor(demo.emulator, incident);
  assert(
    found.length === 1,
    `expected exactly one post-mortem for incident #${incident}, found ${found.length}`,
  );
  const comments = botComments(demo.emulator, incident);
  assert(
    comments.length === 1,
    `expected one App comment on incident #${incident}, found ${comments.length}`,
  );
  return found[0] as Issue;
}

function printRequests(emulator: GitHubEmulator, since: number): void {
  for (const r of emulator.requests.filter((r) => r.seq > since && r.actor !== null)) {
    const query = Object.keys(r.query).length ? `?${new URLSearchParams(r.query).toString()}` : "";
    console.log(
      `  ${String(r.status).padEnd(3)} ${r.method.padEnd(6)} ${decodeURIComponent(r.path)}${query}`,
    );
  }
}

const lastSeq = (emulator: GitHubEmulator) => emulator.requests.at(-1)?.seq ?? 0;

/**
 * Waits until the App is done with what a person did to `issue`. A delivery that keeps the App
 * busy for more than 9 s is answered 202 "still processing" (@octokit/webhooks) while the App goes
 * on writing, paced by Octokit's throttling (up to 3 s between creates): then wait for 4 s without
 * any request too. If the App never settles, say what it keeps doing.
 */
async function waitForApp(demo: Demo, issue: number, sinceDelivery: number): Promise<void> {
  const { emulator } = demo;
  const since = lastSeq(emulator);
  try {
    await emulator.waitForIdle({ timeoutMs: 30_000 });
    if (emulator.deliveries.slice(sinceDelivery).some((d) => d.status === 202)) {
      await emulator.waitForIdle({ timeoutMs: 30_000, quietMs: 4_000 });
    }
  } catch (error) {
    const patches = emulator
      .appRequests()
      .filter((r) => r.seq > since && r.method === "PATCH" && r.path.endsWith(`/issues/${issue}`));
    const restores = (demo.app?.logs ?? []).filter((line) =>
      line.includes(`Post-mortem #${issue}: a person's edit was overwritten`),
    );
    throw new Error(
      `the App did not settle (${error instanceof Error ? error.message : String(error)}): ` +
        `it wrote #${issue} ${patches.length} times and logged ${restores.length} "a person's edit was overwritten" restores`,
      { cause: error },
    );
  }
}

// ---- CAPA: what a person writes, and how to read back what the App made of it ----

const CAPA_PREFIX = "CAPA: ";
const VALIDATION = "Add automated validation checks (CI/CD gates)";
const RUNBOOKS = "Update runbooks/playbooks";
const RCA_REVIEW = "Schedule RCA review with VP and stakeholders";
const FOLLOW_UP_HEADER_RULE =
  "|---------------------------------------------|---------------|------------|----------|";
/** The P1 box of section 10: children without a date are due 14 days after today. */
const P1_BOX = "- [ ] P1 - Critical Outage";

/** `today + days` as `YYYY-MM-DD` (UTC, the App's default time zone). */
function daysFromToday(days: number): string {
  const date = new Date();
  date.setUTCHours(0, 0, 0, 0);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** Replaces `from` in `text`, or fails the step: the template must still have the line. */
function replaceOnce(text: string, from: string, to: string): string {
  assert(text.includes(from), `the post-mortem has no line "${from}" to edit`);
  return text.replace(from, to);
}

/** CAPA children the App opened for a post-mortem, in any state (hidden marker names the parent). */
function capaChildren(emulator: GitHubEmulator, postmortem: number): Issue[] {
  return allIssues(emulator).filter((i) => {
    const marker = /<!-- postmortem-bot:capa (\{.*?\}) -->/.exec(i.body ?? "")?.[1];
    return (
      i.user.login === emulator.state.bot.login &&
      marker !== undefined &&
      (JSON.parse(marker) as { parent?: number }).parent === postmortem
    );
  });
}

function dueLine(issue: Issue): string | undefined {
  return /^Due: (.*)$/m.exec(issue.body ?? "")?.[1];
}

/** The checked task lines of section 6. */
function capaLines(body: string): string[] {
  const section = /^## 6\..*?(?=^## 7\.)/ms.exec(body)?.[0] ?? "";
  return section.split("\n").filter((line) => /^\s*- \[[xX]\]/.test(line));
}

/** The table rows of section 8 (header and rule included). */
function followUpTable(body: string): string[] {
  const section = /^## 8\..*?(?=^## 9\.|^---)/ms.exec(body)?.[0] ?? "";
  return section.split("\n").filter((line) => line.startsWith("|"));
}

function followUpRowOf(body: string, child: number): string | undefined {
  return followUpTable(body).find((line) => line.includes(`(#${child})`));
}

function printChild(child: Issue): void {
  console.log(`  #${child.number} ${child.title} [${child.state}]`);
  console.log(
    `      assignees: ${child.assignees.map((a) => `@${a.login}`).join(", ") || "—"}` +
      `   labels: ${child.labels.map((l) => l.name).join(", ")}` +
      `   Due: ${dueLine(child) ?? "—"}` +
      `   parent: ${child.parent_issue_url?.replace(/^.*\/issues\//, "#") ?? "none"}`,
  );
}

const steps: Step[] = [
  {
    name: "start the App against the emulator",
    async run(demo) {
      const credentials = generateAppCredentials();
      demo.emulator = createGitHubEmulator({
        appId: APP_ID,
        publicKey: credentials.publicKey,
        webhookSecret: credentials.secret,
        users: [
          { login: "alice", role: "maintain" },
          { login: "bob", role: "write" },
        ],
      });
      await demo.emulator.start();
      // The App and the Action share this repository: the Action trusts the App's markers only
      // under the name the configuration gives it (README, "Whose markers count").
      demo.emulator.setFile(".github/postmortem.yml", "identity:\n  app: postmortem-bot\n");
      console.log(
        `emulator: ${demo.emulator.apiUrl} (repository ${demo.emulator.owner}/${demo.emulator.repoName}; .github/postmortem.yml names the App: identity.app postmortem-bot)`,
      );
      demo.app = await startAppProcess({
        emulator: demo.emulator,
        privateKey: credentials.privateKey,
        appId: APP_ID,
        secret: credentials.secret,
        // The emulator is no GitHub: the demo need not wait on the pace of writes GitHub asks for.
        env: { WRITE_PACING: "off" },
        ...(verbose ? { onLog: (line: string) => console.log(`  [app] ${line}`) } : {}),
      });
      console.log(`app:      http://127.0.0.1:${demo.app.port} (pid answered /ping)`);
    },
  },
  {
    name: "a human opens an issue, then labels it incident",
    async run(demo) {
      const before = lastSeq(demo.emulator);
      const issue = demo.emulator.openIssue({
        by: "alice",
        title: "Checkout API returns 500s",
        body: "Since 09:12 UTC about 30% of checkout requests fail with 500.",
      });
      demo.emulator.addLabel({ by: "alice", issue: issue.number as number, label: "incident" });
      await demo.emulator.waitForIdle();
      demo.incidents.set("labeled", issue.number as number);
      const pm = expectOnePostmortem(demo, issue.number as number);
      heading(`Post-mortem #${pm.number}: ${pm.title}`);
      console.log(pm.body);
      heading(`Comment on incident #${String(issue.number)}`);
      for (const c of botComments(demo.emulator, issue.number as number)) console.log(c.body);
      heading("Labels");
      console.log(`  incident #${String(issue.number)}: ${labelsOf(demo, issue.number as number)}`);
      console.log(`  post-mortem #${pm.number}: ${pm.labels.map((l) => l.name).join(", ")}`);
      heading("Requests the App made");
      printRequests(demo.emulator, before);
    },
  },
  {
    name: "an issue is opened with the incident label already set",
    async run(demo) {
      const before = lastSeq(demo.emulator);
      const issue = demo.emulator.openIssue({
        by: "bob",
        title: "Payments queue stalled",
        body: "Consumers stopped acking at 10:40 UTC.",
        labels: ["incident"],
      });
      await demo.emulator.waitForIdle();
      demo.incidents.set("opened", issue.number as number);
      const pm = expectOnePostmortem(demo, issue.number as number);
      heading(
        `Opened with the label: incident #${String(issue.number)} → post-mortem #${pm.number}`,
      );
      printRequests(demo.emulator, before);
    },
  },
  {
    name: "an incident is filed through the shipped issue form",
    async run(demo) {
      const { emulator } = demo;
      emulator.setFile(
        ".github/ISSUE_TEMPLATE/incident.yml",
        readRepoFile("templates/incident-form.yml"),
      );
      const before = lastSeq(emulator);
      // What GitHub writes from the form's answers; the form applies the incident label.
      const issue = emulator.openIssue({
        by: "bob",
        title: "[Incident]: Checkout fails in the EU",
        body: [
          "### Summary\n\nCheckout fails for EU users since the 13:00 deploy.",
          "### Severity\n\nP1 - Critical Outage",
          "### Environment\n\nProduction",
          "### Start time\n\n2026-11-29 13:02 UTC",
          "### Services affected\n\ncheckout-api, payments",
          "### Business impact\n\nNo orders from the EU for 40 minutes",
          "### Customers affected (est.)\n\n_No response_",
          "### Classification\n\n- [ ] Security Incident\n- [ ] Data Loss Event\n- [X] Third-party Service Impact",
        ].join("\n\n"),
        labels: ["incident"],
      });
      await emulator.waitForIdle();
      demo.incidents.set("form", issue.number as number);
      const pm = expectOnePostmortem(demo, issue.number as number);
      heading(`From the form: incident #${String(issue.number)} → post-mortem #${pm.number}`);
      const filled = (pm.body ?? "")
        .split("\n")
        .filter((line) =>
          /Date & Time \(Start\)|Environment Affected|Systems\/Services|Business Impact|Customers Affected|^ {2}> |\[x\] /.test(
            line,
          ),
        );
      for (const line of filled) console.log(`  ${line.trimEnd()}`);
      assert(
        filled.includes("- **Date & Time (Start):** 2026-11-29 13:02 UTC") &&
          filled.some((line) => line.startsWith("- [x] P1 - Critical Outage")),
        "the form's start time and severity did not reach the post-mortem",
      );
      printRequests(emulator, before);
    },
  },
  {
    name: "a post-mortem written by hand is labeled by a maintainer and adopted",
    async run(demo) {
      const { emulator } = demo;
      emulator.setPermission("carol", "write");
      const incident = emulator.openIssue({
        by: "alice",
        title: "Nightly export failed",
        body: "The 02:00 export job did not run.",
      }).number as number;
      const body = readRepoFile("test/fixtures/seed-template.md")
        .replace("- **Incident ID:**  \n", `- **Incident ID:** #${incident}  \n`)
        .replace(
          "- [ ] Update runbooks/playbooks\n",
          "- [x] Update runbooks/playbooks @carol due 2027-01-15\n",
        );
      const written = emulator.openIssue({ by: "bob", title: "Post-mortem: nightly export", body });
      await emulator.waitForIdle();
      const before = lastSeq(emulator);
      const since = emulator.deliveries.length;
      emulator.addLabel({ by: "alice", issue: written.number as number, label: "postmortem" });
      await waitForApp(demo, written.number as number, since);
      demo.incidents.set("adopted", incident);
      const pm = expectOnePostmortem(demo, incident);
      heading(`Adopted: #${pm.number} (written by @${pm.user.login}) for incident #${incident}`);
      for (const c of botComments(emulator, pm.number)) console.log(`  ${c.body.split("\n")[0]}`);
      const children = capaChildren(emulator, pm.number);
      for (const child of children) printChild(child);
      assert(children.length === 1, `expected one CAPA child, found ${children.length}`);
      printRequests(emulator, before);
    },
  },
  {
    name: "the labeled delivery is redelivered",
    async run(demo) {
      const incident = demo.incidents.get("labeled") as number;
      const delivery = demo.emulator.webhooks.events.find(
        (e) =>
          e.event === "issues" &&
          e.action === "labeled" &&
          (e.payload.issue as { number: number }).number === incident &&
          (e.payload.label as { name: string }).name === "incident",
      );
      assert(delivery, `no issues.labeled delivery for incident #${incident}`);
      const before = lastSeq(demo.emulator);
      const result = await demo.emulator.redeliver(delivery.deliveryId);
      await demo.emulator.waitForIdle();
      assert(
        result.status !== null && result.status < 300,
        `redelivery answered ${String(result.status)}`,
      );
      expectOnePostmortem(demo, incident);
      const writes = demo.emulator
        .appRequests()
        .filter((r) => r.seq > before && r.method !== "GET");
      heading(`Redelivered ${delivery.deliveryId} (answered ${result.status})`);
      console.log(
        `  writes after redelivery: ${writes.length ? writes.map((w) => `${w.method} ${w.path}`).join(", ") : "none"}`,
      );
      printRequests(demo.emulator, before);
    },
  },
  {
    name: "a person checks two CAPA boxes and adds a Follow-Up row",
    async run(demo) {
      const { emulator } = demo;
      const incident = demo.incidents.get("labeled") as number;
      const pm = expectOnePostmortem(demo, incident);
      // carol owns actions, so she must be assignable: give her write access.
      emulator.setPermission("carol", "write");
      // Actions without an owner go to the post-mortem's assignees.
      emulator.assign({ by: "alice", issue: pm.number, assignees: ["bob"] });
      let body = emulator.issue(pm.number).body as string;
      body = replaceOnce(body, `- [ ] ${VALIDATION}`, `- [x] ${VALIDATION} @carol due 2026-12-15`);
      body = replaceOnce(body, `- [ ] ${RUNBOOKS}`, `- [x] ${RUNBOOKS}`);
      body = replaceOnce(body, P1_BOX, P1_BOX.replace("[ ]", "[x]"));
      body = replaceOnce(
        body,
        FOLLOW_UP_HEADER_RULE,
        `${FOLLOW_UP_HEADER_RULE}\n| ${RCA_REVIEW} | @carol | 2026-12-10 | Planned |`,
      );
      heading(`alice edits post-mortem #${pm.number}`);
      console.log(`  - [x] ${VALIDATION} @carol due 2026-12-15`);
      console.log(`  - [x] ${RUNBOOKS}            (no owner, no date; P1 checked in section 10)`);
      console.log(`  | ${RCA_REVIEW} | @carol | 2026-12-10 | Planned |`);
      const before = lastSeq(emulator);
      const sinceDelivery = emulator.deliveries.length;
      const started = Date.now();
      emulator.editBody({ by: "alice", issue: pm.number, body });
      await waitForApp(demo, pm.number, sinceDelivery);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);

      const children = capaChildren(emulator, pm.number);
      const expected = [
        { action: VALIDATION, assignees: ["carol"], due: "2026-12-15" },
        { action: RUNBOOKS, assignees: ["bob"], due: daysFromToday(14) },
        { action: RCA_REVIEW, assignees: ["carol"], due: "2026-12-10" },
      ];
      assert(
        children.length === expected.length,
        `expected ${expected.length} CAPA children, found ${children.length}: ${children.map((c) => `#${c.number} ${c.title}`).join(", ")}`,
      );
      const byAction = new Map<string, Issue>();
      for (const want of expected) {
        const found = children.filter((c) => c.title === `${CAPA_PREFIX}${want.action}`);
        assert(
          found.length === 1,
          `expected one child for "${want.action}", found ${found.length}`,
        );
        const child = found[0] as Issue;
        const assignees = child.assignees.map((a) => a.login).join(",");
        assert(
          assignees === want.assignees.join(","),
          `#${child.number} is assigned to "${assignees}", expected "${want.assignees.join(",")}"`,
        );
        assert(
          child.labels.some((l) => l.name === "capa"),
          `#${child.number} has no capa label`,
        );
        assert(
          dueLine(child) === want.due,
          `#${child.number} says "Due: ${String(dueLine(child))}", expected ${want.due}`,
        );
        assert(
          child.parent_issue_url?.endsWith(`/issues/${pm.number}`),
          `#${child.number} is not a sub-issue of #${pm.number} (parent: ${String(child.parent_issue_url)})`,
        );
        byAction.set(want.action, child);
      }
      const shown = emulator.issue(pm.number).body as string;
      for (const [action, child] of byAction) {
        const row = followUpRowOf(shown, child.number);
        assert(row?.endsWith("| Open |"), `no Open row for #${child.number} (${action}): ${row}`);
        if (action !== RCA_REVIEW) {
          assert(
            capaLines(shown).some((line) => line.includes(`${action} → #${child.number}`)),
            `the line "${action}" does not link #${child.number}`,
          );
        }
      }
      assert(
        followUpTable(shown).filter((line) => line.includes(RCA_REVIEW)).length === 1,
        `the Follow-Up row "${RCA_REVIEW}" is not exactly once in the table`,
      );
      demo.capa = { postmortem: pm.number, children: byAction };

      heading(`Child issues (${seconds} s after the edit)`);
      for (const child of children) printChild(child);
      heading(`Post-mortem #${pm.number}: CAPA lines (section 6)`);
      for (const line of capaLines(shown)) console.log(`  ${line}`);
      heading(`Post-mortem #${pm.number}: Follow-Up Actions (section 8)`);
      for (const line of followUpTable(shown)) console.log(`  ${line}`);
      heading("Writes the App made");
      for (const r of emulator.appRequests().filter((r) => r.seq > before && r.method !== "GET")) {
        console.log(`  ${String(r.status).padEnd(3)} ${r.method.padEnd(6)} ${r.path}`);
      }
    },
  },
  {
    name: "a person closes a CAPA child as completed",
    async run(demo) {
      const { emulator } = demo;
      assert(demo.capa, "no CAPA children from the previous step");
      const { postmortem, children } = demo.capa;
      const child = children.get(VALIDATION) as Issue;
      const sinceDelivery = emulator.deliveries.length;
      emulator.closeIssue({ by: "carol", issue: child.number, reason: "completed" });
      await waitForApp(demo, postmortem, sinceDelivery);
      const body = emulator.issue(postmortem).body as string;
      const row = followUpRowOf(body, child.number);
      const line = capaLines(body).find((l) => l.includes(`→ #${child.number}`));
      heading(`carol closes #${child.number} as completed`);
      console.log(`  ${line}`);
      console.log(`  ${row}`);
      assert(row?.endsWith("| Done |"), `row of #${child.number} is not Done: ${row}`);
      assert(line?.endsWith("· Done"), `line of #${child.number} does not say Done: ${line}`);
      for (const [action, other] of children) {
        if (other === child) continue;
        const otherRow = followUpRowOf(body, other.number);
        assert(
          otherRow?.endsWith("| Open |"),
          `row of #${other.number} (${action}) changed: ${otherRow}`,
        );
      }
      assert(
        capaChildren(emulator, postmortem).length === children.size,
        `closing #${child.number} changed the number of children`,
      );
    },
  },
  {
    name: "evidence: a CAPA child's fix is merged, then deployed (Merged → Shipped)",
    async run(demo) {
      const { emulator } = demo;
      // Its own repository, whose policy asks P1 children for a merged fix and names the
      // environment whose deployments ship it; the other scenes keep the default policy.
      const repo = "billing";
      emulator.addRepository(repo);
      emulator.setFile(
        ".github/postmortem.yml",
        "policy:\n  P1:\n    capaEvidence: merged\nevidence:\n  environment: production\n",
        { repo },
      );
      const incident = emulator.openIssue({
        by: "alice",
        title: "Cart totals off by one cent",
        body: "Rounding differs between cart and invoice.",
        labels: ["incident", "P1"],
        repo,
      }).number as number;
      await emulator.waitForIdle();
      const pm = emulator
        .issues({ label: "postmortem", repo })
        .find((issue) => MARKER.exec(String(issue.body))?.[1]?.includes(`"incident":${incident}`));
      assert(pm, `no post-mortem for ${repo}#${incident}`);
      const postmortem = pm.number as number;
      let sinceDelivery = emulator.deliveries.length;
      emulator.editBody({
        by: "alice",
        issue: postmortem,
        body: replaceOnce(
          String(pm.body),
          `- [ ] ${VALIDATION}`,
          `- [x] ${VALIDATION} @bob due 2026-12-15`,
        ),
        repo,
      });
      await waitForApp(demo, postmortem, sinceDelivery);
      const child = (emulator.issues({ label: "capa", repo }) as unknown as Issue[])[0];
      assert(child, `no CAPA child in ${repo}`);
      const row = () => followUpRowOf(String(emulator.issue(postmortem, repo).body), child.number);
      heading(`${repo}: post-mortem #${postmortem}, CAPA child #${child.number}`);
      console.log(`  ${row()}`);
      assert(row()?.endsWith("| Open |"), `row of #${child.number} is not Open: ${row()}`);

      // bob's fix says `Fixes #child`; alice merges it: GitHub closes the child with the merge.
      const pull = emulator.openPullRequest({
        by: "bob",
        title: "Round cart totals like invoices",
        body: `Fixes #${child.number}`,
        repo,
      });
      sinceDelivery = emulator.deliveries.length;
      emulator.mergePullRequest({ by: "alice", number: pull.number as number, repo });
      await waitForApp(demo, postmortem, sinceDelivery);
      heading(`alice merges #${String(pull.number)} ("Fixes #${child.number}")`);
      console.log(`  ${row()}`);
      console.log(`  child labels: ${labelsOfIn(demo, child.number, repo)}`);
      assert(row()?.endsWith("| Merged |"), `row of #${child.number} is not Merged: ${row()}`);

      const deployment = emulator.createDeployment({
        by: "alice",
        sha: emulator.branchSha({ repo }),
        environment: "production",
        repo,
      });
      sinceDelivery = emulator.deliveries.length;
      emulator.setDeploymentStatus({
        by: "alice",
        deployment: deployment.id,
        state: "success",
        logUrl: "https://deploy.example.com/billing/1",
        repo,
      });
      await waitForApp(demo, postmortem, sinceDelivery);
      const shipped = `| Shipped ${daysFromToday(0)} |`;
      heading(`deployment ${String(deployment.id)} to production succeeds`);
      console.log(`  ${row()}`);
      const evidence = String(emulator.issue(child.number, repo).body)
        .split("\n")
        .filter((line) => /^(Fixed by|Shipped to)/.test(line));
      for (const line of evidence) console.log(`  child: ${line.trimEnd()}`);
      assert(row()?.endsWith(shipped), `row of #${child.number} is not Shipped: ${row()}`);
    },
  },
  {
    name: "CAPA on a GitHub Project: the child on the board, a date moved there comes back",
    run: (demo) => runProjectsDemo({ ...demo, heading, settle: (i, s) => waitForApp(demo, i, s) }),
  },
  {
    name: "what changed before it broke: deployments, /culprit, the warning on the next PR",
    async run(demo) {
      const { emulator } = demo;
      // Its own repository: deployments to production before the incident, each shipping one
      // pull request.
      const repo = "checkout";
      emulator.addRepository(repo);
      emulator.setFile(".github/postmortem.yml", "changes:\n  lookback: 24h\n", { repo });
      const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();
      const shipped: number[] = [];
      // The first deployment is older than the look-back window: the base the next one is
      // compared with.
      for (const [title, path, hours] of [
        ["Card form in React", "src/web/card.tsx", 30],
        ["Refund in the background", "src/pay/refund.ts", 20],
        ["Retry card charges twice", "src/pay/charge.ts", 3],
      ] as const) {
        const pull = emulator.openPullRequest({
          by: "bob",
          title,
          files: [{ path }],
          at: hoursAgo(hours + 1),
          repo,
        });
        emulator.mergePullRequest({
          by: "alice",
          number: pull.number as number,
          at: hoursAgo(hours + 1),
          repo,
        });
        const deployment = emulator.createDeployment({
          by: "alice",
          sha: emulator.branchSha({ repo }),
          ref: "main",
          environment: "production",
          at: hoursAgo(hours),
          repo,
        });
        emulator.setDeploymentStatus({
          by: "alice",
          deployment: deployment.id,
          state: "success",
          at: hoursAgo(hours),
          repo,
        });
        shipped.push(pull.number as number);
      }
      await emulator.waitForIdle();
      const incident = emulator.openIssue({
        by: "alice",
        title: "Card payments charged twice",
        body: "Some customers see two charges.",
        labels: ["incident", "P2", "env:production"],
        repo,
      }).number as number;
      await emulator.waitForIdle();
      const pm = emulator
        .issues({ label: "postmortem", repo })
        .find((issue) => MARKER.exec(String(issue.body))?.[1]?.includes(`"incident":${incident}`));
      assert(pm, `no post-mortem for ${repo}#${incident}`);
      const postmortem = pm.number as number;
      const body = () => String(emulator.issue(postmortem, repo).body);
      const block = body().slice(
        body().indexOf("**Changes before the incident**"),
        body().indexOf("<!-- postmortem-bot:changes:end -->"),
      );
      heading(`${repo}: post-mortem #${postmortem} opens with the changes before the incident`);
      for (const line of block
        .trim()
        .split("\n")
        .filter((l) => l.trim() !== "")) {
        console.log(`  ${line}`);
      }
      for (const number of shipped.slice(1)) {
        assert(block.includes(`#${number} `), `the block does not list #${number}: ${block}`);
      }

      const culprit = shipped[2]!;
      let sinceDelivery = emulator.deliveries.length;
      emulator.comment({ by: "alice", issue: postmortem, body: `/culprit #${culprit}`, repo });
      await waitForApp(demo, postmortem, sinceDelivery);
      const rca = body()
        .split("\n")
        .find((line) => line.includes("Contributing change"));
      const onPull = emulator
        .commentsOn(culprit, repo)
        .filter((c) => c.user.login === emulator.state.bot.login);
      heading(`alice: /culprit #${culprit}`);
      console.log(`  post-mortem: ${String(rca)}`);
      console.log(`  on #${culprit}: ${onPull[0]?.body.split("\n")[0] ?? "(nothing)"}`);
      assert(rca?.includes(`#${culprit}`), "no Contributing change line");
      assert(onPull.length === 1, `#${culprit} has ${onPull.length} comments from the App`);

      sinceDelivery = emulator.deliveries.length;
      const next = emulator.openPullRequest({
        by: "bob",
        title: "Charge in cents",
        files: [{ path: "src/pay/charge.ts" }, { path: "docs/payments.md" }],
        repo,
      });
      await waitForApp(demo, next.number as number, sinceDelivery);
      const head = (
        emulator.lastEvent("pull_request", "opened").payload.pull_request as {
          head: { sha: string };
        }
      ).head.sha;
      const runs = emulator
        .checkRunsOn(head, repo)
        .filter((run) => run.name === "postmortem-bot / implicated code");
      heading(`bob opens #${String(next.number)} touching src/pay/charge.ts`);
      for (const run of runs) {
        console.log(
          `  check run "${run.name}": ${String(run.conclusion)}: ${String(run.output.title)}`,
        );
      }
      assert(runs.length === 1, `${runs.length} check runs on ${head}`);
    },
  },
  {
    name: "the incident's history fills the timeline; its close fills End and Duration",
    async run(demo) {
      const { emulator } = demo;
      const incident = demo.incidents.get("labeled") as number;
      const postmortem = postmortemsFor(emulator, incident)[0];
      assert(postmortem, `no post-mortem for incident #${incident}`);
      const day = String(emulator.issue(incident).created_at).slice(0, 10);
      let sinceDelivery = emulator.deliveries.length;
      emulator.comment({
        by: "alice",
        issue: incident,
        body: `/timeline ${day} 00:01 Deployment 4411 started`,
      });
      await waitForApp(demo, postmortem.number, sinceDelivery);
      sinceDelivery = emulator.deliveries.length;
      emulator.closeIssue({ by: "alice", issue: incident, reason: "completed" });
      await waitForApp(demo, postmortem.number, sinceDelivery);
      const body = emulator.issue(postmortem.number).body as string;
      const section = body.slice(body.indexOf("## 4. Timeline"), body.indexOf("## 5."));
      heading(
        `alice: /timeline on #${incident}, then closes it; post-mortem #${postmortem.number}`,
      );
      for (const line of body.split("\n").filter((l) => /Date & Time \(End\)|Duration:/.test(l))) {
        console.log(`  ${line}`);
      }
      for (const line of section.split("\n").filter((l) => l.startsWith("|"))) {
        console.log(`  ${line}`);
      }
      assert(section.includes("Deployment 4411 started"), "the /timeline row is missing");
      assert(section.includes("Incident closed by @alice"), "the close row is missing");
      assert(
        /Date & Time \(End\):\*\* \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/.test(body),
        "End is not filled",
      );
      assert(/\*\*Duration:\*\* (\d+ d )?(\d+ h )?\d+ min/.test(body), "Duration is not filled");
    },
  },
  {
    name: "an action slips past its date: a scheduled run reminds its owner once",
    async run(demo) {
      const { emulator } = demo;
      assert(demo.capa, "no CAPA children from the earlier step");
      const { postmortem, children } = demo.capa;
      const child = children.get(RUNBOOKS) as Issue;
      // bob moves the Due: line to yesterday (in UTC, the demo's time zone): the action slipped.
      const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
      const before = emulator.issue(child.number).body as string;
      const sinceDelivery = emulator.deliveries.length;
      emulator.editBody({
        by: "bob",
        issue: child.number,
        body: before.replace(/^Due: .*$/m, `Due: ${yesterday}`),
      });
      await waitForApp(demo, postmortem, sinceDelivery);
      const row = followUpRowOf(emulator.issue(postmortem).body as string, child.number);
      heading(`bob moves #${child.number}'s Due: line to ${yesterday}: the post-mortem follows`);
      console.log(`  ${row}`);
      assert(row?.endsWith("| Overdue |"), `row of #${child.number} is not Overdue: ${row}`);

      const runs = await runReminderDemo(emulator, child.number);
      heading(`A scheduled run of the Action (mode auto → reminders), then a second one`);
      for (const run of runs.results) console.log(`  exit ${String(run.exitCode)}`);
      heading(`Reminder on #${child.number}`);
      for (const reminder of runs.reminders) console.log(reminder);
      assert(runs.reminders.length === 1, `expected one reminder, found ${runs.reminders.length}`);
      assert(
        runs.results.every((run) => run.exitCode === 0),
        "a scheduled reminder run failed",
      );
    },
  },
  {
    name: "the approval gate (the companion Action): a blocked close, then an accepted one",
    async run(demo) {
      const incident = demo.incidents.get("labeled") as number;
      const postmortem = postmortemsFor(demo.emulator, incident)[0];
      assert(postmortem, `no post-mortem for incident #${incident}`);
      const { blockedComment } = await runApprovalDemo({
        emulator: demo.emulator,
        postmortem: postmortem.number,
        heading,
      });
      demo.blockedGateComment = blockedComment;
    },
  },
  {
    name: "chat notifications: the Action opens a post-mortem and tells Slack, Teams and a webhook",
    run: (demo) => runNotifyDemo(demo.emulator, heading),
  },
  {
    name: "summary",
    // eslint-disable-next-line @typescript-eslint/require-await
    async run(demo) {
      const all = allIssues(demo.emulator);
      const postmortems = all.filter((i) => i.labels.some((l) => l.name === "postmortem"));
      heading("Summary");
      for (const [scenario, incident] of demo.incidents) {
        const pm = postmortemsFor(demo.emulator, incident);
        console.log(
          `  ${scenario.padEnd(8)} incident #${incident} → post-mortem ${pm.map((p) => `#${p.number}`).join(", ")}`,
        );
      }
      console.log(`  issues: ${all.length}, post-mortems: ${postmortems.length}`);
      if (demo.capa) {
        const children = capaChildren(demo.emulator, demo.capa.postmortem);
        const open = children.filter((c) => c.state === "open").length;
        console.log(
          `  CAPA children of #${demo.capa.postmortem}: ${children.length} (${open} open, ${children.length - open} done), sub-issues linked: ${children.filter((c) => c.parent_issue_url).length}`,
        );
        assert(
          children.length === demo.capa.children.size,
          `expected ${demo.capa.children.size} CAPA children in total, found ${children.length}`,
        );
      }
      console.log(
        `  webhook deliveries: ${demo.emulator.deliveries.length}, App requests: ${demo.emulator.appRequests().length}`,
      );
      const failed = demo.emulator.deliveries.filter((d) => d.status === null || d.status >= 300);
      assert(
        failed.length === 0,
        `deliveries not accepted: ${failed.map((d) => `${d.event}.${String(d.action)} → ${String(d.status ?? d.error)}`).join(", ")}`,
      );
      assert(
        postmortems.length === demo.incidents.size,
        `expected ${demo.incidents.size} post-mortems in total, found ${postmortems.length}`,
      );
    },
  },
  {
    name: "a security incident of a public repository: its post-mortem is private",
    async run(demo) {
      const { emulator } = demo;
      // A public repository whose security incidents get their post-mortem in a private one
      // (the App is installed on both), which governs it with its own configuration.
      emulator.addRepository("storefront");
      emulator.addRepository("security-postmortems", { private: true });
      emulator.setFile(
        ".github/postmortem.yml",
        "private:\n  repository: acme/security-postmortems\n  when:\n    labels: [security]\n",
        { repo: "storefront" },
      );
      emulator.setFile(
        ".github/postmortem.yml",
        "postmortemLabels: [security-postmortem]\ngate:\n  enforceInApp: true\n",
        { repo: "security-postmortems" },
      );
      const sinceDelivery = emulator.webhooks.events.length;
      const incident = emulator.openIssue({
        by: "alice",
        repo: "storefront",
        title: "Session tokens in the storefront's logs",
        body: "Session tokens were logged in clear by the storefront since 08:00 UTC.",
        labels: ["incident", "security"],
      }).number as number;
      await emulator.waitForIdle({ timeoutMs: 30_000 });
      const privateIssues = () =>
        emulator.issues({ state: "all", repo: "security-postmortems" }) as unknown as Issue[];
      const publicIssues = () =>
        emulator.issues({ state: "all", repo: "storefront" }) as unknown as Issue[];
      const notices = () =>
        emulator
          .commentsOn(incident, "storefront")
          .filter((c) => c.user.login === emulator.state.bot.login);
      const [pm, ...more] = privateIssues();
      assert(
        pm && more.length === 0,
        `expected one private post-mortem, found ${privateIssues().length}`,
      );
      assert(publicIssues().length === 1, "a post-mortem was opened in the public repository");
      assert(
        notices().length === 1,
        `expected one comment on the incident, found ${notices().length}`,
      );
      const notice = notices()[0]!.body;
      assert(
        !/security-postmortems/i.test(notice) && !notice.includes(`#${pm.number}`),
        "the public comment names the private post-mortem",
      );
      heading(
        `acme/storefront#${incident} (public) → acme/security-postmortems#${pm.number} (private)`,
      );
      for (const line of (pm.body ?? "")
        .split("\n")
        .filter((l) => /Incident ID|postmortem-bot:postmortem/.test(l))) {
        console.log(`  ${line.trimEnd()}`);
      }
      heading(`The one comment on the public incident acme/storefront#${incident}`);
      console.log(notice);

      // Every delivery of it again: nothing new anywhere.
      for (const event of emulator.webhooks.events.slice(sinceDelivery)) {
        void emulator.redeliver(event.deliveryId);
      }
      await emulator.waitForIdle({ timeoutMs: 30_000 });
      assert(privateIssues().length === 1 && notices().length === 1, "a redelivery wrote again");
      console.log("  (every delivery redelivered: still one post-mortem, one comment)");

      // The gate runs in the private repository, on its own events.
      emulator.closeIssue({ by: "bob", issue: pm.number, repo: "security-postmortems" });
      await emulator.waitForIdle({ timeoutMs: 30_000 });
      const state = emulator.issue(pm.number, "security-postmortems").state as string;
      heading(`bob closes acme/security-postmortems#${pm.number} without approvals`);
      console.log(`  state: ${state}`);
      assert(state === "open", "the private post-mortem's close was not blocked");

      // A target the App is not installed on: one comment says what to fix, nothing opened.
      emulator.addRepository("vault", { private: true, installed: false });
      emulator.addRepository("payments");
      emulator.setFile(".github/postmortem.yml", "private:\n  repository: acme/vault\n", {
        repo: "payments",
      });
      const refused = emulator.openIssue({
        by: "alice",
        repo: "payments",
        title: "Card numbers in an export",
        body: "An export contained full card numbers.",
        labels: ["incident"],
      }).number as number;
      await emulator.waitForIdle({ timeoutMs: 30_000 });
      const said = emulator
        .commentsOn(refused, "payments")
        .filter((c) => c.user.login === emulator.state.bot.login);
      heading(`acme/payments#${refused}: the App is not installed on the private repository`);
      for (const c of said) console.log(c.body);
      assert(said.length === 1, `expected one comment, found ${said.length}`);
      assert(
        (emulator.issues({ state: "all", repo: "payments" }) as unknown[]).length === 1,
        "a post-mortem was opened in public",
      );
    },
  },
  {
    name: "the reliability report (the Action, mode: report, kept in a pinned issue)",
    async run(demo) {
      const { emulator } = demo;
      const actionsBot = "github-actions[bot]";
      if (!emulator.state.user(actionsBot)) emulator.addUser(actionsBot, "write", { type: "Bot" });
      // The demo's incidents are minutes old: the period is the days around today, which the
      // default (the last three full months) would leave out.
      const day = (offset: number) =>
        new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
      const run = await runActionBundle({
        eventName: "workflow_dispatch",
        payload: { inputs: { mode: "report" } },
        apiUrl: emulator.apiUrl,
        token: emulator.tokenFor(actionsBot),
        repository: `${emulator.owner}/${emulator.repoName}`,
        env: {
          "INPUT_REPORT-ISSUE": "true",
          "INPUT_REPORT-SINCE": day(-2),
          "INPUT_REPORT-UNTIL": day(1),
        },
      });
      heading("The reliability report (the job summary; the same text is in the pinned issue)");
      console.log(run.summary);
      assert(run.exitCode === 0, `the report run failed:\n${run.stdout}`);
      const reports = emulator.issues({ label: "postmortem-report", state: "open" });
      assert(reports.length === 1, `expected one report issue, found ${reports.length}`);
      assert(
        run.summary.includes(`| **Total** |`) && run.summary.includes("```mermaid\nxychart-beta"),
        "the report has no incident table or chart",
      );
    },
  },
];

/**
 * The pages a person would look at, each as GitHub shows it: the issue's title as a heading, then
 * its body (or the comment). `npm run screenshots` renders them.
 */
function writeSnapshot(demo: Demo, dir: string): void {
  const { emulator } = demo;
  assert(demo.capa, "no CAPA post-mortem to snapshot");
  const postmortem = emulator.issue(demo.capa.postmortem) as unknown as Issue;
  const child = capaChildren(emulator, demo.capa.postmortem)[0];
  assert(child, "no CAPA child to snapshot");
  const gate = demo.blockedGateComment;
  assert(gate, "no gate comment to snapshot");
  const report = emulator.issues({ label: "postmortem-report", state: "open" })[0] as
    Issue | undefined;
  assert(report, "no report issue to snapshot");
  const page = (issue: Issue) => `# ${issue.title} #${issue.number}\n\n${issue.body ?? ""}`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "postmortem.md"), page(postmortem));
  writeFileSync(join(dir, "capa-child.md"), page(child));
  writeFileSync(
    join(dir, "gate-comment.md"),
    `**github-actions[bot]** commented on the post-mortem\n\n${gate}`,
  );
  writeFileSync(join(dir, "report.md"), page(report));
  console.log(`snapshot written to ${dir}`);
}

function readRepoFile(path: string): string {
  return readFileSync(new URL(`../${path}`, import.meta.url), "utf8");
}

function labelsOfIn(demo: Demo, issue: number, repo: string): string {
  return (demo.emulator.issue(issue, repo).labels as { name: string }[])
    .map((l) => l.name)
    .join(", ");
}

function labelsOf(demo: Demo, issue: number): string {
  return (demo.emulator.issue(issue).labels as { name: string }[]).map((l) => l.name).join(", ");
}

function printServeHelp(demo: Demo): void {
  const control = `${demo.emulator.url}/_emulator`;
  heading("Serving: send your own events (Ctrl-C to stop)");
  console.log(`GitHub API:   ${demo.emulator.apiUrl}`);
  console.log(`Control help: curl ${control}`);
  console.log("Open an incident as a human:");
  console.log(
    `  curl -s -X POST ${control}/script/openIssue -H 'content-type: application/json' \\\n    -d '{"by":"alice","title":"Search is slow","labels":["incident"]}'`,
  );
  console.log("Ask for a post-mortem by comment:");
  console.log(
    `  curl -s -X POST ${control}/script/comment -H 'content-type: application/json' \\\n    -d '{"by":"alice","issue":1,"body":"/postmortem"}'`,
  );
  console.log(
    `See what happened: curl ${control}/issues   curl ${control}/requests   curl ${control}/deliveries`,
  );
}

async function main(): Promise<void> {
  const demo = { incidents: new Map() } as Demo;
  const started = Date.now();
  let failed = false;
  const cleanup = async () => {
    await demo.app?.stop();
    await demo.emulator?.stop();
  };
  try {
    const spent: { name: string; ms: number }[] = [];
    for (const step of steps) {
      const stepStarted = Date.now();
      try {
        await step.run(demo);
        spent.push({ name: step.name, ms: Date.now() - stepStarted });
      } catch (error) {
        failed = true;
        console.error(
          `\n✗ step "${step.name}" failed: ${error instanceof Error ? error.message : String(error)}`,
        );
        if (demo.app) console.error(`last App log lines:\n${demo.app.logs.slice(-15).join("\n")}`);
        break;
      }
    }
    if (!failed) {
      // What the demo spends its time on: the slowest steps, each with its share.
      const total = Date.now() - started;
      heading("Where the time went (slowest steps)");
      for (const { name, ms } of [...spent].sort((a, b) => b.ms - a.ms).slice(0, 5)) {
        console.log(`  ${(ms / 1000).toFixed(1).padStart(5)} s  ${name}`);
      }
      console.log(`\n✓ demo passed in ${(total / 1000).toFixed(1)} s`);
    }
    if (!failed && snapshotDir) writeSnapshot(demo, snapshotDir);
    if (serve && !failed) {
      printServeHelp(demo);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
    }
  } finally {
    await cleanup();
  }
  process.exitCode = failed ? 1 : 0;
}

await main();
