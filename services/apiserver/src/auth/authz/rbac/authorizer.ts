// The RBAC authorizer: a request is allowed when a ClusterRoleBinding, or a RoleBinding in the
// request's namespace, names the user (or one of its groups, or its service account) and its
// role has a rule that allows the request. Aggregated ClusterRoles are the union of the roles
// their selectors match. RBAC never denies: no match is "no opinion".
import { labelSelectorFromStruct, matchesLabels, type ClusterRole, type PolicyRule, type RoleBinding } from "@skiff/api";
import type { UserInfo } from "../../user.js";
import type { Attributes, Authorizer, Decision } from "../attributes.js";
import type { PolicySource } from "./cache.js";
import { ruleAllows, subjectMatches } from "./rules.js";

export class RbacAuthorizer implements Authorizer {
  constructor(private readonly policy: PolicySource) {}

  authorize(a: Attributes): Decision {
    for (const { binding, rules } of this.applicable(a.user, a.namespace)) {
      if (!rules.some((r) => ruleAllows(r, a))) continue;
      const scope = binding.kind === "RoleBinding" ? ` in namespace "${binding.metadata.namespace}"` : "";
      return {
        decision: "allow",
        reason: `RBAC: allowed by ${binding.kind} "${binding.metadata.name}"${scope} of ${binding.roleRef.kind} "${binding.roleRef.name}" to ${describe(a.user)}`,
      };
    }
    return { decision: "noOpinion", reason: "" };
  }

  /** Every rule the user holds in a namespace (cluster-wide ones included): SelfSubjectRulesReview and escalation checks. */
  rulesFor(user: UserInfo, namespace?: string): PolicyRule[] {
    return [...this.applicable(user, namespace)].flatMap((x) => x.rules);
  }

  /** The bindings naming the user that apply in `namespace` (cluster ones always), with their roles' rules. */
  private *applicable(user: UserInfo, namespace?: string): Generator<{ binding: RoleBinding; rules: PolicyRule[] }> {
    for (const b of this.policy.clusterRoleBindings()) {
      if ((b.subjects ?? []).some((s) => subjectMatches(s, user))) yield { binding: b, rules: this.clusterRoleRules(b.roleRef.name) };
    }
    if (!namespace) return;
    for (const b of this.policy.roleBindings(namespace)) {
      if (!(b.subjects ?? []).some((s) => subjectMatches(s, user, namespace))) continue;
      const rules = b.roleRef.kind === "Role" ? this.roleRules(namespace, b.roleRef.name) : this.clusterRoleRules(b.roleRef.name);
      yield { binding: b, rules };
    }
  }

  /** A Role's rules. */
  roleRules(namespace: string, name: string): PolicyRule[] {
    return this.policy.role(namespace, name)?.rules ?? [];
  }

  /** A ClusterRole's rules; an aggregated one's are those of the roles its selectors match. */
  clusterRoleRules(name: string, seen = new Set<string>()): PolicyRule[] {
    const role = this.policy.clusterRole(name);
    if (!role || seen.has(name)) return [];
    seen.add(name);
    const selectors = role.aggregationRule?.clusterRoleSelectors;
    if (!selectors?.length) return role.rules ?? [];
    const parsed = selectors.map((s) => labelSelectorFromStruct(s));
    const out: PolicyRule[] = [];
    for (const other of this.policy.clusterRoles() as Iterable<ClusterRole>) {
      const n = other.metadata.name!;
      if (n === name || !parsed.some((sel) => matchesLabels(sel, other.metadata.labels))) continue;
      out.push(...this.clusterRoleRules(n, seen));
    }
    return out;
  }
}

function describe(u: UserInfo): string {
  const m = /^system:serviceaccount:([^:]+):(.+)$/.exec(u.name);
  return m ? `ServiceAccount "${m[2]}/${m[1]}"` : `User "${u.name}"`;
}
