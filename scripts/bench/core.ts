// The core's CPU per event on post-mortem bodies of 2 kB, 20 kB and GitHub's maximum: parsing
// the body and planning its CAPA children (the work every edit of a post-mortem costs).
import { builtInTemplate } from "../../src/handlers/built-in-template.js";
import { planCapa } from "../../src/core/capa/plan.js";
import { defaultConfig } from "../../src/core/config.js";
import { renderPostmortem } from "../../src/core/incident/content.js";
import type { IssueSnapshot } from "../../src/core/snapshots.js";
import { MAX_BODY_LENGTH } from "../../src/core/template.js";
import { writersOf } from "../../src/core/trust/writers.js";

const bot = { login: "postmortem-bot[bot]", type: "Bot" };
const incident: IssueSnapshot = {
  id: 1,
  number: 12,
  title: "Checkout returns 500",
  body: "Checkout fails for EU users.",
  state: "open",
  stateReason: null,
  author: { login: "alice", type: "User" },
  labels: ["incident", "sev2"],
  assignees: ["bob"],
  createdAt: "2026-11-27T13:05:00Z",
  isPullRequest: false,
};

function rendered(): string {
  const result = renderPostmortem(
    incident,
    {
      kind: "labeled",
      issue: incident,
      label: "incident",
      sender: incident.author,
      at: incident.createdAt,
    },
    defaultConfig,
    { owner: "acme", repo: "shop", defaultBranch: "main" },
    { name: "built-in", source: builtInTemplate() },
  );
  if (!result.ok) throw new Error(result.problem);
  return result.body;
}

/** A post-mortem body of about `size` characters with `checked` CAPA boxes checked. */
export function bodyOfSize(size: number, checked: number): string {
  const boxes = Array.from(
    { length: checked },
    (_, i) => `- [x] Corrective action number ${i + 1} @carol due 2026-12-15`,
  ).join("\n");
  const base = rendered().replace(
    "### D. Documentation",
    `### E. More\n${boxes}\n\n### D. Documentation`,
  );
  if (base.length >= size) {
    // Smaller than the full template: keep the CAPA section and the table, drop the prose.
    const capa = base.slice(base.indexOf("## 6."), base.indexOf("## 9."));
    return `# Post-mortem\n\n${capa}<!-- postmortem-bot:postmortem {"incident":12} -->\n`.slice(
      0,
      size,
    );
  }
  const filler = "Lessons and notes that make the body large. ";
  const notes = filler
    .repeat(Math.ceil((size - base.length) / filler.length))
    .slice(0, size - base.length - 2);
  return base
    .replace("## 7. Lessons Learned", `## 7. Lessons Learned\n${notes}\n`)
    .slice(0, MAX_BODY_LENGTH);
}

export interface CoreFigure {
  characters: number;
  /** Median ms to plan CAPA for the body (parse + plan), no children yet. */
  planMs: number;
}

export function benchCore(sizes: number[], checked = 10, runs = 40): CoreFigure[] {
  return sizes.map((size) => {
    const body = bodyOfSize(size, checked);
    const state = {
      postmortem: { ...incident, number: 20, body, author: bot, labels: ["postmortem"] },
      incident: { number: 12, labels: incident.labels, assignees: incident.assignees },
      children: [],
      missing: new Map(),
      comments: [],
      assignable: new Map(),
      subIssues: "supported" as const,
      today: "2026-11-27",
      // A writer's edit that checked the boxes: the planner opens them.
      edit: { by: "writer" as const, login: "carol", before: "", after: body },
      budget: defaultConfig.capa.maxChildrenPerEdit,
      writers: writersOf(defaultConfig, "app", "postmortem-bot"),
    };
    planCapa(defaultConfig, state);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      planCapa(defaultConfig, state);
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    return { characters: body.length, planMs: times[Math.floor(times.length / 2)]! };
  });
}
