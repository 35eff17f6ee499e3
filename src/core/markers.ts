import type { Html } from "mdast";
import { z } from "zod";
import { MARKER_PREFIX } from "./constants.js";
import { parseMarkdown, walk } from "./markdown.js";

/**
 * Hidden markers tie issues and comments together so that any replica can find what an earlier
 * delivery did. They are HTML comments, invisible on GitHub, and user text copied into a body can
 * never produce one (see markdown-text.ts), so only the App writes them.
 */
const markerSchemas = {
  /**
   * On a post-mortem: its incident (an adopted one may name none), and its severity when it was
   * opened (the more severe of the incident's labels and its issue form's answer), if any, or as a
   * maintainer's severity-label change lowered it since (src/core/severity-change/plan.ts).
   */
  postmortem: z.object({
    incident: z.number().int().positive().optional(),
    severity: z.enum(["P1", "P2", "P3", "P4"]).optional(),
    /**
     * 2: opened by a version whose every enforcing run judges the post-mortem's close, not only
     * the run of the `closed` event. Older post-mortems keep that meaning.
     */
    gate: z.literal(2).optional(),
    /**
     * A private post-mortem: its incident is in another repository (`owner/name`). It names no
     * `incident`, so the flows of the repository it is in never read an issue of theirs for it.
     */
    source: z
      .object({ repository: z.string().min(3), incident: z.number().int().positive() })
      .optional(),
    /**
     * Under `"gate":2`: the moment (GitHub's `closed_at`) of the close the gate judged and let
     * stand (approved, force-closed, or the App's own duplicate close), written by the enforcing
     * run. The release gate judges only closes not recorded so; the guard lets the record be
     * written only where the gate's judgement agrees (src/core/guard/plan.ts).
     */
    closed: z.string().min(1).optional(),
    /**
     * The pull requests recorded as contributing causes with `/culprit` (src/core/culprits/), and
     * whether the product's one comment on each was written. Their changed paths are in the path
     * index (src/core/culprits/path-index.ts), not in the body.
     */
    culprits: z
      .array(z.object({ pr: z.number().int().positive(), commented: z.boolean() }))
      .max(100)
      .optional(),
    /** Post-mortems linked as **Possibly related** (their culprits changed the same paths), once. */
    related: z.array(z.number().int().positive()).max(100).optional(),
    /**
     * A private post-mortem's opaque key in the public repository's path index and on its culprits'
     * comments (random; it names nothing of the post-mortem).
     */
    indexKey: z
      .string()
      .regex(/^[a-f0-9]{32}$/)
      .optional(),
  }),
  link: z.object({ postmortem: z.number().int().positive() }),
  duplicate: z.object({ of: z.number().int().positive() }),
  error: z.object({ key: z.string().min(1) }),
  /**
   * A refused `/postmortem`: the command's comment, and for a refusal of access the person (one
   * such reply per person and incident, however often they ask).
   */
  refusal: z.object({ comment: z.number().int().positive(), person: z.string().optional() }),
  /** The one comment saying a post-mortem's label or marker was put back after a change. */
  guard: z.object({ issue: z.number().int().positive(), what: z.enum(["label", "marker"]) }),
  /** On an incident declared by someone who may not: held until someone with triage confirms it. */
  held: z.object({ incident: z.number().int().positive() }),
  /**
   * On a public incident whose post-mortem is private: the one neutral comment. It names nothing of
   * the private repository (a hidden marker is readable by anyone who can read the issue).
   */
  private: z.object({ incident: z.number().int().positive() }),
  /** The approval gate's one comment on a post-mortem. */
  gate: z.object({ issue: z.number().int().positive() }),
  /**
   * The reply to a refused `/approve` or `/unapprove` comment, naming the person it answered
   * (`login`): one such reply per person and post-mortem. Without `login`: the reply to an accepted
   * command whose field line is missing, or a refusal written before replies named the person.
   */
  "approve-refusal": z.object({
    comment: z.number().int().positive(),
    login: z.string().min(1).optional(),
  }),
  /** The App's comment on a post-mortem a person wrote: it was adopted (the marker proves nothing). */
  adopted: z.object({ issue: z.number().int().positive() }),
  /**
   * On a CAPA child: its post-mortem and action, and the evidence that the action is done
   * (src/core/evidence/model.ts), written by the product only (a child counts only when the
   * product wrote it, src/core/trust/writers.ts).
   */
  capa: z.object({
    parent: z.number().int().positive(),
    key: z.string().min(1),
    evidence: z
      .object({
        /** Merged pull requests that fix it, by number, in the order they were recorded. */
        merged: z
          .array(
            z.object({
              pr: z.number().int().positive(),
              url: z.string(),
              at: z.iso.datetime(),
              sha: z.string().regex(/^[\w-]{1,100}$/),
            }),
          )
          .optional(),
        /** Merged pull requests taken back by a revert (`by`: the revert's number). */
        reverted: z
          .array(z.object({ pr: z.number().int().positive(), by: z.number().int().positive() }))
          .optional(),
        /** The deployment that contained the listed pull requests (`prs`). */
        shipped: z
          .object({
            deployment: z.number().int().positive(),
            url: z.string(),
            environment: z.string(),
            at: z.iso.datetime(),
            sha: z.string().regex(/^[\w-]{1,100}$/),
            prs: z.array(z.number().int().positive()),
          })
          .optional(),
        /** A maintainer's `/evidence` (`comment`: its id). */
        manual: z
          .object({
            by: z.string().min(1),
            text: z.string().min(1),
            at: z.iso.datetime(),
            comment: z.number().int().positive(),
          })
          .optional(),
      })
      .optional()
      // Evidence that does not read (a hand-edited marker) is no evidence; the child stays one.
      .catch(undefined),
  }),
  /**
   * The product's one comment on a CAPA child about its evidence: `missing` (closed without what
   * its policy asks), `revert:<pr>` (a fix taken back), `refusal:<login>` (a `/evidence` refused).
   */
  evidence: z.object({ issue: z.number().int().positive(), key: z.string().min(1) }),
  notice: z.object({ key: z.string().min(1) }),
  /**
   * A claim to tell chat about one occurrence (src/core/notify/claim.ts): its key, the claimer's
   * random nonce (the lowest trusted claim of a key wins), and whether the send is over.
   */
  notify: z.object({
    key: z.string().min(1).max(300),
    nonce: z.string().regex(/^[a-f0-9]{16,64}$/),
    state: z.enum(["sending", "sent"]),
  }),
  /** On a post-mortem the App rewrote: a fingerprint of the people's text its write was based on. */
  sync: z.object({ base: z.string().min(1) }),
  /**
   * On a post-mortem: the Timeline rows the App added (hashes of their time and text), the End
   * and Duration values it wrote, and a fingerprint of the text its last timeline write was
   * based on.
   */
  timeline: z.object({
    rows: z.array(z.string()),
    end: z.string().optional(),
    duration: z.string().optional(),
    base: z.string().optional(),
  }),
  /** The reply to a refused or malformed `/timeline` comment. */
  /** A reply to `/timeline`; for a refusal of access also the person (one per person and issue). */
  "timeline-reply": z.object({
    comment: z.number().int().positive(),
    person: z.string().optional(),
  }),
  /**
   * A reply to a refused or malformed `/changes` comment; for a refusal of access also the person
   * (one per person and post-mortem, however often they ask).
   */
  "changes-reply": z.object({
    comment: z.number().int().positive(),
    person: z.string().optional(),
  }),
  /**
   * The product's one comment on a culprit pull request: the post-mortem it contributed to, or, for
   * a private post-mortem, only its opaque `key` (the comment is public).
   */
  culprit: z.object({
    postmortem: z.number().int().positive().optional(),
    key: z.string().min(1).max(64).optional(),
  }),
  /** A reply to `/culprit`: the command's comment, and for a refusal of access the person. */
  "culprit-reply": z.object({
    comment: z.number().int().positive(),
    person: z.string().optional(),
  }),
  /** One post-mortem's entry in the path index: gzip+base64 JSON (src/core/culprits/path-index.ts). */
  "path-index": z.object({ v: z.literal(1), data: z.string().max(70_000) }),
  /** A reminder comment, with the moment it was decided (the next one waits `reminders.every`). */
  reminder: z.object({ kind: z.enum(["overdue", "review"]), at: z.iso.datetime() }),
  /** The one issue that holds the reliability report (`report-issue: true`), updated in place. */
  report: z.object({ kind: z.literal("reliability") }),
};

