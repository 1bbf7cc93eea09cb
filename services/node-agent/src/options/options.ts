// node-agent options: flags/environment → partial → compileOptions() with documented defaults.
import { hostname, networkInterfaces } from "node:os";
import { parseArgs } from "node:util";
import { isDNS1123Subdomain, isValidQuantity } from "@skiff/api";

export interface NodeAgentOptions {
  /** apiserver gRPC addresses (--apiserver, SKIFF_APISERVER; default 127.0.0.1:6444). */
  apiservers: string[];
  /** Join token sent as `authorization: Bearer` to register the Node (--token, SKIFF_TOKEN; needed when the apiserver runs with --require-join-token). */
  token?: string;
  /** NATS servers for heartbeats (--nats, SKIFF_NATS; default nats://127.0.0.1:4222). */
  natsServers: string[];
  /** This node's name (--node-name; default: the host name, lower-cased). */
  nodeName: string;
  /** Extra node labels (--node-labels k=v,k2=v2). */
  nodeLabels: Record<string, string>;
  /** Name of the cluster; containers and networks carry it so clusters sharing an engine never touch each other's (--cluster-name; default "skiff"). */
  clusterName: string;
  /** Address other nodes reach this node at (--node-ip; default: first non-loopback IPv4). */
  nodeIP: string;
  /** Sandbox image (--pause-image; default skiff/pause:3.9, built locally). */
  pauseImage: string;
  dockerSocket: string;
  /** Reserved for the system: allocatable = capacity − reserved (--reserved-cpu 100m, --reserved-memory 256Mi). */
  reservedCpu: string;
  reservedMemory: string;
  maxPods: number;
  heartbeatMs: number;
  statusMs: number;
  /** CrashLoopBackOff / image pull back-off: base 10 s doubling to 5 min, reset after 10 min running. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  backoffResetMs: number;
  resyncMs: number;
  workers: number;
  /** Make the pod bridge network internal (no route out; tests use this). */
  podNetworkInternal: boolean;
}

export function parseFlags(argv: string[], env: NodeJS.ProcessEnv): Partial<NodeAgentOptions> {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries([
      "apiserver", "token", "nats", "node-name", "node-labels", "cluster-name", "node-ip", "pause-image", "docker-socket",
      "reserved-cpu", "reserved-memory", "max-pods", "heartbeat-ms", "status-ms", "backoff-base-ms", "backoff-max-ms",
      "backoff-reset-ms", "resync-ms", "workers",
    ].map((k): [string, { type: "string" | "boolean" }] => [k, { type: "string" }]).concat([["pod-network-internal", { type: "boolean" }]])),
    strict: true,
  }) as { values: Record<string, string | boolean | undefined> };
  const str = (k: string) => values[k] as string | undefined;
  const num = (k: string) => (str(k) === undefined ? undefined : Number(str(k)));
  const list = (v?: string) => (v ? v.split(",").map((s) => s.trim()).filter(Boolean) : undefined);
  const labels = list(str("node-labels"));
  return {
    apiservers: list(str("apiserver") ?? env.SKIFF_APISERVER),
    token: str("token") ?? env.SKIFF_TOKEN,
    natsServers: list(str("nats") ?? env.SKIFF_NATS),
    nodeName: str("node-name") ?? env.SKIFF_NODE_NAME,
    nodeLabels: labels ? Object.fromEntries(labels.map((l) => { const i = l.indexOf("="); return i < 0 ? [l, ""] : [l.slice(0, i), l.slice(i + 1)]; })) : undefined,
    clusterName: str("cluster-name") ?? env.SKIFF_CLUSTER_NAME,
    nodeIP: str("node-ip") ?? env.SKIFF_NODE_IP,
    pauseImage: str("pause-image"),
    dockerSocket: str("docker-socket"),
    reservedCpu: str("reserved-cpu"),
    reservedMemory: str("reserved-memory"),
    maxPods: num("max-pods"),
    heartbeatMs: num("heartbeat-ms"),
    statusMs: num("status-ms"),
    backoffBaseMs: num("backoff-base-ms"),
    backoffMaxMs: num("backoff-max-ms"),
    backoffResetMs: num("backoff-reset-ms"),
    resyncMs: num("resync-ms"),
    workers: num("workers"),
    podNetworkInternal: values["pod-network-internal"] as boolean | undefined,
  };
}

/** The first non-internal IPv4 address that is not a Docker bridge. */
export function detectNodeIP(): string {
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    if (/^(docker|br-|veth|skiff)/.test(name)) continue;
    const a = addrs?.find((x) => x.family === "IPv4" && !x.internal);
    if (a) return a.address;
  }
  return "127.0.0.1";
}

export function compileOptions(p: Partial<NodeAgentOptions>): NodeAgentOptions {
  const o: NodeAgentOptions = {
    apiservers: p.apiservers?.length ? p.apiservers : ["127.0.0.1:6444"],
    token: p.token || undefined,
    natsServers: p.natsServers?.length ? p.natsServers : ["nats://127.0.0.1:4222"],
    nodeName: p.nodeName ?? hostname().toLowerCase().replace(/[^a-z0-9.-]/g, "-"),
    nodeLabels: p.nodeLabels ?? {},
    clusterName: p.clusterName ?? "skiff",
    nodeIP: p.nodeIP ?? detectNodeIP(),
    pauseImage: p.pauseImage ?? "skiff/pause:3.9",
    dockerSocket: p.dockerSocket ?? "/var/run/docker.sock",
    reservedCpu: p.reservedCpu ?? "100m",
    reservedMemory: p.reservedMemory ?? "256Mi",
    maxPods: p.maxPods ?? 110,
    heartbeatMs: p.heartbeatMs ?? 2000,
    statusMs: p.statusMs ?? 10_000,
    backoffBaseMs: p.backoffBaseMs ?? 10_000,
    backoffMaxMs: p.backoffMaxMs ?? 300_000,
    backoffResetMs: p.backoffResetMs ?? 600_000,
    resyncMs: p.resyncMs ?? 10_000,
    workers: p.workers ?? 4,
    podNetworkInternal: p.podNetworkInternal ?? false,
  };
  const errs: string[] = [];
  const bad = isDNS1123Subdomain(o.nodeName);
  if (bad) errs.push(`--node-name: ${bad}`);
  if (!/^[a-z0-9-]{1,20}$/.test(o.clusterName)) errs.push("--cluster-name: 1-20 characters of [a-z0-9-]");
  if (!isValidQuantity(o.reservedCpu)) errs.push(`--reserved-cpu: not a quantity: ${o.reservedCpu}`);
  if (!isValidQuantity(o.reservedMemory)) errs.push(`--reserved-memory: not a quantity: ${o.reservedMemory}`);
  for (const k of ["maxPods", "heartbeatMs", "statusMs", "backoffBaseMs", "backoffMaxMs", "backoffResetMs", "resyncMs", "workers"] as const) {
    if (!Number.isFinite(o[k]) || o[k] <= 0) errs.push(`${k}: must be a positive number`);
  }
  if (errs.length) throw new Error(`invalid options:\n  ${errs.join("\n  ")}`);
  return o;
}
