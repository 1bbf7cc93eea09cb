// Deep links: the location hash names the view and the object (#/pods/default/web-1/logs), so
// every object has a URL a user can share (the namespace filter is remembered separately).

export interface Route {
  view: string;
  ns?: string;
  name?: string;
  tab?: string;
}

/** Parses a location hash. */
export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("?")[0].split("/").filter(Boolean).map(decodeURIComponent);
  const [view = "overview", a, b, c] = parts;
  if (view === "nodes" || view === "persistentvolumes" || view === "storageclasses" || view === "namespaces") return { view, name: a, tab: b };
  return { view, ns: a, name: b, tab: c };
}

/** The hash of a route. */
export function formatRoute(r: Route): string {
  const parts = [r.view, ...(r.ns !== undefined ? [r.ns] : []), ...(r.name ? [r.name] : []), ...(r.tab ? [r.tab] : [])];
  return `#/${parts.map(encodeURIComponent).join("/")}`;
}
