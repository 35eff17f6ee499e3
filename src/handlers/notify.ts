import { randomBytes } from "node:crypto";
import type { Config } from "../core/config.js";
import type { Logger } from "../core/logger.js";
import type { Claim, Outcome } from "../core/notify/claim.js";
import { claimBody, claimsOf, claimWinner, sentBody } from "../core/notify/claim.js";
import type { ReceiverKind } from "../core/notify/config.js";
import type { EndpointSource } from "../core/notify/endpoints.js";
import { availability } from "../core/notify/endpoints.js";
import { messageText } from "../core/notify/message.js";
import type { Notice } from "../core/notify/notice.js";
import { receiversFor } from "../core/notify/route.js";
import type { GitHubGateway } from "../github/gateway.js";
import type { RetryPolicy } from "../notify/send.js";
import { DEFAULT_RETRY, send } from "../notify/send.js";
import type { FrontDoor, HandlerDeps } from "./deps.js";
import { writersFor } from "./deps.js";

export interface NotifierOptions {
  /** GitHub for the repository the notices are about: the claims are written there. */
  gateway: GitHubGateway;
  /** Where each receiver's messages go (the App's environment, the Action's inputs). */
  endpoints: EndpointSource;
  log: Logger;
  frontDoor: FrontDoor;
  appSlug?: string;
  /** Attempts, waits and the per-attempt limit; tests shorten them. */
  retry?: RetryPolicy;
  /** The claim's random nonce; tests fix it. */
  nonce?: () => string;
}

type Notify = NonNullable<HandlerDeps["notify"]>;

interface Target {
  name: string;
  kind: ReceiverKind;
  url: string;
  secret?: string;
}

/**
 * The `notify` a handler is given: for each notice, the receivers its routes name that can be
 * sent to from here; none: nothing else happens (no request to GitHub). Otherwise claim-then-send
 * (src/core/notify/claim.ts): read the issue's comments, stop on an existing claim; write ours,
 * read again, and send only if ours is the winner (else delete ours); send to every receiver at
 * once with bounded retries; then edit the claim to say what was sent and what was not. Never
 * throws: a failure is a log line (and the claim's note), never a failed flow.
 */
export function makeNotifier(options: NotifierOptions): Notify {
  return async (config, notices) => {
    for (const notice of notices) {
      try {
        await notifyOne(config, notice, options);
      } catch (error) {
        options.log.warn(
          `Chat ${notice.key}: stopped (${failureOf(error)}); nothing more is sent for it here.`,
        );
      }
    }
  };
}

async function notifyOne(config: Config, notice: Notice, options: NotifierOptions): Promise<void> {
  const { gateway, log } = options;
  const targets = targetsOf(config, notice, options);
  if (targets.length === 0) return;
  const writers = writersFor(config, options);
  const issue = notice.issueNumber;

  const existing = claimWinner(
    await gateway.listComments(issue),
    notice.key,
    notice.event,
    writers,
  );
  if (existing) {
    alreadyClaimed(log, notice, existing);
    return;
  }
  const nonce = options.nonce?.() ?? randomBytes(16).toString("hex");
  const names = targets.map((target) => target.name);
  try {
    await gateway.apply({
      kind: "createComment",
      issueNumber: issue,
      body: claimBody(notice.key, notice.event, names, nonce),
    });
  } catch (error) {
    // The answer may be lost with the claim written: reading back decides.
    log.warn(`Chat ${notice.key}: writing the claim failed (${failureOf(error)}); reading back.`);
  }
  const after = await gateway.listComments(issue);
  const winner = claimWinner(after, notice.key, notice.event, writers);
  if (winner?.nonce !== nonce) {
    for (const ours of claimsOf(after, notice.key, notice.event, writers)) {
      if (ours.nonce === nonce)
        await gateway.apply({ kind: "deleteComment", commentId: ours.commentId });
    }
    log.info(
      winner === undefined
        ? `Chat ${notice.key}: no claim of this front door's counts here, so nothing was sent.`
        : `Chat ${notice.key}: another sender claimed it first; not sent from here.`,
    );
    return;
  }

  const text = messageText(config.notify, notice, gateway.repository);
  const outcomes = new Map<string, Outcome>(
    await Promise.all(
      targets.map(async (target): Promise<[string, Outcome]> => {
        const result = await send(
          { ...target, notice, text, repository: gateway.repository },
          options.retry ?? DEFAULT_RETRY,
        );
        return [target.name, result.ok ? { ok: true } : { ok: false, reason: result.reason }];
      }),
    ),
  );
  for (const [name, outcome] of outcomes) {
    if (outcome.ok) log.info(`Chat ${notice.key}: sent to \`${name}\`.`);
    else log.warn(`Chat ${notice.key}: not delivered to \`${name}\` (${outcome.reason}).`);
  }
  await gateway.apply({
    kind: "updateComment",
    commentId: winner.commentId,
    body: sentBody(notice.key, notice.event, outcomes, nonce),
  });
}

/** The routed receivers that can be sent to from this repository; a log line for each other. */
function targetsOf(config: Config, notice: Notice, options: NotifierOptions): Target[] {
  const targets: Target[] = [];
  for (const name of receiversFor(config.notify, notice)) {
    const receiver = config.notify.receivers[name];
    if (receiver === undefined) continue;
    const found = availability(
      name,
      receiver.kind,
      options.endpoints(name),
      options.gateway.repository.owner,
    );
    if (!found.ok) {
      options.log.warn(`Chat ${notice.key}: not sent to \`${name}\`. ${found.problem}`);
      continue;
    }
    targets.push({
      name,
      kind: receiver.kind,
      url: found.url,
      ...(found.secret === undefined ? {} : { secret: found.secret }),
    });
  }
  return targets;
}

function alreadyClaimed(log: Logger, notice: Notice, claim: Claim): void {
  if (claim.state === "sent") {
    log.info(`Chat ${notice.key}: already claimed and sent (comment ${claim.commentId}).`);
  } else {
    log.warn(
      `Chat ${notice.key}: already claimed (comment ${claim.commentId}) but never marked sent: the sender stopped between claim and send, so the message may be lost. It is not sent again.`,
    );
  }
}

/** A failure as a status or a class name: no message, which could quote a request. */
function failureOf(error: unknown): string {
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === "number") return `HTTP ${status}`;
  return error instanceof Error ? error.name : "error";
}
