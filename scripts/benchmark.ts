/**
 * `npm run bench`: how long the core takes on large post-mortems, and how much memory it holds.
 * The App's work per delivery is dominated by GitHub round trips; this checks that the core never
 * becomes the bottleneck (targets: planning 30 checked boxes on a 60 KB body well under 50 ms).
 */
import { builtInTemplate } from "../src/built-in-template.js";
import { humanView } from "../src/core/capa/lost-edit.js";
import { planCapa } from "../src/core/capa/plan.js";
import { defaultConfig } from "../src/core/config.js";
import { renderPostmortem } from "../src/core/postmortem-content.js";
import type { IssueSnapshot } from "../src/core/snapshots.js";

const bot = { login: "postmortem-bot[bot]", type: "Bot" };
const incident: IssueSnapshot = {
  id: 1,
  number: 12,
  title: "Checkout returns 500",
  body: "Checkout fails for EU users. ".repeat(40),
  state: "open",
  stateReason: null,
  author: { login: "alice", type: "User" },
  labels: ["incident", "sev2", "env:production"],
  assignees: ["bob"],
  createdAt: "2026-11-27T13:05:00Z",
  isPullRequest: false,
};
const event = {
  kind: "labeled" as const,
  issue: incident,
  label: "incident",
  sender: incident.author,
  at: incident.createdAt,
};
const repository = { owner: "acme", repo: "shop", defaultBranch: "main" };

function time(label: string, iterations: number, work: () => unknown): void {
  work();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) work();
  const perRun = Number(process.hrtime.bigint() - start) / 1e6 / iterations;
  console.log(`${label.padEnd(58)} ${perRun.toFixed(2).padStart(8)} ms/run  (${iterations} runs)`);
}

const rendered = renderPostmortem(incident, event, defaultConfig, repository, {
  name: "built-in",
  source: builtInTemplate(),
});
if (!rendered.ok) throw new Error(rendered.problem);
const thirty = Array.from(
  { length: 30 },
  (_, i) => `- [x] Corrective action number ${i + 1} @carol due 2026-12-15`,
).join("\n");
const notes = `\n${"Lessons and notes that make the body large. ".repeat(1200)}\n`;
const big = rendered.body
  .replace("### D. Documentation", `### E. More\n${thirty}\n\n### D. Documentation`)
  .replace("## 7. Lessons Learned", `## 7. Lessons Learned${notes}`);
const postmortem: IssueSnapshot = {
  ...incident,
  number: 20,
  body: big,
  author: bot,
  labels: ["postmortem"],
};
const state = {
  postmortem,
  incident: { number: 12, labels: incident.labels, assignees: incident.assignees },
  children: [],
  missing: new Map(),
  comments: [],
  assignable: new Map(),
  subIssues: "supported" as const,
  today: "2026-11-27",
};

console.log(`post-mortem body: ${big.length} characters, 42 CAPA items (30 checked)\n`);
time("render a post-mortem from the built-in template", 200, () =>
  renderPostmortem(incident, event, defaultConfig, repository, {
    name: "built-in",
    source: builtInTemplate(),
  }),
);
time("plan CAPA: 30 checked boxes, no children yet", 50, () => planCapa(defaultConfig, state));
const created = planCapa(defaultConfig, state).filter((step) => step.kind === "createIssue");
const children = created.map((step, index) => ({
  ...incident,
  id: 1000 + index,
  number: 100 + index,
  title: step.title,
  body: step.body,
  author: bot,
  labels: ["capa"],
  parentIssueUrl: "https://api.github.com/repos/acme/shop/issues/20",
}));
time("plan CAPA: 30 children to show (lines + table rewrite)", 50, () =>
  planCapa(defaultConfig, { ...state, children }),
);
time("human view of the body (lost-edit check)", 50, () => humanView(big));

global.gc?.();
const { heapUsed, rss } = process.memoryUsage();
console.log(`\nheap used ${(heapUsed / 1e6).toFixed(1)} MB, resident ${(rss / 1e6).toFixed(1)} MB`);
