// Evidence on CAPA children (issue #19) through the bundled Action with `flows.runIn: action`,
// against the emulator: each run gets the event GitHub would start a workflow with. The Action's
// own writes (and deployments made with its GITHUB_TOKEN) start no run: the scheduled run
// catches those up.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createGitHubEmulator } from "../../emulator/index.js";
import type { GitHubEmulator } from "../../emulator/index.js";
import { runActionBundle } from "../../scripts/action-runner.js";
import type { SpawnClock } from "../support/clock.js";
import { useFixedClock } from "../support/clock.js";
import { VALIDATION, check, onlyChild, rowOf } from "../e2e/capa-helpers.js";
import { postmortemsFor } from "../e2e/stack.js";

const ACTIONS_BOT = "github-actions[bot]";
const SEVERITIES = ["P1", "P2", "P3", "P4", "default"];
const CONFIG =
  "flows:\n  runIn: action\n" +
  `policy:\n${SEVERITIES.map((key) => `  ${key}:\n    capaEvidence: merged`).join("\n")}\n` +
  "evidence:\n  environment: production\n";
const MERGED_AT = "2026-11-28T09:00:00Z";
const SHIPPED_AT = "2026-11-29T10:00:00Z";

let emulator: GitHubEmulator;
let clock: SpawnClock;

beforeEach(async () => {
  clock = useFixedClock("2026-11-27T13:00:00Z");
  emulator = createGitHubEmulator({
    users: [
      { login: "alice", role: "maintain" },
      { login: "carol", role: "write" },
      { login: "rita", role: "read" },
    ],
  });
  emulator.addUser(ACTIONS_BOT, "write", { type: "Bot" });
  await emulator.start();
  emulator.setFile(".github/postmortem.yml", CONFIG);
});
afterEach(async () => {
  await emulator.stop();
  vi.useRealTimers();
});

/** The payload GitHub sent for the latest event of this kind. */
function lastEvent(event: string, action: string, eventName = event) {
  const found = emulator.webhooks.events
    .filter((e) => e.event === event && e.action === action)
    .at(-1);
  if (!found) throw new Error(`no ${event}.${action} event`);
  return { eventName, payload: found.payload };
}

const lastSeq = () => emulator.requests.at(-1)?.seq ?? 0;

