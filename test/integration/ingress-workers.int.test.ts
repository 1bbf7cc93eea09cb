// The ingress controller with --workers 2 (node:cluster) against a real apiserver: both workers
// serve the shared port from replicas of the primary's informers (a change to the EndpointSlice
// reaches every worker), /metrics sums the workers' counts, a killed worker is replaced and the
// replacement serves the current configuration, and SIGTERM to the primary ends every worker.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, request, Agent, type Server } from "node:http";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@skiff/client";
import type { EndpointSlice, Ingress, Service } from "@skiff/api";
import { TestCluster, repoRoot } from "../harness/cluster.js";

const HOST = "workers.example.com";

/** Pids whose parent is `ppid`. */
function childrenOf(ppid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const f = readFileSync(`/proc/${d}/stat`, "utf8");
      if (Number(f.slice(f.lastIndexOf(")") + 2).split(" ")[1]) === ppid) out.push(Number(d));
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function get(port: number, path: string, agent: Agent | false = false): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const r = request({ host: "127.0.0.1", port, path, headers: { host: HOST }, agent }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    r.on("error", reject);
    r.end();
  });
}

describe("the ingress controller with worker processes", () => {
  const cluster = new TestCluster({ nodes: 0 });
  let ctl: ChildProcess;
  let ports = { httpPort: 0, metricsPort: 0 };
  const backends: Server[] = [];
  const backendPorts: number[] = [];

  const slice = (port: number): EndpointSlice => ({
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name: "web-1", namespace: "default", labels: { "kubernetes.io/service-name": "web" } },
    addressType: "IPv4",
    ports: [{ name: "http", port, protocol: "TCP" }],
    endpoints: [{ addresses: ["127.0.0.1"], conditions: { ready: true } }],
  });

  beforeAll(async () => {
    await cluster.startNats();
    await cluster.startApiserver();
    const { ApiClient } = await import("@skiff/client");
    cluster.client = new ApiClient({ addresses: [cluster.apiAddress], timeoutMs: 10_000, tls: { dir: cluster.tlsDir("admin") } });
    for (const name of ["one", "two"]) {
      const s = createServer((_req, res) => res.end(name));
      backendPorts.push(await new Promise<number>((r) => s.listen(0, "127.0.0.1", () => r((s.address() as { port: number }).port))));
      backends.push(s);
    }
    const args = ["--apiserver", cluster.apiAddress, "--tls-dir", cluster.tlsDir("admin"), "--node-name", "workers", "--workers", "2"];
    ctl = spawn(process.execPath, [join(repoRoot, "services/ingress/dist/main.js"), ...args], { stdio: ["ignore", "pipe", "ignore"] });
    ports = await new Promise((resolve, reject) => {
      let buf = "";
      ctl.stdout!.on("data", (d) => {
        buf += d;
        if (buf.includes("\n")) resolve(JSON.parse(buf.slice(0, buf.indexOf("\n"))));
      });
      ctl.once("exit", (c) => reject(new Error(`controller exited ${c}`)));
    });
    const c = cluster.client;
    await c.create<Service>("services", {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web", namespace: "default" },
      spec: { ports: [{ name: "http", port: 80 }] },
    } as Service);
    await c.create<EndpointSlice>("endpointslices", slice(backendPorts[0]));
    await c.create<Ingress>("ingresses", {
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name: "web", namespace: "default" },
      spec: { rules: [{ host: HOST, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } }] } }] },
    });
  }, 120_000);

  afterAll(async () => {
    ctl?.kill("SIGKILL");
    for (const s of backends) s.close();
    await cluster.stop();
  });

  /** Every one of `n` requests on new connections (spread over both workers) answered by `who`. */
  const allFrom = async (who: string, n = 12) => {
    const got = await Promise.all(Array.from({ length: n }, () => get(ports.httpPort, "/").catch(() => ({ status: 0, body: "" }))));
    return got.every((r) => r.status === 200 && r.body === who);
  };

  const served = async () => {
    const text = await new Promise<string>((resolve, reject) => {
      request({ host: "127.0.0.1", port: ports.metricsPort, path: "/metrics" }, (res) => {
        let b = "";
        res.on("data", (d) => (b += d));
        res.on("end", () => resolve(b));
      })
        .on("error", reject)
        .end();
    });
    const m = /^skiff_ingress_requests_total\{ingress="default\/web",status="200"\} (\d+)/m.exec(text);
    return Number(m?.[1] ?? 0);
  };

  it("serves from two workers, sums their metrics, and follows configuration changes in each", async () => {
    expect(childrenOf(ctl.pid!)).toHaveLength(2);
    await waitFor(() => allFrom("one"), 30_000, "both workers to route the Ingress to backend one");
    // Ten keep-alive connections handed out round-robin: both workers answer, /metrics adds them up.
    const before = await served();
    const agent = new Agent({ keepAlive: true, maxSockets: 10 });
    const results = await Promise.all(Array.from({ length: 200 }, () => get(ports.httpPort, "/", agent)));
    agent.destroy();
    expect(results.filter((r) => r.status === 200 && r.body === "one")).toHaveLength(200);
    expect((await served()) - before).toBe(200);
    // A change to the EndpointSlice reaches every worker through the primary's watch.
    await cluster.client.update<EndpointSlice>("endpointslices", {
      ...(await cluster.client.get<EndpointSlice>("endpointslices", "web-1", "default")),
      ports: [{ name: "http", port: backendPorts[1], protocol: "TCP" }],
    });
    await waitFor(() => allFrom("two"), 10_000, "every worker to send to backend two");
  }, 90_000);

  it("replaces a killed worker, which serves the current configuration; SIGTERM ends them all", async () => {
    const [victim] = childrenOf(ctl.pid!);
    process.kill(victim, "SIGKILL");
    await waitFor(async () => !alive(victim) && childrenOf(ctl.pid!).length === 2, 20_000, "a replacement worker");
    await waitFor(() => allFrom("two", 20), 20_000, "the replacement worker to serve backend two");
    const workers = childrenOf(ctl.pid!);
    ctl.kill("SIGTERM");
    await waitFor(async () => !alive(ctl.pid!) && workers.every((p) => !alive(p)), 15_000, "the primary and its workers to exit");
  }, 60_000);
});
