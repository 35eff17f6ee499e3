import type { Finding } from "../doctor/checks.js";
import type { NotifyConfig } from "./config.js";
import type { EndpointSource } from "./endpoints.js";
import { availability } from "./endpoints.js";

/** The receivers the routes name, each once. */
export function routedReceivers(config: Pick<NotifyConfig, "routes">): string[] {
  return [...new Set(config.routes.flatMap((route) => route.to))];
}

/**
 * `doctor` for chat: each receiver a route names must have its URL (a `webhook` its secret too)
 * and be allowed for this repository's owner. The findings name variables, never their values.
 */
export function notifyFindings(
  config: NotifyConfig,
  endpoints: EndpointSource,
  owner: string,
): Finding[] {
  return routedReceivers(config).flatMap((name): Finding[] => {
    const receiver = config.receivers[name];
    if (receiver === undefined) return [];
    const found = availability(name, receiver.kind, endpoints(name), owner);
    return found.ok
      ? []
      : [
          {
            level: "warning",
            problem: `${found.problem} No chat message goes there.`,
            fix: found.fix,
          },
        ];
  });
}

/**
 * The Action's receivers are in its inputs, which only a workflow run sees: doctor checks that
 * some workflow passes `notify-urls` (and `notify-secrets` for a `webhook`).
 */
export function notifyWorkflowFindings(
  config: NotifyConfig,
  workflows: readonly { path: string; text: string }[],
): Finding[] {
  const routed = routedReceivers(config);
  if (routed.length === 0) return [];
  const findings: Finding[] = [];
  if (!workflows.some((file) => file.text.includes("notify-urls"))) {
    findings.push({
      level: "warning",
      problem: `\`notify\` routes to ${routed.map((name) => `\`${name}\``).join(", ")}, but no workflow passes the \`notify-urls\` input: the Action sends no chat messages.`,
      fix: "Pass `notify-urls: ${{ secrets.… }}` (one `name=url` line per receiver) to the postmortem-bot step.",
    });
  }
  const signed = routed.filter((name) => config.receivers[name]?.kind === "webhook");
  if (signed.length > 0 && !workflows.some((file) => file.text.includes("notify-secrets"))) {
    findings.push({
      level: "warning",
      problem: `${signed.map((name) => `\`${name}\``).join(", ")} ${signed.length === 1 ? "is a `webhook`" : "are `webhook`s"}, but no workflow passes the \`notify-secrets\` input: unsigned messages are not sent.`,
      fix: "Pass `notify-secrets: ${{ secrets.… }}` (one `name=secret` line per webhook receiver).",
    });
  }
  return findings;
}
