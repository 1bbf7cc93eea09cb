// controller-manager options: flags/environment → partial → compileOptions() with defaults.
import { parseArgs } from "node:util";
import { checkMetricsAddress } from "@skiff/metrics";

export interface ControllerManagerOptions {
  /** apiserver gRPC addresses (--apiserver, SKIFF_APISERVER; default 127.0.0.1:6444). */
  apiservers: string[];
  /** ca.crt, tls.crt, tls.key of this component's identity (--tls-dir, SKIFF_TLS_DIR; default /var/lib/skiff/pki/controller-manager). */
  tlsDir: string;
  /** NATS servers (heartbeats) (--nats, SKIFF_NATS; default nats://127.0.0.1:4222). */
  natsServers: string[];
  /** Pod addresses of the whole cluster (--cluster-cidr; default 10.244.0.0/16). */
  clusterCidr: string;
  /** Prefix length of each node's podCIDR (--node-cidr-mask-size; default 24). */
  nodeCidrMaskSize: number;
  /** A node silent this long becomes Ready=Unknown (--node-monitor-grace-ms; default 10000). */
  nodeMonitorGraceMs: number;
  /**
   * Pods on a node with a NoExecute taint they do not tolerate at all are evicted this long
   * after the taint was added (--pod-eviction-timeout-ms; default 20000). Pods that tolerate the
   * taint follow their tolerationSeconds (pod defaulting gives 20 s for the not-ready/unreachable
   * taints; see defaults.ts) or stay forever without it (daemon pods).
   */
  podEvictionTimeoutMs: number;
  /** Run active/standby with a lease in NATS KV (--leader-elect; default true). */
  leaderElect: boolean;
  /** Lease duration (--leader-elect-lease-ms; default 15000): a standby takes over within this long. */
  leaseMs: number;
  /** Lease renew / candidate retry interval (--leader-elect-renew-ms; default 2000). */
  renewMs: number;
  /** Which controllers run (--controllers a,b; default all). */
  controllers: string[] | "all";
  /** Delay before a Job replaces its first failed pod, doubling per further failure (--job-backoff-base-ms; default 10000, as Kubernetes). */
  jobBackoffBaseMs: number;
  /** Cap of that delay (--job-backoff-max-ms; default 360000, six minutes). */
  jobBackoffMaxMs: number;
  /** Prometheus /metrics, loopback only (--metrics-address; default 127.0.0.1:10257, kube-controller-manager's port; "" = off). */
  metricsAddress: string;
}

export function parseFlags(argv: string[], env: NodeJS.ProcessEnv): Partial<ControllerManagerOptions> {
  const { values } = parseArgs({
    args: argv,
    options: {
      apiserver: { type: "string" }, "tls-dir": { type: "string" }, nats: { type: "string" }, "cluster-cidr": { type: "string" },
      "node-cidr-mask-size": { type: "string" }, "node-monitor-grace-ms": { type: "string" }, "pod-eviction-timeout-ms": { type: "string" }, controllers: { type: "string" },
      "leader-elect": { type: "string" }, "leader-elect-lease-ms": { type: "string" }, "leader-elect-renew-ms": { type: "string" },
      "job-backoff-base-ms": { type: "string" }, "job-backoff-max-ms": { type: "string" },
      "metrics-address": { type: "string" },
    },
    strict: true,
  });
  const list = (v?: string) => (v ? v.split(",").map((s) => s.trim()).filter(Boolean) : undefined);
  const num = (v?: string) => (v === undefined ? undefined : Number(v));
  return {
    apiservers: list(values.apiserver ?? env.SKIFF_APISERVER),
    tlsDir: values["tls-dir"] ?? env.SKIFF_TLS_DIR,
    natsServers: list(values.nats ?? env.SKIFF_NATS),
    clusterCidr: values["cluster-cidr"] ?? env.SKIFF_CLUSTER_CIDR,
    nodeCidrMaskSize: num(values["node-cidr-mask-size"]),
    nodeMonitorGraceMs: num(values["node-monitor-grace-ms"]),
    podEvictionTimeoutMs: num(values["pod-eviction-timeout-ms"]),
    leaderElect: values["leader-elect"] === undefined ? undefined : values["leader-elect"] === "true" ? true : values["leader-elect"] === "false" ? false : (values["leader-elect"] as never),
    leaseMs: num(values["leader-elect-lease-ms"]),
    renewMs: num(values["leader-elect-renew-ms"]),
    controllers: values.controllers && values.controllers !== "all" ? list(values.controllers) : undefined,
    jobBackoffBaseMs: num(values["job-backoff-base-ms"]),
    jobBackoffMaxMs: num(values["job-backoff-max-ms"]),
    metricsAddress: values["metrics-address"],
  };
}

