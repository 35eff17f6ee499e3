// End to end, evidence (issue #19): the real App server against the GitHub emulator. A CAPA
// child's pull request merges and a deployment ships it; a child closed without evidence; a
// revert; `/evidence` from a maintainer and from a reader.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { GitHubEmulator } from "../../emulator/index.js";
import {
  VALIDATION,
  bodyOf,
  check,
  onlyChild,
  personEdits,
  rowOf,
  settle,
} from "./capa-helpers.js";
import type { Stack } from "./stack.js";
import {
  appWrites,
  botComments,
  lastSeq,
  loopbackOnly,
  openIncident,
  postmortemsFor,
  startStack,
} from "./stack.js";

const SEVERITIES = ["P1", "P2", "P3", "P4", "default"];
/** Every severity asks the same; deployments to `production` ship. */
const CONFIG =
  `policy:\n${SEVERITIES.map((key) => `  ${key}:\n    capaEvidence: merged`).join("\n")}\n` +
  "evidence:\n  environment: production\n";
const ROW = `| ${VALIDATION} (#CHILD) | @carol | 2026-12-15 |`;
const MERGED_AT = "2026-11-28T09:00:00Z";
const SHIPPED_AT = "2026-11-29T10:00:00Z";

let stack: Stack | undefined;
beforeAll(() => loopbackOnly());
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

/** The stack, the evidence policy, one incident's post-mortem and its one CAPA child for carol. */
async function withChild() {
  stack = await startStack();
  const { emulator } = stack;
  emulator.setPermission("carol", "write");
  emulator.setFile(".github/postmortem.yml", CONFIG);
  const incident = openIncident(stack);
  await settle(emulator);
  const postmortem = postmortemsFor(emulator, incident, "open")[0]!.number;
  const mark = personEdits(emulator, postmortem, check(VALIDATION, " @carol due 2026-12-15"));
  await settle(emulator, mark.delivery);
  const child = onlyChild(emulator, postmortem, VALIDATION).number;
  const row = () => rowOf(bodyOf(emulator, postmortem), child);
  const status = (text: string) => `${ROW.replace("CHILD", String(child))} ${text} |`;
  expect(row()).toBe(status("Open"));
  return { emulator, postmortem, child, row, status };
}

/** The App's writes since `since` (its GraphQL questions are reads). */
const writes = (emulator: GitHubEmulator, since: number) =>
  appWrites(emulator, since).filter((write) => write !== "POST /graphql");

const labelsOf = (emulator: GitHubEmulator, issue: number) =>
  (emulator.issue(issue).labels as { name: string }[]).map((label) => label.name).sort();

/** The App's comments on an issue that carry the evidence flow's marker. */
const evidenceComments = (emulator: GitHubEmulator, issue: number) =>
  botComments(emulator, issue).filter((comment) => comment.body.includes(":evidence "));

/** carol's pull request that fixes the child, merged by alice. */
function mergeFix(emulator: GitHubEmulator, child: number) {
  const pull = emulator.openPullRequest({
    by: "carol",
    title: "Validate checkout config in CI",
    body: `Fixes #${child}`,
  });
  emulator.mergePullRequest({ by: "alice", number: pull.number as number, at: MERGED_AT });
  return pull.number as number;
}

