// Several repositories: one of another owner, one the App's installation does not cover.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GitHubEmulator } from "../../emulator/index.js";
import { appOctokit, installationOctokit, startEmulator } from "./helpers.js";

let emulator: GitHubEmulator;

beforeEach(async () => {
  emulator = await startEmulator();
});
afterEach(() => emulator.stop());

const status = (promise: Promise<unknown>) =>
  promise.then(
    () => 200,
    (error: { status?: number }) => error.status,
  );

describe("repositories", () => {
  it("a repository the App is not installed on: 404 to its token and its installation, no webhooks", async () => {
    emulator.addRepository("vault", { private: true, installed: false });
    const gh = installationOctokit(emulator);
    const app = appOctokit(emulator);
    const vault = { owner: "acme", repo: "vault" };
    expect(await status(gh.request("GET /repos/{owner}/{repo}", vault))).toBe(404);
    expect(
      await status(gh.request("POST /repos/{owner}/{repo}/issues", { ...vault, title: "x" })),
    ).toBe(404);
    expect(await status(app.request("GET /repos/{owner}/{repo}/installation", vault))).toBe(404);
    const { data } = await gh.request("GET /installation/repositories");
    expect(data.repositories.map((repo) => repo.full_name)).toEqual(["acme/service"]);
    const before = emulator.webhooks.events.length;
    emulator.openIssue({ by: "alice", repo: "vault", title: "unseen" });
    expect(emulator.webhooks.events.length).toBe(before);
    // A human with access still reads it.
    const res = await fetch(`${emulator.apiUrl}/repos/acme/vault/issues/1`, {
      headers: { authorization: `token ${emulator.tokenFor("alice")}` },
    });
    expect(res.status).toBe(200);
  });

  it("a repository of another owner, addressed as owner/name", async () => {
    emulator.addRepository("incidents", { private: true, owner: "globex" });
    emulator.setFile("README.md", "globex", { repo: "globex/incidents" });
    const gh = installationOctokit(emulator);
    const { data } = await gh.request("GET /repos/{owner}/{repo}", {
      owner: "globex",
      repo: "incidents",
    });
    expect([data.full_name, data.owner.type, data.visibility]).toEqual([
      "globex/incidents",
      "Organization",
      "private",
    ]);
    const { data: installation } = await appOctokit(emulator).request(
      "GET /repos/{owner}/{repo}/installation",
      { owner: "globex", repo: "incidents" },
    );
    expect(
      installation.account && "login" in installation.account && installation.account.login,
    ).toBe("globex");
    expect(emulator.issues({ repo: "globex/incidents" })).toEqual([]);
  });
});
