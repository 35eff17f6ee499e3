// End to end, `projects:`: CAPA children appear on the organization's project with their Due,
// Severity and Status, and a date a person moves on the board comes back to the child's `Due:`
// line and the post-mortem's row; without the App's organization projects permission, one comment
// says what to grant.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { GitHubEmulator } from "../../emulator/index.js";
import { VALIDATION, bodyOf, check, personEdits, settle } from "./capa-helpers.js";
import type { Stack } from "./stack.js";
import {
  botComments,
  lastSeq,
  loopbackOnly,
  openIncident,
  postmortemsFor,
  startStack,
} from "./stack.js";

const CONFIG = `projects:
  url: https://github.com/orgs/acme/projects/3
  fields: { due: Due, status: Status, severity: Severity }
`;

let stack: Stack | undefined;
beforeAll(() => loopbackOnly());
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

async function withProject(permissions?: Record<string, string>, config = CONFIG) {
  stack = await startStack();
  const { emulator } = stack;
  if (permissions) emulator.state.app.permissions = permissions;
  emulator.setFile(".github/postmortem.yml", config);
  emulator.setPermission("carol", "write");
  emulator.createProject({
    number: 3,
    title: "Corrective actions",
    fields: [
      { name: "Due", dataType: "DATE" },
      {
        name: "Status",
        dataType: "SINGLE_SELECT",
        options: ["Open", "Fix merged", "Shipped", "Done", "Not planned"],
      },
      { name: "Severity", dataType: "SINGLE_SELECT", options: ["P1", "P2", "P3", "P4"] },
    ],
  });
  const incident = openIncident(stack);
  await settle(emulator);
  const postmortem = postmortemsFor(emulator, incident, "open")[0]!.number;
  return { emulator, postmortem };
}

const childOf = (emulator: GitHubEmulator, postmortem: number) =>
  (
    emulator.issues({ state: "all", label: "capa" }) as unknown as {
      number: number;
      body: string;
    }[]
  ).filter((issue) => issue.body.includes(`post-mortem #${postmortem}`));

describe("CAPA children on a GitHub Project (e2e)", () => {
  it("puts a checked box's child on the board with its date, and brings a date moved there back", async () => {
    const { emulator, postmortem } = await withProject();
    const mark = personEdits(emulator, postmortem, check(VALIDATION, " @carol due 2026-12-15"));
    await settle(emulator, mark.delivery);

    const [child] = childOf(emulator, postmortem);
    expect(emulator.projectItems({ project: 3 })).toEqual([
      {
        issue: child!.number,
        repository: "acme/service",
        title: `CAPA: ${VALIDATION}`,
        fields: { Due: "2026-12-15", Status: "Open" },
      },
    ]);

    // alice (maintain) moves the date on the board: the child's Due line and the row follow.
    const moved = emulator.deliveries.length;
    emulator.setProjectField({
      by: "alice",
      project: 3,
      issue: child!.number,
      field: "Due",
      date: "2027-01-08",
    });
    await settle(emulator, moved);
    expect(emulator.issue(child!.number).body).toContain("Due: 2027-01-08\n");
    expect(bodyOf(emulator, postmortem)).toContain(
      `| ${VALIDATION} (#${child!.number}) | @carol | 2027-01-08 | Open |`,
    );
    expect(emulator.projectItems({ project: 3 })[0]!.fields.Due).toBe("2027-01-08");

    // rita (read) cannot move it: the child keeps its date.
    emulator.setProjectField({
      by: "rita",
      project: 3,
      issue: child!.number,
      field: "Due",
      date: "2027-03-01",
    });
    await settle(emulator, moved);
    expect(emulator.issue(child!.number).body).toContain("Due: 2027-01-08\n");
  });

  it("mirrors the child's evidence in Status: Open, Fix merged on merge, Done once shipped", async () => {
    const policy = ["P1", "P2", "P3", "P4", "default"]
      .map((key) => `  ${key}:\n    capaEvidence: shipped\n`)
      .join("");
    const { emulator, postmortem } = await withProject(
      undefined,
      `${CONFIG}policy:\n${policy}evidence:\n  environment: production\n`,
    );
    const mark = personEdits(emulator, postmortem, check(VALIDATION, " @carol due 2026-12-15"));
    await settle(emulator, mark.delivery);
    const [child] = childOf(emulator, postmortem);
    const status = () => emulator.projectItems({ project: 3 })[0]!.fields.Status;
    expect(status()).toBe("Open");

    const pull = emulator.openPullRequest({
      by: "carol",
      title: "Validate checkout config in CI",
      body: `Fixes #${child!.number}`,
    });
    emulator.mergePullRequest({ by: "alice", number: pull.number as number });
    await settle(emulator);
    expect(emulator.issue(child!.number).state).toBe("closed");
    expect(status()).toBe("Fix merged");

    const deployment = emulator.createDeployment({
      by: "alice",
      sha: emulator.branchSha({}),
      environment: "production",
    });
    emulator.setDeploymentStatus({ by: "alice", deployment: deployment.id, state: "success" });
    await settle(emulator);
    expect(status()).toBe("Done");
  });

  it("after a restart a board edit costs nothing, and the next sweep brings the date back", async () => {
    const { emulator, postmortem } = await withProject();
    emulator.setSearchLag(0);
    const mark = personEdits(emulator, postmortem, check(VALIDATION, " @carol due 2026-12-15"));
    await settle(emulator, mark.delivery);
    const [child] = childOf(emulator, postmortem);

    // A fresh App (no sweep) has learnt no project: the board's event costs no request.
    await stack!.restart();
    const since = lastSeq(emulator);
    const moved = emulator.deliveries.length;
    emulator.setProjectField({
      by: "alice",
      project: 3,
      issue: child!.number,
      field: "Due",
      date: "2027-02-01",
    });
    await settle(emulator, moved);
    expect(emulator.deliveries.slice(moved).map((d) => [d.event, d.status])).toEqual([
      ["projects_v2_item", 200],
    ]);
    expect(emulator.appRequests().filter((r) => r.seq > since)).toEqual([]);
    expect(emulator.issue(child!.number).body).toContain("Due: 2026-12-15\n");

    await stack!.restart({ RECONCILE_INTERVAL: "10m" });
    const deadline = Date.now() + 60_000;
    while (
      !bodyOf(emulator, postmortem).includes("| @carol | 2027-02-01 | Open |") &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await settle(emulator);
    expect(emulator.issue(child!.number).body).toContain("Due: 2027-02-01\n");
    expect(bodyOf(emulator, postmortem)).toContain(
      `| ${VALIDATION} (#${child!.number}) | @carol | 2027-02-01 | Open |`,
    );
  });

  it("without organization projects permission, one comment names it and nothing is on the board", async () => {
    const { emulator, postmortem } = await withProject({
      issues: "write",
      contents: "read",
      metadata: "read",
      checks: "write",
      pull_requests: "read",
      deployments: "read",
    });
    let mark = personEdits(emulator, postmortem, check(VALIDATION, " due 2026-12-15"));
    await settle(emulator, mark.delivery);
    mark = personEdits(emulator, postmortem, (body) => `${body}\n`);
    await settle(emulator, mark.delivery);

    expect(emulator.projectItems({ project: 3 })).toEqual([]);
    const notes = botComments(emulator, postmortem).filter((c) => c.body?.startsWith("🗂️"));
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toContain("Resource not accessible by integration");
    expect(notes[0]!.body).toContain("**Organization permissions → Projects: Read and write**");
  });
});
