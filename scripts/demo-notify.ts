// Demo scene for chat notifications (#21): a repository whose flows run in the Action
// (`flows.runIn: action`) routes `opened` to a Slack, a Teams and a signed JSON receiver, all one
// local chat receiver (emulator/chat-receiver.ts). The real Action bundle opens the post-mortem and
// sends; a second run of the same event sends nothing more. Called from scripts/demo.ts.
import { startChatReceiver } from "../emulator/chat-receiver.js";
import type { GitHubEmulator } from "../emulator/index.js";
import { runActionBundle } from "./action-runner.js";

const ACTIONS_BOT = "github-actions[bot]";
const REPO = "alerts";
const CONFIG = `flows:
  runIn: action
notify:
  receivers:
    sre: { kind: slack }
    incidents: { kind: teams }
    audit: { kind: webhook }
  routes:
    - severities: [P1, P2]
      to: [sre, incidents]
    - to: [audit]
`;

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

export async function runNotifyDemo(
  emulator: GitHubEmulator,
  heading: (text: string) => void,
): Promise<void> {
  const receiver = await startChatReceiver();
  try {
    if (!emulator.state.users.has(ACTIONS_BOT)) {
      emulator.addUser(ACTIONS_BOT, "write", { type: "Bot" });
    }
    emulator.addRepository(REPO);
    emulator.setFile(".github/postmortem.yml", CONFIG, { repo: REPO });
    const incident = emulator.openIssue({
      by: "alice",
      title: "Alerts page everyone at once <!channel>",
      body: "The pager fan-out sends every alert to every rota.",
      labels: ["incident", "P1"],
      assignees: ["bob"],
      repo: REPO,
    }).number as number;
    await emulator.waitForIdle();
    const opened = emulator.webhooks.events.filter((e) => e.action === "opened").at(-1);
    assert(opened, "no issues.opened event for the incident");
    const run = () =>
      runActionBundle({
        eventName: opened.event,
        payload: opened.payload,
        apiUrl: emulator.apiUrl,
        token: emulator.tokenFor(ACTIONS_BOT),
        repository: `${emulator.owner}/${REPO}`,
        env: {
          "INPUT_NOTIFY-URLS": [
            `sre=${receiver.url("slack/T000/B000/XXXX")}`,
            `incidents=${receiver.url("teams/workflows/incidents")}`,
            `audit=${receiver.url("hooks/audit")}`,
          ].join("\n"),
          "INPUT_NOTIFY-SECRETS": "audit=demo-signing-secret",
        },
      });

    const first = await run();
    assert(first.exitCode === 0, `the Action failed:\n${first.stdout}`);
    heading(
      `${REPO}#${incident} (P1) labeled incident: the Action opens the post-mortem and tells chat`,
    );
    for (const message of receiver.received) {
      console.log(`  ${message.method} ${message.path} → ${String(message.status)}`);
      const signature = message.headers["x-postmortem-signature-256"];
      if (typeof signature === "string")
        console.log(`    X-Postmortem-Signature-256: ${signature}`);
      console.log(`    ${message.body}`);
    }
    assert(receiver.received.length === 3, `expected 3 messages, got ${receiver.received.length}`);
    const claim = emulator
      .commentsOn(postmortemOf(emulator, incident), REPO)
      .find((c) => c.body.includes("postmortem-bot:notify"));
    assert(claim, "no claim comment on the post-mortem");
    heading("The claim on the post-mortem (read back before sending)");
    console.log(claim.body);

    const again = await run();
    heading("The same event again (a re-run): nothing more is sent");
    console.log(
      `  exit ${String(again.exitCode)}, messages received in all: ${receiver.received.length}`,
    );
    assert(receiver.received.length === 3, "a re-run sent a message again");
  } finally {
    await receiver.stop();
  }
}

function postmortemOf(emulator: GitHubEmulator, incident: number): number {
  const pm = emulator
    .issues({ label: "postmortem", repo: REPO })
    .find((issue) => String(issue.body).includes(`"incident":${incident}`));
  assert(pm, `no post-mortem for ${REPO}#${incident}`);
  return pm.number as number;
}
