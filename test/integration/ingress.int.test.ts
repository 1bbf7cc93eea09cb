// The built-in Ingress controller end to end on one real node: pods behind real Services,
// requests from the host to the controller's LoadBalancer address (kube-system/skiff-ingress,
// ports 80/443 through the node's proxy). Host and path routing, wildcard hosts, merged
// Ingresses, default backend and the built-in 404, TLS by SNI (the served certificate checked
// with a TLS client) with Secret rotation and the fallback certificate, HTTP/2, redirect,
// rewrite-target, the client's address through the node proxy (PROXY protocol), a WebSocket
// echo, a not-ready backend leaving rotation, 503 for a missing
// Service, status addresses and `kubectl get ingress`, and validation at the API.
import { execFileSync } from "node:child_process";
import { request } from "node:http";
import { connect as tlsConnect } from "node:tls";
import { connect as h2connect } from "node:http2";
import { createServer } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { waitFor } from "@skiff/client";
import type { Deployment, EndpointSlice, Event, Ingress, IngressClass, Pod, Secret, Service } from "@skiff/api";
import { TestCluster } from "../harness/cluster.js";
import { DEFAULT_CERT_CN } from "../../services/ingress/src/tls/certs.js";
import { echoPod, setGate, service, ingress, http, servedCN, tlsSecret } from "./ingress-fixtures.js";

