// What the evidence flow (issue #19) costs the real App server, counted by the emulator: a merge
// that closes a CAPA child, and a successful deployment with `children` merged children awaiting
// it (one paged listing, one `compare` per awaiting fix, the writes).
import type { GitHubEmulator } from "../../emulator/index.js";
import { startBenchStack } from "./stack.js";

const SEVERITIES = ["P1", "P2", "P3", "P4", "default"];
const CONFIG =
  `policy:\n${SEVERITIES.map((key) => `  ${key}:\n    capaEvidence: merged`).join("\n")}\n` +
  "evidence:\n  environment: production\n";

export interface EvidenceFigure {
  event: string;
  requests: number;
  writes: number;
  /** Paged listings of the awaiting children (`labels=capa:awaiting-ship`). */
  listings: number;
  compares: number;
  graphql: number;
  /** The children awaiting the deployment (0 for the merge). */
  awaiting: number;
}

const seq = (emulator: GitHubEmulator) => emulator.requests.at(-1)?.seq ?? 0;
const idle = (emulator: GitHubEmulator) =>
  emulator.waitForIdle({ timeoutMs: 400_000, quietMs: 4_000 });

async function measure(
  emulator: GitHubEmulator,
  event: string,
  awaiting: number,
  act: () => void,
): Promise<EvidenceFigure> {
  const since = seq(emulator);
  act();
  await idle(emulator);
  const requests = emulator.appRequests().filter((r) => r.seq > since);
  return {
    event,
    requests: requests.length,
    writes: requests.filter((r) => r.method !== "GET" && r.path !== "/graphql").length,
    listings: requests.filter(
      (r) =>
        r.method === "GET" &&
        r.path === "/repos/acme/service/issues" &&
        r.query.labels === "capa:awaiting-ship",
    ).length,
    compares: requests.filter((r) => r.path.includes("/compare/")).length,
    graphql: requests.filter((r) => r.path === "/graphql").length,
    awaiting,
  };
}

/** A merged pull request that closes `child`, by carol, merged by alice. */
function merge(emulator: GitHubEmulator, child: number): void {
  const pull = emulator.openPullRequest({
    by: "carol",
    title: `Fix #${child}`,
    body: `Fixes #${child}`,
  });
  emulator.mergePullRequest({ by: "alice", number: pull.number as number });
}

/** `children` CAPA children of one post-mortem, each merged; then one deployment ships them all. */
export async function benchEvidence(children: number): Promise<EvidenceFigure[]> {
  const stack = await startBenchStack();
  const { emulator } = stack;
  try {
    const app = await stack.start();
    emulator.setWebhookUrl(app.webhookUrl);
    emulator.setFile(".github/postmortem.yml", CONFIG);
    const incident = emulator.openIssue({ by: "alice", title: "Checkout 500s", body: "Down." });
    emulator.addLabel({ by: "alice", issue: incident.number as number, label: "incident" });
    await idle(emulator);
    const postmortem = emulator
      .issues({ label: "postmortem" })
      .find((issue) => String(issue.body).includes(`{"incident":${incident.number as number}`));
    if (!postmortem) throw new Error("no post-mortem");
    const items = Array.from(
      { length: children },
      (_, i) => `- [x] Evidence action ${i + 1} @carol due 2027-01-15`,
    ).join("\n");
    emulator.editBody({
      by: "alice",
      issue: postmortem.number as number,
      body: String(postmortem.body).replace(
        "### D. Documentation",
        `### E. Bench\n${items}\n\n### D. Documentation`,
      ),
    });
    await idle(emulator);
    const numbers = emulator
      .issues({ label: "capa", state: "open" })
      .filter((issue) => String(issue.body).includes(`{"parent":${postmortem.number as number},`))
      .map((issue) => issue.number as number);
    if (numbers.length !== children) throw new Error(`${numbers.length} children, not ${children}`);

    for (const child of numbers.slice(0, -1)) merge(emulator, child);
    await idle(emulator);
    const merged = await measure(
      emulator,
      "merge closing one CAPA child (`pull_request` closed + the child's `issues` closed)",
      0,
      () => merge(emulator, numbers.at(-1)!),
    );
    const deployed = await measure(
      emulator,
      `\`deployment_status\` success, ${children} merged children awaiting it`,
      children,
      () => {
        const deployment = emulator.createDeployment({ by: "alice", sha: emulator.branchSha({}) });
        emulator.setDeploymentStatus({
          by: "alice",
          deployment: deployment.id,
          state: "success",
        });
      },
    );
    const shippedAll = emulator
      .issues({ label: "capa", state: "all" })
      .filter((issue) => numbers.includes(issue.number as number))
      .every((issue) => String(issue.body).includes("Shipped to production"));
    if (!shippedAll) throw new Error("the deployment did not ship every child");
    return [merged, deployed];
  } finally {
    await stack.stop();
  }
}
