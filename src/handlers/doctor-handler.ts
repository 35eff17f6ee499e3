import type { Config } from "../core/config.js";
import { CONFIG_PATH } from "../core/constants.js";
import type { Finding } from "../core/doctor/checks.js";
import { codeownersFindings, labelFindings, workflowFindings } from "../core/doctor/checks.js";
import { renderPostmortem } from "../core/incident/content.js";
import { codeSpan } from "../core/markdown-text.js";
import type { TemplateChoice } from "../core/incident/template-choice.js";
import { configuredTemplates } from "../core/incident/template-choice.js";
import type { IssueSnapshot } from "../core/snapshots.js";
import { readCodeowners } from "../github/codeowners.js";
import type { GitHubGateway } from "../github/gateway.js";
import { loadTemplate } from "./incident-handler.js";
import { loadConfig } from "./load-config.js";
import type { EndpointSource } from "../core/notify/endpoints.js";
import { notifyFindings, notifyWorkflowFindings } from "../core/notify/doctor.js";

/**
 * What doctor checks in a repository's own files, for either front door: the configuration, the
 * issue forms, the template (rendered for a sample incident, as an opening would), the labels
 * people apply, the CODEOWNERS file under `capa.defaultOwners: codeowners`, and for the Action its
 * workflows.
 */
export async function repositoryFindings(
  gateway: GitHubGateway,
  frontDoor: "app" | "action",
  now: Date,
  /** The App's chat receivers (its environment); the Action's are checked in its workflows. */
  endpoints?: EndpointSource,
): Promise<{ findings: Finding[]; config: Config | undefined }> {
  const findings: Finding[] = [];
  const loaded = await loadConfig(gateway);
  if (!loaded.ok) {
    findings.push({
      level: "blocking",
      problem: loaded.problem,
      fix: `Correct ${CONFIG_PATH} (schema.json in the repository checks it in an editor).`,
    });
  }
  const config = loaded.ok ? loaded.config : undefined;
  if (config) {
    for (const form of await gateway.loadFormDefinitions()) {
      if (!form.ok) {
        findings.push({
          level: "warning",
          problem: form.problem,
          fix: "Correct the issue form: its answers are not read until then (the post-mortem still opens).",
        });
      }
    }
    // Every template the configuration names, each on its own (the built-in one when none).
    const configured = configuredTemplates(config);
    const choices: TemplateChoice[] =
      configured.length > 0 ? configured : [{ kind: "shipped", name: "default", key: undefined }];
    for (const choice of choices) {
      const template = await loadTemplate(gateway, choice);
      const rendered =
        "problem" in template
          ? template
          : renderPostmortem(
              sampleIncident(config, now),
              {
                kind: "labeled",
                issue: sampleIncident(config, now),
                label: config.incidentLabels[0]!,
                sender: { login: "octocat", type: "User" },
                at: now.toISOString(),
              },
              config,
              gateway.repository,
              template,
            );
      if ("problem" in rendered) {
        findings.push({ level: "blocking", problem: rendered.problem, fix: templateFix(choice) });
      }
    }
    findings.push(...labelFindings(config, await gateway.listLabelNames()));
    // Read only where `capa.defaultOwners: codeowners` uses it.
    if (config.capa.defaultOwners === "codeowners") {
      findings.push(...codeownersFindings(config, await readCodeowners(gateway)));
    }
    if (frontDoor === "app" && endpoints !== undefined) {
      findings.push(...notifyFindings(config.notify, endpoints, gateway.repository.owner));
    }
  }
  if (frontDoor === "action") {
    const flowsInAction = config?.flows.runIn === "action";
    const workflows = await gateway.listWorkflowFiles();
    findings.push(...workflowFindings(workflows, { flowsInAction }));
    if (config) findings.push(...notifyWorkflowFindings(config.notify, workflows));
  }
  return { findings, config };
}

function templateFix(choice: TemplateChoice): string {
  if (choice.key === "template" || choice.key === undefined) {
    return "Correct the template (or remove `template` to use the built-in one): no post-mortem opens until then.";
  }
  return `Correct the template (or remove ${codeSpan(choice.key)}): no post-mortem it is chosen for opens until then.`;
}

function sampleIncident(config: Config, now: Date): IssueSnapshot {
  return {
    id: 1,
    number: 1,
    title: "Checkout returns 500",
    body: "Checkout fails for every customer since 10:02.",
    state: "open",
    stateReason: null,
    author: { login: "octocat", type: "User" },
    labels: [config.incidentLabels[0]!],
    assignees: ["octocat"],
    createdAt: now.toISOString(),
    isPullRequest: false,
  };
}
