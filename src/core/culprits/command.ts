/**
 * `/culprit #41 #42` records pull requests as contributing causes of the post-mortem it is written
 * on; `/culprit -#41` removes one. The command stands alone on the comment's first line.
 */
import { CULPRIT_COMMAND as COMMAND } from "../constants.js";

const TOKEN = /^(-)?#(\d{1,9})$/;

/** At most this many pull requests in one command. */
export const MAX_PRS_PER_COMMAND = 10;

export const CULPRIT_SYNTAX = "`/culprit #41 #42` (record) or `/culprit -#41` (remove)";

/** What a `/culprit` comment asks: numbers to record and to remove, in the order written. */
export interface CulpritRequest {
  add: number[];
  remove: number[];
}

/**
 * The request a comment makes: undefined when it is no `/culprit` command, `"malformed"` when it
 * names no pull request, something that is not `#N` or `-#N`, too many, or one number both ways.
 */
export function readCulpritCommand(
  commentBody: string | null | undefined,
): CulpritRequest | "malformed" | undefined {
  const line = ((commentBody ?? "").trimStart().split("\n", 1)[0] ?? "").trim();
  if (!COMMAND.test(line)) return undefined;
  const tokens = line
    .slice("/culprit".length)
    .trim()
    .split(/[\s,]+/)
    .filter(Boolean);
  if (tokens.length === 0 || tokens.length > MAX_PRS_PER_COMMAND) return "malformed";
  const add: number[] = [];
  const remove: number[] = [];
  for (const token of tokens) {
    const match = TOKEN.exec(token);
    if (!match) return "malformed";
    const number = Number(match[2]);
    if (number < 1) return "malformed";
    const list = match[1] ? remove : add;
    if (!list.includes(number)) list.push(number);
  }
  if (add.some((number) => remove.includes(number))) return "malformed";
  return { add, remove };
}
