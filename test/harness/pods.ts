// Small helpers the runtime integration tests share: a pod builder, reading a stream to the
// end, a pod's events, and running a command in a pod through a NodeConnector.
import type { Readable } from "node:stream";
import type { ApiClient } from "@skiff/client";
import type { Event, Pod } from "@skiff/api";
import type { NodeConnector } from "../../services/apiserver/src/nodes/connector.js";

/** The local busybox image every test workload uses. */
export const BUSYBOX = "skiff/busybox:1.35";

/** A pod in `default` with a 1 s grace period; `spec` fills in the rest. */
export function testPod(name: string, spec: Partial<Pod["spec"]>): Pod {
  return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "default" }, spec: { terminationGracePeriodSeconds: 1, containers: [], ...spec } };
}

/** Everything a stream yields, as UTF-8 text. */
export async function readAll(r: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks).toString("utf8");
}

/** The Events recorded about one object in `default`. */
export async function podEvents(client: ApiClient, name: string): Promise<Event[]> {
  return (await client.list<Event>("events", { namespace: "default" })).items.filter((e) => e.involvedObject.name === name);
}

/** Runs a command in a pod's container (no stdin, no tty): its stdout and exit code. */
export async function execIn(connector: NodeConnector, pod: Pod, command: string[], container?: string): Promise<{ out: string; code: number }> {
  const s = await connector.exec(pod, { container, command, stdin: false, stdout: true, stderr: true, tty: false });
  const [out, code] = await Promise.all([readAll(s.stdout!), s.exit]);
  return { out, code };
}
