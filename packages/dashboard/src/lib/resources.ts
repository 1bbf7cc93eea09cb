// The kinds the dashboard shows, and the API paths of their collections and objects.

/** One kind of object. */
export interface Res {
  resource: string;
  kind: string;
  group: string;
  version: string;
  namespaced: boolean;
}

const r = (resource: string, kind: string, group: string, version: string, namespaced = true): Res => ({ resource, kind, group, version, namespaced });

export const RES = {
  pods: r("pods", "Pod", "", "v1"),
  nodes: r("nodes", "Node", "", "v1", false),
  namespaces: r("namespaces", "Namespace", "", "v1", false),
  services: r("services", "Service", "", "v1"),
  endpoints: r("endpoints", "Endpoints", "", "v1"),
  events: r("events", "Event", "", "v1"),
  configmaps: r("configmaps", "ConfigMap", "", "v1"),
  secrets: r("secrets", "Secret", "", "v1"),
  persistentvolumes: r("persistentvolumes", "PersistentVolume", "", "v1", false),
  persistentvolumeclaims: r("persistentvolumeclaims", "PersistentVolumeClaim", "", "v1"),
  deployments: r("deployments", "Deployment", "apps", "v1"),
  replicasets: r("replicasets", "ReplicaSet", "apps", "v1"),
  statefulsets: r("statefulsets", "StatefulSet", "apps", "v1"),
  daemonsets: r("daemonsets", "DaemonSet", "apps", "v1"),
  jobs: r("jobs", "Job", "batch", "v1"),
  cronjobs: r("cronjobs", "CronJob", "batch", "v1"),
  ingresses: r("ingresses", "Ingress", "networking.k8s.io", "v1"),
  storageclasses: r("storageclasses", "StorageClass", "storage.k8s.io", "v1", false),
} satisfies Record<string, Res>;

export type ResName = keyof typeof RES;

/** The path of a collection (all namespaces when ns is empty) or, with a name, of one object. */
export function apiPath(res: Res, ns?: string, name?: string): string {
  const base = res.group ? `/apis/${res.group}/${res.version}` : `/api/${res.version}`;
  const scoped = res.namespaced && ns ? `${base}/namespaces/${encodeURIComponent(ns)}` : base;
  return `${scoped}/${res.resource}${name ? `/${encodeURIComponent(name)}` : ""}`;
}

/** The resource of a kind (for created or linked objects). */
export function resOfKind(kind: string): Res | undefined {
  return Object.values(RES).find((x) => x.kind === kind);
}
