// Join tokens (Kubernetes' bootstrap tokens): "<id>.<secret>" ([a-z0-9]{6}.[a-z0-9]{16}) kept as
// Secrets kube-system/bootstrap-token-<id> of type bootstrap.kubernetes.io/token with an
// expiration; deleting the Secret revokes the token. A token only lets a machine ask for a
// node certificate (TLS bootstrap); it grants nothing else.
import { randomBytes } from "node:crypto";
import type { Secret } from "@skiff/api";

/** Namespace of the token Secrets. */
export const JOIN_TOKEN_NAMESPACE = "kube-system";
/** Type of the token Secrets. */
export const JOIN_TOKEN_TYPE = "bootstrap.kubernetes.io/token";
/** The shape of a join token. */
export const JOIN_TOKEN_RE = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;

/** A new random token. */
export function newJoinToken(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  // 252 = 7 × 36: bytes above it are dropped so every character is equally likely.
  const pick = (n: number) => {
    let s = "";
    while (s.length < n) for (const b of randomBytes(n)) if (b < 252 && s.length < n) s += alphabet[b % 36];
    return s;
  };
  return `${pick(6)}.${pick(16)}`;
}

/** The Secret name of a token id. */
export const joinTokenSecretName = (id: string): string => `bootstrap-token-${id}`;

/** The Secret that makes `token` valid until now + ttlMs. */
export function joinTokenSecret(token: string, ttlMs: number, description = "skiff node join token"): Secret {
  const m = JOIN_TOKEN_RE.exec(token);
  if (!m) throw new Error("a join token looks like abcdef.0123456789abcdef");
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: JOIN_TOKEN_TYPE,
    metadata: { name: joinTokenSecretName(m[1]), namespace: JOIN_TOKEN_NAMESPACE },
    data: {
      "token-id": b64(m[1]),
      "token-secret": b64(m[2]),
      expiration: b64(new Date(Date.now() + ttlMs).toISOString()),
      "usage-bootstrap-authentication": b64("true"),
      description: b64(description),
    },
  } as Secret;
}
