// Running one probe or lifecycle handler against a container: httpGet (from the node to the pod
// IP), tcpSocket, grpc (the gRPC health check), exec (through the runtime, killed at its deadline).
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect } from "node:net";
import type { ContainerPort, Handler } from "@skiff/api";
import type { Runtime } from "../runtime/runtime.js";
import type { Outcome } from "./worker.js";
import { grpcHealthCheck } from "./grpc-health.js";

/** Where a handler runs: the pod IP and the container. */
export interface Target {
  podIP?: string;
  containerId: string;
  ports: ContainerPort[];
}

/** A port by number or by the name of one of the container's ports. */
export function resolvePort(port: number | string, ports: ContainerPort[]): number {
  if (typeof port === "number") return port;
  if (/^\d+$/.test(port)) return Number(port);
  const p = ports.find((x) => x.name === port);
  if (!p) throw new Error(`port "${port}" is not a named port of the container`);
  return p.containerPort;
}

/** Runs a handler once; any error or timeout is a failed outcome with a message. */
export async function runHandler(h: Handler, target: Target, runtime: Runtime, timeoutMs: number): Promise<Outcome> {
  if (h.exec) {
    const r = await runtime.exec(target.containerId, h.exec.command ?? [], timeoutMs);
    if (r.timedOut) return { ok: false, message: `command timed out after ${timeoutMs / 1000}s` };
    return r.exitCode === 0 ? { ok: true, message: r.output } : { ok: false, message: `command exited with ${r.exitCode}: ${r.output.trim()}`.trim() };
  }
  if (h.httpGet) {
    const g = h.httpGet;
    const host = g.host || target.podIP;
    if (!host) return { ok: false, message: "the pod has no IP yet" };
    const port = resolvePort(g.port, target.ports);
    const https = g.scheme === "HTTPS";
    const path = g.path ? (g.path.startsWith("/") ? g.path : `/${g.path}`) : "/";
    const headers: Record<string, string> = { "User-Agent": "kube-probe/1.32", Accept: "*/*" };
    for (const x of g.httpHeaders ?? []) headers[x.name] = x.value;
    return new Promise<Outcome>((resolve) => {
      const req = (https ? httpsRequest : httpRequest)({ host, port, path, method: "GET", headers, timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        resolve(code >= 200 && code < 400 ? { ok: true, message: `HTTP ${code}` } : { ok: false, message: `HTTP probe failed with statuscode: ${code}` });
      });
      req.on("timeout", () => {
        req.destroy();
        resolve({ ok: false, message: `Get "${https ? "https" : "http"}://${host}:${port}${path}": context deadline exceeded` });
      });
      req.on("error", (err) => resolve({ ok: false, message: `Get "${https ? "https" : "http"}://${host}:${port}${path}": ${err.message}` }));
      req.end();
    });
  }
  if (h.tcpSocket) {
    const host = h.tcpSocket.host || target.podIP;
    if (!host) return { ok: false, message: "the pod has no IP yet" };
    const port = resolvePort(h.tcpSocket.port, target.ports);
    return new Promise<Outcome>((resolve) => {
      const s = connect({ host, port, timeout: timeoutMs });
      s.on("connect", () => {
        s.destroy();
        resolve({ ok: true, message: "connected" });
      });
      s.on("timeout", () => {
        s.destroy();
        resolve({ ok: false, message: `dial tcp ${host}:${port}: i/o timeout` });
      });
      s.on("error", (err) => resolve({ ok: false, message: `dial tcp ${host}:${port}: ${err.message}` }));
    });
  }
  const grpc = h.grpc;
  if (grpc) {
    if (!target.podIP) return { ok: false, message: "the pod has no IP yet" };
    return grpcHealthCheck(target.podIP, grpc.port, grpc.service ?? "", timeoutMs);
  }
  return { ok: false, message: "the handler has no action (exec, httpGet, tcpSocket or grpc)" };
}
