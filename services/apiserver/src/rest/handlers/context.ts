// What every REST handler needs: the registry, a logger, the optional node connector.
import type { Logger } from "@skiff/log";
import type { Registry } from "../../registry/registry.js";
import type { NodeConnector } from "../../nodes/connector.js";
import type { ApiAuthorizer } from "../../auth/authz/index.js";
import type { TokenAuthenticator } from "../auth/authn.js";
import type { TokenSigner } from "../../auth/serviceaccount/jwt.js";

/** Dependencies of the REST handlers. */
export interface RestContext {
  registry: Registry;
  log: Logger;
  /** Reaches node agents for log/exec/portforward; absent → those answer 503. */
  connector?: NodeConnector;
  /** Interval of watch bookmarks when a client allows them. */
  bookmarkIntervalMs: number;
  /** Authorizes requests; absent → every authenticated request is allowed (tests of other concerns). */
  authz?: ApiAuthorizer;
  /** Set by the server: TokenReview asks it about tokens. */
  authn?: TokenAuthenticator;
  /** Signs ServiceAccount tokens (serviceaccounts/token); absent → 503. */
  tokens?: TokenSigner;
}