describe("the ingress controller", () => {
  const cluster = new TestCluster({ nodes: 1 });
  let lb = "";
  const get = (host: string, path: string) => http(lb, 80, host, path);

  beforeAll(async () => {
    await cluster.start();
    const { client } = cluster;
    for (const [pod, app] of [
      ["alpha-1", "alpha"],
      ["alpha-2", "alpha"],
      ["beta-1", "beta"],
    ])
      await client.create("pods", echoPod(pod, app));
    await client.create("services", service("alpha", "alpha"));
    await client.create("services", service("beta", "beta"));
    await waitFor(
      async () => (await client.list<Pod>("pods", { namespace: "default" })).items.every((p) => p.status?.phase === "Running"),
      90_000,
      "echo pods to run",
    );
    for (const p of ["alpha-1", "alpha-2", "beta-1"]) await setGate(cluster.client, p, "True");
    const svc = await waitFor(
      async () => {
        const s = await client.get<Service>("services", "skiff-ingress", "kube-system").catch(() => undefined);
        return s?.status?.loadBalancer?.ingress?.[0]?.ip ? s : undefined;
      },
      30_000,
      "the controller's LoadBalancer Service",
    );
    lb = svc.status!.loadBalancer!.ingress![0].ip!;
  }, 180_000);

  afterAll(async () => {
    await cluster.stop();
  }, 60_000);

  it("creates the default IngressClass skiff and serves on a pool address", async () => {
    const c = await cluster.client.get<IngressClass>("ingressclasses", "skiff");
    expect(c.spec.controller).toBe("skiff.dev/ingress");
    expect(c.metadata.annotations?.["ingressclass.kubernetes.io/is-default-class"]).toBe("true");
    expect(lb.split(".").slice(0, 3).join(".")).toBe(cluster.loadBalancerRange.split(".").slice(0, 3).join("."));
    // 503 "starting" until the controller's informers have synced.
    const r = await waitFor(
      () =>
        get("nothing.example.com", "/").then(
          (x) => (x.status === 503 ? undefined : x),
          () => undefined,
        ),
      20_000,
      "the controller to answer on the LB address",
    );
    expect(r.status).toBe(404);
    expect(r.body).toContain('no Ingress rule matches host "nothing.example.com"');
  });

  it("routes by host and path type, with wildcards and merged Ingresses; sets status; kubectl prints it", async () => {
    const { client } = cluster;
    await client.create(
      "ingresses",
      ingress("routes", [
        {
          host: "a.example.com",
          paths: [
            ["/exact", "Exact", "alpha"],
            ["/", "Prefix", "beta"],
            ["/api", "Prefix", "alpha"],
          ],
        },
        { host: "*.wild.example.com", paths: [["/", "ImplementationSpecific", "alpha"]] },
      ]),
    );
    await client.create("ingresses", ingress("routes-more", [{ host: "A.example.com".toLowerCase(), paths: [["/two", "Prefix", "alpha"]] }]));
    const who = async (host: string, path: string) => (await get(host, path)).body.split(" ")[0];
    await waitFor(async () => (await get("a.example.com", "/api/x")).status === 200, 20_000, "the first Ingress to route");
    expect(await who("a.example.com", "/exact")).toMatch(/^alpha-/);
    expect(await who("a.example.com", "/exact/")).toBe("beta-1");
    expect(await who("A.EXAMPLE.COM", "/api")).toMatch(/^alpha-/);
    expect(await who("a.example.com", "/apix")).toBe("beta-1");
    expect(await who("a.example.com", "/api/v1/things")).toMatch(/^alpha-/);
    expect(
      await waitFor(
        async () => {
          const w = await who("a.example.com", "/two/x");
          return w.startsWith("alpha-") ? w : undefined;
        },
        10_000,
        "the merged Ingress",
      ),
    ).toMatch(/^alpha-/);
    expect(await who("x.wild.example.com", "/z")).toMatch(/^alpha-/);
    expect((await get("y.x.wild.example.com", "/z")).status).toBe(404);
    const r = await get("a.example.com", "/api/echo?q=1");
    expect(r.body).toMatch(/^alpha-\d \/api\/echo\?q=1 host=a\.example\.com proto=http$/);
    // Both alpha pods take turns.
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add(await who("a.example.com", "/api"));
    expect(seen).toEqual(new Set(["alpha-1", "alpha-2"]));
    const ing = await waitFor(
      async () => {
        const i = await client.get<Ingress>("ingresses", "routes", "default");
        return i.status?.loadBalancer?.ingress?.[0]?.ip ? i : undefined;
      },
      15_000,
      "the Ingress status address",
    );
    expect(ing.status!.loadBalancer!.ingress![0].ip).toBe(lb);
    const out = execFileSync("kubectl", ["--kubeconfig", await cluster.kubeconfigPath(), "get", "ingress", "routes"], { encoding: "utf8" });
    const [head, row] = out.trim().split("\n");
    expect(head.split(/\s+/)).toEqual(["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"]);
    // The Ingress named no class: admission gave it the default one (DefaultIngressClass).
    expect(row.split(/\s+/).slice(0, 5)).toEqual(["routes", "skiff", "a.example.com,*.wild.example.com", lb, "80"]);
    const described = execFileSync("kubectl", ["--kubeconfig", await cluster.kubeconfigPath(), "describe", "ingress", "routes"], { encoding: "utf8" });
    expect(described).toMatch(/a\.example\.com\s+\n?\s*\/exact\s+alpha:80/);
  });

  it("sends unmatched requests to the default backend once one is set", async () => {
    expect((await get("unknown.example.com", "/")).status).toBe(404);
    await cluster.client.create("ingresses", {
      ...ingress("fallback", []),
      spec: { defaultBackend: { service: { name: "beta", port: { name: "http" } } } },
    } as Ingress);
    const r = await waitFor(
      async () => {
        const x = await get("unknown.example.com", "/q");
        return x.status === 200 ? x : undefined;
      },
      10_000,
      "the default backend",
    );
    expect(r.body).toMatch(/^beta-1 \/q /);
  });

  it("serves TLS by SNI from Secrets, rotates without dropping connections, falls back and redirects", async () => {
    const { client } = cluster;
    await client.create("secrets", tlsSecret("tls-a", "tls-a.example.com"));
    await client.create("secrets", tlsSecret("tls-b", "tls-b.example.com"));
    await client.create("secrets", {
      ...tlsSecret("tls-bad", "x"),
      data: { "tls.crt": Buffer.from("not a certificate").toString("base64"), "tls.key": Buffer.from("nor a key").toString("base64") },
    });
    await client.create(
      "ingresses",
      ingress(
        "secure",
        [
          { host: "tls-a.example.com", paths: [["/", "Prefix", "alpha"]] },
          { host: "tls-b.example.com", paths: [["/", "Prefix", "beta"]] },
          { host: "tls-missing.example.com", paths: [["/", "Prefix", "beta"]] },
          { host: "tls-bad.example.com", paths: [["/", "Prefix", "beta"]] },
        ],
        {
          tls: [
            { hosts: ["tls-a.example.com"], secretName: "tls-a" },
            { hosts: ["tls-b.example.com"], secretName: "tls-b" },
            { hosts: ["tls-missing.example.com"], secretName: "nope" },
            { hosts: ["tls-bad.example.com"], secretName: "tls-bad" },
          ],
        },
      ),
    );
    await waitFor(async () => (await servedCN(lb, "tls-a.example.com")) === "tls-a.example.com", 10_000, "the certificate of tls-a");
    expect(await servedCN(lb, "tls-b.example.com")).toBe("tls-b.example.com");
    expect(await servedCN(lb, "other.example.com")).toBe(DEFAULT_CERT_CN);
    expect(await servedCN(lb, "tls-missing.example.com")).toBe(DEFAULT_CERT_CN);
    const ev = await waitFor(
      async () =>
        (await client.list<Event>("events", { namespace: "default" })).items.find((e) => e.involvedObject.name === "secure" && e.reason === "MissingTLSSecret"),
      10_000,
      "a MissingTLSSecret event",
    );
    expect(ev.message).toContain("default/nope");
    expect(await servedCN(lb, "tls-bad.example.com")).toBe(DEFAULT_CERT_CN);
    await waitFor(
      async () =>
        (await client.list<Event>("events", { namespace: "default" })).items.some(
          (e) => e.involvedObject.name === "secure" && e.reason === "InvalidTLSSecret" && e.message?.includes("default/tls-bad"),
        ),
      10_000,
      "an InvalidTLSSecret event",
    );
    // Plain HTTP to a TLS host is redirected.
    const red = await get("tls-a.example.com", "/path?x=1");
    expect(red.status).toBe(308);
    expect(red.headers.location).toBe("https://tls-a.example.com/path?x=1");
    // HTTP/2 over TLS (ALPN h2), on a session that stays open across the Secret's rotation.
    const session = h2connect(`https://${lb}:443`, { servername: "tls-a.example.com", rejectUnauthorized: false });
    const h2get = (path: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const s = session.request({ ":path": path, ":authority": "tls-a.example.com" });
        let body = "",
          status = 0;
        s.on("response", (h) => (status = Number(h[":status"])));
        s.on("data", (d) => (body += d));
        s.on("end", () => resolve({ status, body: body.trim() }));
        s.on("error", reject);
      });
    const first = await h2get("/h2");
    expect(first.status).toBe(200);
    expect(first.body).toMatch(/^alpha-\d \/h2 host=tls-a\.example\.com proto=https$/);
    expect(session.alpnProtocol).toBe("h2");
    const cur = await client.get<Secret>("secrets", "tls-a", "default");
    await client.update("secrets", { ...tlsSecret("tls-a", "tls-a-rotated.example.com"), metadata: cur.metadata });
    await waitFor(async () => (await servedCN(lb, "tls-a.example.com")) === "tls-a-rotated.example.com", 10_000, "the rotated certificate");
    const after = await h2get("/still-open");
    expect(after.status).toBe(200);
    session.close();
  });

  it("passes the client's address through the node proxy (PROXY protocol): X-Forwarded-For and X-Real-IP over HTTP, HTTPS and HTTP/2", async () => {
    const { client } = cluster;
    await client.create("pods", echoPod("addr-1", "addr", true));
    await client.create("services", service("addr", "addr"));
    await client.create("secrets", tlsSecret("tls-addr", "addr.example.com"));
    await client.create(
      "ingresses",
      ingress(
        "addr",
        [{ host: "addr.example.com", paths: [["/", "Prefix", "addr"]] }],
        { tls: [{ hosts: ["addr.example.com"], secretName: "tls-addr" }] },
        { "nginx.ingress.kubernetes.io/ssl-redirect": "false" },
      ),
    );
    await waitFor(async () => (await client.get<Pod>("pods", "addr-1", "default")).status?.phase === "Running", 90_000, "the addr pod to run");
    await setGate(cluster.client, "addr-1", "True");
    // The address this host's socket used towards the LoadBalancer address is what the client is.
    const viaHttp = await waitFor(
      () =>
        new Promise<{ body: string; local: string } | undefined>((resolve) => {
          const req = request({ host: lb, port: 80, path: "/who", headers: { host: "addr.example.com" }, agent: false }, (res) => {
            let body = "";
            res.on("data", (d) => (body += d));
            res.on("end", () => resolve(res.statusCode === 200 ? { body: body.trim(), local: req.socket!.localAddress! } : undefined));
          });
          req.on("error", () => resolve(undefined));
          req.end();
        }),
      20_000,
      "the addr backend over HTTP",
    );
    expect(viaHttp.local).not.toMatch(/^127\./);
    expect(viaHttp.body).toBe(`addr-1 /who host=addr.example.com proto=http xff=${viaHttp.local} real=${viaHttp.local}`);
    const viaHttps = await new Promise<{ body: string; local: string }>((resolve, reject) => {
      const s = tlsConnect({ host: lb, port: 443, servername: "addr.example.com", rejectUnauthorized: false, ALPNProtocols: ["http/1.1"] }, () =>
        s.write("GET /tls HTTP/1.1\r\nHost: addr.example.com\r\nConnection: close\r\n\r\n"),
      );
      let out = "";
      s.on("data", (d) => (out += d));
      s.on("end", () => resolve({ body: out.split("\r\n\r\n").slice(1).join("").trim(), local: s.localAddress! }));
      s.on("error", reject);
    });
    expect(viaHttps.body).toBe(`addr-1 /tls host=addr.example.com proto=https xff=${viaHttps.local} real=${viaHttps.local}`);
    const session = h2connect(`https://${lb}:443`, { servername: "addr.example.com", rejectUnauthorized: false });
    const h2body = await new Promise<string>((resolve, reject) => {
      const st = session.request({ ":path": "/h2", ":authority": "addr.example.com" });
      let body = "";
      st.on("data", (d) => (body += d));
      st.on("end", () => resolve(body.trim()));
      st.on("error", reject);
    });
    const h2local = session.socket.localAddress;
    session.close();
    expect(h2body).toBe(`addr-1 /h2 host=addr.example.com proto=https xff=${h2local} real=${h2local}`);
  }, 150_000);

  it("rewrites paths with rewrite-target and capture groups", async () => {
    await cluster.client.create(
      "ingresses",
      ingress(
        "rewrite",
        [{ host: "rw.example.com", paths: [["/something(/|$)(.*)", "ImplementationSpecific", "beta"]] }],
        {},
        {
          "nginx.ingress.kubernetes.io/use-regex": "true",
          "nginx.ingress.kubernetes.io/rewrite-target": "/$2",
        },
      ),
    );
    // Until the new Ingress is served, the default backend (beta too, set by an earlier test)
    // answers this host unrewritten: wait for the rewrite itself, not for any 200.
    const r = await waitFor(
      async () => {
        const x = await get("rw.example.com", "/something/new/page");
        return x.status === 200 && !x.body.includes("/something") ? x : undefined;
      },
      10_000,
      "the rewrite Ingress",
    );
    expect(r.body).toMatch(/^beta-1 \/new\/page /);
    expect((await get("rw.example.com", "/something")).body).toMatch(/^beta-1 \/ /);
  });

  it("passes WebSocket upgrades through (echo)", async () => {
    // A WebSocket echo server in the test process, as the endpoint of a selector-less Service.
    const server = createServer();
    const wss = new WebSocketServer({ server });
    wss.on("connection", (ws, req) => ws.on("message", (m) => ws.send(`echo(${req.headers["x-forwarded-host"]}): ${m.toString()}`)));
    const port = await new Promise<number>((r) => server.listen(0, "127.0.0.1", () => r((server.address() as { port: number }).port)));
    try {
      await cluster.client.create("services", service("ws"));
      await cluster.client.create<EndpointSlice>("endpointslices", {
        apiVersion: "discovery.k8s.io/v1",
        kind: "EndpointSlice",
        metadata: { name: "ws-1", namespace: "default", labels: { "kubernetes.io/service-name": "ws" } },
        addressType: "IPv4",
        ports: [{ name: "http", port, protocol: "TCP" }],
        endpoints: [{ addresses: ["127.0.0.1"], conditions: { ready: true } }],
      });
      await cluster.client.create("ingresses", ingress("ws", [{ host: "ws.example.com", paths: [["/", "Prefix", "ws"]] }]));
      const reply = await waitFor(
        () =>
          new Promise<string | undefined>((resolve) => {
            const ws = new WebSocket(`ws://${lb}/chat`, { headers: { host: "ws.example.com" } });
            ws.on("open", () => ws.send("hello"));
            ws.on("message", (m) => {
              resolve(m.toString());
              ws.close();
            });
            ws.on("error", () => resolve(undefined));
            ws.on("unexpected-response", () => resolve(undefined));
          }),
        10_000,
        "a WebSocket echo through the controller",
      );
      expect(reply).toBe("echo(ws.example.com): hello");
    } finally {
      wss.close();
      server.close();
    }
  });

  it("takes a backend out of rotation when its pod turns not ready", async () => {
    const who = async () => (await get("a.example.com", "/api")).body.split(" ")[0];
    const t0 = Date.now();
    await setGate(cluster.client, "alpha-2", "False");
    await waitFor(
      async () => {
        for (let i = 0; i < 4; i++) if ((await who()) !== "alpha-1") return false;
        return true;
      },
      10_000,
      "alpha-2 to leave rotation",
    );
    console.log(`not-ready pod out of the controller's rotation after ${Date.now() - t0} ms (including 4 checking requests)`);
    for (let i = 0; i < 10; i++) expect(await who()).toBe("alpha-1");
    await setGate(cluster.client, "alpha-2", "True");
  });

  it("keeps answering through a rolling update of the backend Deployment (0 failed requests)", async () => {
    const { client } = cluster;
    const template = (version: string) => {
      const pod = echoPod("gamma", "gamma");
      delete pod.spec.readinessGates;
      pod.spec.containers[0].env = [{ name: "VERSION", value: version }];
      return { metadata: { labels: { app: "gamma" } }, spec: pod.spec };
    };
    await client.create<Deployment>("deployments", {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "gamma", namespace: "default" },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "gamma" } },
        template: template("1"),
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      },
    } as Deployment);
    await client.create("services", service("gamma", "gamma"));
    await client.create("ingresses", ingress("gamma", [{ host: "gamma.example.com", paths: [["/", "Prefix", "gamma"]] }]));
    // gamma itself, not the default backend (set by an earlier test), which answers any host until
    // gamma's Ingress is served: until then the loop below would meet gamma's pods not yet ready.
    await waitFor(
      async () => {
        const r = await get("gamma.example.com", "/");
        return r.status === 200 && r.body.startsWith("gamma ");
      },
      60_000,
      "the gamma Deployment to serve",
    );
    const before = new Set((await client.list<Pod>("pods", { namespace: "default", labelSelector: "app=gamma" })).items.map((p) => p.metadata.name));
    let stop = false,
      ok = 0;
    const failures: string[] = [];
    // What the cluster showed meanwhile (printed with any failure): gamma's endpoints and pods.
    const t0 = Date.now();
    const timeline: string[] = [];
    const note = (what: string) => timeline.push(`+${Date.now() - t0} ms ${what}`);
    const watches = [
      client.watch<EndpointSlice>(
        "endpointslices",
        { namespace: "default", labelSelector: "kubernetes.io/service-name=gamma" },
        (e) =>
          note(`slice ${e.type} [${(e.object.endpoints ?? []).map((x) => `${x.targetRef?.name}:${x.conditions?.ready ? "ready" : "not-ready"}`).join(" ")}]`),
        () => undefined,
      ),
      client.watch<Pod>(
        "pods",
        { namespace: "default", labelSelector: "app=gamma" },
        (e) =>
          note(
            `pod ${e.type} ${e.object.metadata.name} ${e.object.status?.phase} ready=${e.object.status?.conditions?.find((c) => c.type === "Ready")?.status}${e.object.metadata.deletionTimestamp ? " deleting" : ""}`,
          ),
        () => undefined,
      ),
    ];
    const loop = (async () => {
      while (!stop) {
        try {
          const r = await get("gamma.example.com", "/loop");
          if (r.status === 200) ok++;
          else {
            failures.push(`${r.status} ${r.body}`);
            note(`request failed: ${r.status}`);
          }
        } catch (err) {
          failures.push((err as Error).message);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    try {
      // The Deployment controller writes status meanwhile: read again on a conflict.
      await waitFor(
        async () => {
          const d = await client.get<Deployment>("deployments", "gamma", "default");
          d.spec.template = template("2");
          return client.update("deployments", d).then(
            () => true,
            (err: Error) => {
              if (/modified/.test(err.message)) return false;
              throw err;
            },
          );
        },
        10_000,
        "the Deployment update",
      );
      await waitFor(
        async () => {
          const pods = (await client.list<Pod>("pods", { namespace: "default", labelSelector: "app=gamma" })).items;
          return (
            pods.length === 2 && pods.every((p) => !before.has(p.metadata.name) && p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"))
          );
        },
        120_000,
        "the rollout to finish",
      );
      await new Promise((r) => setTimeout(r, 2000));
    } finally {
      stop = true;
      await loop;
      for (const w of watches) w.stop();
    }
    console.log(`rolling update through the ingress: ${ok} requests answered, ${failures.length} failed`);
    expect(failures, timeline.join("\n")).toEqual([]);
    expect(ok).toBeGreaterThan(50);
  });

  it("answers 503 for a missing Service and reports it as an Event", async () => {
    await cluster.client.create("ingresses", ingress("broken", [{ host: "broken.example.com", paths: [["/", "Prefix", "does-not-exist"]] }]));
    const r = await waitFor(
      async () => {
        const x = await get("broken.example.com", "/");
        return x.status === 503 ? x : undefined;
      },
      10_000,
      "a 503",
    );
    expect(r.body).toContain("service default/does-not-exist not found");
    await waitFor(
      async () =>
        (await cluster.client.list<Event>("events", { namespace: "default" })).items.some(
          (e) => e.involvedObject.name === "broken" && e.reason === "ServiceNotFound",
        ),
      10_000,
      "a ServiceNotFound event",
    );
    // The rest keeps serving.
    expect((await get("a.example.com", "/exact")).status).toBe(200);
  });

  it("rejects invalid Ingresses at the API with field paths", async () => {
    const bad = ingress("bad", [{ host: "Bad_Host", paths: [["relative", "Prefix", "alpha"]] }]);
    delete bad.spec.rules![0].http!.paths[0].pathType;
    bad.spec.rules![0].http!.paths.push({ path: "foo", pathType: "Exact", backend: { service: { name: "alpha", port: { number: 80 } } } });
    const err = await cluster.client.create("ingresses", bad).then(
      () => undefined,
      (e: Error) => e.message,
    );
    expect(err).toContain('spec.rules[0].host: Invalid value: "Bad_Host"');
    expect(err).toContain("spec.rules[0].http.paths[0].pathType: Required value");
    expect(err).toContain('spec.rules[0].http.paths[1].path: Invalid value: "foo": must be an absolute path');
  });
});