describe("evidence (e2e)", () => {
  it("a child goes Open → Merged → Shipped as its pull request merges and a deployment succeeds", async () => {
    const { emulator, postmortem, child, row, status } = await withChild();

    const beforeMerge = emulator.branchSha({});
    let since = lastSeq(emulator);
    const pr = mergeFix(emulator, child);
    await settle(emulator);
    expect(row()).toBe(status("Merged"));
    expect(bodyOf(emulator, child)).toContain(`Fixed by #${pr} (merged 2026-11-28)\n`);
    expect(labelsOf(emulator, child)).toEqual(["capa", "capa:awaiting-ship"]);
    expect(evidenceComments(emulator, child)).toEqual([]);
    expect(writes(emulator, since)).toEqual([
      `PATCH /repos/acme/service/issues/${child}`,
      `POST /repos/acme/service/issues/${child}/labels`,
      `PATCH /repos/acme/service/issues/${postmortem}`,
    ]);

    // A deployment elsewhere, and one of the commit before the merge, ship nothing.
    since = lastSeq(emulator);
    for (const [sha, environment] of [
      [emulator.branchSha({}), "staging"],
      [beforeMerge, "production"],
    ] as const) {
      const other = emulator.createDeployment({ by: "alice", sha, environment });
      emulator.setDeploymentStatus({
        by: "alice",
        deployment: other.id,
        state: "success",
      });
      await settle(emulator);
    }
    expect(writes(emulator, since)).toEqual([]);
    expect(row()).toBe(status("Merged"));

    since = lastSeq(emulator);
    const deployment = emulator.createDeployment({
      by: "alice",
      sha: emulator.branchSha({}),
      environment: "production",
    });
    emulator.setDeploymentStatus({
      by: "alice",
      deployment: deployment.id,
      state: "success",
      logUrl: "https://deploy.example.com/log",
      at: SHIPPED_AT,
    });
    await settle(emulator);
    expect(row()).toBe(status("Shipped 2026-11-29"));
    expect(bodyOf(emulator, child)).toContain(
      `Fixed by #${pr} (merged 2026-11-28)  \nShipped to production 2026-11-29: [deployment ${deployment.id}](https://deploy.example.com/log) of #${pr}\n`,
    );
    expect(labelsOf(emulator, child)).toEqual(["capa"]);
    expect(writes(emulator, since)).toEqual([
      `PATCH /repos/acme/service/issues/${child}`,
      `DELETE /repos/acme/service/issues/${child}/labels/capa%3Aawaiting-ship`,
      `PATCH /repos/acme/service/issues/${postmortem}`,
    ]);
    // One listing of the awaiting children and one compare for the one fix, then the child.
    const reads = emulator.appRequests().filter((r) => r.seq > since && r.method === "GET");
    const fixSha = emulator.branchSha({});
    expect(reads.slice(0, 3).map((r) => r.path)).toEqual([
      "/repos/acme/service/issues",
      `/repos/acme/service/compare/${fixSha}...${fixSha}`,
      `/repos/acme/service/issues/${child}`,
    ]);
    expect(reads[0]!.query).toMatchObject({ labels: "capa:awaiting-ship", state: "all" });
    expect(reads.filter((r) => r.path.includes("/compare/"))).toHaveLength(1);
    expect(evidenceComments(emulator, child)).toEqual([]);
  });

  it("a child closed without evidence: Closed, no evidence, the label and one comment, redelivered or not", async () => {
    const { emulator, postmortem, child, row, status } = await withChild();

    const since = lastSeq(emulator);
    emulator.closeIssue({ by: "carol", issue: child, reason: "completed" });
    await settle(emulator);
    expect(row()).toBe(status("Closed, no evidence"));
    expect(labelsOf(emulator, child)).toEqual(["capa", "capa:no-evidence"]);
    const comments = evidenceComments(emulator, child);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain("@carol");
    expect(writes(emulator, since)).toEqual([
      `POST /repos/acme/service/issues/${child}/labels`,
      `POST /repos/acme/service/issues/${child}/comments`,
      `PATCH /repos/acme/service/issues/${postmortem}`,
    ]);

    // GitHub delivers the close again: nothing more is written.
    const close = emulator.webhooks.events.findLast(
      (e) => e.event === "issues" && e.action === "closed",
    )!;
    const again = lastSeq(emulator);
    const result = await emulator.redeliver(close.deliveryId);
    await settle(emulator);
    expect(result.status).toBe(200);
    expect(writes(emulator, again)).toEqual([]);
    expect(evidenceComments(emulator, child)).toHaveLength(1);
    expect(row()).toBe(status("Closed, no evidence"));
  });

  it("a revert of the fix takes the evidence back with one comment", async () => {
    const { emulator, child, row, status } = await withChild();
    const pr = mergeFix(emulator, child);
    await settle(emulator);
    expect(row()).toBe(status("Merged"));

    const revert = emulator.revertPullRequest({ by: "alice", number: pr });
    await settle(emulator);
    expect(row()).toBe(status("Merged"));
    emulator.mergePullRequest({ by: "alice", number: revert.number as number });
    await settle(emulator);
    expect(row()).toBe(status("Closed, no evidence"));
    expect(bodyOf(emulator, child)).toContain(
      `Taken back: #${pr} (reverted by #${revert.number as number})`,
    );
    expect(labelsOf(emulator, child)).toEqual(["capa", "capa:no-evidence"]);
    expect(evidenceComments(emulator, child)).toHaveLength(1);
  });

  it("a maintainer's /evidence is accepted; a reader's is refused, once", async () => {
    const { emulator, postmortem, child, row, status } = await withChild();
    emulator.closeIssue({ by: "carol", issue: child, reason: "completed" });
    await settle(emulator);
    expect(row()).toBe(status("Closed, no evidence"));
    const noEvidence = evidenceComments(emulator, child).length;

    let since = lastSeq(emulator);
    emulator.comment({ by: "rita", issue: child, body: "/evidence https://wiki.example.com/x" });
    await settle(emulator);
    emulator.comment({ by: "rita", issue: child, body: "/evidence please" });
    await settle(emulator);
    expect(writes(emulator, since)).toEqual([`POST /repos/acme/service/issues/${child}/comments`]);
    expect(evidenceComments(emulator, child)).toHaveLength(noEvidence + 1);
    expect(evidenceComments(emulator, child).at(-1)!.body).toContain("@rita");
    expect(row()).toBe(status("Closed, no evidence"));

    since = lastSeq(emulator);
    emulator.comment({
      by: "alice",
      issue: child,
      body: "/evidence https://wiki.example.com/runbooks/checkout",
    });
    await settle(emulator);
    expect(row()).toBe(status("Done (manual evidence by @alice)"));
    expect(bodyOf(emulator, child)).toContain(
      "Evidence (manual): https://wiki.example.com/runbooks/checkout (recorded by @alice on 2026-11-27)",
    );
    expect(labelsOf(emulator, child)).toEqual(["capa"]);
    expect(writes(emulator, since)).toEqual([
      `PATCH /repos/acme/service/issues/${child}`,
      `DELETE /repos/acme/service/issues/${child}/labels/capa%3Ano-evidence`,
      `PATCH /repos/acme/service/issues/${postmortem}`,
    ]);
  });
});
