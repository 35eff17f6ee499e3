import type { Format } from "ajv";

// String formats used by GitHub's OpenAPI descriptions, for ajv. Only the ones that carry a
// checkable meaning are checked; the others (int64, uri-template…) are accepted as they are.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})$/;

export const FORMATS: Record<string, Format> = {
  "date-time": (s: string) => DATE_TIME.test(s) && !Number.isNaN(Date.parse(s)),
  date: (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s)),
  uri: (s: string) => URL.canParse(s),
  "uri-template": true,
  email: (s: string) => /^[^\s@]+@[^\s@]+$/.test(s),
  hostname: true,
  uuid: (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s),
  int32: true,
  int64: true,
  double: true,
  binary: true,
  timestamp: true,
  "repo.nwo": true,
};
