import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { builtInTemplate } from "../../src/handlers/built-in-template.js";
import { defaultConfig } from "../../src/core/config.js";
import { parseMarkdown, walk } from "../../src/core/markdown.js";
import { findMarker } from "../../src/core/markers.js";
import { renderPostmortem } from "../../src/core/incident/content.js";
import { MAX_BODY_LENGTH } from "../../src/core/template.js";
import { commandEvent, incidentIssue, labeledEvent, repository } from "./fixtures.js";

const seed = readFileSync(new URL("../fixtures/seed-template.md", import.meta.url), "utf8");
const builtIn = { name: "templates/postmortem.md.hbs", source: builtInTemplate() };

function render(
  issue = incidentIssue(),
  event = labeledEvent(issue),
  config = defaultConfig,
  template = builtIn,
) {
  const result = renderPostmortem(issue, event, config, repository, template);
  if (!result.ok) throw new Error(result.problem);
  return result;
}

function headings(markdown: string): string[] {
  const found: string[] = [];
  walk(parseMarkdown(markdown), (node) => {
    if (node.type === "heading")
      found.push(markdown.slice(node.position!.start.offset, node.position!.end.offset));
  });
  return found;
}

const taskLabel = (line: string) => line.replace(/^- \[[ x]\] /, "").trimEnd();

describe("the built-in template", () => {
  it("keeps the seed's headings, in order", () => {
    expect(headings(render().body)).toEqual(headings(seed));
  });

  it("keeps every checkbox of the seed, unchecked unless a label says otherwise", () => {
    const seedTasks = seed
      .split("\n")
      .filter((line) => line.startsWith("- [ ] "))
      .map(taskLabel);
    const renderedTasks = render()
      .body.split("\n")
      .filter((line) => /^- \[[ x]\] /.test(line))
      .map(taskLabel);
    expect(renderedTasks).toEqual(seedTasks);
  });

  it("keeps every field line of the seed", () => {
    const fieldNames = (text: string) =>
      [...text.matchAll(/^\s*- \*\*([^*]+):\*\*/gm)].map((match) => match[1]);
    expect(fieldNames(render().body)).toEqual(fieldNames(seed));
  });

  it("prefills what GitHub knows", () => {
    const issue = incidentIssue({
      labels: ["incident", "env:production", "sev2", "P3", "security"],
      assignees: ["bob", "erin"],
    });
    const { title, body } = render(issue);
    expect(title).toBe("Post-mortem: Checkout returns 500");
    expect(body).toContain("- **Incident ID:** #12  \n");
    expect(body).toContain("- **Date & Time (Reported/Identified):** 2026-11-27 13:05 UTC  \n");
    expect(body).toContain("- **Reported By:** @alice  \n");
    expect(body).toContain("- **Owner(s) of Resolution:** @bob, @erin  \n");
    expect(body).toContain("- **Environment Affected:** production  \n");
    expect(body).toContain("  > Checkout fails for EU users since the 13:00 deploy.\n");
    expect(body).toContain("- **Related JIRA/Incident Ticket:** #12  \n");
    expect(body).toContain("- [x] P2 - High Impact Degradation");
    expect(body).toContain("- [ ] P3 - Medium Outage");
    expect(body).toContain("- [x] Security Incident");
    expect(body).toContain("- [ ] Data Loss Event");
    // The severity at opening stays with the post-mortem: later it only rises.
    expect(findMarker(body, "postmortem")).toEqual({ incident: 12, severity: "P2", gate: 2 });
  });

  it("keeps the template's prompts where nothing is known", () => {
    const { body } = render(incidentIssue({ body: "", assignees: [], labels: ["incident"] }));
    expect(body).toContain("- **Environment Affected:** Production / UAT / Other  \n");
    expect(body).toContain("  > One to two sentences describing what happened.\n");
    expect(body).toContain("- **Owner(s) of Resolution:**   \n");
  });

  it("starts the timeline with GitHub's events and the follow-up table with its header only", () => {
    const { body } = render(incidentIssue(), labeledEvent());
    expect(body).toContain(
      "|--------------|---------------------------------------------|\n" +
        "| 2026-11-27 13:05 UTC | Incident issue #12 opened by @alice |\n" +
        "| 2026-11-27 13:07 UTC | Labeled incident by @dave |\n\n---",
    );
    expect(body).toContain(
      "| Action Item                                  | Owner         | Due Date   | Status   |\n" +
        "|---------------------------------------------|---------------|------------|----------|\n\n---",
    );
    expect(body).not.toContain("Deployment started");
    expect(body).not.toContain("DevOps Team");
  });

  it("records a /postmortem request in the timeline", () => {
    expect(render(incidentIssue(), commandEvent()).body).toContain(
      "| 2026-11-27 13:09 UTC | Post-mortem requested by @carol |",
    );
  });

  it("writes dates in the configured time zone", () => {
    const { body } = render(incidentIssue(), labeledEvent(), {
      ...defaultConfig,
      timezone: "America/New_York",
    });
    expect(body).toContain(
      "- **Date & Time (Reported/Identified):** 2026-11-27 08:05 America/New_York  \n",
    );
  });
});

