// npm run bench:ingress — Skiff's Ingress controller (the real process, configured through a
// real apiserver: Service, EndpointSlice, Ingress) against Debian's nginx as a reverse proxy to
// the same Node.js backend, and the backend direct, in one run: requests/s and p50/p99 of small
// responses (ab, keep-alive, 50 concurrent; rounds alternate between the three) and the time
// to move a 100 MB body each way. Goal: ≥ half of nginx's requests/s, p99 within 2× of nginx's.
// Results go to bench-results/ingress.json.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync, readFileSync, openSync } from "node:fs";
import { request, Agent } from "node:http";
import { join } from "node:path";
import { cpus, loadavg } from "node:os";
import { afterAll, beforeAll, expect, it } from "vitest";
import { nodeFlags } from "@skiff/client/launch";
import { waitFor } from "@skiff/client";
import type { EndpointSlice, Ingress, Service } from "@skiff/api";
import { TestCluster, freePort, repoRoot } from "../harness/cluster.js";
import { cpuSeconds, percentile, printTable } from "./stats.js";

const HOST = "bench.local";
const BIG = 100 * 1024 * 1024;
const ROUNDS = 3;
// Serving processes of each proxy: the controller's --workers and nginx's worker_processes, the
// same number (default one per CPU, both tools' default behaviour: ingress-nginx's "auto").
const WORKERS = Number(process.env.SKIFF_INGRESS_WORKERS || 0) || cpus().length;
const SECONDS = 4;

const backendJs = `
const http = require("node:http");
const chunk = Buffer.alloc(1 << 16, 120);
const s = http.createServer((req, res) => {
  if (req.url === "/big") {
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": ${BIG} });
    let left = ${BIG};
    const pump = () => { while (left > 0) { const n = Math.min(left, chunk.length); left -= n; if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return res.once("drain", pump); } res.end(); };
    return pump();
  }
  if (req.method === "POST") { let n = 0; req.on("data", (d) => (n += d.length)); req.on("end", () => res.end(String(n))); return; }
  res.writeHead(200, { "content-type": "text/plain", "content-length": 3 }); res.end("ok\\n");
});
s.keepAliveTimeout = 75000;
s.listen(0, "127.0.0.1", () => process.stdout.write(JSON.stringify({ port: s.address().port }) + "\\n"));
`;

/** Starts a child and resolves its first stdout JSON line. */
function startChild(cmd: string, args: string[], logFile: string): Promise<{ child: ChildProcess; ready: Record<string, unknown> }> {
  // stderr (the access log among it) straight to a file: the benchmark process must not pay for it.
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", openSync(logFile, "a")] });
  return new Promise((resolve, reject) => {
    let buf = "";
    child.stdout!.on("data", (d) => {
      buf += d;
      const i = buf.indexOf("\n");
      if (i >= 0) resolve({ child, ready: JSON.parse(buf.slice(0, i)) });
    });
    child.on("exit", (c) => reject(new Error(`${cmd} exited ${c}: ${readFileSync(logFile, "utf8").slice(-2000)}`)));
  });
}

interface AbResult {
  rps: number;
  p50: number;
  p99: number;
  failed: number;
  requests: number;
  /** CPU time (user + system) of the serving process and its children per request, µs. */
  cpuUs?: number;
}

/** ab -k -c 50 for SECONDS against a port with the Host header; `pid`: the process whose CPU is counted. */
function ab(port: number, pid: number): AbResult {
  const cpu0 = cpuSeconds(pid);
  const out = execFileSync("ab", ["-q", "-k", "-c", "50", "-t", String(SECONDS), "-n", "5000000", "-H", `Host: ${HOST}`, `http://127.0.0.1:${port}/`], {
    encoding: "utf8",
    maxBuffer: 1 << 24,
  });
  const cpu = cpuSeconds(pid) - cpu0;
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);
  const requests = num(/Complete requests:\s+(\d+)/);
  return {
    requests,
    cpuUs: Math.round((cpu * 1e6) / Math.max(1, requests)),
    rps: num(/Requests per second:\s+([\d.]+)/),
    p50: num(/\s50%\s+(\d+)/),
    p99: num(/\s99%\s+(\d+)/),
    failed: num(/Failed requests:\s+(\d+)/) + (num(/Non-2xx responses:\s+(\d+)/) || 0),
  };
}

