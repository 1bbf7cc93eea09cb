// RBAC rule semantics (k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac and
// pkg/registry/rbac/validation): whether a rule allows a request, whether one set of rules
// covers another (escalation checks), and which bindings name a user.
import type { PolicyRule, Subject } from "@skiff/api";
import type { UserInfo } from "../../user.js";
import type { Attributes } from "../attributes.js";

const has = (list: string[] | undefined, v: string) => !!list && (list.includes("*") || list.includes(v));

/** Whether `rule` lets `a` through. Resource rules: verb, group, resource[/subresource], name. */
export function ruleAllows(rule: PolicyRule, a: Attributes): boolean {
  if (!has(rule.verbs, a.verb)) return false;
  if (!a.resourceRequest) return nonResourceMatches(rule.nonResourceURLs, a.path ?? "");
  if (!has(rule.apiGroups, a.apiGroup ?? "")) return false;
  if (!resourceMatches(rule.resources, a.resource ?? "", a.subresource)) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (!!a.name && names.includes(a.name));
}

/** "*" matches everything, "pods" only the resource, "pods/log" and "*\/scale" subresources, "pods/*" every subresource of pods. */
export function resourceMatches(rules: string[] | undefined, resource: string, subresource?: string): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  for (const r of rules ?? []) {
    if (r === "*" || r === combined) return true;
    if (subresource && (r === `*/${subresource}` || r === `${resource}/*`)) return true;
  }
  return false;
}

/** A non-resource URL rule: exact path, "*", or a prefix ending in "*". */
export function nonResourceMatches(urls: string[] | undefined, path: string): boolean {
  return (urls ?? []).some((u) => u === "*" || u === path || (u.endsWith("*") && path.startsWith(u.slice(0, -1))));
}

/** Whether a binding's subject is this user (by name, group, or service account). */
export function subjectMatches(s: Subject, user: UserInfo, bindingNamespace?: string): boolean {
  switch (s.kind) {
    case "User":
      return s.name === user.name;
    case "Group":
      return user.groups.includes(s.name);
    case "ServiceAccount":
      return user.name === `system:serviceaccount:${s.namespace || bindingNamespace}:${s.name}`;
    default:
      return false;
  }
}

/**
 * Whether `owner` rules grant everything `servant` rules do (Kubernetes' validation.Covers):
 * each servant rule is broken into single verb/group/resource/name tuples, and each must be
 * allowed by some owner rule; a "*" in the servant needs a "*" in the owner.
 * Returns the servant rules (broken down) that are not covered.
 */
export function uncovered(owner: PolicyRule[], servant: PolicyRule[]): PolicyRule[] {
  const missing: PolicyRule[] = [];
  for (const rule of servant) {
    for (const atom of breakdown(rule)) if (!owner.some((o) => ruleCovers(o, atom))) missing.push(atom);
  }
  return missing;
}

/** Splits a rule into rules of one verb, one group, one resource, one name (or URL). */
function breakdown(r: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const verb of r.verbs ?? []) {
    for (const url of r.nonResourceURLs ?? []) out.push({ verbs: [verb], nonResourceURLs: [url] });
    for (const group of r.apiGroups ?? []) {
      for (const resource of r.resources ?? []) {
        const names = r.resourceNames?.length ? r.resourceNames : [undefined];
        for (const name of names) out.push({ verbs: [verb], apiGroups: [group], resources: [resource], ...(name ? { resourceNames: [name] } : {}) });
      }
    }
  }
  return out;
}

/** Whether owner rule `o` covers a single-tuple rule `s`. */
function ruleCovers(o: PolicyRule, s: PolicyRule): boolean {
  const literal = (list: string[] | undefined, v: string) => !!list && (list.includes("*") || list.includes(v));
  if (!literal(o.verbs, s.verbs[0])) return false;
  if (s.nonResourceURLs?.length) {
    const u = s.nonResourceURLs[0];
    return (o.nonResourceURLs ?? []).some((ou) => ou === "*" || ou === u || (ou.endsWith("*") && u.startsWith(ou.slice(0, -1))));
  }
  if (!literal(o.apiGroups, s.apiGroups![0])) return false;
  const res = s.resources![0];
  const [base, sub] = res.split("/", 2) as [string, string | undefined];
  const resOk = (o.resources ?? []).some((or) => or === "*" || or === res || (sub !== undefined && (or === `${base}/*` || or === `*/${sub}`)));
  if (!resOk) return false;
  const on = o.resourceNames ?? [];
  if (on.length === 0) return true;
  const sn = s.resourceNames ?? [];
  return sn.length > 0 && sn.every((n) => on.includes(n));
}