export function compileOptions(p: Partial<ControllerManagerOptions>): ControllerManagerOptions {
  const o: ControllerManagerOptions = {
    apiservers: p.apiservers?.length ? p.apiservers : ["127.0.0.1:6444"],
    tlsDir: p.tlsDir || "/var/lib/skiff/pki/controller-manager",
    natsServers: p.natsServers?.length ? p.natsServers : ["nats://127.0.0.1:4222"],
    clusterCidr: p.clusterCidr ?? "10.244.0.0/16",
    nodeCidrMaskSize: p.nodeCidrMaskSize ?? 24,
    nodeMonitorGraceMs: p.nodeMonitorGraceMs ?? 10_000,
    podEvictionTimeoutMs: p.podEvictionTimeoutMs ?? 20_000,
    leaderElect: p.leaderElect ?? true,
    leaseMs: p.leaseMs ?? 15_000,
    renewMs: p.renewMs ?? 2_000,
    controllers: p.controllers ?? "all",
    jobBackoffBaseMs: p.jobBackoffBaseMs ?? 10_000,
    jobBackoffMaxMs: p.jobBackoffMaxMs ?? 360_000,
    metricsAddress: p.metricsAddress ?? "127.0.0.1:10257",
  };
  const errs: string[] = [];
  const m = /^(\d+\.){3}\d+\/(\d+)$/.exec(o.clusterCidr);
  if (!m) errs.push(`--cluster-cidr: invalid CIDR ${JSON.stringify(o.clusterCidr)}`);
  else if (Number(m[2]) > o.nodeCidrMaskSize) errs.push("--node-cidr-mask-size: must be at least the cluster CIDR's prefix length");
  if (!(o.nodeCidrMaskSize >= 8 && o.nodeCidrMaskSize <= 30)) errs.push("--node-cidr-mask-size: must be between 8 and 30");
  if (!(o.nodeMonitorGraceMs > 0)) errs.push("--node-monitor-grace-ms: must be positive");
  if (!(o.podEvictionTimeoutMs >= 0)) errs.push("--pod-eviction-timeout-ms: must be a non-negative number");
  if (typeof o.leaderElect !== "boolean") errs.push(`--leader-elect: must be true or false, got ${JSON.stringify(o.leaderElect)}`);
  if (!(o.renewMs > 0)) errs.push("--leader-elect-renew-ms: must be a positive number");
  if (!(o.leaseMs > o.renewMs)) errs.push("--leader-elect-lease-ms: must be longer than --leader-elect-renew-ms");
  if (!(o.jobBackoffBaseMs >= 0)) errs.push("--job-backoff-base-ms: must be a non-negative number");
  if (!(o.jobBackoffMaxMs >= o.jobBackoffBaseMs)) errs.push("--job-backoff-max-ms: must be at least --job-backoff-base-ms");
  const metrics = checkMetricsAddress("--metrics-address", o.metricsAddress);
  if (metrics) errs.push(metrics);
  if (errs.length) throw new Error(`invalid options:\n  ${errs.join("\n  ")}`);
  return o;
}
