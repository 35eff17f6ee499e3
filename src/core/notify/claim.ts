import { findMarker, formatMarker } from "../markers.js";
import type { CommentSnapshot } from "../snapshots.js";
import type { Part, Writers } from "../trust/writers.js";
import { wroteIt } from "../trust/writers.js";
import type { NotifyEvent } from "./config.js";
import { EVENT_WORDS } from "./message.js";

/*
 * Claim-then-send: before a message goes out, the sender writes a claim comment on the issue the
 * notice names, reads the comments back, and sends only when its claim is the winner (the
 * product's claim of that key with the lowest comment id). A redelivery, a second replica or a
 * concurrent Action run finds a claim and sends nothing, so each receiver gets at most one message
 * per occurrence; a crash between the claim and the send loses that message (the claim still says
 * "Sending"), and the next attempt logs it instead of sending twice.
 */

/** Which part of the product writes an event's claims (whose claims count, writers.ts). */
export const CLAIM_PART: Readonly<Record<NotifyEvent, Part>> = {
  opened: "flows",
  "close-blocked": "gate",
  approved: "gate",
  "capa-overdue": "runs",
  "review-late": "runs",
  "release-gate-blocking": "runs",
};

export interface Claim {
  commentId: number;
  nonce: string;
  state: "sending" | "sent";
}

/** The product's claims of `key` among `comments`, lowest id first. */
export function claimsOf(
  comments: readonly CommentSnapshot[],
  key: string,
  event: NotifyEvent,
  writers: Writers,
): Claim[] {
  const claims: Claim[] = [];
  for (const comment of comments) {
    const marker = findMarker(comment.body, "notify");
    if (marker?.key !== key || !wroteIt(comment.author, CLAIM_PART[event], writers)) continue;
    claims.push({ commentId: comment.id, nonce: marker.nonce, state: marker.state });
  }
  return claims.sort((a, b) => a.commentId - b.commentId);
}

/** The claim that sends: the product's claim of `key` with the lowest comment id. */
export function claimWinner(
  comments: readonly CommentSnapshot[],
  key: string,
  event: NotifyEvent,
  writers: Writers,
): Claim | undefined {
  return claimsOf(comments, key, event, writers)[0];
}

const receiverList = (names: readonly string[]) => names.map((name) => `\`${name}\``).join(", ");

/** The claim as first written: what is being sent, and where. */
export function claimBody(
  key: string,
  event: NotifyEvent,
  receivers: readonly string[],
  nonce: string,
): string {
  return `📣 Sending to chat: ${EVENT_WORDS[event]} → ${receiverList(receivers)}\n\n${formatMarker("notify", { key, nonce, state: "sending" })}`;
}

export type Outcome = { ok: true } | { ok: false; reason: string };

/**
 * The claim once every send is over: where the message went, and, the one note on the issue, each
 * receiver it did not reach and why (a status or a timeout, never an address).
 */
export function sentBody(
  key: string,
  event: NotifyEvent,
  outcomes: ReadonlyMap<string, Outcome>,
  nonce: string,
): string {
  const sent = [...outcomes].filter(([, outcome]) => outcome.ok).map(([name]) => name);
  const failed = [...outcomes].flatMap(([name, outcome]) =>
    outcome.ok ? [] : [`\`${name}\` (${outcome.reason})`],
  );
  const line =
    sent.length > 0
      ? `📣 Sent to chat: ${EVENT_WORDS[event]} → ${receiverList(sent)}`
      : `📣 Not sent to chat: ${EVENT_WORDS[event]}`;
  const note = failed.length > 0 ? `\n\n⚠️ Not delivered to ${failed.join(", ")}.` : "";
  return `${line}${note}\n\n${formatMarker("notify", { key, nonce, state: "sent" })}`;
}
