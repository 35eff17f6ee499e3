// Authentication as GitHub does it for Apps: an RS256 JWT for the App itself, installation tokens
// that act as the `<slug>[bot]` user, and (for tests) tokens that act as a given human.
import { createPublicKey, randomBytes, verify } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { ApiError } from "./errors.js";
import type { UserRecord } from "./model.js";

export type Credentials =
  | { kind: "anonymous" }
  | { kind: "app" }
  | {
      kind: "token";
      actor: UserRecord;
      serial: number;
      /** An installation token of the emulated App: its permissions are the installation's. */
      installation: boolean;
      /** What the token may do (`checks: "write"`, …); undefined: what the user's role allows. */
      permissions?: Record<string, string>;
    };

export interface TokenOptions {
  installation?: boolean;
  permissions?: Record<string, string>;
}

const TOKEN_LIFETIME_MS = 60 * 60 * 1000;

export class Auth {
  private readonly tokens = new Map<
    string,
    { actor: UserRecord; expiresAt: number; serial: number } & TokenOptions
  >();
  private readonly publicKey: KeyObject | undefined;

  constructor(
    private readonly appId: number,
    publicKey?: string | KeyObject,
  ) {
    this.publicKey =
      publicKey === undefined
        ? undefined
        : typeof publicKey === "string"
          ? createPublicKey(publicKey)
          : publicKey;
  }

  issueToken(
    actor: UserRecord,
    prefix = "ghs_",
    options: TokenOptions = {},
  ): { token: string; expiresAt: Date } {
    const token = `${prefix}${randomBytes(18).toString("base64url")}`;
    const expiresAt = Date.now() + TOKEN_LIFETIME_MS;
    this.tokens.set(token, { actor, expiresAt, serial: this.tokens.size + 1, ...options });
    return { token, expiresAt: new Date(expiresAt) };
  }

  identify(authorization: string | undefined): Credentials {
    if (!authorization) return { kind: "anonymous" };
    const [scheme = "", value = ""] = authorization.trim().split(/\s+/, 2);
    if (!/^(bearer|token)$/i.test(scheme) || !value) throw new ApiError(401, "Bad credentials");
    if (value.split(".").length === 3 && value.startsWith("eyJ")) {
      this.verifyJwt(value);
      return { kind: "app" };
    }
    const entry = this.tokens.get(value);
    if (!entry || entry.expiresAt < Date.now()) throw new ApiError(401, "Bad credentials");
    return {
      kind: "token",
      actor: entry.actor,
      serial: entry.serial,
      installation: entry.installation === true,
      ...(entry.permissions ? { permissions: entry.permissions } : {}),
    };
  }

  private verifyJwt(jwt: string): void {
    const [header = "", payload = "", signature = ""] = jwt.split(".");
    let claims: { iss?: unknown; exp?: unknown; iat?: unknown };
    let alg: unknown;
    try {
      alg = (JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as { alg?: unknown })
        .alg;
      claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as typeof claims;
    } catch {
      throw new ApiError(401, "A JSON web token could not be decoded");
    }
    const now = Math.floor(Date.now() / 1000);
    if (alg !== "RS256") throw new ApiError(401, "A JSON web token could not be decoded");
    if (String(claims.iss) !== String(this.appId)) {
      throw new ApiError(401, `'Issuer' claim ('iss') must be an Integer or the App's client ID`);
    }
    if (typeof claims.exp !== "number" || claims.exp < now - 60) {
      throw new ApiError(
        401,
        "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
      );
    }
    if (typeof claims.iat === "number" && claims.exp - claims.iat > 600 + 60) {
      throw new ApiError(401, "'Expiration time' claim ('exp') is too far in the future");
    }
    if (this.publicKey) {
      const ok = verify(
        "RSA-SHA256",
        Buffer.from(`${header}.${payload}`),
        this.publicKey,
        Buffer.from(signature, "base64url"),
      );
      if (!ok) throw new ApiError(401, "A JSON web token could not be decoded");
    }
  }
}
