import * as core from "@actions/core";
import type { EndpointSource } from "../src/core/notify/endpoints.js";
import { actionEndpoints, parseNamedValues } from "../src/core/notify/endpoints.js";
import type { GitHubGateway } from "../src/github/gateway.js";
import type { HandlerDeps } from "../src/handlers/deps.js";
import { makeNotifier } from "../src/handlers/notify.js";
import type { RunContext } from "./context.js";

/**
 * The Action's chat receivers, from its `notify-urls` and `notify-secrets` inputs. Every value is
 * masked (`core.setSecret`) before anything else is done with it; an input that does not read is
 * one warning naming the line, and no receiver of that input is known (nothing is sent there).
 */
export function notifyEndpoints(
  context: Pick<RunContext, "inputs" | "log">,
  mask: (value: string) => void = (value) => core.setSecret(value),
): EndpointSource {
  const read = (input: "notify-urls" | "notify-secrets") => {
    const text = context.inputs[input];
    // Masked first, line by line, whether or not the input reads.
    for (const line of text.split(/\r?\n/)) {
      const value = line.slice(line.indexOf("=") + 1).trim();
      if (value !== "") mask(value);
      if (line.trim() !== "") mask(line.trim());
    }
    const parsed = parseNamedValues(text, input);
    if (parsed.ok) return parsed.values;
    context.log.warn(parsed.problem);
    return new Map<string, string>();
  };
  return actionEndpoints(read("notify-urls"), read("notify-secrets"));
}

/** The Action's `notify` for one repository's issues: awaited by the run, never failing it. */
export function actionNotify(
  context: Pick<RunContext, "log">,
  endpoints: EndpointSource,
  gateway: GitHubGateway,
  appSlug: string | undefined,
): NonNullable<HandlerDeps["notify"]> {
  return makeNotifier({
    gateway,
    endpoints,
    log: context.log,
    frontDoor: "action",
    ...(appSlug === undefined ? {} : { appSlug }),
  });
}
