// RBAC escalation prevention: a user may write a Role or ClusterRole only with permissions it
// holds itself (or the "escalate" verb on it), and a binding only to a role whose permissions
// it holds (or the "bind" verb on that role) — Kubernetes' rules. Internal callers (Skiff's
// own components, no user) are trusted.
import { ForbiddenError, RBAC_GROUP, type ClusterRole, type PolicyRule, type Role, type RoleBinding } from "@skiff/api";
import type { ApiAuthorizer } from "../auth/authz/index.js";
import { uncovered } from "../auth/authz/rbac/rules.js";
import type { AdmissionAttributes, ValidatingPlugin } from "./chain.js";

const ROLE_KINDS = new Set(["roles", "clusterroles"]);
const BINDING_KINDS = new Set(["rolebindings", "clusterrolebindings"]);

function show(r: PolicyRule): string {
  if (r.nonResourceURLs?.length) return `{NonResourceURLs:${JSON.stringify(r.nonResourceURLs)}, Verbs:${JSON.stringify(r.verbs)}}`;
  const names = r.resourceNames?.length ? `, ResourceNames:${JSON.stringify(r.resourceNames)}` : "";
  return `{APIGroups:${JSON.stringify(r.apiGroups)}, Resources:${JSON.stringify(r.resources)}${names}, Verbs:${JSON.stringify(r.verbs)}}`;
}

export function rbacEscalation(authz: ApiAuthorizer, roleRules: (namespace: string, ref: RoleBinding["roleRef"]) => PolicyRule[]): ValidatingPlugin {
  const may = (a: AdmissionAttributes, verb: string, resource: string, name: string) =>
    authz.authorize({ user: a.user!, verb, resourceRequest: true, apiGroup: RBAC_GROUP, resource, namespace: a.namespace || undefined, name }).decision ===
    "allow";
  return {
    name: "RBACEscalation",
    handles: (a) =>
      !!a.user &&
      a.resource.group === RBAC_GROUP &&
      (a.operation === "CREATE" || a.operation === "UPDATE") &&
      a.subresource === "" &&
      (ROLE_KINDS.has(a.resource.resource) || BINDING_KINDS.has(a.resource.resource)),
    async validate(a) {
      const user = a.user!;
      if (user.groups.includes("system:masters")) return;
      let wanted: PolicyRule[];
      if (ROLE_KINDS.has(a.resource.resource)) {
        if (may(a, "escalate", a.resource.resource, a.name)) return;
        const role = a.object as Role | ClusterRole;
        wanted = role.rules ?? [];
      } else {
        const ref = (a.object as RoleBinding).roleRef;
        const refResource = ref.kind === "Role" ? "roles" : "clusterroles";
        if (may(a, "bind", refResource, ref.name)) return;
        wanted = roleRules(a.namespace, ref);
      }
      const missing = uncovered(authz.rbac.rulesFor(user, a.namespace || undefined), wanted);
      if (missing.length === 0) return;
      const res = `${a.resource.resource}.${RBAC_GROUP}`;
      throw new ForbiddenError(
        `${res} "${a.name}" is forbidden: user "${user.name}" (groups=${JSON.stringify(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${missing.map(show).join("\n")}`,
        { name: a.name, group: RBAC_GROUP, kind: a.resource.resource },
      );
    },
  };
}