export type MarkerKind = keyof typeof markerSchemas;
export type MarkerData<K extends MarkerKind> = z.infer<(typeof markerSchemas)[K]>;

const MARKER_PATTERN = new RegExp(
  String.raw`<!--\s*${MARKER_PREFIX}([a-z-]+)\s+(\{[^<>]*\})\s*-->`,
  "g",
);

export function formatMarker<K extends MarkerKind>(kind: K, data: MarkerData<K>): string {
  // `<` and `>` in a value (a person's `/evidence` text) are escaped: the marker stays one HTML
  // comment that nothing in it can end, and MARKER_PATTERN still reads it.
  const json = JSON.stringify(data).replace(/</g, "\\u003c").replace(/>/g, "\\u003e");
  return `<!-- ${MARKER_PREFIX}${kind} ${json} -->`;
}

/**
 * The well-formed marker of a kind in a markdown text; markers inside code are ignored. The
 * product writes one marker of a kind per body (setMarker keeps it so), so a body holding two is
 * mangled and holds none: were the first to win, anyone who can edit the body could put theirs in
 * front of the product's (or leave one waiting behind it) and be believed. Without one the body
 * reads as if its marker were gone, which the guard flow puts back on a post-mortem.
 */
export function findMarker<K extends MarkerKind>(
  markdown: string | null | undefined,
  kind: K,
): MarkerData<K> | undefined {
  if (!markdown || !markdown.includes(MARKER_PREFIX)) return undefined;
  let found: MarkerData<K> | undefined;
  for (const html of htmlNodes(markdown)) {
    for (const match of html.matchAll(MARKER_PATTERN)) {
      if (match[1] !== kind) continue;
      const parsed = markerSchemas[kind].safeParse(safeJson(match[2] ?? ""));
      if (!parsed.success) continue;
      if (found !== undefined) return undefined;
      found = parsed.data as MarkerData<K>;
    }
  }
  return found;
}

