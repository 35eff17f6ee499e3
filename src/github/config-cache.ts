import { LRUCache } from "lru-cache";
import type { GitHubApi } from "./api.js";
import { isStatus } from "./api.js";

export interface ConfigCacheOptions {
  /** How long a configuration is used without asking GitHub again (`CONFIG_MAX_AGE`). */
  maxAgeMs: number;
  /** Repositories remembered; the least recently used one is forgotten first. */
  maxRepositories?: number;
  /** Milliseconds since the epoch; tests pass their own clock. */
  now?: () => number;
}

interface Entry {
  value: unknown;
  checkedAt: number;
  /** The last answer to each configuration read, by request, for `If-None-Match`. */
  answers: Map<string, Answer>;
}

interface Answer {
  etag: string;
  response: unknown;
}

/** The `CONFIG_MAX_AGE` default: a changed configuration takes effect within a minute. */
export const DEFAULT_CONFIG_MAX_AGE_MS = 60_000;

/**
 * Each repository's configuration, per process. Within `maxAgeMs` it costs no request at all;
 * after that it is revalidated with `If-None-Match`, which GitHub answers with 304 (not counted
 * against the rate limit) while the files are unchanged. A `push` that touches a configuration
 * file drops the entry at once (see `forget`). The cache holds no state that GitHub does not also
 * hold, so replicas stay interchangeable.
 */
export class ConfigCache {
  private readonly entries: LRUCache<string, Entry>;
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly now: () => number;

  constructor(private readonly options: ConfigCacheOptions) {
    this.entries = new LRUCache({ max: options.maxRepositories ?? 1000 });
    this.now = options.now ?? Date.now;
  }

  /** The value if it was read within the freshness window; no request either way. */
  peek<T>(key: string): T | undefined {
    const entry = this.entries.get(key);
    return entry && this.isFresh(entry) ? (entry.value as T) : undefined;
  }

  /**
   * The cached value while fresh; else `read` runs again, with the requests it makes answered
   * from the cache where GitHub says 304. Concurrent calls for one repository share one read.
   */
  async get<T>(key: string, api: GitHubApi, read: (api: GitHubApi) => Promise<T>): Promise<T> {
    const fresh = this.peek<T>(key);
    if (fresh !== undefined) return fresh;
    const pending = this.inFlight.get(key);
    if (pending) return pending as Promise<T>;
    const answers = this.entries.get(key)?.answers ?? new Map<string, Answer>();
    const reading = (async () => {
      const checkedAt = this.now();
      const value = await read(conditional(api, answers));
      this.entries.set(key, { value, checkedAt, answers });
      return value;
    })();
    this.inFlight.set(key, reading);
    try {
      return await reading;
    } finally {
      this.inFlight.delete(key);
    }
  }

  /** Every configuration held, fresh or not (to know which labels repositories use). */
  knownValues<T>(): T[] {
    return [...this.entries.entries()]
      .filter(([key]) => !key.includes(ASIDE))
      .map(([, entry]) => entry.value as T);
  }

  /**
   * Forget one repository's configuration and what is kept beside it (its issue forms), or every
   * repository of an owner (org defaults).
   */
  forget(owner: string, repo?: string): void {
    const prefix = `${owner.toLowerCase()}/`;
    for (const key of [...this.entries.keys()]) {
      const own = repo === undefined ? undefined : cacheKey(owner, repo);
      if (own === undefined ? key.startsWith(prefix) : key === own || key.startsWith(own + ASIDE)) {
        this.entries.delete(key);
      }
    }
  }

  /** Forget one entry (a repository's configuration, or something kept beside it). */
  forgetKey(key: string): void {
    this.entries.delete(key);
  }

  private isFresh(entry: Entry): boolean {
    return this.now() - entry.checkedAt < this.options.maxAgeMs;
  }
}

export function cacheKey(owner: string, repo: string, aside?: string): string {
  const key = `${owner}/${repo}`.toLowerCase();
  return aside === undefined ? key : `${key}${ASIDE}${aside}`;
}

/** Separates a repository's key from the key of something else cached for it (`o/r#forms`). */
const ASIDE = "#";

type RequestFunction = GitHubApi["request"];

/**
 * The same API, but GET requests carry the ETag of their last answer, and a 304 returns that
 * answer again. Only the configuration reads go through it.
 */
function conditional(api: GitHubApi, answers: Map<string, Answer>): GitHubApi {
  const request = (async (route: unknown, parameters?: Record<string, unknown>) => {
    const options = (
      typeof route === "string" ? { ...parameters } : { ...(route as object) }
    ) as Record<string, unknown> & { headers?: Record<string, string> };
    const endpoint = api.request.endpoint(route as never, parameters as never) as {
      method: string;
      url: string;
    };
    const key = `${endpoint.method} ${endpoint.url}`;
    const known = endpoint.method === "GET" ? answers.get(key) : undefined;
    if (known) options.headers = { ...options.headers, "if-none-match": known.etag };
    try {
      const response = (await (typeof route === "string"
        ? api.request(route as never, options as never)
        : api.request(options as never))) as { headers: Record<string, string | undefined> };
      const etag = response.headers.etag;
      if (etag && endpoint.method === "GET") answers.set(key, { etag, response });
      else answers.delete(key);
      return response;
    } catch (error) {
      if (known && isStatus(error, 304)) return known.response;
      answers.delete(key);
      throw error;
    }
  }) as unknown as RequestFunction;
  Object.assign(request, { endpoint: api.request.endpoint, defaults: api.request.defaults });
  return { request, paginate: api.paginate };
}
