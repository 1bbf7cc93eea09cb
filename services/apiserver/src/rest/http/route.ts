// Parses Kubernetes resource URLs into their parts: /api/v1/namespaces/ns/pods/name/status,
// /apis/apps/v1/deployments, the deprecated /watch/ prefix, and namespace subresources.

/** The parts of a resource URL. */
export interface ResourcePath {
  group: string;
  version: string;
  /** Namespace from the path (undefined for cluster-wide paths). */
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
  /** True for the old /api/v1/watch/... form. */
  watchPrefix: boolean;
}

/** Splits a path like /api/v1/namespaces/default/pods/x into its parts; undefined if not a resource path. */
export function parseResourcePath(pathname: string): ResourcePath | undefined {
  const segs = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  let group: string, version: string, rest: string[];
  if (segs[0] === "api" && segs.length >= 3) {
    group = "";
    version = segs[1];
    rest = segs.slice(2);
  } else if (segs[0] === "apis" && segs.length >= 4) {
    group = segs[1];
    version = segs[2];
    rest = segs.slice(3);
  } else return undefined;
  let watchPrefix = false;
  if (rest[0] === "watch") {
    watchPrefix = true;
    rest = rest.slice(1);
  }
  if (rest.length === 0) return undefined;
  let namespace: string | undefined;
  // namespaces/{ns}/{resource}/… is a namespaced path, except namespaces/{name}/status|finalize,
  // which are subresources of the Namespace itself.
  if (rest[0] === "namespaces" && rest.length >= 3 && !(rest.length === 3 && (rest[2] === "status" || rest[2] === "finalize"))) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  if (rest.length > 3) return undefined;
  return { group, version, namespace, resource: rest[0], name: rest[1], subresource: rest[2], watchPrefix };
}
