// Requests per flow, counted by the emulator, for the real App server with its production
// rate-limit policy; and how long each took to settle at GitHub's pace.
import type { GitHubEmulator } from "../../emulator/index.js";
import { startChatReceiver } from "../../emulator/chat-receiver.js";
import { startBenchStack } from "./stack.js";

export interface FlowFigure {
  flow: string;
  requests: number;
  /** Requests that change something (not GET). */
  writes: number;
  /** Whether `budget` bounds the writes (CAPA: k creates, k links, a label, one update). */
  budgetOn: "requests" | "writes";
  /** 304 answers among them (not counted against the rate limit). */
  notModified: number;
  budget: number | undefined;
  settledMs: number;
  /** The slowest answer to a delivery of this flow, and its status. */
  answer?: { status: number | null; ms: number };
}

function seq(emulator: GitHubEmulator): number {
  return emulator.requests.at(-1)?.seq ?? 0;
}

async function measure(
  emulator: GitHubEmulator,
  flow: string,
  budget: number | undefined,
  act: () => void,
  budgetOn: FlowFigure["budgetOn"] = "requests",
): Promise<FlowFigure> {
  const since = seq(emulator);
  const deliveries = emulator.deliveries.length;
  const started = Date.now();
  act();
  await emulator.waitForIdle({ timeoutMs: 400_000, quietMs: 4_000 });
  // The quiet time that proves the end is not part of the flow.
  const requests = emulator.appRequests().filter((r) => r.seq > since);
  const lastAt = Math.max(started, ...requests.map((r) => r.at + r.durationMs));
  const answers = emulator.deliveries.slice(deliveries);
  const slowest = answers.sort((a, b) => b.durationMs - a.durationMs)[0];
  return {
    flow,
    requests: requests.length,
    writes: requests.filter((r) => r.method !== "GET").length,
    budgetOn,
    notModified: requests.filter((r) => r.status === 304).length,
    budget,
    settledMs: lastAt - started,
    ...(slowest ? { answer: { status: slowest.status, ms: slowest.durationMs } } : {}),
  };
}

function checkBoxes(body: string, count: number, owner = "@carol"): string {
  const items = Array.from(
    { length: count },
    (_, i) => `- [x] Bench action ${i + 1} ${owner} due 2027-01-15`,
  ).join("\n");
  return body.replace("### D. Documentation", `### E. Bench\n${items}\n\n### D. Documentation`);
}

function postmortemOf(emulator: GitHubEmulator, incident: number): number {
  const found = emulator
    .issues({ label: "postmortem" })
    .find((issue) =>
      new RegExp(`postmortem \\{"incident":${incident}[,}]`).test(String(issue.body)),
    );
  if (!found) throw new Error(`no post-mortem for incident #${incident}`);
  return found.number as number;
}

