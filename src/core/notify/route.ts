import type { NotifyConfig } from "./config.js";
import type { Notice } from "./notice.js";

/**
 * The receivers a notice goes to: every route whose events and severities match (omitted: all),
 * each receiver once, in the order the routes name them.
 */
export function receiversFor(
  config: Pick<NotifyConfig, "routes">,
  notice: Pick<Notice, "event" | "severity">,
): string[] {
  const names: string[] = [];
  const severity = notice.severity ?? "none";
  for (const route of config.routes) {
    if (route.events !== undefined && !route.events.includes(notice.event)) continue;
    if (route.severities !== undefined && !route.severities.includes(severity)) continue;
    for (const name of route.to) if (!names.includes(name)) names.push(name);
  }
  return names;
}
