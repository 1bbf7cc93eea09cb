// Sign-in to the dashboard without putting a credential in a URL: an authenticated client
// (`skiff dashboard`) mints a single-use login secret valid for a minute; the browser trades it
// once for a session token, a JWT signed with the cluster's service-account key that names the
// user and groups, so every later request carries the same identity and RBAC applies as for kubectl.
import { randomBytes, randomUUID } from "node:crypto";
import type { UserInfo } from "../../auth/user.js";
import type { TokenChecker } from "../auth/authn.js";

/** Issuer and audience of dashboard session tokens (distinct from ServiceAccount tokens'). */
export const DASHBOARD_ISSUER = "skiff-dashboard";
/** How long a login secret may wait to be exchanged. */
export const LOGIN_SECRET_SECONDS = 60;
/** How long a dashboard session lasts before the user signs in again. */
export const SESSION_SECONDS = 3600;

/** Signs and verifies JWTs (the apiserver's TokenSigner). */
export interface ClaimsSigner {
  signClaims(claims: object): string;
  signedClaims(token: string): Record<string, unknown> | undefined;
}

interface SessionClaims {
  iss: string;
  aud: string[];
  sub: string;
  groups: string[];
  iat: number;
  exp: number;
  jti: string;
}

/** Mints session tokens and authenticates them (a TokenChecker in the REST chain). */
export class SessionTokens implements TokenChecker {
  constructor(
    private readonly signer: ClaimsSigner,
    private readonly seconds = SESSION_SECONDS,
  ) {}

  issue(user: UserInfo, now = Date.now()): { token: string; expiresAt: string } {
    const iat = Math.floor(now / 1000);
    const claims: SessionClaims = {
      iss: DASHBOARD_ISSUER,
      aud: [DASHBOARD_ISSUER],
      sub: user.name,
      groups: user.groups,
      iat,
      exp: iat + this.seconds,
      jti: randomUUID(),
    };
    return { token: this.signer.signClaims(claims), expiresAt: new Date(claims.exp * 1000).toISOString() };
  }

  check(token: string, now = Date.now()): UserInfo | undefined {
    const c = this.signer.signedClaims(token) as Partial<SessionClaims> | undefined;
    if (!c || c.iss !== DASHBOARD_ISSUER || !Array.isArray(c.aud) || !c.aud.includes(DASHBOARD_ISSUER)) return undefined;
    if (typeof c.exp !== "number" || c.exp * 1000 < now || typeof c.sub !== "string" || !c.sub) return undefined;
    const groups = Array.isArray(c.groups) ? c.groups.filter((g): g is string => typeof g === "string") : [];
    return { name: c.sub, groups };
  }
}

/**
 * Single-use login secrets, kept in this apiserver's memory (with several replicas the browser
 * must reach the replica that minted it: `skiff dashboard` uses one address for both).
 */
export class LoginSecrets {
  private readonly pending = new Map<string, { user: UserInfo; expires: number }>();
  constructor(private readonly seconds = LOGIN_SECRET_SECONDS) {}

  mint(user: UserInfo, now = Date.now()): string {
    this.sweep(now);
    const secret = randomBytes(32).toString("base64url");
    this.pending.set(secret, { user, expires: now + this.seconds * 1000 });
    return secret;
  }

  /** The user a secret was minted for, once; undefined when unknown, used or expired. */
  redeem(secret: string, now = Date.now()): UserInfo | undefined {
    const p = this.pending.get(secret);
    this.pending.delete(secret);
    return p && p.expires >= now ? p.user : undefined;
  }

  private sweep(now: number): void {
    for (const [k, v] of this.pending) if (v.expires < now) this.pending.delete(k);
  }
}
