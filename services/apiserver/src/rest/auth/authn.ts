// Bearer-token authentication of REST requests (the admin token; anonymous requests get 401).
import { timingSafeEqual, createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { UnauthorizedError } from "@skiff/api";

import type { UserInfo } from "../../auth/user.js";

export type { UserInfo };

const digest = (s: string) => createHash("sha256").update(s).digest();

/** Checks bearer tokens against a fixed set of tokens. */
export class TokenAuthenticator {
  private readonly tokens: { hash: Buffer; user: UserInfo }[];
  constructor(tokens: { token: string; user: UserInfo }[]) {
    this.tokens = tokens.map((t) => ({ hash: digest(t.token), user: t.user }));
  }
  /** The request's user; throws Unauthorized when the token is missing or unknown. */
  authenticate(req: IncomingMessage): UserInfo {
    const h = req.headers.authorization ?? "";
    const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
    if (!m) throw new UnauthorizedError();
    // Compare fixed-size digests so the comparison takes the same time whatever the token.
    const got = digest(m[1]);
    for (const t of this.tokens) if (timingSafeEqual(got, t.hash)) return t.user;
    throw new UnauthorizedError();
  }
}