/** Seconds to download the 100 MB body, and to upload one. */
function bulk(port: number, dir: "down" | "up"): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method: dir === "down" ? "GET" : "POST",
        path: dir === "down" ? "/big" : "/upload",
        headers: { host: HOST, ...(dir === "up" ? { "content-length": BIG } : {}) },
        agent: new Agent(),
      },
      (res) => {
        // Down: the bytes received; up: the backend answers with the count it received.
        let n = 0,
          text = "";
        res.on("data", (d: Buffer) => {
          n += d.length;
          if (dir === "up") text += d;
        });
        res.on("end", () => {
          const got = dir === "down" ? n : Number(text);
          if (got !== BIG) return reject(new Error(`${dir}: ${got} bytes arrived, not ${BIG}`));
          resolve(Number(process.hrtime.bigint() - t0) / 1e9);
        });
      },
    );
    req.on("error", reject);
    if (dir === "down") return void req.end();
    const chunk = Buffer.alloc(1 << 16, 121);
    let left = BIG;
    const pump = () => {
      while (left > 0) {
        const n = Math.min(left, chunk.length);
        left -= n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
}

const cluster = new TestCluster({ nodes: 0 });
let backend: ChildProcess, ingress: ChildProcess, nginx: ChildProcess;
const ports = { direct: 0, nginx: 0, skiff: 0 };

beforeAll(async () => {
  await cluster.startNats();
  await cluster.startApiserver();
  const { ApiClient } = await import("@skiff/client");
  cluster.client = new ApiClient({ addresses: [cluster.apiAddress], timeoutMs: 10_000, tls: { dir: cluster.tlsDir("admin") } });
  writeFileSync(join(cluster.dir, "backend.cjs"), backendJs);
  const b = await startChild(process.execPath, [join(cluster.dir, "backend.cjs")], join(cluster.dir, "backend.log"));
  backend = b.child;
  ports.direct = Number(b.ready.port);
  // SKIFF_INGRESS_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the controller.
  // The controller runs with the node flags its launcher gives it (the node agent's), as users get it.
  const nodeArgs = [...nodeFlags(process.env, "ingress"), ...(process.env.SKIFF_INGRESS_NODE_ARGS ?? "").split(" ").filter(Boolean)];
  const i = await startChild(
    process.execPath,
    [
      ...nodeArgs,
      join(repoRoot, "services/ingress/dist/main.js"),
      "--apiserver",
      cluster.apiAddress,
      "--tls-dir",
      cluster.tlsDir("admin"),
      "--node-name",
      "bench",
      "--workers",
      String(WORKERS),
    ],
    join(cluster.dir, "ingress.log"),
  );
  ingress = i.child;
  ports.skiff = Number(i.ready.httpPort);
  const c = cluster.client;
  await c.create<Service>("services", {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "bench", namespace: "default" },
    spec: { ports: [{ name: "http", port: 80 }] },
  } as Service);
  await c.create<EndpointSlice>("endpointslices", {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name: "bench-1", namespace: "default", labels: { "kubernetes.io/service-name": "bench" } },
    addressType: "IPv4",
    ports: [{ name: "http", port: ports.direct, protocol: "TCP" }],
    endpoints: [{ addresses: ["127.0.0.1"], conditions: { ready: true } }],
  });
  await c.create<Ingress>("ingresses", {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name: "bench", namespace: "default" },
    spec: { rules: [{ host: HOST, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "bench", port: { number: 80 } } } }] } }] },
  });
  ports.nginx = await freePort();
  const nd = join(cluster.dir, "nginx");
  mkdirSync(nd, { recursive: true });
  // ingress-nginx's relevant defaults: upstream keep-alive, no response buffering; request
  // bodies streamed (Skiff streams them too), no body size limit (Skiff's default).
  writeFileSync(
    join(nd, "nginx.conf"),
    `
daemon off; worker_processes ${WORKERS}; pid ${nd}/nginx.pid; error_log ${nd}/error.log;
events { worker_connections 4096; }
http {
  access_log ${nd}/access.log; client_body_temp_path ${nd}/body; proxy_temp_path ${nd}/proxy; fastcgi_temp_path ${nd}/fcgi; uwsgi_temp_path ${nd}/uwsgi; scgi_temp_path ${nd}/scgi;
  upstream backend { server 127.0.0.1:${ports.direct}; keepalive 320; }
  server {
    listen 127.0.0.1:${ports.nginx}; client_max_body_size 0; keepalive_requests 1000000;
    location / {
      proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr; proxy_set_header X-Real-IP $remote_addr; proxy_set_header X-Forwarded-Proto $scheme;
      proxy_buffering off; proxy_request_buffering off;
    }
  }
}`,
  );
  nginx = spawn("nginx", ["-c", join(nd, "nginx.conf"), "-p", nd], { stdio: "ignore" });
  const okVia = (port: number) =>
    new Promise<boolean>((resolve) => {
      const r = request({ host: "127.0.0.1", port, path: "/", headers: { host: HOST }, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      r.on("error", () => resolve(false));
      r.end();
    });
  await waitFor(() => okVia(ports.skiff), 20_000, "the Skiff ingress to route the bench host");
  await waitFor(() => okVia(ports.nginx), 20_000, "nginx to answer");
}, 120_000);

afterAll(async () => {
  for (const p of [nginx, ingress, backend]) p?.kill("SIGTERM");
  await cluster.stop();
});

