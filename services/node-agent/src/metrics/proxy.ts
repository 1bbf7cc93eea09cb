// NodeService.Proxy: the agent's own HTTP paths, reached through the apiserver's node proxy
// (`kubectl get --raw /api/v1/nodes/NODE/proxy/metrics`), as the kubelet's port serves them:
// /metrics (Prometheus), /healthz, /pods (the pods bound to this node, as a PodList), and the
// metrics of the node's own proxy, DNS and ingress controller (/metrics/proxy, /metrics/dns,
// /metrics/ingress), read from their loopback listeners: how they are reached from outside.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ServerUnaryCall, sendUnaryData } from "@grpc/grpc-js";
import type { Metadata } from "@grpc/grpc-js";
import type { Pod } from "@skiff/api";
import type { Informer } from "@skiff/client";
import type { nodev1 } from "@skiff/proto";
import { exposition } from "@skiff/metrics";

export interface ProxyHandlerDeps {
  pods: Informer<Pod>;
  authorize(md: Metadata): void;
  fail(call: unknown, cb: (e: unknown) => void, err: unknown, method: string): void;
  /** Where the node's proxy, DNS and ingress write their state (ports); "" = not spawned here. */
  runDir?: string;
}

/** The loopback metrics address a child wrote in its state file. */
function childMetricsAddress(runDir: string, child: string): string | undefined {
  try {
    const s = JSON.parse(readFileSync(join(runDir, `${child}.json`), "utf8")) as { metricsAddress?: string; metricsPort?: number };
    return s.metricsAddress || (s.metricsPort ? `127.0.0.1:${s.metricsPort}` : undefined);
  } catch {
    return undefined;
  }
}

/** The agent's answer to one GET on `path`. */
export async function agentHttpGet(path: string, pods: () => Pod[], runDir = ""): Promise<nodev1.ProxyResponse> {
  const text = (status: number, body: string) => ({ statusCode: status, contentType: "text/plain; charset=utf-8", body: Buffer.from(body) });
  const p = path.replace(/\/+$/, "") || "/";
  const child = /^\/metrics\/(proxy|dns|ingress)$/.exec(p)?.[1];
  if (child) {
    const addr = runDir ? childMetricsAddress(runDir, child) : undefined;
    if (!addr) return text(404, `this node runs no ${child} with metrics\n`);
    try {
      const r = await fetch(`http://${addr}/metrics`, { signal: AbortSignal.timeout(10_000) });
      return { statusCode: r.status, contentType: r.headers.get("content-type") ?? "text/plain", body: Buffer.from(await r.arrayBuffer()) };
    } catch (err) {
      return text(503, `the node's ${child} does not answer on ${addr}: ${(err as Error).message}\n`);
    }
  }
  switch (p) {
    case "/metrics": {
      const { contentType, body } = await exposition();
      return { statusCode: 200, contentType, body: Buffer.from(body) };
    }
    case "/healthz":
      return text(200, "ok");
    case "/pods":
      return {
        statusCode: 200,
        contentType: "application/json",
        body: Buffer.from(JSON.stringify({ kind: "PodList", apiVersion: "v1", metadata: {}, items: pods() })),
      };
    default:
      return text(404, `404 page not found: the node agent serves /metrics, /metrics/proxy, /metrics/dns, /metrics/ingress, /healthz and /pods, not ${path}\n`);
  }
}

/** The gRPC handler (spread into the NodeService implementation). */
export function proxyHandlers(d: ProxyHandlerDeps) {
  return {
    proxy(call: ServerUnaryCall<nodev1.ProxyRequest, nodev1.ProxyResponse>, cb: sendUnaryData<nodev1.ProxyResponse>) {
      void (async () => {
        d.authorize(call.metadata);
        cb(null, await agentHttpGet(call.request.path || "/", () => d.pods.list(), d.runDir));
      })().catch((err) => d.fail(call, cb as (e: unknown) => void, err, "Proxy"));
    },
  };
}
