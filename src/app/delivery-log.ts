/**
 * What a log may say about a delivery: its id, its event, its repository and its issue number.
 * Never its payload: a private repository's incident text must not end up in a log service.
 *
 * Probot and @octokit/webhooks attach the whole event to every error they log (`error.event`), and
 * an Octokit error carries the request it made, body included (a post-mortem's text). So the
 * delivery handed to Probot says itself how it is logged (`toJSON`: the summary alone), and a
 * handler's error is replaced by a `DeliveryFailed` that keeps only its class, status and message.
 */
import { repositoryOf } from "../github/webhook-events.js";

export interface DeliverySummary {
  delivery: string;
  event: string;
  repository?: string;
  issue?: number;
}

/** The longest error message a log line or an answer carries. */
const MAX_MESSAGE = 300;

export function summarize(id: string, name: string, payload: unknown): DeliverySummary {
  const summary: DeliverySummary = { delivery: id, event: name };
  if (typeof payload !== "object" || payload === null) return summary;
  const repository = repositoryOf(payload);
  if (repository) summary.repository = `${repository.owner}/${repository.repo}`;
  const { issue, pull_request } = payload as {
    issue?: { number?: unknown };
    pull_request?: { number?: unknown };
  };
  const number = issue?.number ?? pull_request?.number;
  if (typeof number === "number") summary.issue = number;
  return summary;
}

/**
 * The event Probot receives, which logs (`JSON.stringify`, as pino does) as its summary only,
 * wherever Probot or @octokit/webhooks attach it.
 */
export function loggableEvent<E extends { id: string; name: string; payload: unknown }>(
  event: E,
): E {
  const summary = summarize(event.id, event.name, event.payload);
  Object.defineProperty(event, "toJSON", { value: () => summary, enumerable: false });
  return event;
}

/**
 * A delivery's failure as logged and answered: the name, HTTP status and first line of the
 * original error's message (at most 300 characters) and its stack frames; none of the request,
 * response or cause an Octokit error carries.
 */
export class DeliveryFailed extends Error {
  readonly status?: number;

  constructor(error: unknown) {
    super(firstLine(error));
    // Named as the original, so GitHub's delivery log shows what it showed before ("HttpError:
    // Validation Failed"); a log's `type` (the class) says DeliveryFailed.
    this.name = error instanceof Error ? error.name : "Error";
    const status = (error as { status?: unknown } | null)?.status;
    if (typeof status === "number") this.status = status;
    const frames =
      error instanceof Error && error.stack
        ? error.stack.split("\n").filter((line) => /^\s+at /.test(line))
        : [];
    this.stack = [`${this.name}: ${this.message}`, ...frames].join("\n");
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = message.split("\n", 1)[0] ?? "";
  return line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE - 1)}…` : line;
}
