// Issue #21 through the bundled Action (`flows.runIn: action`) against the emulator: a checked
// CAPA line that names no owner gets its CODEOWNERS owner (`capa.defaultOwners: codeowners`, the
// culprit's paths from the path index), and a P4 incident and a security-labelled incident each
// open from their own shipped template (`policy.P4.template`, `templates.byLabel`). Each run gets
// the event GitHub would start the workflow with. Runs `dist/`: rebuild it first
// (`npm run build:action`).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createGitHubEmulator } from "../../emulator/index.js";
import type { GitHubEmulator } from "../../emulator/index.js";
import { runActionBundle } from "../../scripts/action-runner.js";
import type { SpawnClock } from "../support/clock.js";
import { useFixedClock } from "../support/clock.js";
import { postmortemsFor } from "../e2e/stack.js";

const ACTIONS_BOT = "github-actions[bot]";
/** The documented workflow's `permissions:` (README), as the runner scopes GITHUB_TOKEN. */
const WORKFLOW_PERMISSIONS = {
  issues: "write",
  contents: "read",
  pull_requests: "read",
  deployments: "read",
  checks: "write",
};
const VALIDATION = "Add automated validation checks (CI/CD gates)";
const CODEOWNERS = [
  "# Owners",
  "*            @acme/platform",
  "/src/pay/    @carol @acme/payments",
  "/src/pay/vendor/",
  "",
].join("\n");

let emulator: GitHubEmulator;
let clock: SpawnClock;

beforeEach(async () => {
  clock = useFixedClock("2026-11-27T13:00:00Z");
  emulator = createGitHubEmulator({
    users: [
      { login: "alice", role: "maintain" },
      { login: "bob", role: "write" },
      { login: "carol", role: "write" },
    ],
  });
  emulator.addUser(ACTIONS_BOT, "write", { type: "Bot" });
  await emulator.start();
});
afterEach(async () => {
  await emulator.stop();
  vi.useRealTimers();
});

/** Runs the bundle as the runner does for this event. */
async function run(event: { eventName: string; payload: unknown }) {
  const result = await runActionBundle({
    ...event,
    apiUrl: emulator.apiUrl,
    token: emulator.tokenFor(ACTIONS_BOT, { permissions: WORKFLOW_PERMISSIONS }),
    repository: `${emulator.owner}/${emulator.repoName}`,
    nodeArgs: clock.nodeArgs,
    env: clock.env,
  });
  expect(result.exitCode, result.stdout).toBe(0);
  return result;
}

const bodyOf = (issue: number) => emulator.issue(issue).body as string;

/** alice opens an incident with its labels; every run GitHub would start runs. Its post-mortem. */
async function incidentPostmortem(title: string, labels: string[]) {
  const incident = emulator.openIssue({ by: "alice", title, body: "Payments fail.", labels })
    .number as number;
  const events = emulator.webhooks.events.filter(
    (e) =>
      e.event === "issues" &&
      (e.payload as { issue: { number: number } }).issue.number === incident,
  );
  for (const event of events) {
    await run({ eventName: "issues", payload: structuredClone(event.payload) });
  }
  const postmortems = postmortemsFor(emulator, incident, "open");
  expect(postmortems).toHaveLength(1);
  return postmortems[0]!.number;
}

/** The Action's requests for a CODEOWNERS file, as "METHOD /path → status". */
const codeownersReads = () =>
  emulator.requests
    .filter((r) => r.actor === ACTIONS_BOT && r.path.includes("CODEOWNERS"))
    .map((r) => `${r.method} ${decodeURIComponent(r.path)} → ${r.status}`);

