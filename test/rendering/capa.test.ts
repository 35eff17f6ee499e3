import { appWriters } from "../support/writers.js";
import { describe, expect, it } from "vitest";
import { itemKey } from "../../src/core/capa/items.js";
import { humanFingerprint, planLostEditRecovery } from "../../src/core/capa/lost-edit.js";
import { planCapa } from "../../src/core/capa/plan.js";
import type { Step } from "../../src/core/plan.js";
import { child, config, renderedPostmortem, state, withLine } from "../core/capa/fixtures.js";
import { expectReadable, tableWith } from "./expect.js";
import { HOSTILE_TEXTS } from "./hostile.js";
import { renderGfm } from "./render.js";

const VALIDATION = "- [ ] Add automated validation checks (CI/CD gates)";
/** The action's words on its line: everything but an owner handle and a date. */
const TITLE = "Rotate keys | `x` ``y`` *_[]<>~ a\\b <!-- postmortem-bot:capa {} --> – Überlast 😱";
const KEY = itemKey(TITLE);
/** The line is the person's own markdown: the post-mortem shows it rendered, as they wrote it. */
const LINE_AS_WRITTEN = renderGfm(TITLE).text;
/** Who the standard post-mortem names: the incident's author, assignee and labeler, and the owner. */
const MEANT = ["@alice", "@bob", "@dave", "@carol"];
const FOLLOW_UP = ["Action Item", "Owner", "Due Date", "Status"];

const bodies = (steps: Step[], kind: "createIssue" | "updateIssueBody" | "createComment") =>
  steps.flatMap((step) => (step.kind === kind ? [step.body] : []));

