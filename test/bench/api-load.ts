// Load generators of bench:api: closed-loop writers (N clients, each one request at a time),
// a paced writer (a fixed rate, open loop), HTTPS calls with the admin token, and plain
// nats-server processes (one, or three clustered) for the store-level figures.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, type TestCluster } from "../harness/cluster.js";
import { percentile } from "./stats.js";

/** Writes/s and latency of one load phase. */
export interface LoadFigures {
  writes: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

export function figures(lat: number[], seconds: number, errors = 0): LoadFigures {
  return { writes: lat.length, perSecond: lat.length / seconds, p50Ms: percentile(lat, 50), p99Ms: percentile(lat, 99), errors };
}

/** Runs `total` operations from `clients` loops, one in flight per loop; `op(i, client)` does the i-th. */
export async function closedLoop(total: number, clients: number, op: (i: number, client: number) => Promise<void>): Promise<LoadFigures> {
  const lat: number[] = [];
  let next = 0;
  let errors = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      while (next < total) {
        const i = next++;
        const s = performance.now();
        try {
          await op(i, c);
          lat.push(performance.now() - s);
        } catch {
          errors++;
        }
      }
    }),
  );
  return figures(lat, (performance.now() - t0) / 1000, errors);
}

/** Starts `total` operations at `perSecond` regardless of how many are still in flight (open loop). */
export async function paced(total: number, perSecond: number, op: (i: number) => Promise<void>): Promise<LoadFigures> {
  const lat: number[] = [];
  let errors = 0;
  const t0 = performance.now();
  const all: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / perSecond - performance.now();
    if (due > 1) await new Promise((r) => setTimeout(r, due));
    const s = performance.now();
    all.push(
      op(i).then(
        () => {
          lat.push(performance.now() - s);
        },
        () => {
          errors++;
        },
      ),
    );
  }
  await Promise.all(all);
  return figures(lat, (performance.now() - t0) / 1000, errors);
}

/** The REST API with the admin token of the cluster's kubeconfig, over kept-alive HTTPS connections. */
export async function https(
  cluster: TestCluster,
  sockets: number,
): Promise<(method: string, path: string, body?: unknown) => Promise<{ code: number; body: string }>> {
  const kc = JSON.parse(readFileSync(await cluster.kubeconfigPath(), "utf8"));
  const ca = Buffer.from(kc.clusters[0].cluster["certificate-authority-data"], "base64");
  const token = kc.users[0].user.token as string;
  const i = cluster.httpsAddress.lastIndexOf(":");
  const [host, port] = [cluster.httpsAddress.slice(0, i), cluster.httpsAddress.slice(i + 1)];
  const agent = new Agent({ keepAlive: true, maxSockets: sockets, ca });
  return (method, path, body) =>
    new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        {
          host,
          port,
          path,
          method,
          agent,
          headers: { authorization: `Bearer ${token}`, ...(data ? { "content-type": "application/json", "content-length": Buffer.byteLength(data) } : {}) },
        },
        (r) => {
          const chunks: Buffer[] = [];
          r.on("data", (d: Buffer) => chunks.push(d));
          r.on("end", () => {
            const b = Buffer.concat(chunks).toString("utf8");
            if ((r.statusCode ?? 0) >= 300) reject(new Error(`${method} ${path}: ${r.statusCode} ${b.slice(0, 200)}`));
            else resolve({ code: r.statusCode ?? 0, body: b });
          });
        },
      );
      req.on("error", reject);
      req.end(data);
    });
}

/** Plain nats-servers with JetStream on loopback (no TLS): one, or a cluster of three. */
export async function startNats(count: 1 | 3): Promise<{ urls: string[]; stop: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), "skiff-bench-nats-"));
  const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
  const routes = await Promise.all(Array.from({ length: count }, () => freePort()));
  const procs: ChildProcess[] = ports.map((p, i) =>
    spawn(
      "nats-server",
      [
        "-js",
        "-a",
        "127.0.0.1",
        "-p",
        String(p),
        "-sd",
        join(dir, `s${i}`),
        "-n",
        `bench-${i}`,
        ...(count > 1
          ? ["--cluster_name", "bench", "--cluster", `nats://127.0.0.1:${routes[i]}`, "--routes", routes.map((r) => `nats://127.0.0.1:${r}`).join(",")]
          : []),
      ],
      { stdio: "ignore" },
    ),
  );
  // The servers are waited for: one still writing its store makes the removal fail (ENOTEMPTY).
  const stop = async () => {
    await Promise.all(
      procs.map((p) =>
        p.exitCode !== null || p.signalCode !== null
          ? undefined
          : new Promise((r) => {
              p.once("exit", r);
              p.kill();
            }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  return { urls: ports.map((p) => `nats://127.0.0.1:${p}`), stop };
}
