// The culprit check's request budget with 500 post-mortems in the path index (issue #20), as
// `npm run bench` prints it: counted in-process against the bench's stub GitHub API
// (scripts/bench/culprit-check.ts), since the emulator has no check runs yet.
import { describe, expect, it } from "vitest";
import { benchCulpritCheck } from "../../scripts/bench/culprit-check.js";

describe("the culprit check's cost with 500 post-mortems", () => {
  it("is at most 3 requests per warm event, plus one per further 100 files", async () => {
    const figures = await benchCulpritCheck(500);
    expect(figures.map((f) => [f.event, f.requests, f.notModified])).toEqual([
      ["first pull-request event, cold cache (configuration + index)", 11, 0],
      ["implicated pull request, warm cache", 3, 0],
      ["its redelivery, warm cache (no write)", 2, 0],
      ["clean pull request, no blocking severity, warm cache", 1, 0],
      ["implicated pull request of 250 files, warm cache", 5, 0],
      ["implicated pull request after CONFIG_MAX_AGE (revalidated)", 11, 6],
    ]);
    expect(figures[1]!.sent).toEqual([
      "GET /repos/acme/web/pulls/1/files",
      `GET /repos/acme/web/commits/${"b".repeat(40)}/check-runs`,
      "POST /repos/acme/web/check-runs",
    ]);
    for (const figure of figures) {
      if (figure.budget !== undefined) expect(figure.requests).toBeLessThanOrEqual(figure.budget);
    }
    // No search and no listing of post-mortems, ever.
    const all = figures.flatMap((f) => f.sent);
    expect(all.filter((line) => line.includes("/search/"))).toEqual([]);
    expect(all.filter((line) => line === "GET /repos/acme/web/issues")).toHaveLength(2);
  });
});
