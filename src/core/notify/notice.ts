import type { Severity } from "../policy/config.js";
import type { NotifyEvent } from "./config.js";

/**
 * One occurrence worth telling chat about, as a flow found it. Flows produce notices (pure); the
 * notifier routes them by `notify:`, claims each in GitHub and sends (src/handlers/notify.ts).
 */
export interface Notice {
  event: NotifyEvent;
  /**
   * Names the occurrence, so a redelivery, a second replica or a concurrent Action run claims the
   * same thing: `opened:#12`, `close-blocked:#12:2026-12-01T10:00:00Z`, `capa-overdue:#34:2026-12-01`.
   */
  key: string;
  /** The issue the claim is written on: the post-mortem, or the CAPA child for `capa-overdue`. */
  issueNumber: number;
  /** The post-mortem this is about. */
  postmortem: number;
  severity: Severity | undefined;
  /** Hostile text (an issue title): every message format keeps it inert. */
  title: string;
  url: string;
  /** Logins of the people who must act (without `@`). */
  people: readonly string[];
  /** About a private post-mortem: the message names no title. */
  private?: boolean;
  /** Extra words for the one line, e.g. what is missing; hostile text too. */
  detail?: string;
}
