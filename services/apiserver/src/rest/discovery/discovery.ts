// Discovery documents generated from the ResourceRegistry: /version, /api, /api/v1, /apis,
// /apis/<group>, /apis/<group>/<version> (the legacy, non-aggregated forms kubectl falls back to).
import { apiVersionOf, type ResourceInfo, type ResourceRegistry } from "@skiff/api";

/** The Kubernetes version Skiff reports (the API surface it follows). */
export const kubeVersion = {
  major: "1",
  minor: "32",
  gitVersion: "v1.32.0-skiff",
  gitCommit: "skiff",
  gitTreeState: "clean",
  buildDate: "2025-01-01T00:00:00Z",
  goVersion: "node",
  compiler: "tsc",
  platform: `${process.platform}/${process.arch}`,
};

const allVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

/** One entry of an APIResourceList. */
export interface ApiResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
}

/** The resource and its subresources as discovery lists them. */
export function apiResourcesOf(r: ResourceInfo): ApiResource[] {
  const categories = r.categories?.length ? r.categories : undefined;
  const out: ApiResource[] = [
    {
      name: r.resource,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs ?? allVerbs,
      ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
      ...(categories ? { categories } : {}),
    },
  ];
  const sub = (name: string, kind: string, verbs: string[], gv?: { group: string; version: string }) =>
    out.push({ name: `${r.resource}/${name}`, singularName: "", namespaced: r.namespaced, kind, verbs, ...(gv ?? {}) });
  if (r.hasStatus) sub("status", r.kind, ["get", "patch", "update"]);
  if (r.scale) sub("scale", "Scale", ["get", "patch", "update"], { group: "autoscaling", version: "v1" });
  if (r.resource === "serviceaccounts" && r.group === "") sub("token", "TokenRequest", ["create"], { group: "authentication.k8s.io", version: "v1" });
  if (r.resource === "pods" && r.group === "") {
    sub("binding", "Binding", ["create"]);
    sub("eviction", "Eviction", ["create"], { group: "policy", version: "v1" });
    sub("log", "Pod", ["get"]);
    sub("exec", "PodExecOptions", ["create", "get"]);
    sub("attach", "PodAttachOptions", ["create", "get"]);
    sub("portforward", "PodPortForwardOptions", ["create", "get"]);
  }
  return out;
}

/** The group/versions served, core first, in registry order. */
export function groupVersions(reg: ResourceRegistry): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of reg.served) seen.set(apiVersionOf(r), { group: r.group, version: r.version });
  return [...seen.values()];
}

/** GET /api */
export function apiVersions(serverAddress: string) {
  return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }] };
}

function groupDoc(group: string, versions: string[]) {
  const vs = versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { name: group, versions: vs, preferredVersion: vs[0] };
}

/** GET /apis */
export function apiGroupList(reg: ResourceRegistry) {
  const byGroup = new Map<string, string[]>();
  for (const gv of groupVersions(reg)) {
    if (!gv.group) continue;
    byGroup.set(gv.group, [...(byGroup.get(gv.group) ?? []), gv.version]);
  }
  return { kind: "APIGroupList", apiVersion: "v1", groups: [...byGroup].map(([g, vs]) => groupDoc(g, vs)) };
}

/** GET /apis/<group>; undefined when the group is not served. */
export function apiGroup(reg: ResourceRegistry, group: string) {
  const vs = [...new Set(reg.served.filter((r) => r.group === group).map((r) => r.version))];
  return vs.length ? { kind: "APIGroup", apiVersion: "v1", ...groupDoc(group, vs) } : undefined;
}

/** GET /api/v1 or /apis/<group>/<version>; undefined when not served. */
export function apiResourceList(reg: ResourceRegistry, group: string, version: string) {
  const rs = reg.served.filter((r) => r.group === group && r.version === version);
  if (!rs.length) return undefined;
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: group ? `${group}/${version}` : version, resources: rs.flatMap(apiResourcesOf) };
}
