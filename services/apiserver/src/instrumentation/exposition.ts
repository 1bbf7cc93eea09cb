// GET /metrics on the REST port: the process's Prometheus exposition, authorized like any
// other path (RBAC nonResourceURL "/metrics"; the system:monitoring group has it, as in Kubernetes).
import type { ServerResponse } from "node:http";
import { exposition } from "@skiff/metrics";

/** Writes the exposition. */
export async function sendMetrics(res: ServerResponse): Promise<void> {
  const { contentType, body } = await exposition();
  res.writeHead(200, { "Content-Type": contentType });
  res.end(body);
}
