import type { Heading, List, RootContent } from "mdast";
import { toString } from "mdast-util-to-string";
import { parseMarkdown } from "../markdown.js";

/** What GitHub writes for a question left empty. */
const NO_RESPONSE = "_No response_";

/** One `### <label>` section of a body written by an issue form. */
export interface FormAnswer {
  label: string;
  /** The answer's markdown source, trimmed; empty for `_No response_`. */
  text: string;
  /** For a checkboxes question: the words of the boxes that are checked. */
  checked?: string[];
}

/**
 * The answers of a body an issue form wrote: every level-3 heading and what stands under it up to
 * the next heading. Read with the markdown parser, so a `###` inside code is no question.
 */
export function readFormAnswers(body: string | null | undefined): FormAnswer[] {
  if (!body || !body.includes("###")) return [];
  const tree = parseMarkdown(body);
  const answers: FormAnswer[] = [];
  let current: { label: string; nodes: RootContent[] } | undefined;
  const finish = () => {
    if (current) answers.push(answerOf(current.label, current.nodes, body));
  };
  for (const node of tree.children) {
    if (node.type === "heading") {
      finish();
      current = isQuestion(node) ? { label: toString(node).trim(), nodes: [] } : undefined;
    } else if (current) {
      current.nodes.push(node);
    }
  }
  finish();
  return answers;
}

function isQuestion(heading: Heading): boolean {
  return heading.depth === 3 && toString(heading).trim() !== "";
}

function answerOf(label: string, nodes: readonly RootContent[], body: string): FormAnswer {
  const first = nodes[0];
  const last = nodes.at(-1);
  if (!first?.position || !last?.position) return { label, text: "" };
  // A textarea with `render:` is wrapped in a code fence: the answer is the code.
  if (nodes.length === 1 && first.type === "code") return { label, text: first.value.trim() };
  const text = body.slice(first.position.start.offset, last.position.end.offset).trim();
  if (text === NO_RESPONSE) return { label, text: "" };
  const taskList = nodes.length === 1 && first.type === "list" && isTaskList(first);
  return taskList
    ? {
        label,
        text,
        checked: first.children
          .filter((item) => item.checked === true)
          .map((item) => toString(item).trim()),
      }
    : { label, text };
}

function isTaskList(list: List): boolean {
  return (
    list.children.length > 0 && list.children.every((item) => typeof item.checked === "boolean")
  );
}
