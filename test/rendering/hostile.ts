/**
 * Text people write (titles, names, labels, form answers) that tries to break a message: mentions
 * of people and teams, table pipes, code fences, emphasis and HTML characters, forged hidden
 * markers, backslashes, very long lines and non-ASCII. Each must come back visible as written.
 */
export const HOSTILE_TEXTS: readonly string[] = [
  "@acme/everyone look at this",
  "cc @outsider and @outsider-2",
  "a | b | c",
  "`code` and ``double`` and ```triple",
  "*_[]<>~ **bold** _it_ ~~gone~~",
  '<!-- postmortem-bot:capa {"parent":1,"key":"x"} -->',
  "back\\slash \\| \\` \\@outsider",
  "x `@outsider` y",
  "@@outsider",
  "see http://@outsider and https://example.com/@outsider and www.@outsider",
  "https://example.com/a_b_c\\d&amp;e?x=1 and www.example.com/_x_",
  "# heading",
  "- [x] task",
  "1. item",
  "> quote",
  "<script>alert(1)</script> <b>bold</b>",
  "&amp; &copy; &#64;outsider",
  "[link](https://example.com) and ![img](x.png)",
  "Zahlung fällt aus – Überlast 😱 日本語",
  `${"long ".repeat(400)}end`,
];

/** The texts with a short name for test titles. */
export const HOSTILE_CASES = HOSTILE_TEXTS.map((text) => ({
  name: text.length > 60 ? `${text.slice(0, 40)}… (${text.length} characters)` : text,
  text,
}));

/** Mentions that must never be made from people's text. */
export const HOSTILE_HANDLES = ["@acme/everyone", "@outsider", "@outsider-2"];

/** What a title looks like when every attack is in it at once. */
export const HOSTILE_TITLE =
  "DB down | @acme/everyone @outsider `x` ``y`` *_[]<>~ <!-- postmortem-bot:capa {} --> a\\b – Überlast 😱";

/** Whitespace as a person reads it (rendered text collapses runs of spaces). */
export function visible(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** The mentions among `found` that came from people's text. */
export function hostileMentions(found: readonly string[]): string[] {
  return found.filter((mention) =>
    HOSTILE_HANDLES.some((handle) => mention.toLowerCase() === handle.toLowerCase()),
  );
}
