// Authentication of REST requests: bearer tokens checked by a chain of token authenticators
// (the static admin token, ServiceAccount tokens, …); anonymous requests get 401.
import { timingSafeEqual, createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
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
    this.checkers = checkers.length && "check" in (checkers[0] as object) ? (checkers as TokenChecker[]) : [new StaticTokens(checkers as { token: string; user: UserInfo }[])];
  }
  /** The user of a token, or undefined (TokenReview). */
  async check(token: string): Promise<UserInfo | undefined> {
    for (const c of this.checkers) {
      const u = await c.check(token);
      if (u) return u;
    }
    return undefined;
  }
  /** The request's user; throws Unauthorized when the token is missing or unknown. */
  async authenticate(req: IncomingMessage): Promise<UserInfo> {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
    const user = m ? await this.check(m[1]) : undefined;
    if (!user) throw new UnauthorizedError();
    return user;
  }
}
