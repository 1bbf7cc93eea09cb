// NodeService.Proxy: the agent's own HTTP paths, reached through the apiserver's node proxy
// (`kubectl get --raw /api/v1/nodes/NODE/proxy/metrics`), as the kubelet's port serves them:
// /metrics (Prometheus), /healthz, /pods (the pods bound to this node, as a PodList).
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
}

/** The agent's answer to one GET on `path`. */
export async function agentHttpGet(path: string, pods: () => Pod[]): Promise<nodev1.ProxyResponse> {
  const text = (status: number, body: string) => ({ statusCode: status, contentType: "text/plain; charset=utf-8", body: Buffer.from(body) });
  switch (path.replace(/\/+$/, "") || "/") {
    case "/metrics": {
      const { contentType, body } = await exposition();
      return { statusCode: 200, contentType, body: Buffer.from(body) };
    }
    case "/healthz": return text(200, "ok");
    case "/pods": return { statusCode: 200, contentType: "application/json", body: Buffer.from(JSON.stringify({ kind: "PodList", apiVersion: "v1", metadata: {}, items: pods() })) };
    default: return text(404, `404 page not found: the node agent serves /metrics, /healthz and /pods, not ${path}\n`);
  }
}

/** The gRPC handler (spread into the NodeService implementation). */
export function proxyHandlers(d: ProxyHandlerDeps) {
  return {
    proxy(call: ServerUnaryCall<nodev1.ProxyRequest, nodev1.ProxyResponse>, cb: sendUnaryData<nodev1.ProxyResponse>) {
      void (async () => {
        d.authorize(call.metadata);
        cb(null, await agentHttpGet(call.request.path || "/", () => d.pods.list()));
      })().catch((err) => d.fail(call, cb as (e: unknown) => void, err, "Proxy"));
    },
  };
}
