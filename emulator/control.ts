// A small HTTP control endpoint (/_emulator/...) so people and other processes can script humans,
// inject faults and read the logs of a running emulator, e.g. during `npm run demo -- --serve`.
import type { ServerResponse } from "node:http";
import type { FaultSpec } from "./faults.js";
import type { Role } from "./model.js";

/** Scripting methods callable as POST /_emulator/script/{name} with the method's argument as JSON body. */
const SCRIPT_METHODS = [
  "openIssue",
  "openPullRequest",
  "pushToPullRequest",
  "closePullRequest",
  "reopenPullRequest",
  "pullRequestFiles",
  "mergePullRequest",
  "revertPullRequest",
  "linkPullRequest",
  "createCommit",
  "branchSha",
  "createDeployment",
  "setDeploymentStatus",
  "addLabel",
  "removeLabel",
  "assign",
  "unassign",
  "comment",
  "editComment",
  "deleteComment",
  "react",
  "editBody",
  "editTitle",
  "closeIssue",
  "reopenIssue",
  "lockIssue",
  "unlockIssue",
  "deleteIssue",
  "transferIssue",
  "addSubIssue",
  "removeSubIssue",
  "createLabel",
  "createMilestone",
  "createProject",
  "setProjectField",
  "projectItems",
] as const;

/**
 * What the endpoint uses of the emulator: GitHubEmulator, which routes /_emulator requests here.
 * Stated by shape so that this module need not import emulator.ts, which imports it.
 */
interface ControlledEmulator extends Record<
  (typeof SCRIPT_METHODS)[number],
  (argument: never) => unknown
> {
  setFile(path: string, content: string, options: { repo?: string }): void;
  setPermission(login: string, role: Role): void;
  injectFault(spec: FaultSpec): unknown;
  issues(filter: { state: "all" }): unknown;
  readonly requests: unknown;
  readonly deliveries: unknown;
  redeliver(deliveryId: string): Promise<unknown>;
  waitForIdle(): Promise<void>;
}

export const CONTROL_HELP = {
  "GET /_emulator": "this help",
  "POST /_emulator/script/{method}": `human actions; methods: ${SCRIPT_METHODS.join(", ")}; body = the method's argument, e.g. {"by":"alice","title":"DB down","labels":["incident"]}`,
  "PUT /_emulator/files": '{"path":".github/postmortem.yml","content":"...","repo":"optional"}',
  "PUT /_emulator/permissions/{login}": '{"role":"admin|maintain|write|triage|read|none"}',
  "POST /_emulator/faults":
    '{"method":"POST","path":"/repos/{owner}/{repo}/issues","respond":{"status":502},"times":1} or {"loseAnswer":"502"}',
  "GET /_emulator/issues": "all issues as the REST API shows them",
  "GET /_emulator/requests": "request log",
  "GET /_emulator/deliveries": "webhook delivery log",
  "POST /_emulator/deliveries/{id}/redeliver": "send a delivery again with the same id",
  "POST /_emulator/idle": "wait until no delivery or request is pending",
};

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body, null, 2));
}

export async function handleControlRequest(
  emulator: ControlledEmulator,
  method: string,
  url: URL,
  rawBody: string,
  res: ServerResponse,
): Promise<void> {
  const parts = url.pathname.split("/").filter(Boolean).slice(1);
  try {
    const body = (rawBody ? JSON.parse(rawBody) : {}) as Record<string, unknown>;
    const [first, second, third] = parts;
    if (method === "GET" && !first) return reply(res, 200, CONTROL_HELP);
    if (method === "POST" && first === "script" && second) {
      const name = second as (typeof SCRIPT_METHODS)[number];
      if (!SCRIPT_METHODS.includes(name))
        return reply(res, 404, { message: `unknown script method ${second}` });
      const call = (emulator[name] as (arg: unknown) => unknown).bind(emulator);
      return reply(res, 200, { result: call(body) ?? null });
    }
    if (method === "PUT" && first === "files") {
      emulator.setFile(String(body.path), String(body.content), {
        ...(typeof body.repo === "string" ? { repo: body.repo } : {}),
      });
      return reply(res, 200, { ok: true });
    }
    if (method === "PUT" && first === "permissions" && second) {
      emulator.setPermission(second, body.role as Role);
      return reply(res, 200, { ok: true });
    }
    if (method === "POST" && first === "faults") {
      const fault = emulator.injectFault(body as unknown as FaultSpec);
      return reply(res, 200, fault);
    }
    if (method === "GET" && first === "issues")
      return reply(res, 200, emulator.issues({ state: "all" }));
    if (method === "GET" && first === "requests") return reply(res, 200, emulator.requests);
    if (method === "GET" && first === "deliveries" && !second)
      return reply(res, 200, emulator.deliveries);
    if (method === "POST" && first === "deliveries" && second && third === "redeliver") {
      return reply(res, 200, await emulator.redeliver(second));
    }
    if (method === "POST" && first === "idle") {
      await emulator.waitForIdle();
      return reply(res, 200, { ok: true });
    }
    return reply(res, 404, { message: "unknown control route", help: CONTROL_HELP });
  } catch (error) {
    return reply(res, 400, { message: error instanceof Error ? error.message : String(error) });
  }
}