/** Every flow of the budget table, in one App process; `capaCounts` as given (e.g. 1, 10, 50). */
export async function benchFlows(capaCounts: number[]): Promise<FlowFigure[]> {
  const stack = await startBenchStack();
  const { emulator } = stack;
  // The chat receiver of the `notify:` row (only the repository `chatty` routes to it).
  const chat = await startChatReceiver();
  const figures: FlowFigure[] = [];
  try {
    const app = await stack.start(undefined, {
      NOTIFY_AUDIT_URL: chat.url("hook"),
      NOTIFY_AUDIT_SECRET: "bench-signing-secret",
    });
    emulator.setWebhookUrl(app.webhookUrl);
    const ordinary = emulator.openIssue({ by: "alice", title: "Docs typo", body: "A typo." });
    await emulator.waitForIdle();
    figures.push(
      await measure(emulator, "ignored event (label `docs`), configuration not yet seen", 2, () =>
        emulator.addLabel({ by: "alice", issue: ordinary.number as number, label: "docs" }),
      ),
    );
    figures.push(
      await measure(emulator, "ignored event (label `docs`), configuration seen", 0, () =>
        emulator.addLabel({ by: "alice", issue: ordinary.number as number, label: "question" }),
      ),
    );
    figures.push(
      await measure(emulator, "comment on an ordinary issue", 0, () =>
        emulator.comment({ by: "bob", issue: ordinary.number as number, body: "Fixed." }),
      ),
    );

    const incident = emulator.openIssue({ by: "alice", title: "Checkout 500s", body: "Down." });
    await emulator.waitForIdle();
    // No `env:` label: the Changes before the incident block costs one listing of merged PRs.
    figures.push(
      await measure(emulator, "incident → post-mortem", 10, () =>
        emulator.addLabel({ by: "alice", issue: incident.number as number, label: "incident" }),
      ),
    );
    const postmortem = postmortemOf(emulator, incident.number as number);

    // With `env:production` and three successful deployments before it (two merged PRs each): the
    // block adds one GraphQL request, one `compare` per deployment pair and the PR listing; the
    // issue's budget is the 9 requests before it plus at most 10.
    for (let round = 0; round < 3; round++) {
      for (let pr = 0; pr < 2; pr++) {
        const pull = emulator.openPullRequest({ by: "carol", title: `Change ${round}-${pr}` });
        emulator.mergePullRequest({ by: "alice", number: pull.number as number });
      }
      const deployment = emulator.createDeployment({
        by: "alice",
        sha: emulator.branchSha({}),
        environment: "production",
      });
      emulator.setDeploymentStatus({ by: "alice", deployment: deployment.id, state: "success" });
    }
    const deployed = emulator.openIssue({ by: "alice", title: "Cart empties", body: "Down." });
    emulator.addLabel({ by: "alice", issue: deployed.number as number, label: "env:production" });
    await emulator.waitForIdle();
    figures.push(
      await measure(emulator, "incident (`env:`, 3 deployments) → post-mortem", 19, () =>
        emulator.addLabel({ by: "alice", issue: deployed.number as number, label: "incident" }),
      ),
    );

    let previous = 0;
    for (const count of capaCounts) {
      const body = String(emulator.issue(postmortem).body);
      figures.push(
        await measure(
          emulator,
          `CAPA: ${count} box${count === 1 ? "" : "es"} checked in one edit`,
          2 * count + 3,
          () =>
            emulator.editBody({
              by: "alice",
              issue: postmortem,
              body: checkBoxes(body, count).replaceAll("Bench action", `Bench ${previous}-action`),
            }),
          // The budget bounds the writes (k creates, k links, a label, one update); reads shown.
          "writes",
        ),
      );
      previous += count;
    }
    const child = emulator
      .issues({ label: "capa", state: "open" })
      .find((issue) => String(issue.body).includes(`{"parent":${postmortem},`));
    if (child) {
      figures.push(
        await measure(emulator, "CAPA child closed → post-mortem follows", undefined, () =>
          emulator.closeIssue({ by: "carol", issue: child.number as number, reason: "completed" }),
        ),
      );
    }

    // The approval gate where the App enforces it (gate.enforceInApp: true), in its own repository.
    emulator.addRepository("gated");
    emulator.setFile(".github/postmortem.yml", "gate:\n  enforceInApp: true\n", { repo: "gated" });
    const gatedIncident = emulator.openIssue({ by: "alice", title: "DB failover", repo: "gated" });
    emulator.addLabel({
      by: "alice",
      issue: gatedIncident.number as number,
      label: "incident",
      repo: "gated",
    });
    await emulator.waitForIdle({ timeoutMs: 60_000, quietMs: 2_000 });
    const gated = emulator.issues({ label: "postmortem", repo: "gated" }).at(-1)?.number as number;
    figures.push(
      await measure(
        emulator,
        "close of an unapproved post-mortem (judged, reopened)",
        undefined,
        () => emulator.closeIssue({ by: "alice", issue: gated, repo: "gated" }),
      ),
    );
    figures.push(
      await measure(emulator, "`/approve` by an allowed person", undefined, () =>
        emulator.comment({ by: "tina", issue: gated, body: "/approve tech lead", repo: "gated" }),
      ),
    );

    // The same flow where `notify:` routes `opened` to one receiver, in its own repository:
    // the claim-then-send costs 4 more requests (comments, claim, comments read back, the claim's
    // final line); the message itself goes to the receiver, not to GitHub.
    emulator.addRepository("chatty");
    emulator.setFile(
      ".github/postmortem.yml",
      "notify:\n  receivers: { audit: { kind: webhook } }\n  routes: [{ events: [opened], to: [audit] }]\n",
      { repo: "chatty" },
    );
    const chatty = emulator.openIssue({ by: "alice", title: "Alerts storm", repo: "chatty" });
    // An ignored label first, so the configuration is read (and cached) before, as above.
    emulator.addLabel({
      by: "alice",
      issue: chatty.number as number,
      label: "docs",
      repo: "chatty",
    });
    await emulator.waitForIdle({ timeoutMs: 60_000, quietMs: 2_000 });
    figures.push(
      await measure(emulator, "incident → post-mortem, told to one chat receiver", 14, () =>
        emulator.addLabel({
          by: "alice",
          issue: chatty.number as number,
          label: "incident",
          repo: "chatty",
        }),
      ),
    );
    if (chat.received.length !== 1) {
      throw new Error(`the chat receiver got ${chat.received.length} messages, not 1`);
    }
  } finally {
    await stack.stop();
    await chat.stop();
  }
  return figures;
}