/** Runs the bundle as the runner does; returns the run and where the request log stood. */
async function run(event: { eventName: string; payload: unknown }) {
  const since = lastSeq();
  const result = await runActionBundle({
    ...event,
    apiUrl: emulator.apiUrl,
    token: emulator.tokenFor(ACTIONS_BOT),
    repository: `${emulator.owner}/${emulator.repoName}`,
    nodeArgs: clock.nodeArgs,
    env: clock.env,
  });
  expect(result.exitCode, result.stdout).toBe(0);
  return { ...result, since };
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

const labelsOf = (issue: number) =>
  (emulator.issue(issue).labels as { name: string }[]).map((label) => label.name).sort();

const evidenceComments = (issue: number) =>
  emulator
    .commentsOn(issue)
    .filter((c) => c.user.login === ACTIONS_BOT && c.body.includes(":evidence "));

/** An incident, its post-mortem and one CAPA child for carol, all opened by the Action. */
async function withChild() {
  const incident = emulator.openIssue({
    by: "alice",
    title: "Checkout API returns 500s",
    body: "About 30% of checkout requests fail.",
  }).number as number;
  emulator.addLabel({ by: "alice", issue: incident, label: "incident" });
  await run(lastEvent("issues", "labeled"));
  const postmortem = postmortemsFor(emulator, incident, "open")[0]!.number;
  const body = emulator.issue(postmortem).body as string;
  emulator.editBody({
    by: "alice",
    issue: postmortem,
    body: check(VALIDATION, " @carol due 2026-12-15")(body),
  });
  await run(lastEvent("issues", "edited"));
  const child = onlyChild(emulator, postmortem, VALIDATION).number;
  const row = () => rowOf(emulator.issue(postmortem).body as string, child);
  const status = (text: string) => `| ${VALIDATION} (#${child}) | @carol | 2026-12-15 | ${text} |`;
  expect(row()).toBe(status("Open"));
  return { postmortem, child, row, status };
}

/** carol's pull request that fixes the child, merged by alice; the runs GitHub starts for it. */
async function mergeFix(child: number) {
  const pull = emulator.openPullRequest({
    by: "carol",
    title: "Validate checkout config in CI",
    body: `Fixes #${child}`,
  });
  emulator.mergePullRequest({ by: "alice", number: pull.number as number, at: MERGED_AT });
  const merged = await run(lastEvent("pull_request", "closed", "pull_request_target"));
  return { pr: pull.number as number, merged };
}

describe("evidence through the Action (flows.runIn: action)", () => {
  it("Open → Merged on pull_request_target closed → Shipped on deployment_status", async () => {
    const { postmortem, child, row, status } = await withChild();

    const { pr, merged } = await mergeFix(child);
    expect(row()).toBe(status("Merged"));
    expect(emulator.issue(child).body).toContain(`Fixed by #${pr} (merged 2026-11-28)\n`);
    expect(labelsOf(child)).toEqual(["capa", "capa:awaiting-ship"]);
    expect(actionWrites(merged.since)).toEqual([
      `PATCH /repos/acme/service/issues/${child}`,
      `POST /repos/acme/service/issues/${child}/labels`,
      `PATCH /repos/acme/service/issues/${postmortem}`,
    ]);
    // The close that came with the merge (alice's, so it starts a run too) writes nothing more.
    const closed = await run(lastEvent("issues", "closed"));
    expect(actionWrites(closed.since)).toEqual([]);

    const deployment = emulator.createDeployment({ by: "alice", sha: emulator.branchSha({}) });
    emulator.setDeploymentStatus({
      by: "alice",
      deployment: deployment.id,
      state: "success",
      logUrl: "https://deploy.example.com/log",
      at: SHIPPED_AT,
    });
    const shipped = await run(lastEvent("deployment_status", "created"));
    expect(row()).toBe(status("Shipped 2026-11-29"));
    expect(emulator.issue(child).body).toContain(
      `Shipped to production 2026-11-29: [deployment ${deployment.id}](https://deploy.example.com/log) of #${pr}\n`,
    );
    expect(labelsOf(child)).toEqual(["capa"]);
    expect(actionWrites(shipped.since)).toEqual([
      `PATCH /repos/acme/service/issues/${child}`,
      `DELETE /repos/acme/service/issues/${child}/labels/capa:awaiting-ship`,
      `PATCH /repos/acme/service/issues/${postmortem}`,
    ]);
    expect(evidenceComments(child)).toEqual([]);
  }, 120_000);

  it("the scheduled run ships what a deployment made with GITHUB_TOKEN never told it", async () => {
    const { child, row, status } = await withChild();
    await mergeFix(child);
    expect(row()).toBe(status("Merged"));

    // Deployed by a workflow with its GITHUB_TOKEN: its events start no workflow.
    const deployment = emulator.createDeployment({ by: ACTIONS_BOT, sha: emulator.branchSha({}) });
    emulator.setDeploymentStatus({
      by: ACTIONS_BOT,
      deployment: deployment.id,
      state: "success",
      at: SHIPPED_AT,
    });
    const failed = emulator.createDeployment({ by: ACTIONS_BOT, sha: emulator.branchSha({}) });
    emulator.setDeploymentStatus({
      by: ACTIONS_BOT,
      deployment: failed.id,
      state: "failure",
    });

    const since = lastSeq();
    await run({
      eventName: "schedule",
      payload: {
        schedule: "0 8 * * 1-5",
        repository: { name: "service", owner: { login: "acme" } },
      },
    });
    expect(row()).toBe(status("Shipped 2026-11-29"));
    expect(labelsOf(child)).toEqual(["capa"]);
    const reads = emulator.requests
      .filter((r) => r.seq > since && r.method === "GET" && r.path.includes("deployments"))
      .map((r) => r.path);
    // The newest (failed) first, then the successful one.
    expect(reads).toEqual([
      "/repos/acme/service/deployments",
      `/repos/acme/service/deployments/${failed.id}/statuses`,
      `/repos/acme/service/deployments/${deployment.id}/statuses`,
    ]);
    // A second scheduled run finds nothing to ship and writes nothing.
    const again = await run({
      eventName: "schedule",
      payload: {
        schedule: "0 8 * * 1-5",
        repository: { name: "service", owner: { login: "acme" } },
      },
    });
    expect(actionWrites(again.since)).toEqual([]);
  }, 120_000);

  it("a child closed without evidence: Closed, no evidence, the label, one comment; run again, nothing more", async () => {
    const { postmortem, child, row, status } = await withChild();
    emulator.closeIssue({ by: "carol", issue: child, reason: "completed" });
    const closed = lastEvent("issues", "closed");

    const first = await run(closed);
    expect(row()).toBe(status("Closed, no evidence"));
    expect(labelsOf(child)).toEqual(["capa", "capa:no-evidence"]);
    expect(evidenceComments(child)).toHaveLength(1);
    expect(evidenceComments(child)[0]!.body).toContain("@carol");
    expect(actionWrites(first.since)).toEqual([
      `POST /repos/acme/service/issues/${child}/labels`,
      `POST /repos/acme/service/issues/${child}/comments`,
      `PATCH /repos/acme/service/issues/${postmortem}`,
    ]);

    const again = await run(closed);
    expect(actionWrites(again.since)).toEqual([]);
    expect(evidenceComments(child)).toHaveLength(1);
  }, 120_000);

  it("a merged revert of the fix takes the evidence back with one comment", async () => {
    const { child, row, status } = await withChild();
    const { pr } = await mergeFix(child);
    expect(row()).toBe(status("Merged"));

    const revert = emulator.revertPullRequest({ by: "alice", number: pr });
    emulator.mergePullRequest({ by: "alice", number: revert.number as number });
    await run(lastEvent("pull_request", "closed", "pull_request_target"));
    expect(row()).toBe(status("Closed, no evidence"));
    expect(emulator.issue(child).body).toContain(
      `Taken back: #${pr} (reverted by #${revert.number as number})`,
    );
    expect(labelsOf(child)).toEqual(["capa", "capa:no-evidence"]);
    expect(evidenceComments(child)).toHaveLength(1);
  }, 120_000);

  it("/evidence: a reader's refused once, a maintainer's accepted", async () => {
    const { child, row, status } = await withChild();
    emulator.closeIssue({ by: "carol", issue: child, reason: "completed" });
    await run(lastEvent("issues", "closed"));
    const before = evidenceComments(child).length;

    for (const text of ["/evidence https://wiki.example.com/x", "/evidence please"]) {
      emulator.comment({ by: "rita", issue: child, body: text });
      await run(lastEvent("issue_comment", "created"));
    }
    expect(evidenceComments(child)).toHaveLength(before + 1);
    expect(evidenceComments(child).at(-1)!.body).toContain("@rita");
    expect(row()).toBe(status("Closed, no evidence"));

    emulator.comment({
      by: "alice",
      issue: child,
      body: "/evidence https://wiki.example.com/runbooks/checkout",
    });
    await run(lastEvent("issue_comment", "created"));
    expect(row()).toBe(status("Done (manual evidence by @alice)"));
    expect(labelsOf(child)).toEqual(["capa"]);
  }, 120_000);
});