describe("CAPA children and the post-mortem's lines and table as GitHub renders them", () => {
  it("a child opened from a hostile line shows its title, mentions only its assignee", () => {
    const body = withLine(VALIDATION, `- [x] ${TITLE} @carol due 2026-12-15`);
    const steps = planCapa(config, state({ body, assignable: new Map([["carol", true]]) }));
    const [created] = steps.filter((step) => step.kind === "createIssue");
    expect(created?.kind === "createIssue" && created.title).toBe(`CAPA: ${TITLE}`);
    const [childBody] = bodies(steps, "createIssue");
    const page = expectReadable(childBody!, { shows: [TITLE], mentions: ["@carol"] });
    expect(page.text).toContain("Owner: @carol Category: Technical Fixes Due: 2026-12-15");
  });

  it("a team owner and people who cannot be assigned are named without a mention", () => {
    const body = withLine(VALIDATION, `- [x] ${TITLE} @acme/everyone due 2026-12-15`);
    const teamSteps = planCapa(
      { ...config, capa: { ...config.capa, teamAssignees: { "acme/everyone": ["outsider"] } } },
      state({ body, assignable: new Map([["outsider", false]]) }),
    );
    const [childBody] = bodies(teamSteps, "createIssue");
    const page = expectReadable(childBody!, { shows: [TITLE] });
    expect(page.text).toContain("Owner: @acme/everyone");
    expect(page.text).toContain("@outsider could not be assigned");
    const [notice] = bodies(teamSteps, "createComment");
    expectReadable(notice!, { shows: [TITLE, "@outsider"] });
  });

  it("an owner from CODEOWNERS: hostile patterns and paths shown as written, only the assignee mentioned", () => {
    const body = withLine(VALIDATION, `- [x] ${TITLE}`);
    const path = "src/`x` | <b>@everyone</b> *y*.ts";
    const pattern = "/lib/*`|<i>@outsider*";
    const owned = "lib/a`|<i>@outsider.ts";
    const steps = planCapa(
      { ...config, capa: { ...config.capa, defaultOwners: "codeowners" } },
      state({
        body,
        assignable: new Map([
          ["carol", true],
          ["dana", true],
        ]),
        codeowners: {
          implicated: { from: "culprits", paths: [path, owned] },
          file: {
            path: ".github/CODEOWNERS",
            text: `src/** @carol @acme/everyone\n${pattern} @dana\n`,
          },
        },
      }),
    );
    const [childBody] = bodies(steps, "createIssue");
    const page = expectReadable(childBody!, {
      shows: [TITLE, path, pattern, owned],
      mentions: ["@carol", "@dana"],
    });
    expect(page.text).toContain("Owner: @carol, @dana, @acme/everyone (from CODEOWNERS)");
    expect(page.text).toContain(
      `Owner from: .github/CODEOWNERS, rule src/** (line 1) for ${path}; ${pattern} (line 2) for ${owned} (a culprit's path)`,
    );
  });

  it("the Follow-Up row and the CAPA line of a child with hostile title, owner and due lines", () => {
    const body = withLine(VALIDATION, `- [x] ${TITLE} @carol due 2026-12-15`);
    const hostile = child(31, KEY, {
      title: `CAPA: ${TITLE}`,
      assignees: [],
      owner: "the | `db` team, ask @outsider",
      due: "next | `week` *soon*",
    });
    const [updated] = bodies(
      planCapa(config, state({ body, children: [hostile] })),
      "updateIssueBody",
    );
    const page = expectReadable(updated!, {
      shows: [TITLE, LINE_AS_WRITTEN, "next | `week` *soon*"],
      mentions: MEANT,
    });
    expect(tableWith(page, FOLLOW_UP).rows).toEqual([
      [`${TITLE} (#31)`, "@outsider", "next | `week` *soon*", "Open"],
    ]);
    expect(page.text).toContain(
      `${LINE_AS_WRITTEN} → #31 · @outsider · due next | \`week\` *soon*`,
    );

    const words = child(32, KEY, {
      title: `CAPA: ${TITLE}`,
      assignees: [],
      owner: "*the* | `db` team",
    });
    const [shown] = bodies(planCapa(config, state({ body, children: [words] })), "updateIssueBody");
    const table = tableWith(
      expectReadable(shown!, {
        shows: [TITLE, LINE_AS_WRITTEN, "*the* | `db` team"],
        mentions: MEANT,
      }),
      FOLLOW_UP,
    );
    expect(table.rows).toEqual([[`${TITLE} (#32)`, "*the* | `db` team", "2026-12-15", "Open"]]);
  });

  // The line is the person's markdown: an entity they wrote (`&#64;`) is theirs to render.
  it.each(
    HOSTILE_TEXTS.filter((text) => !/@|&#|\d{4}-/.test(text)).map((text) => ({
      text: text.trim(),
    })),
  )("a Follow-Up row keeps its four columns for the title $text", ({ text }) => {
    const title = text.replace(/^[-#>\d.\s]+/, "") || "x";
    const body = withLine(VALIDATION, `- [x] Fix: ${title} @carol due 2026-12-15`);
    const parsedTitle = `Fix: ${title}`;
    const issue = child(33, itemKey(parsedTitle), { title: `CAPA: ${parsedTitle}` });
    const [updated] = bodies(
      planCapa(config, state({ body, children: [issue] })),
      "updateIssueBody",
    );
    const table = tableWith(
      expectReadable(updated!, {
        shows: [parsedTitle, renderGfm(parsedTitle).text],
        mentions: MEANT,
      }),
      FOLLOW_UP,
    );
    expect(table.rows).toEqual([[`${parsedTitle} (#33)`, "@carol", "2026-12-15", "Open"]]);
  });

  it("the notices about one action show its words", () => {
    const impossible = withLine(VALIDATION, `- [x] ${TITLE} @carol due 2026-02-30`);
    const [dateNotice] = bodies(planCapa(config, state({ body: impossible })), "createComment");
    expectReadable(dateNotice!, { shows: [TITLE, "2026-02-30"] });

    const linked = withLine(VALIDATION, `- [ ] ${TITLE} → #31 · @carol · due 2026-12-15`);
    const open = child(31, KEY, { title: `CAPA: ${TITLE}` });
    const [unchecked] = bodies(
      planCapa(config, state({ body: linked, children: [open] })),
      "createComment",
    );
    expectReadable(unchecked!, { shows: [TITLE] });

    const body = withLine(VALIDATION, `- [x] ${TITLE} @carol due 2026-12-15`);
    const refused = planCapa(
      config,
      state({
        body,
        edit: {
          by: "other",
          login: "outsider",
          mention: false,
          before: renderedPostmortem(),
          after: body,
        },
      }),
    );
    const [refusal] = bodies(refused, "createComment");
    expectReadable(refusal!, { shows: [TITLE, "@outsider"] });

    const [limit] = bodies(planCapa(config, state({ body, budget: 0 })), "createComment");
    expectReadable(limit!);
  });

  it("the notices about the post-mortem as a whole", () => {
    const body = withLine(VALIDATION, `- [x] ${TITLE} @carol due 2026-12-15`);
    const moved = child(31, KEY, {
      parentIssueUrl: "https://api.github.com/repos/acme/shop/issues/77",
    });
    const unlinked = child(31, KEY, { parentIssueUrl: undefined });
    const messages = [
      ...bodies(
        planCapa(config, state({ body: "# Post-mortem\n", children: [] })),
        "createComment",
      ),
      ...bodies(planCapa(config, state({ body, children: [moved] })), "createComment"),
      ...bodies(
        planCapa(config, state({ body, children: [unlinked], subIssues: "unavailable" })),
        "createComment",
      ),
      ...bodies(
        planCapa(config, state({ body, children: [unlinked], subIssues: "limit-reached" })),
        "createComment",
      ),
    ];
    expect(messages).toHaveLength(4);
    for (const message of messages) expectReadable(message);
  });

  it("the lost-edit notice shows the overwritten text exactly, in a code block", () => {
    const lost = withLine(
      VALIDATION,
      `- [ ] ${HOSTILE_TEXTS.join(" ")}\n\n\`\`\`\`\ncode\n\`\`\`\``,
    );
    const written = `${renderedPostmortem().trimEnd()}\n<!-- postmortem-bot:sync {"base":"${humanFingerprint(renderedPostmortem())}"} -->\n`;
    const [notice] = bodies(
      planLostEditRecovery({
        writers: appWriters,
        issueNumber: 20,
        before: lost,
        written,
        current: `${written}x`,
        comments: [],
      }),
      "createComment",
    );
    expect(notice).toBeDefined();
    const page = expectReadable(notice!, { shows: [lost] });
    expect(page.tables).toEqual([]);
  });
});
