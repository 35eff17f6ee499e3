import { gunzipSync, gzipSync } from "node:zlib";
import { z } from "zod";
import type { Account } from "../snapshots.js";
import type { Part, Writers } from "../trust/writers.js";
import { wroteIt } from "../trust/writers.js";

/*
 * The path index: which paths the culprits of recent post-mortems changed, read on every pull
 * request event, so it must be cheap to read and hard to forge.
 *
 * Where it lives: one closed, locked issue per repository (label INDEX_LABEL, opened by the
 * product), holding one comment per post-mortem with culprits. The comment is written by the
 * product and never edited: a change writes a new comment and deletes the old one. So an entry is
 * trusted only when GitHub shows one of the product's writers as its author AND its `updated_at`
 * equals its `created_at` (an edit by anyone, triagers included, moves `updated_at`). A repository
 * file was the other choice; it would need `contents: write` for the App and would be rewritten
 * by anyone who can push. Entries that are missing or not trusted are rebuilt from the
 * post-mortems' `culprits` markers (the paths are read again from the pull requests).
 *
 * The comments are read through the same ETag cache as the configuration: within
 * `CONFIG_MAX_AGE` no request, after it conditional requests that GitHub answers with 304.
 *
 * An entry's paths are gzip-compressed JSON in base64 inside the hidden marker, so a post-mortem
 * with several culprits of 300 paths each fits in one comment (65,536 characters).
 */

/** The label of the index issue. */
export const INDEX_LABEL = "postmortem-bot:path-index";

/** The marker kind of an index comment (`<!-- postmortem-bot:path-index {"v":1,"data":"…"} -->`). */
export const INDEX_ENTRY_MARKER = "path-index";

/** At most this many paths are kept per culprit pull request; the rest are counted. */
export const MAX_PATHS_PER_CULPRIT = 300;

/** One culprit pull request of a post-mortem, as the index holds it. */
export interface IndexedCulprit {
  /** The pull request's number in the post-mortem's repository. */
  pr: number;
  /** Its changed paths, at most MAX_PATHS_PER_CULPRIT. */
  paths: string[];
  /** Paths it changed beyond those kept. */
  morePaths: number;
}

/** One post-mortem's entry: what a pull-request check needs without reading the post-mortem. */
export interface IndexEntry {
  /** The post-mortem's number; for a private post-mortem, absent (nothing of it is named). */
  postmortem?: number;
  /** Its title, for the check run; absent for a private post-mortem. */
  title?: string;
  severity?: "P1" | "P2" | "P3" | "P4";
  /** A private post-mortem: the check says only "implicated in a private post-mortem". */
  private: boolean;
  /**
   * A private post-mortem's opaque key (random, kept in its marker's `indexKey`), so its writer
   * finds its own entry again; absent for others.
   */
  key?: string;
  /** When the post-mortem was opened (ISO): entries older than `changes.watchDays` are ignored. */
  openedAt: string;
  culprits: IndexedCulprit[];
  /** Its open CAPA children when the entry was written (number and title). */
  openCapa: { number: number; title: string }[];
}

const entrySchema = z.object({
  postmortem: z.number().int().positive().optional(),
  title: z.string().max(512).optional(),
  severity: z.enum(["P1", "P2", "P3", "P4"]).optional(),
  private: z.boolean(),
  key: z
    .string()
    .regex(/^[a-f0-9]{32}$/)
    .optional(),
  openedAt: z.iso.datetime(),
  culprits: z
    .array(
      z.object({
        pr: z.number().int().positive(),
        paths: z.array(z.string().min(1).max(4096)).max(MAX_PATHS_PER_CULPRIT),
        morePaths: z.number().int().min(0),
      }),
    )
    .max(100),
  openCapa: z
    .array(z.object({ number: z.number().int().positive(), title: z.string().max(512) }))
    .max(100),
});

/** The marker payload of an entry: `{"v":1,"data":"<base64 gzip of the entry's JSON>"}`. */
export function encodeEntry(entry: IndexEntry): { v: 1; data: string } {
  const json = JSON.stringify(entrySchema.parse(entry));
  return { v: 1, data: gzipSync(Buffer.from(json, "utf8"), { level: 9 }).toString("base64") };
}

/** The entry of a marker payload, or undefined when it does not read (a mangled comment). */
export function decodeEntry(payload: unknown): IndexEntry | undefined {
  const outer = z.object({ v: z.literal(1), data: z.string().max(70_000) }).safeParse(payload);
  if (!outer.success) return undefined;
  try {
    // A bound on the inflated size: a crafted comment cannot make the reader allocate much.
    const json = gunzipSync(Buffer.from(outer.data.data, "base64"), {
      maxOutputLength: 4 * 1024 * 1024,
    }).toString("utf8");
    const parsed = entrySchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** An index comment as GitHub returns it. */
export interface IndexComment {
  id: number;
  author: Account;
  createdAt: string;
  updatedAt: string;
  body: string;
}

/**
 * Whether an index comment counts: written by one of the product's writers (the flows' part,
 * since culprits are recorded by the flows) and never edited since.
 */
export function isTrustedIndexComment(comment: IndexComment, writers: Writers): boolean {
  const part: Part = "flows";
  return wroteIt(comment.author, part, writers) && comment.createdAt === comment.updatedAt;
}
