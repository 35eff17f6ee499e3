// End to end, CAPA: checked boxes and Follow-Up rows of a post-mortem become child issues, and
// the children's state comes back to the post-mortem; a person editing while the App writes.
import { describe, expect, it } from "vitest";
import {
  LESSONS,
  LOGGING,
  RCA_REVIEW,
  RUNBOOKS,
  VALIDATION,
  addRow,
  bodyOf,
  check,
  childrenOf,
  onlyChild,
  personEdits,
  pipe,
  rowOf,
  settle,
  useCapaStacks,
  withPostmortem,
} from "./capa-helpers.js";
import { appWrites, lastSeq } from "./stack.js";

useCapaStacks();

describe("CAPA child issues (e2e)", () => {
  it("checking one box opens exactly one assigned, dated, linked child with one update of the post-mortem; a redelivery writes nothing", async () => {
    const { emulator, incident, postmortem } = await withPostmortem();
    const mark = personEdits(emulator, postmortem, check(VALIDATION, " @carol due 2026-12-15"));
    await settle(emulator, mark.delivery);

    const child = onlyChild(emulator, postmortem, VALIDATION);
    expect(child.assignees.map((a) => a.login)).toEqual(["carol"]);
    expect(child.labels.map((l) => l.name)).toEqual(["capa"]);
    expect(child.body).toContain("Due: 2026-12-15\n");
    expect(child.body).toContain(
      `Corrective or preventive action from post-mortem #${postmortem} (incident #${incident}).`,
    );
    expect(child.parent_issue_url).toMatch(new RegExp(`/issues/${postmortem}$`));

    expect(appWrites(emulator, mark.seq)).toEqual([
      "POST /repos/acme/service/labels",
      "POST /repos/acme/service/issues",
      `POST /repos/acme/service/issues/${postmortem}/sub_issues`,
      `PATCH /repos/acme/service/issues/${postmortem}`,
    ]);
    const writes = emulator.appRequests().filter((r) => r.seq > mark.seq && r.method !== "GET");
    expect(writes[1]?.body).toMatchObject({
      title: `CAPA: ${VALIDATION}`,
      labels: ["capa"],
      assignees: ["carol"],
    });
    expect(writes[2]?.body).toEqual({ sub_issue_id: child.id });
    expect(child.id).not.toBe(child.number);

    const body = bodyOf(emulator, postmortem);
    expect(body).toContain(`- [x] ${VALIDATION} → #${child.number} · @carol · due 2026-12-15\n`);
    expect(rowOf(body, child.number)).toBe(
      `| ${VALIDATION} (#${child.number}) | @carol | 2026-12-15 | Open |`,
    );
    expect(emulator.deliveries.every((d) => d.status !== null && d.status < 300)).toBe(true);

    // The same delivery again: nothing is written.
    const edit = emulator.webhooks.events.find(
      (e) => e.action === "edited" && (e.payload.sender as { login: string }).login === "alice",
    );
    const before = lastSeq(emulator);
    const result = await emulator.redeliver(edit!.deliveryId);
    await settle(emulator);
    expect(result.status).toBe(200);
    expect(appWrites(emulator, before)).toEqual([]);
    expect(childrenOf(emulator, postmortem)).toHaveLength(1);
    expect(bodyOf(emulator, postmortem)).toBe(body);
  });

  it("several boxes and a Follow-Up row at once give one child each", async () => {
    const { emulator, postmortem } = await withPostmortem();
    const mark = personEdits(
      emulator,
      postmortem,
      pipe(
        check(VALIDATION, " @carol due 2026-12-15"),
        check(RUNBOOKS),
        addRow(`| ${RCA_REVIEW} | @carol | 2026-12-10 | Planned |`),
      ),
    );
    await settle(emulator, mark.delivery);

    const validation = onlyChild(emulator, postmortem, VALIDATION);
    const runbooks = onlyChild(emulator, postmortem, RUNBOOKS);
    const review = onlyChild(emulator, postmortem, RCA_REVIEW);
    expect(childrenOf(emulator, postmortem)).toHaveLength(3);
    // No owner on the line: the post-mortem's assignees; no date and no severity: 30 days.
    expect(runbooks.assignees.map((a) => a.login)).toEqual(["bob"]);
    // No date on the line: the stack's start day (2026-11-27) plus the default 30 days.
    expect(runbooks.body).toContain("Due: 2026-12-27\n");
    expect(review.assignees.map((a) => a.login)).toEqual(["carol"]);
    expect(review.body).toContain("Due: 2026-12-10\n");
    for (const child of [validation, runbooks, review])
      expect(child.parent_issue_url).toMatch(new RegExp(`/issues/${postmortem}$`));

    const body = bodyOf(emulator, postmortem);
    const rows = body.split("\n").filter((line) => line.includes(RCA_REVIEW));
    expect(rows).toEqual([`| ${RCA_REVIEW} (#${review.number}) | @carol | 2026-12-10 | Open |`]);
    expect(rowOf(body, runbooks.number)).toBe(
      `| ${RUNBOOKS} (#${runbooks.number}) | @bob | 2026-12-27 | Open |`,
    );
  }, 45_000);

  it("closing children as completed and as not planned shows Done and Won't do", async () => {
    const { emulator, postmortem } = await withPostmortem();
    let mark = personEdits(
      emulator,
      postmortem,
      pipe(check(VALIDATION, " @carol due 2026-12-15"), check(LOGGING, " @bob due 2026-12-20")),
    );
    await settle(emulator, mark.delivery);
    const done = onlyChild(emulator, postmortem, VALIDATION);
    const dropped = onlyChild(emulator, postmortem, LOGGING);

    mark = { seq: lastSeq(emulator), delivery: emulator.deliveries.length };
    emulator.closeIssue({ by: "carol", issue: done.number, reason: "completed" });
    emulator.closeIssue({ by: "bob", issue: dropped.number, reason: "not_planned" });
    await settle(emulator, mark.delivery);

    const body = bodyOf(emulator, postmortem);
    expect(rowOf(body, done.number)).toBe(
      `| ${VALIDATION} (#${done.number}) | @carol | 2026-12-15 | Done |`,
    );
    expect(rowOf(body, dropped.number)).toBe(
      `| ${LOGGING} (#${dropped.number}) | @bob | 2026-12-20 | Won't do |`,
    );
    expect(body).toContain(
      `- [x] ${VALIDATION} → #${done.number} · @carol · due 2026-12-15 · Done\n`,
    );
    expect(
      appWrites(emulator, mark.seq)
        // The evidence flow's question about the child's pull requests is a read.
        .filter((w) => w !== "POST /graphql")
        .every((w) => w === `PATCH /repos/acme/service/issues/${postmortem}`),
    ).toBe(true);
    expect(childrenOf(emulator, postmortem)).toHaveLength(2);
  });

  it("a deleted and a transferred child are shown as such, and nothing is recreated", async () => {
    const { emulator, postmortem } = await withPostmortem();
    let mark = personEdits(
      emulator,
      postmortem,
      pipe(check(VALIDATION, " @carol due 2026-12-15"), check(LOGGING, " @bob due 2026-12-20")),
    );
    await settle(emulator, mark.delivery);
    const deleted = onlyChild(emulator, postmortem, VALIDATION);
    const moved = onlyChild(emulator, postmortem, LOGGING);

    mark = { seq: lastSeq(emulator), delivery: emulator.deliveries.length };
    emulator.deleteIssue({ by: "alice", issue: deleted.number });
    emulator.transferIssue({ by: "alice", issue: moved.number, toRepo: "elsewhere" });
    await settle(emulator, mark.delivery);

    const body = bodyOf(emulator, postmortem);
    expect(rowOf(body, deleted.number)).toBe(
      `| ${VALIDATION} (#${deleted.number}) | @carol | 2026-12-15 | Deleted |`,
    );
    expect(rowOf(body, moved.number)).toBe(
      `| ${LOGGING} (#${moved.number}) | @bob | 2026-12-20 | Transferred |`,
    );
    expect(body).toContain(
      `- [x] ${VALIDATION} → #${deleted.number} · \`@carol\` · due 2026-12-15 · Deleted\n`,
    );
    expect(appWrites(emulator, mark.seq).filter((w) => w.startsWith("POST"))).toEqual([]);
  });

  it("a person's edit of another section made while the App writes is not lost", async () => {
    const { emulator, postmortem } = await withPostmortem();
    // The App's update of the post-mortem waits 1.5 s in the emulator: alice saves in between.
    const fault = emulator.injectFault({
      method: "PATCH",
      path: `/repos/{owner}/{repo}/issues/${postmortem}`,
      delayMs: 1_500,
    });
    const mark = personEdits(emulator, postmortem, check(VALIDATION, " @carol due 2026-12-15"));
    const deadline = Date.now() + 20_000;
    while (fault.hits === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(fault.hits).toBe(1);
    const lessons = `${LESSONS} Paging reached the on-call engineer within 2 minutes.`;
    personEdits(emulator, postmortem, (body) => body.replace(LESSONS, lessons));
    await settle(emulator, mark.delivery);

    const child = onlyChild(emulator, postmortem, VALIDATION);
    const body = bodyOf(emulator, postmortem);
    expect(body).toContain(lessons);
    expect(body).toContain(`- [x] ${VALIDATION} → #${child.number} · @carol · due 2026-12-15\n`);
    expect(rowOf(body, child.number)).toBe(
      `| ${VALIDATION} (#${child.number}) | @carol | 2026-12-15 | Open |`,
    );
  });
});
