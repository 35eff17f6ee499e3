// GitHub's closing keywords in a pull request's description: `Fixes #12`, `closes acme/other#3`,
// `Resolves: #4`, `fixes https://github.com/acme/service/issues/5`. Case-insensitive; each issue needs
// its own keyword ("Fixes #1, fixes #2"); a keyword must be a whole word ("prefixes #3" is none).

export const CLOSING_KEYWORDS = [
  "close",
  "closes",
  "closed",
  "fix",
  "fixes",
  "fixed",
  "resolve",
  "resolves",
  "resolved",
] as const;

export interface ClosingReference {
  /** Undefined: the pull request's own repository. */
  owner?: string;
  repo?: string;
  number: number;
}

const NAME = "[A-Za-z0-9_.-]+";
const PATTERN = new RegExp(
  `(?<![A-Za-z0-9_])(?:${CLOSING_KEYWORDS.join("|")}):?[ \\t]+` +
    `(?:(${NAME})/(${NAME})#(\\d+)|#(\\d+)|https?://[^\\s/]+/(${NAME})/(${NAME})/issues/(\\d+))` +
    `(?![A-Za-z0-9_])`,
  "gi",
);

/** The issues a description closes, in order of first mention, without repeats. */
export function closingReferences(text: string | null): ClosingReference[] {
  const out: ClosingReference[] = [];
  const seen = new Set<string>();
  for (const m of (text ?? "").matchAll(PATTERN)) {
    const ref: ClosingReference =
      m[4] !== undefined
        ? { number: Number(m[4]) }
        : m[1] !== undefined
          ? { owner: m[1], repo: m[2], number: Number(m[3]) }
          : { owner: m[5], repo: m[6], number: Number(m[7]) };
    const key = `${ref.owner ?? ""}/${ref.repo ?? ""}#${ref.number}`.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(ref);
  }
  return out;
}

const MENTION = new RegExp(
  `(?<![A-Za-z0-9_/#])(?:(${NAME})/(${NAME}))?#(\\d+)(?![A-Za-z0-9_])`,
  "g",
);

/** Every issue a text mentions (`#N`, `owner/repo#N`), keyword or not, without repeats. */
export function issueMentions(text: string | null): ClosingReference[] {
  const out: ClosingReference[] = [];
  const seen = new Set<string>();
  for (const m of (text ?? "").matchAll(MENTION)) {
    const ref: ClosingReference =
      m[1] !== undefined
        ? { owner: m[1], repo: m[2], number: Number(m[3]) }
        : { number: Number(m[3]) };
    const key = `${ref.owner ?? ""}/${ref.repo ?? ""}#${ref.number}`.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(ref);
  }
  return [
    ...out,
    ...closingReferences(text).filter(
      (r) => !seen.has(`${r.owner ?? ""}/${r.repo ?? ""}#${r.number}`.toLowerCase()),
    ),
  ];
}
