// The web dashboard under /dashboard/: its static files (public: no cluster data in them) and
// the login exchange (/dashboard/api/login mints a single-use secret for the caller,
// /dashboard/api/exchange trades it for a session token). Everything else the page does goes
// through the ordinary Kubernetes API with that token, so authorization is RBAC's as for kubectl.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import { identityOfPeer } from "@skiff/client";
import { BadRequestError, MethodNotAllowedError, UnauthorizedError } from "@skiff/api";
import type { UserInfo } from "../../auth/user.js";
import { parseJsonObject, readBody, sendJson } from "../http/respond.js";
import { LoginSecrets, LOGIN_SECRET_SECONDS, SessionTokens, type ClaimsSigner } from "./login.js";
import { findDashboardDir, serveStatic } from "./static.js";

export { SessionTokens, LoginSecrets } from "./login.js";

/** The dashboard's routes; `checker` authenticates its session tokens. */
export interface Dashboard {
  /** Authenticates session tokens (absent without a signing key). */
  checker?: SessionTokens;
  /** Serves a /dashboard request; `identify` authenticates a bearer token at /dashboard/api/login (a client certificate of the cluster CA also does). */
  serve(req: IncomingMessage, res: ServerResponse, identify: () => Promise<UserInfo>): Promise<void>;
}

/** Builds the dashboard's routes over the apiserver's token signer. */
export function dashboard(signer: ClaimsSigner | undefined, dir = findDashboardDir()): Dashboard {
  const sessions = signer ? new SessionTokens(signer) : undefined;
  const secrets = new LoginSecrets();
  return {
    checker: sessions,
    async serve(req, res, identify) {
      const path = new URL(req.url ?? "/", "https://apiserver").pathname;
      if (path === "/dashboard") {
        res.writeHead(301, { Location: "/dashboard/" });
        res.end();
        return;
      }
      const rel = path.slice("/dashboard/".length);
      if (!rel.startsWith("api/")) {
        if (req.method !== "GET" && req.method !== "HEAD") throw new MethodNotAllowedError(`${req.method} is not allowed on ${path}`);
        return serveStatic(dir, rel, res, req.method === "HEAD");
      }
      if (req.method !== "POST") throw new MethodNotAllowedError(`${req.method} is not allowed on ${path}`);
      if (!sessions) throw new BadRequestError("this apiserver has no token signing key: the dashboard login exchange is off");
      if (rel === "api/login") {
        // `skiff dashboard` signs in with the CLI's client certificate of the cluster CA; others with a bearer token.
        const sock = req.socket as TLSSocket;
        const cert = sock.authorized ? identityOfPeer(sock.getPeerCertificate()) : undefined;
        const user = cert ? { name: cert.user, groups: [...new Set([...cert.groups, "system:authenticated"])] } : await identify();
        return sendJson(res, 201, { secret: secrets.mint(user), expiresInSeconds: LOGIN_SECRET_SECONDS, user: user.name });
      }
      if (rel === "api/exchange") {
        const body = parseJsonObject(await readBody(req));
        if (typeof body.secret !== "string" || !body.secret) throw new BadRequestError("secret: Required value");
        const user = secrets.redeem(body.secret);
        if (!user) throw new UnauthorizedError("the login secret is unknown, used or expired: run `skiff dashboard --url` again");
        return sendJson(res, 201, { ...sessions.issue(user), user: user.name, groups: user.groups });
      }
      throw new BadRequestError(`unknown dashboard endpoint ${path}`);
    },
  };
}