it("measures Skiff's ingress against nginx and direct", async () => {
  const modes = ["direct", "nginx", "skiff"] as const;
  const small: Record<string, AbResult[]> = { direct: [], nginx: [], skiff: [] };
  for (const m of modes)
    execFileSync("ab", ["-q", "-k", "-c", "50", "-t", "6", "-n", "5000000", "-H", `Host: ${HOST}`, `http://127.0.0.1:${ports[m]}/`], { stdio: "ignore" }); // warm-up: V8 compiles the hot path (slow when cores are contended), pools fill
  const pids = { direct: backend.pid!, nginx: nginx.pid!, skiff: ingress.pid! };
  for (let r = 0; r < ROUNDS; r++) for (const m of modes) small[m].push(ab(ports[m], pids[m]));
  const bulkRes: Record<string, { down: number[]; up: number[] }> = { direct: { down: [], up: [] }, nginx: { down: [], up: [] }, skiff: { down: [], up: [] } };
  for (let r = 0; r < 2; r++)
    for (const m of modes) {
      bulkRes[m].down.push(await bulk(ports[m], "down"));
      bulkRes[m].up.push(await bulk(ports[m], "up"));
    }
  // Best round of each mode (the machine is shared: the best is the least disturbed).
  const best = (m: string) => small[m].reduce((a, b) => (b.rps > a.rps ? b : a));
  const mbps = (s: number[]) => Math.round(BIG / 1024 / 1024 / Math.min(...s));
  // CPU per request of the serving process (the proxy; direct: the backend): the median round. Unlike req/s it
  // barely moves with the machine's load.
  const cpuUs = (m: string) =>
    percentile(
      small[m].map((x) => x.cpuUs ?? NaN),
      50,
    );
  const rows = modes.map((m) => {
    const b = best(m);
    return [m, Math.round(b.rps), b.p50, b.p99, small[m].map((x) => Math.round(x.rps)).join(" / "), cpuUs(m), mbps(bulkRes[m].down), mbps(bulkRes[m].up)];
  });
  printTable(
    `Ingress (ab -k -c 50, ${SECONDS} s × ${ROUNDS} rounds alternating; 100 MB bodies, best of 2; ${WORKERS} worker(s) each for Skiff and nginx; ${cpus().length} cores, load ${loadavg()[0].toFixed(1)})`,
    ["path", "req/s (best)", "p50 ms", "p99 ms", "req/s each round", "CPU µs/req", "100MB down MB/s", "100MB up MB/s"],
    rows,
  );
  const s = best("skiff"),
    n = best("nginx"),
    d = best("direct");
  const ratios = {
    rpsSkiffOverNginx: +(s.rps / n.rps).toFixed(2),
    rpsSkiffOverDirect: +(s.rps / d.rps).toFixed(2),
    rpsNginxOverDirect: +(n.rps / d.rps).toFixed(2),
    p99SkiffOverNginx: +(s.p99 / Math.max(1, n.p99)).toFixed(2),
    cpuPerRequestSkiffOverNginx: +(cpuUs("skiff") / cpuUs("nginx")).toFixed(2),
    downSkiffOverNginx: +(mbps(bulkRes.skiff.down) / mbps(bulkRes.nginx.down)).toFixed(2),
    upSkiffOverNginx: +(mbps(bulkRes.skiff.up) / mbps(bulkRes.nginx.up)).toFixed(2),
    downSkiffOverDirect: +(mbps(bulkRes.skiff.down) / mbps(bulkRes.direct.down)).toFixed(2),
  };
  process.stdout.write(
    `\nratios: ${JSON.stringify(ratios)}\ngoal: req/s ≥ 0.5 × nginx (${ratios.rpsSkiffOverNginx >= 0.5 ? "met" : "NOT met"}), p99 ≤ 2 × nginx (${ratios.p99SkiffOverNginx <= 2 ? "met" : "NOT met"})\n`,
  );
  mkdirSync(join(repoRoot, "bench-results"), { recursive: true });
  writeFileSync(
    join(repoRoot, "bench-results", "ingress.json"),
    JSON.stringify(
      {
        at: new Date().toISOString(),
        cores: cpus().length,
        workers: WORKERS,
        load: loadavg()[0],
        cpuUsPerRequest: { direct: cpuUs("direct"), nginx: cpuUs("nginx"), skiff: cpuUs("skiff") },
        small,
        bulkSeconds: bulkRes,
        ratios,
        nginx: execFileSync("nginx", ["-v"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }) || "nginx",
      },
      null,
      2,
    ) + "\n",
  );
  for (const m of modes) {
    expect(best(m).rps).toBeGreaterThan(0);
    expect(
      small[m].map((x) => x.failed),
      `${m}: failed or non-2xx answers per round`,
    ).toEqual(small[m].map(() => 0));
  }
  expect(readFileSync(join(repoRoot, "bench-results", "ingress.json"), "utf8")).toContain("ratios");
});
