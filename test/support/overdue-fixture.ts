// A post-mortem (#1) with one linked, open CAPA child (#2) due on a given day, as the App leaves
// them, opened in an emulator: the starting point of the reminder tests (Action and App timer).
import type { GitHubEmulator } from "../../emulator/index.js";
import { itemKey } from "../../src/core/capa/items.js";
import { childBody } from "../../src/core/capa/render.js";
import { renderedPostmortem, withLine } from "../core/capa/fixtures.js";

export const OVERDUE_ACTION = "Add automated validation checks (CI/CD gates)";
const RULE =
  "|---------------------------------------------|---------------|------------|----------|\n";

export function openPostmortemWithChild(
  emulator: GitHubEmulator,
  bot: string,
  due: string,
): { postmortem: number; child: number } {
  const body = withLine(
    RULE,
    `${RULE}| ${OVERDUE_ACTION} (#2) | @carol | ${due} | Open |\n`,
    withLine(
      `- [ ] ${OVERDUE_ACTION}`,
      `- [x] ${OVERDUE_ACTION} → #2 · @carol · due ${due}`,
      renderedPostmortem(),
    ),
  ).replace('{"incident":12,', '{"incident":9,');
  const postmortem = emulator.openIssue({
    by: bot,
    title: "Post-mortem: Checkout returns 500",
    body,
    labels: ["postmortem"],
  }).number as number;
  const child = emulator.openIssue({
    by: bot,
    title: `CAPA: ${OVERDUE_ACTION}`,
    body: childBody({
      parent: postmortem,
      incident: 9,
      key: itemKey(OVERDUE_ACTION),
      title: OVERDUE_ACTION,
      category: "Technical Fixes",
      assignees: ["carol"],
      ownerText: "@carol",
      unassignable: [],
      due,
    }),
    labels: ["capa"],
    assignees: ["carol"],
  }).number as number;
  emulator.addSubIssue({ by: bot, parent: postmortem, child });
  return { postmortem, child };
}
