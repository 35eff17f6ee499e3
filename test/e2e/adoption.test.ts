// End to end, adoption (#12): a post-mortem a person wrote from the checklist and labeled
// `postmortem` is adopted when a triager labeled it, through the real App server.
import { readFileSync } from "node:fs";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { bodyOf, check, onlyChild, personEdits, settle } from "./capa-helpers.js";
import type { Stack } from "./stack.js";
import { appWrites, botComments, lastSeq, loopbackOnly, startStack } from "./stack.js";

let stack: Stack | undefined;
beforeAll(() => loopbackOnly());
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

const seed = readFileSync(new URL("../fixtures/seed-template.md", import.meta.url), "utf8");
const VALIDATION = "Add automated validation checks (CI/CD gates)";
const RUNBOOKS = "Update runbooks/playbooks";

/** The team's checklist filled in by hand: Incident ID, and one action already checked. */
function handWritten(incident: number): string {
  return check(
    VALIDATION,
    " @carol",
  )(seed.replace("- **Incident ID:**  \n", `- **Incident ID:** #${incident}  \n`));
}

describe("adopting post-mortems written by hand (e2e)", () => {
  it("labeled by a triager: adopted, linked to its incident, CAPA children for checked boxes now and later", async () => {
    stack = await startStack();
    const { emulator } = stack;
    emulator.setPermission("carol", "write");
    emulator.setPermission("tess", "triage");
    const incident = emulator.openIssue({ by: "alice", title: "Checkout down", body: "It broke." })
      .number as number;
    const postmortem = emulator.openIssue({
      by: "bob",
      title: "Post-mortem: checkout down",
      body: handWritten(incident),
    }).number as number;
    await settle(emulator);
    emulator.addLabel({ by: "tess", issue: postmortem, label: "postmortem" });
    await settle(emulator);

    const adopted = botComments(emulator, postmortem);
    expect(adopted).toHaveLength(1);
    expect(adopted[0]!.body).toContain(`📎 Adopted as a post-mortem of #${incident}`);
    expect(bodyOf(emulator, postmortem)).toContain(
      `<!-- postmortem-bot:postmortem {"incident":${incident}} -->`,
    );
    const links = botComments(emulator, incident);
    expect(links.map((c) => c.body)).toEqual([
      `📝 Post-mortem: #${postmortem}\n\n<!-- postmortem-bot:link {"postmortem":${postmortem}} -->`,
    ]);
    // The box checked before the adoption has its child (no date, no severity: default 30 days).
    const child = onlyChild(emulator, postmortem, VALIDATION);
    expect(child.assignees.map((a) => a.login)).toEqual(["carol"]);
    expect(child.body).toContain("Due: 2026-12-27\n");
    expect(child.parent_issue_url).toMatch(new RegExp(`/issues/${postmortem}$`));
    expect(bodyOf(emulator, postmortem)).toContain(
      `- [x] ${VALIDATION} → #${child.number} · @carol · due 2026-12-27\n`,
    );

    // From now on it works like the App's own: a box checked later gets its child.
    const mark = personEdits(emulator, postmortem, check(RUNBOOKS, " @carol due 2027-01-10"));
    await settle(emulator, mark.delivery);
    expect(onlyChild(emulator, postmortem, RUNBOOKS).body).toContain("Due: 2027-01-10\n");

    // The incident labeled later finds it: no second post-mortem.
    const before = lastSeq(emulator);
    emulator.addLabel({ by: "alice", issue: incident, label: "incident" });
    await settle(emulator);
    expect(
      appWrites(emulator, before).filter((w) => w === "POST /repos/acme/service/issues"),
    ).toEqual([]);
  }, 120_000);

  it("labeled by someone without triage access: one comment saying why, no child", async () => {
    stack = await startStack();
    const { emulator } = stack;
    emulator.setPermission("carol", "write");
    const postmortem = emulator.openIssue({
      by: "rita",
      title: "Post-mortem: checkout down",
      body: handWritten(99),
      labels: ["postmortem"],
    }).number as number;
    await settle(emulator);

    const comments = botComments(emulator, postmortem);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toMatch(
      /^@rita added the post-mortem label, but adopting a post-mortem written by hand needs triage access or more/,
    );
    expect(bodyOf(emulator, postmortem)).toBe(handWritten(99));
    expect(
      appWrites(emulator).filter((w) => !w.endsWith(`/issues/${postmortem}/comments`)),
    ).toEqual([]);
  }, 60_000);
});
