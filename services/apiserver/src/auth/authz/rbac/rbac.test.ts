import { describe, it, expect } from "vitest";
import type { ClusterRole, PolicyRule, Role, RoleBinding } from "@skiff/api";
import type { Attributes } from "../attributes.js";
import { forbiddenMessage } from "../attributes.js";
import { ApiAuthorizer } from "../index.js";
import { RbacAuthorizer } from "./authorizer.js";
import type { PolicySource } from "./cache.js";
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from "./policy.js";
import { ruleAllows, uncovered } from "./rules.js";

const alice = { name: "alice", groups: ["devs", "system:authenticated"] };
const res = (verb: string, resource: string, extra: Partial<Attributes> = {}): Attributes => ({
  user: alice,
  verb,
  resourceRequest: true,
  apiGroup: "",
  resource,
  ...extra,
});

describe("RBAC rules (Kubernetes' documented semantics)", () => {
  it("matches verbs, groups and resources, with * as a wildcard", () => {
    const r: PolicyRule = { verbs: ["get", "list"], apiGroups: [""], resources: ["pods"] };
    expect(ruleAllows(r, res("get", "pods"))).toBe(true);
    expect(ruleAllows(r, res("delete", "pods"))).toBe(false);
    expect(ruleAllows(r, res("get", "pods", { apiGroup: "apps" }))).toBe(false);
    expect(ruleAllows(r, res("get", "secrets"))).toBe(false);
    expect(ruleAllows({ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }, res("deletecollection", "deployments", { apiGroup: "apps" }))).toBe(true);
  });

  it("subresources are separate resources: pods does not grant pods/log; pods/* and */scale do", () => {
    expect(ruleAllows({ verbs: ["get"], apiGroups: [""], resources: ["pods"] }, res("get", "pods", { subresource: "log" }))).toBe(false);
    expect(ruleAllows({ verbs: ["get"], apiGroups: [""], resources: ["pods/log"] }, res("get", "pods", { subresource: "log" }))).toBe(true);
    expect(ruleAllows({ verbs: ["get"], apiGroups: [""], resources: ["pods/*"] }, res("get", "pods", { subresource: "log" }))).toBe(true);
    expect(
      ruleAllows({ verbs: ["update"], apiGroups: ["apps"], resources: ["*/scale"] }, res("update", "deployments", { apiGroup: "apps", subresource: "scale" })),
    ).toBe(true);
    expect(ruleAllows({ verbs: ["update"], apiGroups: ["apps"], resources: ["*/scale"] }, res("update", "deployments", { apiGroup: "apps" }))).toBe(false);
  });

  it("resourceNames restrict to named objects, so they never allow list or create", () => {
    const r: PolicyRule = { verbs: ["get", "list", "create"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["app-config"] };
    expect(ruleAllows(r, res("get", "configmaps", { name: "app-config" }))).toBe(true);
    expect(ruleAllows(r, res("get", "configmaps", { name: "other" }))).toBe(false);
    expect(ruleAllows(r, res("list", "configmaps"))).toBe(false);
    expect(ruleAllows(r, res("create", "configmaps"))).toBe(false);
  });

  it("nonResourceURLs match exactly or by a trailing * prefix", () => {
    const r: PolicyRule = { verbs: ["get"], nonResourceURLs: ["/healthz", "/apis/*"] };
    const path = (p: string, verb = "get"): Attributes => ({ user: alice, verb, resourceRequest: false, path: p });
    expect(ruleAllows(r, path("/healthz"))).toBe(true);
    expect(ruleAllows(r, path("/healthz/etcd"))).toBe(false);
    expect(ruleAllows(r, path("/apis/apps/v1"))).toBe(true);
    expect(ruleAllows(r, path("/apis/apps/v1", "post"))).toBe(false);
    expect(ruleAllows(r, res("get", "pods"))).toBe(false);
  });

  it("escalation checks: owner rules must cover each verb/resource/name of the servant rules; * needs *", () => {
    const owner: PolicyRule[] = [
      { verbs: ["get", "list"], apiGroups: [""], resources: ["pods", "pods/log"] },
      { verbs: ["get"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["a"] },
    ];
    expect(uncovered(owner, [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }])).toEqual([]);
    expect(uncovered(owner, [{ verbs: ["get"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["a"] }])).toEqual([]);
    expect(uncovered(owner, [{ verbs: ["get"], apiGroups: [""], resources: ["configmaps"] }])).toHaveLength(1);
    expect(uncovered(owner, [{ verbs: ["get", "delete"], apiGroups: [""], resources: ["pods"] }])).toEqual([
      { verbs: ["delete"], apiGroups: [""], resources: ["pods"] },
    ]);
    expect(uncovered(owner, [{ verbs: ["*"], apiGroups: [""], resources: ["pods"] }])).toHaveLength(1);
    expect(
      uncovered([{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }], [{ verbs: ["*"], apiGroups: ["apps"], resources: ["deployments/scale"] }]),
    ).toEqual([]);
    expect(uncovered([{ verbs: ["get"], nonResourceURLs: ["/metrics*"] }], [{ verbs: ["get"], nonResourceURLs: ["/metrics/cadvisor"] }])).toEqual([]);
  });
});

/** A policy made of plain lists. */
function source(clusterRoles: ClusterRole[], roles: Role[], crbs: RoleBinding[], rbs: RoleBinding[]): PolicySource {
  return {
    clusterRoles: () => clusterRoles,
    clusterRole: (n) => clusterRoles.find((r) => r.metadata.name === n),
    role: (ns, n) => roles.find((r) => r.metadata.namespace === ns && r.metadata.name === n),
    clusterRoleBindings: () => crbs,
    roleBindings: (ns) => rbs.filter((b) => b.metadata.namespace === ns),
  };
}
const rb = (ns: string, name: string, kind: "Role" | "ClusterRole", role: string, subjects: RoleBinding["subjects"]): RoleBinding => ({
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind: "RoleBinding",
  metadata: { name, namespace: ns },
  roleRef: { apiGroup: "rbac.authorization.k8s.io", kind, name: role },
  subjects,
});

describe("RBAC authorizer", () => {
  const readPods: Role = {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "Role",
    metadata: { name: "pod-reader", namespace: "team-a" },
    rules: [{ verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["pods"] }],
  };
  const policy = source(bootstrapClusterRoles, [readPods], bootstrapClusterRoleBindings, [
    rb("team-a", "alice-reads", "Role", "pod-reader", [{ kind: "User", name: "alice" }]),
    rb("team-b", "devs-view", "ClusterRole", "view", [{ kind: "Group", name: "devs" }]),
    rb("team-c", "sa-edit", "ClusterRole", "edit", [{ kind: "ServiceAccount", name: "bot", namespace: "team-c" }]),
  ]);
  const rbac = new RbacAuthorizer(policy);

  it("a RoleBinding grants its Role in its own namespace only", () => {
    expect(rbac.authorize(res("list", "pods", { namespace: "team-a" })).decision).toBe("allow");
    expect(rbac.authorize(res("list", "pods", { namespace: "team-x" })).decision).toBe("noOpinion");
    expect(rbac.authorize(res("list", "pods")).decision).toBe("noOpinion");
    expect(rbac.authorize(res("delete", "pods", { namespace: "team-a", name: "p" })).decision).toBe("noOpinion");
  });

  it("aggregated view reads workloads but not secrets; edit (aggregating view) writes them and reads secrets", () => {
    expect(rbac.authorize(res("list", "deployments", { namespace: "team-b", apiGroup: "apps" })).decision).toBe("allow");
    expect(rbac.authorize(res("get", "pods", { namespace: "team-b", subresource: "log", name: "p" })).decision).toBe("allow");
    expect(rbac.authorize(res("get", "secrets", { namespace: "team-b", name: "s" })).decision).toBe("noOpinion");
    const bot = { name: "system:serviceaccount:team-c:bot", groups: ["system:serviceaccounts", "system:serviceaccounts:team-c", "system:authenticated"] };
    expect(rbac.authorize({ ...res("create", "deployments", { namespace: "team-c", apiGroup: "apps" }), user: bot }).decision).toBe("allow");
    expect(rbac.authorize({ ...res("list", "pods", { namespace: "team-c" }), user: bot }).decision).toBe("allow");
    expect(rbac.authorize({ ...res("get", "secrets", { namespace: "team-c", name: "s" }), user: bot }).decision).toBe("allow");
    expect(rbac.authorize({ ...res("create", "roles", { namespace: "team-c", apiGroup: "rbac.authorization.k8s.io" }), user: bot }).decision).toBe("noOpinion");
  });

  it("every authenticated user may use discovery and ask what it may do; only system:masters may do everything", () => {
    expect(rbac.authorize({ user: alice, verb: "get", resourceRequest: false, path: "/apis/apps/v1" }).decision).toBe("allow");
    expect(rbac.authorize(res("create", "selfsubjectaccessreviews", { apiGroup: "authorization.k8s.io" })).decision).toBe("allow");
    const authz = new ApiAuthorizer(policy);
    expect(authz.authorize(res("delete", "nodes", { user: { name: "root", groups: ["system:masters"] } })).decision).toBe("allow");
    expect(() => authz.check(res("delete", "pods", { namespace: "team-a", name: "web" }))).toThrow(
      'pods "web" is forbidden: User "alice" cannot delete resource "pods" in API group "" in the namespace "team-a"',
    );
  });

  it("words denials as Kubernetes does", () => {
    expect(forbiddenMessage(res("list", "nodes"))).toBe('nodes is forbidden: User "alice" cannot list resource "nodes" in API group "" at the cluster scope');
    expect(forbiddenMessage({ ...res("list", "deployments", { namespace: "d" }), apiGroup: "apps" })).toBe(
      'deployments.apps is forbidden: User "alice" cannot list resource "deployments" in API group "apps" in the namespace "d"',
    );
    expect(forbiddenMessage(res("get", "pods", { subresource: "log", namespace: "d", name: "p" }))).toBe(
      'pods/log "p" is forbidden: User "alice" cannot get resource "pods/log" in API group "" in the namespace "d"',
    );
    expect(forbiddenMessage({ user: alice, verb: "get", resourceRequest: false, path: "/metrics" })).toBe('forbidden: User "alice" cannot get path "/metrics"');
  });

  it("rulesFor lists what a user holds in a namespace (SelfSubjectRulesReview)", () => {
    const rules = rbac.rulesFor(alice, "team-a");
    expect(rules).toContainEqual({ verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["pods"] });
    expect(rules.some((r) => r.nonResourceURLs?.includes("/api"))).toBe(true);
  });
});
