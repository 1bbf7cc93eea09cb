// Routing: Kubernetes' path-matching table (docs: "Examples" under Path types), host rules,
// precedence, merging of several Ingresses, default backends, classes and rewrite-target.
import { describe, expect, it } from "vitest";
import type { Ingress, IngressClass, PathType } from "@skiff/api";
import { RouteTable, servedByUs, wantsHttpsRedirect, normalizeHost } from "./routing.js";

let seq = 0;
function ing(
  name: string,
  rules: { host?: string; paths: [string, PathType, string][] }[],
  extra: Partial<Ingress["spec"]> = {},
  annotations: Record<string, string> = {},
): Ingress {
  seq++;
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name, namespace: "default", annotations, creationTimestamp: `2026-01-01T00:00:${String(seq).padStart(2, "0")}Z` },
    spec: {
      rules: rules.map((r) => ({
        host: r.host,
        http: { paths: r.paths.map(([path, pathType, svc]) => ({ path, pathType, backend: { service: { name: svc, port: { number: 80 } } } })) },
      })),
      ...extra,
    },
  };
}
const svcOf = (t: RouteTable, host: string | undefined, path: string) => t.match(host, path)?.backend?.service;

describe("Kubernetes' path matching table", () => {
  // [pathType, rule paths, request path, matches?]; each rule path routes to a service named after it.
  const table: [PathType | "Mixed", string[], string, boolean][] = [
    ["Prefix", ["/"], "/anything/at/all", true],
    ["Exact", ["/foo"], "/foo", true],
    ["Exact", ["/foo"], "/bar", false],
    ["Exact", ["/foo"], "/foo/", false],
    ["Exact", ["/foo/"], "/foo", false],
    ["Prefix", ["/foo"], "/foo", true],
    ["Prefix", ["/foo"], "/foo/", true],
    ["Prefix", ["/foo/"], "/foo", true],
    ["Prefix", ["/foo/"], "/foo/", true],
    ["Prefix", ["/aaa/bb"], "/aaa/bbb", false],
    ["Prefix", ["/aaa/bbb"], "/aaa/bbb", true],
    ["Prefix", ["/aaa/bbb/"], "/aaa/bbb", true],
    ["Prefix", ["/aaa/bbb"], "/aaa/bbb/", true],
    ["Prefix", ["/aaa/bbb"], "/aaa/bbb/ccc", true],
    ["Prefix", ["/aaa/bbb"], "/aaa/bbbxyz", false],
    ["Prefix", ["/", "/aaa"], "/aaa/ccc", true],
    ["Prefix", ["/", "/aaa", "/aaa/bbb"], "/aaa/bbb", true],
    ["Prefix", ["/", "/aaa", "/aaa/bbb"], "/ccc", true],
    ["Prefix", ["/aaa"], "/ccc", false],
    ["ImplementationSpecific", ["/foo"], "/foo/bar", true],
    ["ImplementationSpecific", ["/foo"], "/foobar", false],
  ];
  it.each(table)("%s %j, request %s → match %s", (type, paths, req, matches) => {
    const t = new RouteTable([ing("i", [{ paths: paths.map((p) => [p, type as PathType, `svc${p.replace(/\//g, "-")}`]) }])]);
    const got = svcOf(t, "x.example.com", req);
    if (!matches) return expect(got).toBeUndefined();
    // The longest matching rule path wins.
    const best = paths
      .filter((p) => p === "/" || req === p.replace(/\/$/, "") || req.startsWith(p.replace(/\/$/, "") + "/") || req === p)
      .sort((a, b) => b.length - a.length)[0];
    expect(got).toBe(`svc${best.replace(/\//g, "-")}`);
  });

  it("prefers Exact over Prefix for the same path (Mixed)", () => {
    const t = new RouteTable([
      ing("i", [
        {
          paths: [
            ["/foo", "Prefix", "prefix"],
            ["/foo", "Exact", "exact"],
          ],
        },
      ]),
    ]);
    expect(svcOf(t, undefined, "/foo")).toBe("exact");
    expect(svcOf(t, undefined, "/foo/x")).toBe("prefix");
  });
});

