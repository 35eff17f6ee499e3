// The demo's scene for CAPA on a GitHub Project (#21): a repository whose configuration names the
// organization's project; checking a box puts the child on the board with its Due, Severity and
// Status; a date alice moves on the board comes back to the child's `Due:` line and the
// post-mortem's row. Used by scripts/demo.ts, against the emulator and App it already started.
import type { GitHubEmulator } from "../emulator/index.js";

export interface ProjectsDemoContext {
  emulator: GitHubEmulator;
  heading: (text: string) => void;
  /** Waits until the App is done with what a person did to `issue` since delivery `since`. */
  settle: (issue: number, since: number, repo: string) => Promise<void>;
}

const REPO = "planning";
const ACTION = "Add automated validation checks (CI/CD gates)";

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

function printItems(emulator: GitHubEmulator, project: number): void {
  for (const item of emulator.projectItems({ project })) {
    const fields = Object.entries(item.fields)
      .map(([name, value]) => `${name}: ${String(value)}`)
      .join("   ");
    console.log(`  ${item.repository}#${item.issue} ${item.title}\n      ${fields}`);
  }
}

export async function runProjectsDemo({
  emulator,
  heading,
  settle,
}: ProjectsDemoContext): Promise<void> {
  const { number: project, url } = emulator.createProject({
    title: "Corrective actions",
    fields: [
      { name: "Due", dataType: "DATE" },
      { name: "Severity", dataType: "SINGLE_SELECT", options: ["P1", "P2", "P3", "P4"] },
      {
        name: "Status",
        dataType: "SINGLE_SELECT",
        options: ["Open", "Fix merged", "Shipped", "Done", "Not planned"],
      },
    ],
  });
  emulator.addRepository(REPO);
  emulator.setFile(
    ".github/postmortem.yml",
    `projects:\n  url: ${url}\n  fields: { due: Due, severity: Severity, status: Status }\n`,
    { repo: REPO },
  );
  const incident = emulator.openIssue({
    by: "alice",
    title: "Search index stale for an hour",
    body: "Reindexing stalled.",
    labels: ["incident", "P2"],
    repo: REPO,
  }).number as number;
  await emulator.waitForIdle();
  const pm = emulator
    .issues({ label: "postmortem", repo: REPO })
    .find((issue) => String(issue.body).includes(`"incident":${incident}`));
  assert(pm, `no post-mortem for ${REPO}#${incident}`);
  const postmortem = pm.number as number;

  let since = emulator.deliveries.length;
  emulator.editBody({
    by: "alice",
    issue: postmortem,
    body: String(pm.body).replace(`- [ ] ${ACTION}`, `- [x] ${ACTION} @bob due 2026-12-15`),
    repo: REPO,
  });
  await settle(postmortem, since, REPO);
  heading(`${url}: the CAPA child of ${REPO}#${postmortem} on the board`);
  printItems(emulator, project);
  const [item] = emulator.projectItems({ project });
  assert(item?.fields.Due === "2026-12-15", "the child is not on the board with its date");

  since = emulator.deliveries.length;
  emulator.setProjectField({
    by: "alice",
    project,
    issue: item.issue,
    field: "Due",
    date: "2027-01-15",
    repo: REPO,
  });
  await settle(postmortem, since, REPO);
  heading("alice moves its Due to 2027-01-15 on the board");
  const due = /^Due: .*$/m.exec(String(emulator.issue(item.issue, REPO).body))?.[0];
  const row = String(emulator.issue(postmortem, REPO).body)
    .split("\n")
    .find((line) => line.includes(`(#${item.issue})`) && line.startsWith("|"));
  console.log(`  child #${item.issue}: ${String(due)}\n  post-mortem row: ${String(row)}`);
  assert(due === "Due: 2027-01-15", `the child's Due line did not follow: ${String(due)}`);
  assert(row?.includes("| 2027-01-15 |"), `the post-mortem's row did not follow: ${String(row)}`);
}
