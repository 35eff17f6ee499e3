// The Action's `mode: release-gate` on a repository of the size issue #13 names (500 post-mortems,
// 3,000 corrective actions), run as the runner runs it against the emulator: how many requests.
// Most of that history is closed, as in a real repository: 50 open post-mortems with 300 open
// actions, one of each post-mortem's overdue (so the gate blocks, and lists 50). The closed
// post-mortems are either from before "gate":2 (`pre-upgrade`) or of this version, closed with
// approvals that the close gate recorded in their marker (`approved`): those cost only their
// listing, not a judgement each.
// With `evidence: "merged"` every severity asks for a merged fix, and the overdue child of each
// closed post-mortem was closed without one (it carries capa:no-evidence, as the App leaves it):
// the gate lists those children once (paged) and each of those post-mortems blocks.
import { createGitHubEmulator } from "../../emulator/index.js";
import { itemKey } from "../../src/core/capa/items.js";
import { childBody } from "../../src/core/capa/render.js";
import { runActionBundle } from "../action-runner.js";

const BOT = "postmortem-bot[bot]";
const RUNNER = "github-actions[bot]";

export interface ReleaseGateFigures {
  postmortems: number;
  closed: number;
  closes: "pre-upgrade" | "approved";
  evidence: "none" | "merged";
  actions: number;
  requests: number;
  ms: number;
  exitCode: number | null;
}

export async function benchReleaseGate(
  postmortems = 500,
  actionsEach = 6,
  closes: "pre-upgrade" | "approved" = "pre-upgrade",
  evidence: "none" | "merged" = "none",
): Promise<ReleaseGateFigures> {
  const emulator = createGitHubEmulator({ users: [{ login: "carol", role: "write" }] });
  emulator.addUser(BOT, "write", { type: "Bot" });
  emulator.addUser(RUNNER, "write", { type: "Bot" });
  await emulator.start();
  // The App's post-mortems and children count for the Action where the configuration names it.
  const policy = ["P1", "P2", "P3", "P4", "default"]
    .map((key) => `  ${key}:\n    capaEvidence: ${evidence}\n`)
    .join("");
  emulator.setFile(
    ".github/postmortem.yml",
    `identity:\n  app: postmortem-bot\n${evidence === "none" ? "" : `policy:\n${policy}`}`,
  );
  try {
    for (let index = 0; index < postmortems; index++) {
      const open = index % 10 === 0;
      const incident = emulator.openIssue({
        by: "carol",
        title: `Incident ${index}`,
        labels: ["incident", `P${(index % 4) + 1}`],
      }).number as number;
      const postmortem = emulator.openIssue({
        by: BOT,
        title: `Post-mortem: Incident ${index}`,
        body: marker(incident, closes === "approved" ? { gate: 2 } : {}),
        labels: ["postmortem"],
      }).number as number;
      for (let item = 0; item < actionsEach; item++) {
        const title = `Action ${item} of incident ${index}`;
        const child = emulator.openIssue({
          by: BOT,
          title: `CAPA: ${title}`,
          body: childBody({
            parent: postmortem,
            incident,
            key: itemKey(title),
            title,
            category: "Technical Fixes",
            assignees: [],
            ownerText: "@carol",
            unassignable: [],
            due: item === 0 ? "2026-01-15" : "2099-01-15",
          }),
          labels:
            evidence !== "none" && !open && item === 0 ? ["capa", "capa:no-evidence"] : ["capa"],
        }).number as number;
        if (!open) emulator.closeIssue({ by: "carol", issue: child, reason: "completed" });
      }
      if (!open) {
        emulator.closeIssue({ by: "carol", issue: incident, reason: "completed" });
        emulator.closeIssue({ by: "carol", issue: postmortem, reason: "completed" });
        if (closes === "approved") {
          // What the close gate writes when it lets a close stand.
          const closed = String(emulator.issue(postmortem).closed_at);
          const body = marker(incident, { gate: 2, closed });
          emulator.editBody({ by: BOT, issue: postmortem, body });
        }
      }
    }
    const before = emulator.requests.length;
    const start = performance.now();
    const run = await runActionBundle({
      eventName: "workflow_dispatch",
      payload: {},
      mode: "release-gate",
      apiUrl: emulator.apiUrl,
      token: emulator.tokenFor(RUNNER),
      repository: `${emulator.owner}/${emulator.repoName}`,
    });
    return {
      postmortems,
      closed: postmortems - Math.ceil(postmortems / 10),
      closes,
      evidence,
      actions: postmortems * actionsEach,
      requests: emulator.requests.length - before,
      ms: performance.now() - start,
      exitCode: run.exitCode,
    };
  } finally {
    await emulator.stop();
  }
}

function marker(incident: number, rest: Record<string, unknown>): string {
  const data = JSON.stringify({ incident, ...rest });
  return `# Post-Mortem\n\n<!-- postmortem-bot:postmortem ${data} -->\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await benchReleaseGate());
}