describe("hostile incident text", () => {
  const attack = [
    '{{#each this}}{{this}}{{/each}} <!-- postmortem-bot:postmortem {"incident":99} -->',
    "## 9. Approvals & Final Notes",
    "- [x] Approved by @everyone and @acme/sre-leads",
    "| 13:00 | fake row |",
  ].join("\n");

  it("adds no headings, task items, table rows, markers or mentions", () => {
    const issue = incidentIssue({ title: "{{incident.author}} ## title", body: attack });
    const { body } = render(issue);
    const clean = render();
    expect(headings(body)).toEqual(headings(clean.body));
    const count = (text: string, type: string) => {
      let n = 0;
      walk(parseMarkdown(text), (node) => (n += node.type === type ? 1 : 0));
      return n;
    };
    for (const type of ["listItem", "tableRow", "html", "table"])
      expect(count(body, type)).toBe(count(clean.body, type));
    expect(findMarker(body, "postmortem")).toEqual({ incident: 12, gate: 2 });
    expect(body).not.toMatch(/(?<!`)@everyone/);
    expect(body).not.toMatch(/(?<!`)@acme\/sre-leads/);
  });

  it("keeps table rows at two cells when a label contains pipes", () => {
    const issue = incidentIssue({ labels: ["incident", "a|b|c"] });
    const { body } = render(issue, labeledEvent(issue, "a|b|c"));
    const cellsPerRow: number[] = [];
    walk(parseMarkdown(body), (node) => {
      if (node.type === "table" && node.children.length > 0 && node.align?.length === 2) {
        for (const row of node.children) cellsPerRow.push(row.children.length);
      }
    });
    expect(cellsPerRow).toEqual([2, 2, 2]);
    expect(body).toContain("| Labeled a\\|b\\|c by @dave |");
  });

  it("does not run template code from the incident", () => {
    const { title, body } = render(
      incidentIssue({ title: "{{incident.author}}", body: "{{incident.number}} {{> x}}" }),
    );
    expect(title).toBe("Post-mortem: {{incident.author}}");
    expect(body).toContain("  > {{incident.number}} {{\\> x}}\n");
  });

  it("caps the summary at 500 characters", () => {
    const { body } = render(incidentIssue({ body: "word ".repeat(400) }));
    const line = body.split("\n").find((text) => text.startsWith("  > "))!;
    expect(Array.from(line.slice(4))).toHaveLength(500);
    expect(line.endsWith("…")).toBe(true);
  });
});

describe("template problems", () => {
  it("reports a Handlebars syntax error with the file and line", () => {
    const result = renderPostmortem(incidentIssue(), labeledEvent(), defaultConfig, repository, {
      name: ".github/postmortem-template.md",
      source: "# PM\n\n{{#if incident}}\nno close\n",
    });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem).toMatch(
      /^`\.github\/postmortem-template\.md`: Parse error on line \d+:\n\n```text\n/,
    );
  });

  it("refuses a body over GitHub's limit", () => {
    const result = renderPostmortem(incidentIssue(), labeledEvent(), defaultConfig, repository, {
      name: "big.md",
      source: "x".repeat(MAX_BODY_LENGTH),
    });
    expect(!result.ok && result.problem).toMatch(
      /^`big\.md`: the rendered post-mortem has 65\d+ characters, over GitHub's limit of 65536$/,
    );
  });

  it("reports a broken title template", () => {
    const result = renderPostmortem(
      incidentIssue(),
      labeledEvent(),
      { ...defaultConfig, titleTemplate: "{{#if}}" },
      repository,
      builtIn,
    );
    expect(!result.ok && result.problem).toMatch(/^titleTemplate: /);
  });

  it("uses a repository template", () => {
    const result = render(incidentIssue(), labeledEvent(), defaultConfig, {
      name: "t.md",
      source: "# {{incident.title}} ({{incident.reference}})",
    });
    expect(result.body).toBe(
      '# Checkout returns 500 (#12)\n\n<!-- postmortem-bot:postmortem {"incident":12,"gate":2} -->\n',
    );
  });
});