describe("hosts", () => {
  const t = new RouteTable([
    ing("a", [
      { host: "foo.bar.com", paths: [["/", "Prefix", "exact-host"]] },
      { host: "*.bar.com", paths: [["/", "Prefix", "wild"]] },
      { paths: [["/", "Prefix", "any"]] },
    ]),
  ]);
  it("matches exact hosts case-insensitively, ignoring the port", () => {
    expect(svcOf(t, "FOO.bar.com:8080", "/")).toBe("exact-host");
    expect(normalizeHost("Foo.Bar.com.")).toBe("foo.bar.com");
  });
  it("matches a wildcard for exactly one label", () => {
    expect(svcOf(t, "baz.bar.com", "/")).toBe("wild");
    expect(svcOf(t, "baz.foo.bar.com", "/")).toBe("any");
    expect(svcOf(t, "bar.com", "/")).toBe("any");
  });
  it("sends other hosts to the rules without a host", () => {
    expect(svcOf(t, "other.org", "/x")).toBe("any");
  });
});

describe("several Ingresses and defaults", () => {
  it("merges rules of several Ingresses for one host; the older wins a conflict, reported", () => {
    const a = ing("a", [{ host: "h.com", paths: [["/api", "Prefix", "api"]] }]);
    const b = ing("b", [
      {
        host: "h.com",
        paths: [
          ["/web", "Prefix", "web"],
          ["/api/", "Prefix", "api2"],
        ],
      },
    ]);
    const t = new RouteTable([b, a]);
    expect(svcOf(t, "h.com", "/api/x")).toBe("api");
    expect(svcOf(t, "h.com", "/web")).toBe("web");
    expect(t.problems).toEqual([expect.objectContaining({ ingress: "default/b", reason: "Conflict" })]);
  });
  it("uses the host's Ingress default backend, then the oldest default, else nothing (404)", () => {
    const withDef = ing("d", [{ host: "h.com", paths: [["/a", "Exact", "a"]] }], { defaultBackend: { service: { name: "hdef", port: { number: 80 } } } });
    const global = ing("g", [], { defaultBackend: { service: { name: "gdef", port: { name: "http" } } } });
    const t = new RouteTable([global, withDef]);
    expect(svcOf(t, "h.com", "/b")).toBe("hdef");
    expect(svcOf(t, "other.com", "/b")).toBe("hdef");
    expect(new RouteTable([ing("x", [{ host: "h.com", paths: [["/a", "Exact", "a"]] }])]).match("h.com", "/b")).toBeUndefined();
    const onlyGlobal = new RouteTable([ing("g2", [], { defaultBackend: { service: { name: "gdef", port: { name: "http" } } } })]);
    expect(onlyGlobal.match("any.com", "/")?.backend).toEqual({ namespace: "default", service: "gdef", port: { name: "http" } });
  });
  it("reports resource backends as unsupported", () => {
    const t = new RouteTable([{ ...ing("r", []), spec: { defaultBackend: { resource: { kind: "StorageBucket", name: "b" } } } }]);
    expect(t.problems[0].reason).toBe("UnsupportedBackend");
  });
});

describe("classes", () => {
  const ours: IngressClass = {
    apiVersion: "networking.k8s.io/v1",
    kind: "IngressClass",
    metadata: { name: "skiff", annotations: { "ingressclass.kubernetes.io/is-default-class": "true" } },
    spec: { controller: "skiff.dev/ingress" },
  };
  const other: IngressClass = {
    apiVersion: "networking.k8s.io/v1",
    kind: "IngressClass",
    metadata: { name: "nginx" },
    spec: { controller: "k8s.io/ingress-nginx" },
  };
  it("serves its class and class-less Ingresses when default; ignores other classes", () => {
    const i = ing("i", []);
    expect(servedByUs(i, [ours, other])).toBe(true);
    expect(servedByUs({ ...i, spec: { ingressClassName: "skiff" } }, [ours, other])).toBe(true);
    expect(servedByUs({ ...i, spec: { ingressClassName: "nginx" } }, [ours, other])).toBe(false);
    expect(servedByUs({ ...i, metadata: { ...i.metadata, annotations: { "kubernetes.io/ingress.class": "nginx" } } }, [ours, other])).toBe(false);
    expect(servedByUs(i, [{ ...ours, metadata: { name: "skiff" } }])).toBe(false);
  });
});

