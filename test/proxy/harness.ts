// A real proxy process on loopback with a Node.js backend process, for the proxy benchmark
// and the bounded proxy checks of the test suite. The proxy is programmed over its gRPC socket.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type Socket } from "node:net";
import { credentials, Metadata } from "@grpc/grpc-js";
import { proxyv1 } from "@skiff/proto";
import { nodeEnv, nodeFlags } from "@skiff/client/launch";
import { repoRoot, freePort } from "../harness/cluster.js";

/** Backend: "bulk" streams `bytes` then ends; "echo" echoes; "sink" counts what it gets and answers the count at EOF; each on its own port. */
const BACKEND = `
const net = require("net");
const chunk = Buffer.alloc(64 * 1024, 120);
net.createServer((c) => {
  c.once("data", (d) => {
    const n = Number(d.toString());
    let left = n;
    const pump = () => { while (left > 0) { left -= chunk.length; if (!c.write(chunk)) return c.once("drain", pump); } c.end(); };
    pump();
  });
  c.on("error", () => {});
}).listen(Number(process.argv[1]), "127.0.0.1");
net.createServer({ allowHalfOpen: true }, (c) => { let n = 0; c.on("data", (d) => { n += d.length; }); c.on("end", () => c.end(String(n))); c.on("error", () => {}); }).listen(Number(process.argv[3]), "127.0.0.1");
net.createServer((c) => { c.setNoDelay(true); c.on("data", (d) => c.write(d)); c.on("error", () => {}); }).listen(Number(process.argv[2]), "127.0.0.1", () => console.log("ready"));
`;

export interface ProxyRig {
  /** Process ids, for CPU accounting (/proc/<pid>/stat). */
  pids: { proxy: number; backend: number };
  bulkPort: number;
  sinkPort: number;
  proxySinkPort: number;
  echoPort: number;
  proxyBulkPort: number;
  proxyEchoPort: number;
  metricsAddress: string;
  setTable(services: proxyv1.ServicePort[]): Promise<proxyv1.SetTableResponse>;
  status(): Promise<proxyv1.GetStatusResponse>;
  stop(): Promise<void>;
}

function waitLine(p: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = "";
    p.stdout!.on("data", (d) => {
      buf += d;
      const i = buf.indexOf("\n");
      if (i >= 0) resolve(buf.slice(0, i));
    });
    p.once("exit", (c) => reject(new Error(`exited ${c}`)));
  });
}

