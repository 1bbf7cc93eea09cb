// Who a request acts as and whether it may: authentication, then impersonation (the
// Impersonate-User/-Group headers, each checked against the "impersonate" verb), then
// authorization of the request's attributes.
import type { IncomingMessage } from "node:http";
import { BadRequestError } from "@skiff/api";
import type { UserInfo } from "../../auth/user.js";
import type { ApiAuthorizer } from "../../auth/authz/index.js";
import type { Attributes } from "../../auth/authz/attributes.js";
import type { TokenAuthenticator } from "./authn.js";

/** Authenticates a request and applies impersonation; Forbidden when impersonation is not allowed. */
export async function identify(authn: TokenAuthenticator, authz: ApiAuthorizer | undefined, req: IncomingMessage): Promise<UserInfo> {
  const user = await authn.authenticate(req);
  const asUser = header(req, "impersonate-user");
  const asGroups = headers(req, "impersonate-group");
  if (!asUser && asGroups.length === 0) return user;
  if (!asUser) throw new BadRequestError("requested impersonation of groups without impersonating a user");
  if (authz) {
    const sa = /^system:serviceaccount:([^:]+):(.+)$/.exec(asUser);
    const imp = (resource: string, name: string, namespace?: string): Attributes => ({
      user,
      verb: "impersonate",
      resourceRequest: true,
      apiGroup: "",
      resource,
      name,
      namespace,
    });
    authz.check(sa ? imp("serviceaccounts", sa[2], sa[1]) : imp("users", asUser));
    for (const g of asGroups) authz.check(imp("groups", g));
  }
  return { name: asUser, groups: impersonatedGroups(asUser, asGroups) };
}

/** The groups of an impersonated user: those asked for, plus what every such user has. */
function impersonatedGroups(name: string, asked: string[]): string[] {
  const groups = [...asked];
  const sa = /^system:serviceaccount:([^:]+):/.exec(name);
  if (sa && asked.length === 0) groups.push("system:serviceaccounts", `system:serviceaccounts:${sa[1]}`);
  if (name !== "system:anonymous" && !groups.includes("system:authenticated")) groups.push("system:authenticated");
  return groups;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function headers(req: IncomingMessage, name: string): string[] {
  // Node joins repeated headers with ", " (Impersonate-Group may repeat).
  const v = req.headers[name];
  const all = Array.isArray(v) ? v : v ? [v] : [];
  return all
    .flatMap((x) => x.split(","))
    .map((x) => x.trim())
    .filter(Boolean);
}
