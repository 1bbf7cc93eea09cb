// The roles and bindings every cluster starts with (Kubernetes' bootstrap policy, in small):
// cluster-admin for system:masters, the user-facing admin/edit/view aggregated from their
// system:aggregate-to-* parts, and what every authenticated user may do (discovery, reviews).
import type { ClusterRole, PolicyRule, RoleBinding } from "@skiff/api";
import { RBAC_GROUP } from "@skiff/api";
import { componentClusterRoleBindings, componentClusterRoles } from "./components.js";

const AGG = "rbac.authorization.k8s.io/aggregate-to-";
const read = ["get", "list", "watch"];
const write = ["create", "delete", "deletecollection", "patch", "update"];
const rule = (verbs: string[], apiGroups: string[], resources: string[]): PolicyRule => ({ verbs, apiGroups, resources });
const url = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ verbs, nonResourceURLs });

const role = (name: string, rules: PolicyRule[], labels: Record<string, string> = {}, aggregateFrom?: string): ClusterRole => ({
  apiVersion: `${RBAC_GROUP}/v1`,
  kind: "ClusterRole",
  metadata: {
    name,
    labels: { "kubernetes.io/bootstrapping": "rbac-defaults", ...labels },
    annotations: { "rbac.authorization.kubernetes.io/autoupdate": "true" },
  },
  ...(aggregateFrom ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [`${AGG}${aggregateFrom}`]: "true" } }] } } : { rules }),
});

const bind = (name: string, clusterRole: string, groups: string[]): RoleBinding => ({
  apiVersion: `${RBAC_GROUP}/v1`,
  kind: "ClusterRoleBinding",
  metadata: { name, labels: { "kubernetes.io/bootstrapping": "rbac-defaults" }, annotations: { "rbac.authorization.kubernetes.io/autoupdate": "true" } },
  roleRef: { apiGroup: RBAC_GROUP, kind: "ClusterRole", name: clusterRole },
  subjects: groups.map((g) => ({ kind: "Group" as const, apiGroup: RBAC_GROUP, name: g })),
});

const viewCore = [
  "configmaps",
  "endpoints",
  "persistentvolumeclaims",
  "persistentvolumeclaims/status",
  "pods",
  "replicationcontrollers",
  "replicationcontrollers/scale",
  "serviceaccounts",
  "services",
  "services/status",
  "bindings",
  "events",
  "limitranges",
  "namespaces/status",
  "pods/log",
  "pods/status",
  "replicationcontrollers/status",
  "resourcequotas",
  "resourcequotas/status",
  "namespaces",
];
const editCore = [
  "pods",
  "pods/attach",
  "pods/exec",
  "pods/portforward",
  "pods/proxy",
  "configmaps",
  "endpoints",
  "events",
  "persistentvolumeclaims",
  "replicationcontrollers",
  "replicationcontrollers/scale",
  "secrets",
  "serviceaccounts",
  "services",
  "services/proxy",
];
const apps = [
  "daemonsets",
  "deployments",
  "deployments/rollback",
  "deployments/scale",
  "replicasets",
  "replicasets/scale",
  "statefulsets",
  "statefulsets/scale",
];

/** The default ClusterRoles. */
export const bootstrapClusterRoles: ClusterRole[] = [
  role("cluster-admin", [rule(["*"], ["*"], ["*"]), url(["*"], ["*"])]),
  role("admin", [], {}, "admin"),
  role("edit", [], { [`${AGG}admin`]: "true" }, "edit"),
  role("view", [], { [`${AGG}edit`]: "true" }, "view"),
  role(
    "system:aggregate-to-admin",
    [rule(write.concat(read), [RBAC_GROUP], ["rolebindings", "roles"]), rule(["create"], ["authorization.k8s.io"], ["localsubjectaccessreviews"])],
    { [`${AGG}admin`]: "true" },
  ),
  role(
    "system:aggregate-to-edit",
    [
      rule(write, [""], editCore),
      rule(["create"], [""], ["pods/eviction", "serviceaccounts/token"]),
      rule(["impersonate"], [""], ["serviceaccounts"]),
      rule(read, [""], ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"]),
      rule(write, ["apps"], apps),
      rule(write, ["autoscaling"], ["horizontalpodautoscalers"]),
      rule(write, ["batch"], ["cronjobs", "jobs"]),
      rule(write, ["networking.k8s.io"], ["ingresses", "networkpolicies"]),
      rule(write, ["policy"], ["poddisruptionbudgets"]),
      rule(write, ["discovery.k8s.io"], ["endpointslices"]),
    ],
    { [`${AGG}edit`]: "true" },
  ),
  role(
    "system:aggregate-to-view",
    [
      rule(read, [""], viewCore),
      rule(read, ["apps"], [...apps, "controllerrevisions", "daemonsets/status", "deployments/status", "replicasets/status", "statefulsets/status"]),
      rule(read, ["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"]),
      rule(read, ["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"]),
      rule(read, ["networking.k8s.io"], ["ingresses", "ingresses/status", "networkpolicies"]),
      rule(read, ["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"]),
      rule(read, ["discovery.k8s.io"], ["endpointslices"]),
      rule(read, ["metrics.k8s.io"], ["pods", "nodes"]),
    ],
    { [`${AGG}view`]: "true" },
  ),
  role("system:basic-user", [
    rule(["create"], ["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
    rule(["create"], ["authentication.k8s.io"], ["selfsubjectreviews"]),
  ]),
  role("system:discovery", [
    url(["get"], ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"]),
  ]),
  // Scrapers (Prometheus with a certificate or token in the group system:monitoring) read /metrics.
  role("system:monitoring", [url(["get"], ["/healthz", "/healthz/*", "/livez", "/livez/*", "/metrics", "/metrics/slis", "/readyz", "/readyz/*"])]),
  role("system:public-info-viewer", [url(["get"], ["/healthz", "/livez", "/readyz", "/version", "/version/"])]),
  ...componentClusterRoles,
];

/** The default ClusterRoleBindings. */
export const bootstrapClusterRoleBindings: RoleBinding[] = [
  bind("cluster-admin", "cluster-admin", ["system:masters"]),
  bind("system:basic-user", "system:basic-user", ["system:authenticated"]),
  bind("system:discovery", "system:discovery", ["system:authenticated"]),
  bind("system:monitoring", "system:monitoring", ["system:monitoring"]),
  bind("system:public-info-viewer", "system:public-info-viewer", ["system:authenticated", "system:unauthenticated"]),
  ...componentClusterRoleBindings,
];
