// Checking a join token (TLS bootstrap): the token's Secret must exist (deleting it revokes
// the token), be of the bootstrap type, allow authentication, not be expired, and its secret
// part must match — compared in constant time.
import { timingSafeEqual } from "node:crypto";
import { isNotFound, UnauthorizedError, type Secret } from "@skiff/api";
import { JOIN_TOKEN_NAMESPACE, JOIN_TOKEN_RE, JOIN_TOKEN_TYPE, joinTokenSecretName } from "@skiff/client";

/** Reads a Secret (the registry in the apiserver). */
export type SecretReader = (namespace: string, name: string) => Promise<Secret>;

/** The id of a valid token; throws Unauthorized saying what is wrong with it otherwise. */
export async function validateJoinToken(read: SecretReader, token: string | undefined, now = Date.now()): Promise<string> {
  if (!token)
    throw new UnauthorizedError("joining needs a join token (Authorization: Bearer <token>): create one with `skiff token create` on a control plane");
  const m = JOIN_TOKEN_RE.exec(token);
  if (!m) throw new UnauthorizedError("the join token is malformed: a token looks like abcdef.0123456789abcdef");
  const [, id, secret] = m;
  let s: Secret;
  try {
    s = await read(JOIN_TOKEN_NAMESPACE, joinTokenSecretName(id));
  } catch (err) {
    if (isNotFound(err)) throw new UnauthorizedError(`join token ${id} is not valid: it was revoked or never created`);
    throw err;
  }
  const d = (k: string) => Buffer.from(s.data?.[k] ?? "", "base64").toString("utf8");
  const want = Buffer.from(d("token-secret"));
  const got = Buffer.from(secret);
  // Equal lengths are required by timingSafeEqual; the length of a valid secret is public (16).
  const same = want.length === got.length && timingSafeEqual(want, got);
  if (s.type !== JOIN_TOKEN_TYPE || d("token-id") !== id || !same) throw new UnauthorizedError(`join token ${id} is not valid`);
  if (d("usage-bootstrap-authentication") !== "true") throw new UnauthorizedError(`join token ${id} may not be used to join`);
  const exp = d("expiration");
  if (exp && !(Date.parse(exp) > now)) throw new UnauthorizedError(`join token ${id} expired at ${exp}: create a new one with \`skiff token create\``);
  return id;
}
