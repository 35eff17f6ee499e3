// End to end, issue #21 through the real App server against the emulator: a checked CAPA line
// that names no owner gets its CODEOWNERS owner (`capa.defaultOwners: codeowners`, the culprit's
// paths from the path index), and a P4 incident and a security-labelled incident each open from
// their own shipped template (`policy.P4.template`, `templates.byLabel`).
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { GitHubEmulator } from "../../emulator/index.js";
import { bodyOf, check, childrenOf, settle, VALIDATION } from "./capa-helpers.js";
import type { Stack } from "./stack.js";
import { loopbackOnly, postmortemsFor, startStack } from "./stack.js";

let stack: Stack | undefined;
beforeAll(() => loopbackOnly());
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

const CODEOWNERS = [
  "# Owners",
  "*            @acme/platform",
  "/src/pay/    @carol @acme/payments",
  "/src/pay/vendor/",
  "",
].join("\n");

async function incidentPostmortem(emulator: GitHubEmulator, title: string, labels: string[]) {
  const incident = emulator.openIssue({ by: "alice", title, body: "Payments fail.", labels })
    .number as number;
  await settle(emulator);
  const postmortems = postmortemsFor(emulator, incident, "open");
  expect(postmortems).toHaveLength(1);
  return postmortems[0]!.number;
}

/** The App's requests for a CODEOWNERS file, as "METHOD /path → status". */
const codeownersReads = (emulator: GitHubEmulator) =>
  emulator
    .appRequests()
    .filter((r) => r.path.includes("CODEOWNERS"))
    .map((r) => `${r.method} ${decodeURIComponent(r.path)} → ${r.status}`);

describe("issue #21 through the App server (e2e)", () => {
  it("an ownerless checked line gets the CODEOWNERS owner of its culprit's paths", async () => {
    stack = await startStack();
    const { emulator } = stack;
    emulator.setPermission("carol", "write");
    emulator.setFile(".github/postmortem.yml", "capa:\n  defaultOwners: codeowners\n");
    emulator.setFile(".github/CODEOWNERS", CODEOWNERS);
    const pull = emulator.openPullRequest({
      by: "carol",
      title: "Charge in cents",
      files: [{ path: "src/pay/charge.ts" }],
      at: "2026-11-27T08:00:00Z",
    }).number as number;
    emulator.mergePullRequest({ by: "alice", number: pull, at: "2026-11-27T08:00:00Z" });

    const postmortem = await incidentPostmortem(emulator, "Card payments fail", ["incident", "P2"]);
    emulator.assign({ by: "alice", issue: postmortem, assignees: ["bob"] });
    emulator.comment({ by: "alice", issue: postmortem, body: `/culprit #${pull}` });
    await settle(emulator);
    // Nothing asked for an owner yet: the file was not read.
    expect(codeownersReads(emulator)).toEqual([]);

    emulator.editBody({
      by: "alice",
      issue: postmortem,
      body: check(VALIDATION)(bodyOf(emulator, postmortem)),
    });
    await settle(emulator);

    const children = childrenOf(emulator, postmortem);
    expect(children).toHaveLength(1);
    const child = children[0]!;
    expect(child.assignees.map((a) => a.login)).toEqual(["carol"]);
    expect(child.body).toContain(
      "**Owner:** @carol, `@acme/payments` (from CODEOWNERS)  \n" +
        "**Owner from:** `.github/CODEOWNERS`, rule `/src/pay/` (line 3) for `src/pay/charge.ts` (a culprit's path)  \n",
    );
    // The team is named, never mentioned or assigned; the post-mortem's line shows the assignee.
    expect(child.body).not.toMatch(/(?<!`)@acme\/payments/);
    expect(bodyOf(emulator, postmortem)).toContain(
      `- [x] ${VALIDATION} → #${child.number} · @carol · due `,
    );
    expect(codeownersReads(emulator)).toEqual([
      "GET /repos/acme/service/contents/.github/CODEOWNERS → 200",
    ]);
  });

  it("a P4 incident opens from builtin:p4, a security-labelled one from builtin:security, others from the built-in", async () => {
    stack = await startStack();
    const { emulator } = stack;
    emulator.setFile(
      ".github/postmortem.yml",
      [
        "policy:",
        "  P4:",
        "    template: builtin:p4",
        "templates:",
        "  byLabel:",
        "    security: builtin:security",
        "",
      ].join("\n"),
    );

    const minor = await incidentPostmortem(emulator, "Typo on the status page", ["incident", "P4"]);
    // byLabel wins over the severity's template.
    const leak = await incidentPostmortem(emulator, "Token in a public log", [
      "incident",
      "security",
      "P4",
    ]);
    const outage = await incidentPostmortem(emulator, "Checkout down", ["incident", "P1"]);

    const heading = (issue: number) => bodyOf(emulator, issue).split("\n")[0];
    expect(heading(minor)).toBe("# Post-Mortem Report (Short Form, P4)");
    expect(heading(leak)).toBe(
      "# Post-Mortem Report & Corrective Action Checklist (Security Incident)",
    );
    expect(heading(outage)).toBe("# Post-Mortem Report & Corrective Action Checklist");
    expect(bodyOf(emulator, minor)).toContain("- [x] P4 - Minor Outage");
    expect(bodyOf(emulator, leak)).toContain("- [x] Security Incident");
    // No template file was read: shipped templates are in the App.
    expect(
      emulator
        .appRequests()
        .filter(
          (r) =>
            r.path.includes("/contents/") && !/postmortem\.yml/.test(decodeURIComponent(r.path)),
        ),
    ).toEqual([]);
  });
});
