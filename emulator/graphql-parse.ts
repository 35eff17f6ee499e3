// A small GraphQL reader for the emulator: one operation (query or mutation) with variables, fields,
// aliases, arguments (lists and input objects included) and inline fragments. No named fragments,
// directives or default values.

export type Value =
  | { kind: "variable"; name: string }
  | { kind: "int"; value: number }
  | { kind: "boolean"; value: boolean }
  | { kind: "string"; value: string }
  | { kind: "enum"; value: string }
  | { kind: "list"; values: Value[] }
  | { kind: "object"; fields: Map<string, Value> }
  | { kind: "null" };

export interface Field {
  kind: "field";
  name: string;
  alias: string | undefined;
  args: Map<string, Value>;
  selections: Selection[] | undefined;
}

export interface InlineFragment {
  kind: "fragment";
  on: string;
  selections: Selection[];
}

export type Selection = Field | InlineFragment;

export interface Operation {
  type: "query" | "mutation";
  name: string | undefined;
  /** variable name → declared type, as written without spaces (e.g. "ID!") */
  variables: Map<string, string>;
  selections: Selection[];
}

export class GraphqlSyntaxError extends Error {}

const TOKEN =
  /(?:[\s,\uFEFF]+|#[^\n\r]*)|(\.\.\.|[!$():=@[\]{}|])|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|("(?:[^"\\\n]|\\.)*")|([_A-Za-z][_0-9A-Za-z]*)/y;

interface Token {
  type: "punct" | "number" | "string" | "name";
  text: string;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < source.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(source);
    if (!m) throw new GraphqlSyntaxError(`Unexpected character at ${at}`);
    if (m[1]) tokens.push({ type: "punct", text: m[1] });
    else if (m[2]) tokens.push({ type: "number", text: m[2] });
    else if (m[3]) tokens.push({ type: "string", text: m[3] });
    else if (m[4]) tokens.push({ type: "name", text: m[4] });
  }
  return tokens;
}

export function parseOperation(source: string): Operation {
  const tokens = tokenize(source);
  let i = 0;
  const peek = () => tokens[i];
  const next = (): Token => {
    const t = tokens[i++];
    if (!t) throw new GraphqlSyntaxError("Unexpected end of document");
    return t;
  };
  const expect = (text: string) => {
    const t = next();
    if (t.text !== text) throw new GraphqlSyntaxError(`Expected ${text}, found ${t.text}`);
  };
  const name = (): string => {
    const t = next();
    if (t.type !== "name") throw new GraphqlSyntaxError(`Expected a name, found ${t.text}`);
    return t.text;
  };
  const isPunct = (text: string) => peek()?.type === "punct" && peek()?.text === text;

  const value = (): Value => {
    if (isPunct("[")) {
      next();
      const values: Value[] = [];
      while (!isPunct("]")) values.push(value());
      next();
      return { kind: "list", values };
    }
    if (isPunct("{")) {
      next();
      const fields = new Map<string, Value>();
      while (!isPunct("}")) {
        const key = name();
        expect(":");
        if (fields.has(key)) throw new GraphqlSyntaxError(`Repeated field ${key}`);
        fields.set(key, value());
      }
      next();
      return { kind: "object", fields };
    }
    const t = next();
    if (t.type === "punct" && t.text === "$") return { kind: "variable", name: name() };
    if (t.type === "number") {
      if (!/^-?\d+$/.test(t.text)) throw new GraphqlSyntaxError(`Not an Int: ${t.text}`);
      return { kind: "int", value: Number(t.text) };
    }
    if (t.type === "string") return { kind: "string", value: JSON.parse(t.text) as string };
    if (t.type === "name") {
      if (t.text === "true" || t.text === "false")
        return { kind: "boolean", value: t.text === "true" };
      if (t.text === "null") return { kind: "null" };
      return { kind: "enum", value: t.text };
    }
    throw new GraphqlSyntaxError(`Unsupported value ${t.text}`);
  };

  const typeRef = (): string => {
    if (isPunct("[")) {
      next();
      const inner = typeRef();
      expect("]");
      const bang = isPunct("!") ? (next(), "!") : "";
      return `[${inner}]${bang}`;
    }
    const n = name();
    return isPunct("!") ? (next(), `${n}!`) : n;
  };

  const selectionSet = (): Selection[] => {
    expect("{");
    const out: Selection[] = [];
    while (!isPunct("}")) {
      if (isPunct("...")) {
        next();
        if (peek()?.text !== "on")
          throw new GraphqlSyntaxError("Named fragments are not supported");
        next();
        const on = name();
        out.push({ kind: "fragment", on, selections: selectionSet() });
        continue;
      }
      let fieldName = name();
      let alias: string | undefined;
      if (isPunct(":")) {
        next();
        alias = fieldName;
        fieldName = name();
      }
      const args = new Map<string, Value>();
      if (isPunct("(")) {
        next();
        while (!isPunct(")")) {
          const argName = name();
          expect(":");
          if (args.has(argName)) throw new GraphqlSyntaxError(`Repeated argument ${argName}`);
          args.set(argName, value());
        }
        next();
      }
      if (isPunct("@")) throw new GraphqlSyntaxError("Directives are not supported");
      const selections = isPunct("{") ? selectionSet() : undefined;
      out.push({ kind: "field", name: fieldName, alias, args, selections });
    }
    next();
    if (out.length === 0) throw new GraphqlSyntaxError("Empty selection set");
    return out;
  };

  let type: "query" | "mutation" = "query";
  let opName: string | undefined;
  const variables = new Map<string, string>();
  if (peek()?.type === "name") {
    const keyword = name();
    if (keyword !== "query" && keyword !== "mutation") {
      throw new GraphqlSyntaxError(`Unsupported operation ${keyword}`);
    }
    type = keyword;
    if (peek()?.type === "name") opName = name();
    if (isPunct("(")) {
      next();
      while (!isPunct(")")) {
        expect("$");
        const v = name();
        expect(":");
        variables.set(v, typeRef());
        if (isPunct("=")) throw new GraphqlSyntaxError("Default values are not supported");
      }
      next();
    }
  }
  const selections = selectionSet();
  if (i !== tokens.length) throw new GraphqlSyntaxError("Only one operation is supported");
  return { type, name: opName, variables, selections };
}
