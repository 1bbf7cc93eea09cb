// The chaos suite's data-plane workload: a Deployment of HTTP servers behind a NodePort
// Service, and a client in the test process sending steady requests to one node's NodePort
// on the topology's network (the test process is the host of that network). Converged when
// the desired replicas run Ready on Ready nodes and the client's last requests succeed.
import { request } from "node:http";
import type { Endpoints, Node, Pod } from "@skiff/api";
import type { ApiClient } from "@skiff/client";
import { assertNoPodOnTwoNodes, type Workload } from "./framework.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One HTTP GET with an overall deadline; resolves with the body, rejects on any failure. */
export function httpGet(url: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, timeout: timeoutMs }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}`))));
      res.on("error", reject);
    });
    const timer = setTimeout(() => req.destroy(new Error(`timeout after ${timeoutMs} ms`)), timeoutMs);
    req.on("timeout", () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.on("close", () => clearTimeout(timer));
    req.end();
  });
}

/** The node's address on the cluster network (its InternalIP). */
export function nodeIP(n: Node): string | undefined {
  return n.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
}

/** Options of the web workload. */
export interface WebOptions {
  replicas: number;
  /** Node container names of the topology (for the no-pod-on-two-nodes check). */
  nodes: string[];
  /** The node whose NodePort the client calls (faults spare it). */
  entryNode: string;
  /** Client request interval and per-request deadline. */
  intervalMs?: number;
  timeoutMs?: number;
}

/** A Deployment "web" behind the NodePort Service "web", under steady client load. */
export class WebUnderLoad implements Workload {
  readonly name = "nodeport-client";
  /** Each request: when it started, how it ended, and its error (failed) or answering pod (ok). */
  private ops: { at: number; ok: boolean; ms: number; what: string }[] = [];
  private running = false;
  private loop?: Promise<void>;
  /** http://<entry node IP>:<nodePort>/ once started. */
  url = "";
  constructor(
    private readonly client: ApiClient,
    private readonly o: WebOptions,
  ) {}

  async start(): Promise<void> {
    const labels = { app: "web" };
    await this.client.create("deployments", {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "default" },
      spec: {
        replicas: this.o.replicas,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            terminationGracePeriodSeconds: 2,
            containers: [
              {
                name: "httpd",
                image: "skiff/busybox:1.35",
                imagePullPolicy: "IfNotPresent",
                command: ["sh", "-c", "echo $HOSTNAME > /var/www/index.html; exec httpd -f -p 8080 -h /var/www"],
                ports: [{ containerPort: 8080 }],
                readinessProbe: { httpGet: { path: "/", port: 8080 }, periodSeconds: 1, failureThreshold: 1 },
              },
            ],
          },
        },
      },
    });
    const svc = await this.client.create<{ spec?: { ports?: { nodePort?: number }[] } } & Pod>("services", {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web", namespace: "default" },
      spec: { type: "NodePort", selector: labels, ports: [{ port: 80, targetPort: 8080, protocol: "TCP" }] },
    } as unknown as Pod);
    const nodePort = svc.spec?.ports?.[0]?.nodePort;
    const entry = await this.client.get<Node>("nodes", this.o.entryNode);
    const ip = nodeIP(entry);
    if (!nodePort || !ip) throw new Error(`web: no nodePort (${nodePort}) or no address for ${this.o.entryNode} (${ip})`);
    this.url = `http://${ip}:${nodePort}/`;
    // Ready before the load starts: every replica answers through the NodePort. This is set-up,
    // not a measurement: a call that fails on a machine still busy starting the cluster is
    // another "not yet", like in the framework's convergence checks.
    const deadline = Date.now() + 180_000;
    while (!(await this.replicasReady().catch(() => false))) {
      if (Date.now() > deadline) throw new Error("web: replicas not Ready within 180 s");
      await sleep(500);
    }
    while (
      !(await httpGet(this.url, 2000).then(
        () => true,
        () => false,
      ))
    ) {
      if (Date.now() > deadline) throw new Error(`web: ${this.url} does not answer`);
      await sleep(500);
    }
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const at = Date.now();
        const [ok, what] = await httpGet(this.url, this.o.timeoutMs ?? 2000).then(
          (body) => [true, body.trim()] as const,
          (err: Error) => [false, (err as NodeJS.ErrnoException).code ?? err.message] as const,
        );
        const op = { at, ok, ms: Date.now() - at, what };
        this.ops.push(op);
        // Kept with a failure: web's endpoints as the API has them right after it, and the entry
        // node proxy's recent warnings (which endpoint the connection could not reach). A stale
        // proxy table and a dead endpoint in the API read differently.
        if (!ok) void Promise.all([this.endpointsNow(), this.proxyWarnings()]).then(([e, w]) => (op.what += ` [endpoints ${e}] [entry proxy: ${w}]`));
        await sleep(this.o.intervalMs ?? 100);
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  errorRate(from: number, to: number): number {
    const w = this.ops.filter((o) => o.at >= from && o.at < to);
    return w.length ? w.filter((o) => !o.ok).length / w.length : 0;
  }

  /** Failed requests in [from, to): start, error, duration, and which pods answered just before and after. */
  failures(from: number, to: number): string[] {
    return this.ops.flatMap((o, i) => {
      if (o.ok || o.at < from || o.at >= to) return [];
      const near = (d: number) => this.ops.slice(d < 0 ? Math.max(0, i - 3) : i + 1, d < 0 ? i : i + 4).map((n) => (n.ok ? n.what : "x"));
      return [`${new Date(o.at).toISOString().slice(11, 23)} ${o.what} after ${o.ms} ms (before: ${near(-1).join(" ")}; after: ${near(1).join(" ")})`];
    });
  }

  /**
   * The warnings (level ≥ 40) among the last lines the entry node's proxy logged, read through its
   * mirror pod (kube-system/skiff-proxy-NODE): which endpoint a failed connection tried.
   */
  private async proxyWarnings(): Promise<string> {
    try {
      const text = await new Promise<string>((resolve, reject) => {
        const chunks: Buffer[] = [];
        const s = this.client.podLogs({
          namespace: "kube-system",
          name: `skiff-proxy-${this.o.entryNode}`,
          container: "",
          follow: false,
          previous: false,
          tailLines: 30,
          timestamps: false,
        });
        s.on("data", (m: { data: Buffer }) => chunks.push(m.data));
        s.on("error", reject);
        s.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      });
      const warned = text.split("\n").filter((l) => /"level":(4|5)\d/.test(l));
      return warned.slice(-3).join(" ") || "none";
    } catch (err) {
      return `unknown: ${(err as Error).message}`;
    }
  }

  /** web's Endpoints as "ip (pod)" lists, ready and not ready; the error when the call fails. */
  private async endpointsNow(): Promise<string> {
    try {
      const ep = await this.client.get<Endpoints>("endpoints", "web", "default");
      const list = (as?: { ip: string; targetRef?: { name?: string } }[]) =>
        (as ?? []).map((a) => `${a.ip} (${a.targetRef?.name ?? "?"})`).join(", ") || "none";
      return (ep.subsets ?? []).map((s) => `ready: ${list(s.addresses)}; not ready: ${list(s.notReadyAddresses)}`).join(" | ") || "no subsets";
    } catch (err) {
      return `unknown: ${(err as Error).message}`;
    }
  }

  /** Requests made in [from, to). */
  requests(from: number, to: number): number {
    return this.ops.filter((o) => o.at >= from && o.at < to).length;
  }

  /** The desired replicas run Ready (not terminating) on Ready nodes. */
  async replicasReady(): Promise<boolean> {
    const [pods, nodes] = await Promise.all([
      this.client.list<Pod>("pods", { namespace: "default", labelSelector: "app=web" }),
      this.client.list<Node>("nodes"),
    ]);
    const readyNodes = new Set(
      nodes.items.filter((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")).map((n) => n.metadata.name),
    );
    const live = pods.items.filter(
      (p) =>
        !p.metadata.deletionTimestamp &&
        p.status?.phase === "Running" &&
        readyNodes.has(p.spec?.nodeName) &&
        p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
    );
    return live.length === this.o.replicas;
  }

  async converged(): Promise<boolean> {
    const last = this.ops.slice(-3);
    return last.length === 3 && last.every((o) => o.ok) && (await this.replicasReady());
  }

  async verify(): Promise<void> {
    await assertNoPodOnTwoNodes(this.o.nodes);
  }
}
