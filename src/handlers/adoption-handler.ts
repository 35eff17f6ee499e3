import type { AdoptionState } from "../core/adoption/plan.js";
import { incidentNamedIn, mayAdopt, planAdoption } from "../core/adoption/plan.js";
import { isAdopted } from "../core/identity.js";
import { sameLabel } from "../core/config.js";
import type { Step } from "../core/plan.js";
import type { Permission } from "../github/gateway.js";
import type { AdoptionEvent } from "../github/webhook-events.js";
import { handleCapaEvent } from "./capa-handler.js";
import { loadConfig } from "./load-config.js";
import { converge } from "./converge.js";
import type { HandlerDeps } from "./deps.js";
import { writersFor } from "./deps.js";

/** Comment, marker, incident link, verify; with room for one failed write. */
export const MAX_ADOPTION_ROUNDS = 5;

const MAY_ADOPT: readonly Permission[] = ["triage", "write", "maintain", "admin"];

export type AdoptionOutcome = "ignored" | "refused" | "adopted";

/**
 * A person's issue got a post-mortem label: adopt it when the one who added the label (read from
 * the issue's events, not from the payload's sender alone) has triage access or more, then bring
 * its CAPA children in line at once, as for the post-mortems the App opens.
 */
export async function handleAdoptionEvent(
  event: AdoptionEvent,
  deps: HandlerDeps,
): Promise<AdoptionOutcome> {
  const gateway = deps.gateway.base;
  const loaded = await loadConfig(gateway);
  if (!loaded.ok) return "ignored"; // the incident and CAPA flows report a broken configuration
  const config = loaded.config;
  // Adoption leads into the CAPA flow, so only the front door `flows.runIn` names adopts.
  if (config.flows.runIn !== deps.frontDoor) return "ignored";
  if (!config.postmortemLabels.some((name) => sameLabel(name, event.label))) return "ignored";
  if (!mayAdopt(event.issue, config)) return "ignored";
  const writers = writersFor(config, deps);

  let labeler: { login: string | undefined; mayAdopt: boolean } | undefined;
  return converge<Step, AdoptionOutcome>({
    what: `Adoption of #${event.issue.number}`,
    maxRounds: MAX_ADOPTION_ROUNDS,
    log: deps.log,
    apply: (step) => gateway.apply(step),
    plan: async () => {
      const issue = await gateway.getIssue(event.issue.number);
      if (!issue || !mayAdopt(issue, config)) return { done: "ignored" };
      const comments = await gateway.listComments(issue.number);
      if (!isAdopted(issue, comments, writers) && !labeler) {
        const login = (await gateway.lastLabeling(issue.number, event.label))?.login;
        const permission = login === undefined ? "none" : await gateway.getPermission(login);
        labeler = { login, mayAdopt: MAY_ADOPT.includes(permission) };
      }
      const named = incidentNamedIn(issue.body);
      const incident =
        named === undefined || named === issue.number ? undefined : await gateway.getIssue(named);
      const state: AdoptionState = {
        issue,
        comments,
        labeledBy: labeler?.login,
        labelerMayAdopt: labeler?.mayAdopt ?? false,
        incident: incident && !incident.isPullRequest ? incident : undefined,
        incidentComments: incident ? await gateway.listComments(incident.number) : [],
      };
      const plan = planAdoption(state, config, writers);
      if (plan.length > 0) return { write: plan };
      if (!isAdopted(issue, comments, writers)) return { done: "refused" };
      // Boxes checked before the adoption are the author's: they become children now if the
      // author has write access, and are refused (unchecked, one comment) otherwise.
      await handleCapaEvent(
        {
          kind: "postmortemEdited",
          postmortem: issue.number,
          edit: { sender: issue.author, before: "", after: issue.body },
        },
        deps,
      );
      return { done: "adopted" };
    },
  });
}