describe("annotations", () => {
  it("rewrite-target with capture groups (use-regex implied)", () => {
    const t = new RouteTable([
      ing(
        "rw",
        [{ host: "r.com", paths: [["/something(/|$)(.*)", "ImplementationSpecific", "s"]] }],
        {},
        { "nginx.ingress.kubernetes.io/rewrite-target": "/$2", "nginx.ingress.kubernetes.io/use-regex": "true" },
      ),
    ]);
    expect(t.match("r.com", "/something/new")?.upstreamPath).toBe("/new");
    expect(t.match("r.com", "/something")?.upstreamPath).toBe("/");
    expect(t.match("r.com", "/SOMETHING/x")?.upstreamPath).toBe("/x");
    expect(t.match("r.com", "/other")).toBeUndefined();
  });
  it("rewrite-target without groups replaces the whole path", () => {
    const t = new RouteTable([ing("rw", [{ paths: [["/app", "Prefix", "s"]] }], {}, { "nginx.ingress.kubernetes.io/rewrite-target": "/" })]);
    expect(t.match("a", "/app/x")?.upstreamPath).toBe("/");
  });
  it("redirects TLS hosts to https unless ssl-redirect is false; force-ssl-redirect for others", () => {
    const tls = ing("t", [{ host: "s.com", paths: [["/", "Prefix", "s"]] }], { tls: [{ hosts: ["s.com"], secretName: "s-tls" }] });
    const off = ing(
      "o",
      [{ host: "o.com", paths: [["/", "Prefix", "o"]] }],
      { tls: [{ hosts: ["o.com"], secretName: "o-tls" }] },
      { "nginx.ingress.kubernetes.io/ssl-redirect": "false" },
    );
    const force = ing("f", [{ host: "f.com", paths: [["/", "Prefix", "f"]] }], {}, { "nginx.ingress.kubernetes.io/force-ssl-redirect": "true" });
    const t = new RouteTable([tls, off, force]);
    expect(wantsHttpsRedirect(t, "s.com", t.match("s.com", "/"))).toBe(true);
    expect(wantsHttpsRedirect(t, "o.com", t.match("o.com", "/"))).toBe(false);
    expect(wantsHttpsRedirect(t, "f.com", t.match("f.com", "/"))).toBe(true);
    expect(t.tlsFor("S.COM")).toEqual({ ingress: "default/t", namespace: "default", secretName: "s-tls" });
  });
  it("parses proxy-body-size, timeouts and backend-protocol; reports bad values", () => {
    const t = new RouteTable([
      ing(
        "a",
        [{ paths: [["/", "Prefix", "s"]] }],
        {},
        {
          "nginx.ingress.kubernetes.io/proxy-body-size": "8m",
          "nginx.ingress.kubernetes.io/proxy-read-timeout": "5",
          "nginx.ingress.kubernetes.io/backend-protocol": "HTTPS",
          "nginx.ingress.kubernetes.io/ssl-redirect": "maybe",
        },
      ),
    ]);
    const o = t.match("x", "/")!.options;
    expect(o).toMatchObject({ bodyLimit: 8 * 1024 * 1024, readTimeoutMs: 5000, backendProtocol: "HTTPS", sslRedirect: true });
    expect(t.problems.map((p) => p.message)).toEqual([expect.stringContaining("ssl-redirect")]);
  });
});
