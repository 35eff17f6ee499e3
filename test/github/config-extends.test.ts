import { describe, expect, it } from "vitest";
import {
  ExtendsRefused,
  guardConfigReads,
  parseExtendsOwners,
} from "../../src/github/config-extends.js";

describe("CONFIG_EXTENDS_OWNERS / config-extends-owners", () => {
  it("is a list of owners separated by commas, spaces or new lines, compared without case", () => {
    expect(parseExtendsOwners(undefined, "X")).toEqual({ ok: true, owners: [] });
    expect(parseExtendsOwners("  ", "X")).toEqual({ ok: true, owners: [] });
    expect(parseExtendsOwners("Acme, platform-team\nACME  other", "X")).toEqual({
      ok: true,
      owners: ["acme", "platform-team", "other"],
    });
  });

  it("names what is no owner, and a wildcard is not one", () => {
    expect(parseExtendsOwners("acme,*,acme/shared,-x", "CONFIG_EXTENDS_OWNERS")).toEqual({
      ok: false,
      problem:
        'CONFIG_EXTENDS_OWNERS names "*", "acme/shared", "-x": write GitHub owners (users or organizations), separated by commas, such as acme,acme-platform.',
    });
  });
});

describe("guardConfigReads", () => {
  function fakeApi() {
    const sent: unknown[] = [];
    const request = Object.assign(
      (options: unknown) => {
        sent.push(options);
        return Promise.resolve({ data: "" });
      },
      { endpoint: () => ({ method: "GET", url: "/" }) },
    );
    return { api: { request }, sent };
  }
  const read = (owner: string) => ({
    method: "GET",
    url: "/repos/{owner}/{repo}/contents/{path}",
    owner,
    repo: "policies",
    path: ".github/postmortem.yml",
  });

  it("passes reads of the repository's owner and the allowed ones, in any case", async () => {
    const { api, sent } = fakeApi();
    const guarded = guardConfigReads(api, "acme", ["platform"]);
    const send = guarded.request as unknown as (options: unknown) => Promise<unknown>;

    await send(read("ACME"));
    await send(read("Platform"));

    expect(sent).toEqual([read("ACME"), read("Platform")]);
    expect(guarded.request.endpoint).toBe(api.request.endpoint);
  });

  it("refuses a read of any other owner before it is sent", () => {
    const { api, sent } = fakeApi();
    const send = guardConfigReads(api, "acme").request as unknown as (options: unknown) => unknown;

    expect(() => send(read("outsider"))).toThrow(ExtendsRefused);
    expect(() => send({ ...read("x"), owner: undefined })).toThrow(ExtendsRefused);
    expect(sent).toEqual([]);
  });
});
