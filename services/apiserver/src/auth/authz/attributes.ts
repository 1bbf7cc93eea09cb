// What an authorizer decides on (Kubernetes' authorizer.Attributes): who, which verb, and either
// a resource (group, resource, subresource, namespace, name) or a non-resource path.
import type { UserInfo } from "../user.js";

export interface Attributes {
  user: UserInfo;
  /** get, list, watch, create, update, patch, delete, deletecollection, … (non-resource: the lower-case HTTP verb). */
  verb: string;
  resourceRequest: boolean;
  apiGroup?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** The URL path of a non-resource request. */
  path?: string;
}

/** An authorizer's answer; `reason` says why (shown in reviews and denials). */
export interface Decision {
  decision: "allow" | "deny" | "noOpinion";
  reason: string;
}

/** Decides whether a request may proceed. */
export interface Authorizer {
  authorize(a: Attributes): Decision;
}

/** Tries authorizers in order; the first allow or deny wins (Kubernetes' union authorizer). */
export function unionAuthorizer(...list: Authorizer[]): Authorizer {
  return {
    authorize(a) {
      const reasons: string[] = [];
      for (const z of list) {
        const d = z.authorize(a);
        if (d.decision !== "noOpinion") return d;
        if (d.reason) reasons.push(d.reason);
      }
      return { decision: "noOpinion", reason: reasons.join("; ") };
    },
  };
}

/** Members of system:masters may do anything, whatever the roles say (Kubernetes' privileged group). */
export const superuserAuthorizer: Authorizer = {
  authorize: (a) => (a.user.groups.includes("system:masters") ? { decision: "allow", reason: "" } : { decision: "noOpinion", reason: "" }),
};

/** Kubernetes' wording of a denial: `pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"`. */
export function forbiddenMessage(a: Attributes, reason = ""): string {
  const why = reason ? `: ${reason}` : "";
  if (!a.resourceRequest) return `forbidden: User "${a.user.name}" cannot ${a.verb} path "${a.path}"${why}`;
  const res = a.subresource ? `${a.resource}/${a.subresource}` : (a.resource ?? "");
  // The object is named by its group-qualified resource (deployments.apps), as Kubernetes' NewForbidden does.
  const qualified = `${a.resource ?? ""}${a.apiGroup ? `.${a.apiGroup}` : ""}${a.subresource ? `/${a.subresource}` : ""}`;
  const what = a.name ? `${qualified} "${a.name}"` : qualified;
  const where = a.namespace ? ` in the namespace "${a.namespace}"` : a.namespace === undefined ? " at the cluster scope" : "";
  return `${what} is forbidden: User "${a.user.name}" cannot ${a.verb} resource "${res}" in API group "${a.apiGroup ?? ""}"${where}${why}`;
}