/** Starts a backend and a proxy (with `proxyFlags`) with frontends 127.0.0.1:<proxyBulkPort> and :<proxyEchoPort>. */
export async function startRig(proxyFlags: string[] = []): Promise<ProxyRig> {
  const dir = mkdtempSync(join(tmpdir(), "skiff-proxy-"));
  const [bulkPort, echoPort, proxyBulkPort, proxyEchoPort, sinkPort, proxySinkPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const backend = spawn(process.execPath, ["-e", BACKEND, String(bulkPort), String(echoPort), String(sinkPort)], { stdio: ["ignore", "pipe", "inherit"] });
  await waitLine(backend);
  const sock = `unix:${join(dir, "proxy.sock")}`;
  // SKIFF_PROXY_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the proxy process.
  const nodeArgs = (process.env.SKIFF_PROXY_NODE_ARGS ?? "").split(" ").filter(Boolean);
  // SKIFF_PROXY_MAIN runs another build of the proxy (an A/B against an older commit's dist).
  const main = process.env.SKIFF_PROXY_MAIN ?? join(repoRoot, "services/proxy/dist/main.js");
  // The V8 flags every launcher gives a component (@skiff/client/launch), then the profiling ones.
  const proxy = spawn(
    process.execPath,
    [...nodeFlags(process.env, "proxy"), ...nodeArgs, main, "--listen", sock, "--metrics-address", "127.0.0.1:0", ...proxyFlags],
    {
      stdio: ["ignore", "pipe", "ignore"],
      env: { ...nodeEnv(), SKIFF_LOG_LEVEL: "warn" },
    },
  );
  const ready = JSON.parse(await waitLine(proxy)) as { metricsAddress: string };
  const client = new proxyv1.ProxyServiceClient(sock, credentials.createInsecure());
  const setTable = (services: proxyv1.ServicePort[]) =>
    new Promise<proxyv1.SetTableResponse>((resolve, reject) =>
      client.setTable({ version: String(Date.now()), nodeName: "bench", nodeIp: "127.0.0.1", services }, new Metadata(), (err, r) =>
        err ? reject(err) : resolve(r!),
      ),
    );
  const status = () =>
    new Promise<proxyv1.GetStatusResponse>((resolve, reject) => client.getStatus({}, new Metadata(), (err, r) => (err ? reject(err) : resolve(r!))));
  return {
    pids: { proxy: proxy.pid!, backend: backend.pid! },
    bulkPort,
    echoPort,
    proxyBulkPort,
    proxyEchoPort,
    sinkPort,
    proxySinkPort,
    metricsAddress: ready.metricsAddress,
    setTable,
    status,
    async stop() {
      client.close();
      for (const p of [proxy, backend]) {
        if (p.exitCode !== null) continue;
        const e = new Promise((r) => p.once("exit", r));
        // SIGTERM first: the proxy drains and exits, which also writes a --cpu-prof profile.
        p.kill("SIGTERM");
        const hard = setTimeout(() => p.kill("SIGKILL"), 5000);
        await e;
        clearTimeout(hard);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A TCP service entry on 127.0.0.1:`port` for the rig's table. */
export function entry(name: string, port: number, endpoints: { ip: string; port: number }[]): proxyv1.ServicePort {
  return {
    name,
    protocol: proxyv1.Protocol.PROTOCOL_TCP,
    clusterIp: "127.0.0.1",
    port,
    nodePort: 0,
    loadBalancerIps: [],
    endpoints: endpoints.map((e) => ({ ...e, nodeName: "bench", targetRef: "" })),
    sessionAffinitySeconds: 0,
    internalLocal: false,
    externalLocal: false,
    preferClose: false,
    proxyProtocol: false,
  };
}

/**
 * Bulk download of `bytes` from a port; resolves with MB/s. The client reads into one reused
 * buffer (`onread`), so that it is not the bottleneck of either path it measures.
 */
export function bulk(port: number, bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    let got = 0;
    const buffer = Buffer.allocUnsafe(256 * 1024);
    const c = connect(
      {
        port,
        host: "127.0.0.1",
        onread: {
          buffer,
          callback: (n) => {
            got += n;
            return true;
          },
        },
      },
      () => c.write(String(bytes)),
    );
    c.on("end", () => {
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      c.destroy();
      resolve(got / s / 1e6);
    });
    c.on("error", reject);
  });
}

/** Bulk upload of `bytes` to a sink port (256 KiB writes of one buffer, with back-pressure); resolves with MB/s once the sink confirmed the count. */
export function upload(port: number, bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(256 * 1024, 121);
    const t0 = process.hrtime.bigint();
    let left = bytes,
      reply = "";
    const c = connect(port, "127.0.0.1");
    const pump = () => {
      while (left > 0) {
        left -= chunk.length;
        if (!c.write(chunk)) {
          c.once("drain", pump);
          return;
        }
      }
      c.end();
    };
    c.on("connect", pump);
    c.on("data", (d) => (reply += d));
    c.on("end", () => {
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      c.destroy();
      if (Number(reply) !== Math.ceil(bytes / chunk.length) * chunk.length) reject(new Error(`sink got ${reply} bytes`));
      else resolve(bytes / s / 1e6);
    });
    c.on("error", reject);
  });
}

/** Sequential 64-byte request/response round trips on one connection; resolves with latencies (ms). */
export function pingPong(port: number, n: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const msg = Buffer.alloc(64, 97);
    const lat: number[] = [];
    const c: Socket = connect(port, "127.0.0.1");
    c.setNoDelay(true);
    let t = 0n,
      got = 0;
    const send = () => {
      t = process.hrtime.bigint();
      got = 0;
      c.write(msg);
    };
    c.on("connect", send);
    c.on("data", (d) => {
      got += d.length;
      if (got < msg.length) return;
      lat.push(Number(process.hrtime.bigint() - t) / 1e6);
      if (lat.length >= n) {
        c.destroy();
        resolve(lat);
      } else send();
    });
    c.on("error", reject);
  });
}
