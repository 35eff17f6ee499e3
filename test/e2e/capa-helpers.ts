// The CAPA end-to-end tests' stack and helpers: one incident's post-mortem on the real server,
// a person's edits, and queries for the children the App opened.
import { afterEach, beforeAll, expect } from "vitest";
import type { GitHubEmulator } from "../../emulator/index.js";
import type { IssueShape, Stack } from "./stack.js";
import { lastSeq, loopbackOnly, openIncident, postmortemsFor, startStack } from "./stack.js";

export const VALIDATION = "Add automated validation checks (CI/CD gates)";
export const RUNBOOKS = "Update runbooks/playbooks";
export const LOGGING = "Improve logging/observability";
export const RCA_REVIEW = "Schedule RCA review with VP and stakeholders";
export const TABLE_RULE =
  "|---------------------------------------------|---------------|------------|----------|";
export const LESSONS = "- What worked well?";

export interface ChildShape extends IssueShape {
  id: number;
  assignees: { login: string }[];
  state_reason: string | null;
  parent_issue_url: string | null;
}

let stack: Stack | undefined;

/** The stack of the current test (started by `withPostmortem`). */
export function currentStack(): Stack {
  if (!stack) throw new Error("no stack: call withPostmortem first");
  return stack;
}

/** Loopback only, and each test's stack stopped after it. */
export function useCapaStacks(): void {
  beforeAll(() => loopbackOnly());
  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
  });
}

/** More updates of one post-mortem than any edit in these tests needs: the App is looping. */
const RUNAWAY_UPDATES = 8;
/** The post-mortem of the current test (set by `withPostmortem`). */
let postmortemPath = /^$/;

/**
 * Waits until the App is done. A delivery the App works on for more than 9 s is answered 202
 * "still processing" (@octokit/webhooks) while the App goes on writing, up to 3 s apart (Octokit's
 * throttling): then also wait for 4 s without any request. Fails early if the App keeps updating
 * the post-mortem.
 */
export async function settle(emulator: GitHubEmulator, sinceDelivery = 0): Promise<void> {
  const since = lastSeq(emulator);
  const wait = async () => {
    await emulator.waitForIdle({ timeoutMs: 25_000 });
    if (emulator.deliveries.slice(sinceDelivery).some((d) => d.status === 202)) {
      await emulator.waitForIdle({ timeoutMs: 25_000, quietMs: 4_000 });
    }
  };
  let watching = true;
  const runaway = async () => {
    while (watching) {
      await new Promise((r) => setTimeout(r, 100));
      const updates = emulator
        .appRequests()
        .filter((r) => r.seq > since && r.method === "PATCH" && postmortemPath.test(r.path));
      const counts = new Map<string, number>();
      for (const r of updates) counts.set(r.path, (counts.get(r.path) ?? 0) + 1);
      for (const [path, count] of counts) {
        if (count > RUNAWAY_UPDATES)
          throw new Error(`the App keeps updating ${path}: ${count} PATCHes and counting`);
      }
    }
  };
  const done = wait();
  try {
    await Promise.race([done, runaway()]);
  } finally {
    watching = false;
    done.catch(() => undefined);
  }
}
/** A stack with carol (write access, so assignable) and one incident's post-mortem, assigned to bob. */
export async function withPostmortem(opts: Parameters<typeof startStack>[0] = {}) {
  stack = await startStack(opts);
  const { emulator } = stack;
  emulator.setPermission("carol", "write");
  const incident = openIncident(stack);
  await settle(emulator);
  // With two replicas both may open one; the later is closed as a duplicate.
  const postmortems = postmortemsFor(emulator, incident, "open");
  expect(postmortems).toHaveLength(1);
  const postmortem = postmortems[0]!.number;
  postmortemPath = new RegExp(`/issues/${postmortem}$`);
  emulator.assign({ by: "alice", issue: postmortem, assignees: ["bob"] });
  await settle(emulator);
  return { emulator, incident, postmortem };
}

export function bodyOf(emulator: GitHubEmulator, issue: number): string {
  return emulator.issue(issue).body as string;
}

/** alice edits the post-mortem's body; returns where the request log and deliveries stood. */
export function personEdits(
  emulator: GitHubEmulator,
  issue: number,
  edit: (body: string) => string,
) {
  const mark = { seq: lastSeq(emulator), delivery: emulator.deliveries.length };
  const before = bodyOf(emulator, issue);
  const after = edit(before);
  expect(after).not.toBe(before);
  emulator.editBody({ by: "alice", issue, body: after });
  return mark;
}

export const check =
  (action: string, rest = "") =>
  (body: string) => {
    expect(body).toContain(`- [ ] ${action}\n`);
    return body.replace(`- [ ] ${action}\n`, `- [x] ${action}${rest}\n`);
  };

export const addRow = (row: string) => (body: string) => {
  expect(body).toContain(`${TABLE_RULE}\n`);
  return body.replace(`${TABLE_RULE}\n`, `${TABLE_RULE}\n${row}\n`);
};

export const pipe =
  (...edits: ((body: string) => string)[]) =>
  (body: string) =>
    edits.reduce((text, edit) => edit(text), body);

export function childrenOf(emulator: GitHubEmulator, postmortem: number): ChildShape[] {
  return (emulator.issues({ state: "all", label: "capa" }) as unknown as ChildShape[]).filter(
    (issue) => issue.body?.includes(`<!-- postmortem-bot:capa {"parent":${postmortem},`),
  );
}

export function childrenFor(emulator: GitHubEmulator, postmortem: number, action: string) {
  return childrenOf(emulator, postmortem).filter((c) => c.title === `CAPA: ${action}`);
}

export function onlyChild(
  emulator: GitHubEmulator,
  postmortem: number,
  action: string,
): ChildShape {
  const found = childrenFor(emulator, postmortem, action);
  expect(found.map((c) => c.title)).toEqual([`CAPA: ${action}`]);
  return found[0]!;
}

export function rowOf(body: string, child: number): string | undefined {
  return body.split("\n").find((line) => line.startsWith("|") && line.includes(`(#${child})`));
}
