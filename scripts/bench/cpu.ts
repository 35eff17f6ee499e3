// CPU per delivery of an event that concerns no post-mortem: our server against a bare Probot
// server that does nothing, both started in this run, fed the same signed delivery.
import { readFileSync } from "node:fs";
import { signBody } from "../../emulator/webhooks.js";
import type { AppProcess } from "../../emulator/app-process.js";
import { startBenchStack } from "./stack.js";

export interface CpuFigure {
  deliveries: number;
  /** Median CPU milliseconds per delivery over the rounds. */
  oursMs: number;
  bareMs: number;
  ratio: number;
}

/** User + system CPU time of a process, in ms (Linux /proc; 10 ms ticks, so measure many). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

async function deliver(app: AppProcess, secret: string, name: string, body: string, id: number) {
  const response = await fetch(app.webhookUrl, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": name,
      "x-github-delivery": `bench-${id}`,
      "x-hub-signature-256": signBody(secret, body),
    },
    body,
  });
  await response.text();
  if (response.status >= 300) throw new Error(`delivery answered ${response.status}`);
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function benchIgnoredDeliveryCpu(deliveries = 400, rounds = 5): Promise<CpuFigure> {
  const stack = await startBenchStack();
  const { emulator } = stack;
  try {
    const ours = await stack.start();
    const bare = await stack.start("scripts/bench/bare-app.ts");
    // A real `issues.labeled` payload for a label that concerns no incident, made by the emulator.
    emulator.setWebhookUrl(ours.webhookUrl);
    const issue = emulator.openIssue({ by: "alice", title: "Docs typo", body: "A typo." });
    emulator.addLabel({ by: "alice", issue: issue.number as number, label: "docs" });
    await emulator.waitForIdle();
    emulator.setWebhookUrl(undefined);
    const event = emulator.webhooks.events.findLast(
      (e) => e.event === "issues" && e.action === "labeled",
    );
    if (!event) throw new Error("no labeled event");

    let id = 0;
    const perDelivery = async (app: AppProcess) => {
      const before = cpuMs(app.pid!);
      for (let i = 0; i < deliveries; i++)
        await deliver(app, stack.secret, "issues", event.body, ++id);
      return (cpuMs(app.pid!) - before) / deliveries;
    };
    // Warm both up (JIT, tokens, the configuration cache), then alternate rounds.
    await perDelivery(ours);
    await perDelivery(bare);
    const oursRounds: number[] = [];
    const bareRounds: number[] = [];
    for (let round = 0; round < rounds; round++) {
      oursRounds.push(await perDelivery(ours));
      bareRounds.push(await perDelivery(bare));
    }
    const oursMs = median(oursRounds);
    const bareMs = median(bareRounds);
    return { deliveries, oursMs, bareMs, ratio: oursMs / bareMs };
  } finally {
    await stack.stop();
  }
}