describe("issue #21 through the bundled Action", () => {
  it("an ownerless checked line gets the CODEOWNERS owner of its culprit's paths", async () => {
    emulator.setFile(
      ".github/postmortem.yml",
      "flows:\n  runIn: action\ncapa:\n  defaultOwners: codeowners\n",
    );
    // Found in the second place GitHub looks.
    emulator.setFile("CODEOWNERS", CODEOWNERS);
    const pull = emulator.openPullRequest({
      by: "carol",
      title: "Charge in cents",
      files: [{ path: "src/pay/charge.ts" }],
      at: "2026-11-27T08:00:00Z",
    }).number as number;
    emulator.mergePullRequest({ by: "alice", number: pull, at: "2026-11-27T08:00:00Z" });

    const postmortem = await incidentPostmortem("Card payments fail", ["incident", "P2"]);
    emulator.assign({ by: "alice", issue: postmortem, assignees: ["bob"] });
    emulator.comment({ by: "alice", issue: postmortem, body: `/culprit #${pull}` });
    await run(emulator.lastEvent("issue_comment", "created"));
    expect(codeownersReads()).toEqual([]);

    const body = bodyOf(postmortem);
    expect(body).toContain(`- [ ] ${VALIDATION}\n`);
    emulator.editBody({
      by: "alice",
      issue: postmortem,
      body: body.replace(`- [ ] ${VALIDATION}\n`, `- [x] ${VALIDATION}\n`),
    });
    await run(emulator.lastEvent("issues", "edited"));

    const children = emulator
      .issues({ state: "all", label: "capa" })
      .filter((issue) =>
        String(issue.body).includes(`<!-- postmortem-bot:capa {"parent":${postmortem},`),
      ) as unknown as { number: number; body: string; assignees: { login: string }[] }[];
    expect(children).toHaveLength(1);
    const child = children[0]!;
    expect(child.assignees.map((a) => a.login)).toEqual(["carol"]);
    expect(child.body).toContain(
      "**Owner:** @carol, `@acme/payments` (from CODEOWNERS)  \n" +
        "**Owner from:** `CODEOWNERS`, rule `/src/pay/` (line 3) for `src/pay/charge.ts` (a culprit's path)  \n",
    );
    expect(bodyOf(postmortem)).toContain(`- [x] ${VALIDATION} → #${child.number} · @carol · due `);
    // No cache in the Action: one read per place until the file is found, in GitHub's order.
    expect(codeownersReads()).toEqual([
      "GET /repos/acme/service/contents/.github/CODEOWNERS → 404",
      "GET /repos/acme/service/contents/CODEOWNERS → 200",
    ]);
  });

  it("a P4 incident opens from builtin:p4, a security-labelled one from builtin:security", async () => {
    emulator.setFile(
      ".github/postmortem.yml",
      [
        "flows:",
        "  runIn: action",
        "policy:",
        "  P4:",
        "    template: builtin:p4",
        "templates:",
        "  byLabel:",
        "    security: builtin:security",
        "",
      ].join("\n"),
    );

    const minor = await incidentPostmortem("Typo on the status page", ["incident", "P4"]);
    const leak = await incidentPostmortem("Token in a public log", ["incident", "security", "P4"]);
    const outage = await incidentPostmortem("Checkout down", ["incident", "P1"]);

    const heading = (issue: number) => bodyOf(issue).split("\n")[0];
    expect(heading(minor)).toBe("# Post-Mortem Report (Short Form, P4)");
    expect(heading(leak)).toBe(
      "# Post-Mortem Report & Corrective Action Checklist (Security Incident)",
    );
    expect(heading(outage)).toBe("# Post-Mortem Report & Corrective Action Checklist");
    expect(bodyOf(minor)).toContain("- [x] P4 - Minor Outage");
    expect(bodyOf(leak)).toContain("- [x] Security Incident");
    // The shipped templates are in the bundle: no template file is read.
    expect(
      emulator.requests.filter(
        (r) =>
          r.actor === ACTIONS_BOT &&
          r.path.includes("/contents/") &&
          !decodeURIComponent(r.path).endsWith("/postmortem.yml"),
      ),
    ).toEqual([]);
  });
});