/**
 * The text with the marker of a kind set to `data`: the HTML block holding it is replaced, or,
 * without one, the marker is appended on a line of its own. Any other marker of the kind is
 * removed, so the text holds exactly one (see findMarker).
 */
export function setMarker<K extends MarkerKind>(
  markdown: string,
  kind: K,
  data: MarkerData<K>,
): string {
  return setOnlyMarker(withoutOtherMarkers(markdown, kind), kind, data);
}

function setOnlyMarker<K extends MarkerKind>(
  markdown: string,
  kind: K,
  data: MarkerData<K>,
): string {
  const marker = formatMarker(kind, data);
  const holder = htmlBlocks(markdown).find(
    (node) =>
      node.value.trim().startsWith(`<!-- ${MARKER_PREFIX}${kind} `) &&
      node.value.trim().endsWith("-->"),
  );
  if (holder?.position?.start.offset !== undefined && holder.position.end.offset !== undefined) {
    return (
      markdown.slice(0, holder.position.start.offset) +
      marker +
      markdown.slice(holder.position.end.offset)
    );
  }
  return `${markdown.trimEnd()}\n${marker}\n`;
}

/** The text without the marker of a kind (its HTML block removed). */
export function withoutMarker(markdown: string, kind: MarkerKind): string {
  const holder = htmlBlocks(markdown).find((node) =>
    node.value.trim().startsWith(`<!-- ${MARKER_PREFIX}${kind} `),
  );
  if (holder?.position?.start.offset === undefined || holder.position.end.offset === undefined)
    return markdown;
  return (
    markdown.slice(0, holder.position.start.offset) + markdown.slice(holder.position.end.offset)
  );
}

/**
 * The text with every marker of a kind but the first cut out of the HTML nodes that hold them (the
 * first one is where setMarker writes); markers in code are text, and stay.
 */
function withoutOtherMarkers(markdown: string, kind: MarkerKind): string {
  const cuts: { start: number; end: number }[] = [];
  for (const node of htmlBlocks(markdown)) {
    const offset = node.position?.start.offset;
    if (offset === undefined) continue;
    for (const match of node.value.matchAll(MARKER_PATTERN)) {
      if (match[1] !== kind || match.index === undefined) continue;
      const start = markdown.indexOf(match[0], offset + match.index);
      if (start >= 0) cuts.push({ start, end: start + match[0].length });
    }
  }
  let text = markdown;
  for (const cut of cuts.slice(1).reverse()) {
    text = text.slice(0, cut.start) + text.slice(cut.end);
  }
  return text;
}

function htmlBlocks(markdown: string): Html[] {
  const nodes: Html[] = [];
  walk(parseMarkdown(markdown), (node) => {
    if (node.type === "html") nodes.push(node);
  });
  return nodes;
}

function htmlNodes(markdown: string): string[] {
  return htmlBlocks(markdown).map((node) => node.value);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
