// Fault injection: make the next N requests matching a method and path fail, slow down, or lose
// their answer after the change was made (the case that makes retries create duplicates).

export interface FaultSpec {
  /** HTTP method to match; any when omitted. */
  method?: string;
  /** A path like "/repos/{owner}/{repo}/issues" ({x} matches one segment, * matches the rest) or a RegExp; matched without the /api/v3 prefix and query. */
  path: string | RegExp;
  /** How many matching requests are affected (default 1; Infinity for all). */
  times?: number;
  /** Wait this long before handling the request. */
  delayMs?: number;
  /**
   * Wait until this settles before handling the request: a test holds a write back and lets it
   * land exactly when a race needs it (`hits` counts the requests that arrived meanwhile).
   */
  hold?: Promise<unknown>;
  /** Answer with this instead of handling the request (nothing changes). */
  respond?: { status: number; headers?: Record<string, string>; body?: unknown };
  /** Handle the request (the change happens), then answer 502 or drop the connection. */
  loseAnswer?: "502" | "drop";
}

export interface Fault extends FaultSpec {
  readonly id: number;
  /** How many requests this fault has affected so far. */
  hits: number;
  remaining: number;
}

export function pathPattern(path: string | RegExp): RegExp {
  if (path instanceof RegExp) return path;
  const source = path
    .split(/(\{[^}]+\}|\*)/)
    .map((part) => {
      if (part === "*") return ".*";
      if (/^\{[^}]+\}$/.test(part)) return "[^/]+";
      return part.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
    })
    .join("");
  return new RegExp(`^${source}/?$`);
}

export class FaultInjector {
  readonly faults: Fault[] = [];
  private nextId = 1;

  add(spec: FaultSpec): Fault {
    const fault: Fault = { ...spec, id: this.nextId++, hits: 0, remaining: spec.times ?? 1 };
    this.faults.push(fault);
    return fault;
  }

  /** GitHub's secondary rate limit answer. */
  secondaryRateLimit(spec: {
    method?: string;
    path: string | RegExp;
    times?: number;
    retryAfterSeconds?: number;
  }): Fault {
    return this.add({
      ...spec,
      respond: {
        status: 403,
        headers: {
          "retry-after": String(spec.retryAfterSeconds ?? 1),
          "x-ratelimit-remaining": "4999",
        },
        body: {
          message:
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
          documentation_url:
            "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
          status: "403",
        },
      },
    });
  }

  clear(): void {
    this.faults.length = 0;
  }

  /** Finds and consumes the first fault matching this request. */
  take(method: string, path: string): Fault | undefined {
    const fault = this.faults.find(
      (f) =>
        f.remaining > 0 &&
        (!f.method || f.method.toUpperCase() === method.toUpperCase()) &&
        pathPattern(f.path).test(path),
    );
    if (fault) {
      fault.remaining--;
      fault.hits++;
    }
    return fault;
  }
}
