// Authentication of REST requests: a client certificate of the cluster CA (CN = user, each O =
// a group, as Kubernetes' x509 authenticator), else a bearer token checked by a chain of token
// authenticators (the static admin token, ServiceAccount tokens, …); anonymous requests get 401.
import { timingSafeEqual, createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import { identityOfPeer } from "@skiff/client";
import { UnauthorizedError } from "@skiff/api";
import type { UserInfo } from "../../auth/user.js";

export type { UserInfo };

/** Turns a bearer token into a user; undefined when the token is not one it knows. */
export interface TokenChecker {
  check(token: string): UserInfo | undefined | Promise<UserInfo | undefined>;
}

const digest = (s: string) => createHash("sha256").update(s).digest();

/** A fixed set of tokens (the admin token; a static token file). */
export class StaticTokens implements TokenChecker {
  private readonly tokens: { hash: Buffer; user: UserInfo }[];
  constructor(tokens: { token: string; user: UserInfo }[]) {
    this.tokens = tokens.map((t) => ({ hash: digest(t.token), user: t.user }));
  }
  check(token: string): UserInfo | undefined {
    // Compare fixed-size digests so the comparison takes the same time whatever the token.
    const got = digest(token);
    for (const t of this.tokens) if (timingSafeEqual(got, t.hash)) return t.user;
    return undefined;
  }
}

/** Authenticates requests with the first checker that knows their bearer token. */
export class TokenAuthenticator {
  private readonly checkers: TokenChecker[];
  constructor(checkers: TokenChecker[] | { token: string; user: UserInfo }[]) {
    this.checkers =
      checkers.length && "check" in (checkers[0] as object)
        ? (checkers as TokenChecker[])
        : [new StaticTokens(checkers as { token: string; user: UserInfo }[])];
  }
  /** The user of a token, or undefined (TokenReview). */
  async check(token: string): Promise<UserInfo | undefined> {
    for (const c of this.checkers) {
      const u = await c.check(token);
      if (u) return u;
    }
    return undefined;
  }
  /** The request's user; throws Unauthorized when neither a certificate nor a known token identifies it. */
  async authenticate(req: IncomingMessage): Promise<UserInfo> {
    const byCert = certificateUser(req);
    if (byCert) return byCert;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
    const token = m?.[1] ?? webSocketToken(req);
    const user = token ? await this.check(token) : undefined;
    if (!user) throw new UnauthorizedError();
    return user;
  }
}

/** Prefix of the WebSocket subprotocol that carries a bearer token (browsers cannot set Authorization on a WebSocket). */
export const wsTokenProtocolPrefix = "base64url.bearer.authorization.k8s.io.";

/** The bearer token of a WebSocket upgrade offered as `base64url.bearer.authorization.k8s.io.<token>` (as Kubernetes). */
export function webSocketToken(req: IncomingMessage): string | undefined {
  if ((req.headers.upgrade ?? "").toLowerCase() !== "websocket") return undefined;
  const offered = String(req.headers["sec-websocket-protocol"] ?? "")
    .split(",")
    .map((p) => p.trim());
  const p = offered.find((x) => x.startsWith(wsTokenProtocolPrefix));
  if (!p) return undefined;
  const token = Buffer.from(p.slice(wsTokenProtocolPrefix.length), "base64url").toString("utf8");
  return token || undefined;
}

/**
 * The user of the request's client certificate, when the TLS handshake verified one against the
 * cluster CA (the server asks for certificates but does not require them: expired or foreign ones
 * leave `authorized` false and the request falls through to its token).
 */
export function certificateUser(req: IncomingMessage): UserInfo | undefined {
  const sock = req.socket as Partial<TLSSocket>;
  if (!sock.authorized || !sock.getPeerCertificate) return undefined;
  // One parse per connection: every request of a keep-alive connection has the same peer.
  if (certUsers.has(sock)) return certUsers.get(sock) ?? undefined;
  const id = identityOfPeer(sock.getPeerCertificate());
  const user = id?.user ? { name: id.user, groups: [...new Set([...id.groups, "system:authenticated"])] } : null;
  certUsers.set(sock, user);
  return user ?? undefined;
}

const certUsers = new WeakMap<object, UserInfo | null>();

/**
 * Parses a static token file (Kubernetes' --token-auth-file): one `token,user,uid` line per user,
 * optionally followed by a quoted comma-separated group list; blank lines and # comments skipped.
 * Every user is also in system:authenticated.
 */
export function parseTokenFile(text: string, file = "token file"): { token: string; user: UserInfo }[] {
  const out: { token: string; user: UserInfo }[] = [];
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const m = /^([^,]+),([^,]+),([^,]*)(?:,"?([^"]*)"?)?$/.exec(line);
    if (!m) throw new Error(`${file}:${i + 1}: want token,user,uid[,"group1,group2"]`);
    const groups = (m[4] ?? "")
      .split(",")
      .map((g) => g.trim())
      .filter(Boolean);
    out.push({ token: m[1].trim(), user: { name: m[2].trim(), groups: [...new Set([...groups, "system:authenticated"])] } });
  }
  return out;
}
