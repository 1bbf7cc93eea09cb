// ServiceAccount tokens: JWTs signed RS256 with the cluster's service-account key, with
// Kubernetes' claims (iss, sub, aud, exp, iat, nbf, and kubernetes.io naming the namespace,
// the account and, for bound tokens, the pod), so that any Kubernetes client library reads them.
import { createPrivateKey, createPublicKey, randomUUID, sign, verify, type KeyObject } from "node:crypto";

/** The issuer and default audience of Skiff's tokens (Kubernetes' defaults). */
export const ISSUER = "https://kubernetes.default.svc.cluster.local";

/** What a token says about its holder. */
export interface TokenClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  "kubernetes.io": {
    namespace: string;
    serviceaccount: { name: string; uid: string };
    pod?: { name: string; uid: string };
  };
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");

/** Signs and verifies tokens with one RSA key pair. */
export class TokenSigner {
  private readonly priv: KeyObject;
  private readonly pub: KeyObject;
  constructor(privateKeyPem: string) {
    this.priv = createPrivateKey(privateKeyPem);
    this.pub = createPublicKey(this.priv);
  }

  /** A token for an account, valid `seconds` from now. */
  issue(
    a: { namespace: string; name: string; uid: string; audiences: string[]; seconds: number; pod?: { name: string; uid: string } },
    now = Date.now(),
  ): { token: string; claims: TokenClaims } {
    const iat = Math.floor(now / 1000);
    const claims: TokenClaims = {
      iss: ISSUER,
      sub: `system:serviceaccount:${a.namespace}:${a.name}`,
      aud: a.audiences,
      exp: iat + a.seconds,
      iat,
      nbf: iat,
      jti: randomUUID(),
      "kubernetes.io": { namespace: a.namespace, serviceaccount: { name: a.name, uid: a.uid }, ...(a.pod ? { pod: a.pod } : {}) },
    };
    return { token: this.signClaims(claims), claims };
  }

  /** Any claims as an RS256 JWT signed with this key (the dashboard's session tokens use it too). */
  signClaims(claims: object): string {
    const head = `${b64({ alg: "RS256", typ: "JWT" })}.${b64(claims)}`;
    return `${head}.${sign("sha256", Buffer.from(head), this.priv).toString("base64url")}`;
  }

  /** The claims of a JWT whose RS256 signature this key made (no claim is checked); undefined otherwise. */
  signedClaims(token: string): Record<string, unknown> | undefined {
    const parts = token.split(".");
    if (parts.length !== 3) return undefined;
    try {
      const header = JSON.parse(Buffer.from(parts[0], "base64url").toString("utf8")) as { alg?: string };
      if (header.alg !== "RS256") return undefined;
      if (!verify("sha256", Buffer.from(`${parts[0]}.${parts[1]}`), this.pub, Buffer.from(parts[2], "base64url"))) return undefined;
      const c = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as unknown;
      return c && typeof c === "object" ? (c as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }

  /** The claims of a valid, unexpired token for one of `audiences`; undefined otherwise. */
  verify(token: string, audiences: string[], now = Date.now()): TokenClaims | undefined {
    const c = this.signedClaims(token) as TokenClaims | undefined;
    if (!c) return undefined;
    const t = now / 1000;
    if (c.iss !== ISSUER || typeof c.exp !== "number" || c.exp < t || (c.nbf ?? 0) > t + 60) return undefined;
    const aud = Array.isArray(c.aud) ? c.aud : [c.aud];
    if (!aud.some((x) => audiences.includes(x))) return undefined;
    if (!c["kubernetes.io"]?.serviceaccount?.name) return undefined;
    return c;
  }
}
