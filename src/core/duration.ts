const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A duration setting such as `60s`, `15m`, `6h`, `1d`, `500ms` or `0`, in milliseconds; a bare
 * number means seconds. Undefined for anything else, so the caller can say which setting is wrong.
 */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(text);
  if (!match) return undefined;
  return Math.round(Number(match[1]) * UNITS[(match[2] ?? "s").toLowerCase()]!);
}
