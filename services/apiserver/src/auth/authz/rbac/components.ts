// The least-privilege roles of Skiff's own components (Kubernetes' system:kube-scheduler,
// system:kube-controller-manager, system:node, system:node-proxier), bound to the users their
// certificates name. Skiff runs all controllers under one identity, so the controller-manager's
// role is the union of what its controllers do (Kubernetes splits it into system:controller:*).
import type { ClusterRole, PolicyRule, RoleBinding } from "@skiff/api";
import { builtinResources, RBAC_GROUP } from "@skiff/api";

const read = ["get", "list", "watch"];
const change = ["update", "patch"];
const rule = (verbs: string[], apiGroups: string[], resources: string[]): PolicyRule => ({ verbs, apiGroups, resources });
const events = [rule(["create", "patch", "update", "get"], ["", "events.k8s.io"], ["events"])];

/** What the scheduler reads, binds and writes (kube-scheduler's role, without the parts Skiff keeps in NATS). */
const scheduler: PolicyRule[] = [
  ...events,
  rule(read, [""], ["nodes", "namespaces", "persistentvolumeclaims", "persistentvolumes", "services", "replicationcontrollers"]),
  rule([...read, "delete"], [""], ["pods"]),
  rule(["create"], [""], ["bindings", "pods/binding"]),
  rule(change, [""], ["pods/status"]),
  rule(read, ["apps"], ["replicasets", "statefulsets"]),
  rule(read, ["policy"], ["poddisruptionbudgets"]),
  rule(read, ["storage.k8s.io"], ["storageclasses"]),
  rule(read, ["scheduling.k8s.io"], ["priorityclasses"]),
  rule(["create", "get", "update"], ["coordination.k8s.io"], ["leases"]),
];

/** Resources the garbage collector and adoption rewrite (owner references, finalizers): those it follows, by API group. */
const owned: [string, string[]][] = [
  ...builtinResources.filter((r) => r.garbageCollected).reduce((m, r) => m.set(r.group, [...(m.get(r.group) ?? []), r.resource]), new Map<string, string[]>()),
];

/** What the controllers of the controller-manager do, together. */
const controllerManager: PolicyRule[] = [
  ...events,
  // Informers, quota and disruption counts read everything; the garbage collector and the
  // namespace controller delete anything (as Kubernetes' generic-garbage-collector and
  // namespace-controller roles).
  rule([...read, "delete", "deletecollection"], ["*"], ["*"]),
  ...owned.map(([g, rs]) => rule(change, [g], rs)),
  rule(["create"], [""], ["pods", "endpoints", "persistentvolumeclaims", "serviceaccounts"]),
  rule(["create"], ["apps"], ["replicasets", "controllerrevisions"]),
  rule(["create"], ["batch"], ["jobs"]),
  rule(["create", ...change], ["discovery.k8s.io"], ["endpointslices"]),
  rule(change, [""], ["endpoints", "namespaces", "namespaces/finalize", "nodes", "persistentvolumes"]),
  rule(
    change,
    [""],
    ["namespaces/status", "nodes/status", "pods/status", "persistentvolumes/status", "persistentvolumeclaims/status", "replicationcontrollers/status"],
  ),
  rule(change, ["apps"], ["deployments/status", "replicasets/status", "daemonsets/status", "statefulsets/status"]),
  rule(change, ["batch"], ["jobs/status", "cronjobs/status"]),
  rule(change, ["policy"], ["poddisruptionbudgets/status"]),
  rule(change, ["autoscaling"], ["horizontalpodautoscalers/status"]),
  // The clusterrole-aggregation controller writes aggregated roles' rules.
  rule(["escalate", ...change], [RBAC_GROUP], ["clusterroles"]),
  rule(["create", "get", "update"], ["coordination.k8s.io"], ["leases"]),
];

/** Kubernetes' system:node (not bound: nodes are authorized by the Node authorizer, as there since 1.8). */
const node: PolicyRule[] = [
  ...events,
  rule(read, [""], ["nodes", "services", "endpoints", "pods", "persistentvolumes", "persistentvolumeclaims", "configmaps", "secrets"]),
  rule(["create", ...change], [""], ["nodes", "nodes/status"]),
  rule(["delete"], [""], ["pods"]),
  rule(change, [""], ["pods/status"]),
  rule(["create"], [""], ["serviceaccounts/token"]),
  rule(read, ["discovery.k8s.io"], ["endpointslices"]),
  rule(read, ["storage.k8s.io"], ["storageclasses"]),
];

/** Kubernetes' system:node-proxier (kube-proxy's reads). */
const nodeProxier: PolicyRule[] = [
  ...events,
  rule(["list", "watch"], [""], ["services", "endpoints"]),
  rule(["get", "list", "watch"], [""], ["nodes"]),
  rule(["list", "watch"], ["discovery.k8s.io"], ["endpointslices"]),
];

const labels = { "kubernetes.io/bootstrapping": "rbac-defaults" };
const annotations = { "rbac.authorization.kubernetes.io/autoupdate": "true" };

const role = (name: string, rules: PolicyRule[]): ClusterRole => ({
  apiVersion: `${RBAC_GROUP}/v1`,
  kind: "ClusterRole",
  metadata: { name, labels, annotations },
  rules,
});
const bindUser = (name: string, user: string): RoleBinding => ({
  apiVersion: `${RBAC_GROUP}/v1`,
  kind: "ClusterRoleBinding",
  metadata: { name, labels, annotations },
  roleRef: { apiGroup: RBAC_GROUP, kind: "ClusterRole", name },
  subjects: [{ kind: "User", apiGroup: RBAC_GROUP, name: user }],
});

/** The components' ClusterRoles. */
export const componentClusterRoles: ClusterRole[] = [
  role("system:kube-scheduler", scheduler),
  role("system:kube-controller-manager", controllerManager),
  role("system:node", node),
  role("system:node-proxier", nodeProxier),
];

/** Their bindings to the users of the components' certificates (system:node stays unbound, as in Kubernetes). */
export const componentClusterRoleBindings: RoleBinding[] = [
  bindUser("system:kube-scheduler", "system:kube-scheduler"),
  bindUser("system:kube-controller-manager", "system:kube-controller-manager"),
  bindUser("system:node-proxier", "system:kube-proxy"),
];
