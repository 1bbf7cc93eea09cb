// scheduler options: flags and environment → partial → compileOptions() (defaults here).
import { parseArgs } from "node:util";
import { DEFAULT_SCHEDULER_LEASE } from "@skiff/client";
import { checkMetricsAddress } from "@skiff/metrics";

/** Everything the scheduler process is configured with (all fields filled after compileOptions). */
export interface SchedulerOptions {
  /** host:port of the apiservers' gRPC API, tried in order (--apiserver, SKIFF_APISERVER; default 127.0.0.1:6444). */
  apiservers: string[];
  /** ca.crt, tls.crt, tls.key of this component's identity (--tls-dir, SKIFF_TLS_DIR; default /var/lib/skiff/pki/scheduler). */
  tlsDir: string;
  /** Pods with this spec.schedulerName are ours (--scheduler-name; default "default-scheduler"). */
  schedulerName: string;
  /** How often unschedulable pods are retried without any cluster change (--retry-interval-ms; default 10000). */
  retryIntervalMs: number;
  /** NATS servers holding the leader lease (--nats, SKIFF_NATS; default nats://127.0.0.1:4222). */
  natsServers: string[];
  /** Run active/standby with a lease in NATS KV (--leader-elect; default true). */
  leaderElect: boolean;
  /** Lease duration (--leader-elect-lease-ms; default 15000): a standby takes over within this long. */
  leaseMs: number;
  /** Lease renew / candidate retry interval (--leader-elect-renew-ms; default 2000). */
  renewMs: number;
  /** Prometheus /metrics, loopback only (--metrics-address; default 127.0.0.1:10259, kube-scheduler's port; "" = off). */
  metricsAddress: string;
}

/** Reads flags (and SKIFF_* environment variables) into a partial options object. */
export function parseFlags(argv: string[], env: NodeJS.ProcessEnv): Partial<SchedulerOptions> {
  const { values } = parseArgs({
    args: argv,
    options: {
      apiserver: { type: "string" }, "tls-dir": { type: "string" }, "scheduler-name": { type: "string" }, "retry-interval-ms": { type: "string" },
      nats: { type: "string" }, "leader-elect": { type: "string" }, "leader-elect-lease-ms": { type: "string" }, "leader-elect-renew-ms": { type: "string" },
      "metrics-address": { type: "string" },
    },
    strict: true,
  });
  const list = (v?: string) => (v ? v.split(",").map((s) => s.trim()).filter(Boolean) : undefined);
  const num = (v?: string) => (v === undefined ? undefined : Number(v));
  const le = values["leader-elect"];
  return {
    apiservers: list(values.apiserver ?? env.SKIFF_APISERVER),
    tlsDir: values["tls-dir"] ?? env.SKIFF_TLS_DIR,
    schedulerName: values["scheduler-name"],
    retryIntervalMs: num(values["retry-interval-ms"]),
    natsServers: list(values.nats ?? env.SKIFF_NATS),
    leaderElect: le === undefined ? undefined : le === "true" ? true : le === "false" ? false : (le as never),
    leaseMs: num(values["leader-elect-lease-ms"]),
    renewMs: num(values["leader-elect-renew-ms"]),
    metricsAddress: values["metrics-address"],
  };
}

/** Validates a partial and fills defaults; throws with every problem listed. */
export function compileOptions(p: Partial<SchedulerOptions>): SchedulerOptions {
  const o: SchedulerOptions = {
    apiservers: p.apiservers?.length ? p.apiservers : ["127.0.0.1:6444"],
    tlsDir: p.tlsDir || "/var/lib/skiff/pki/scheduler",
    schedulerName: p.schedulerName ?? DEFAULT_SCHEDULER_LEASE,
    retryIntervalMs: p.retryIntervalMs ?? 10_000,
    natsServers: p.natsServers?.length ? p.natsServers : ["nats://127.0.0.1:4222"],
    leaderElect: p.leaderElect ?? true,
    leaseMs: p.leaseMs ?? 15_000,
    renewMs: p.renewMs ?? 2_000,
    metricsAddress: p.metricsAddress ?? "127.0.0.1:10259",
  };
  const errs: string[] = [];
  for (const a of o.apiservers) {
    if (!/^[^\s]+:\d+$/.test(a)) errs.push(`--apiserver: must be host:port[,host:port…], got ${JSON.stringify(a)}`);
  }
  if (!o.schedulerName.trim()) errs.push("--scheduler-name: must not be empty");
  if (!Number.isFinite(o.retryIntervalMs) || o.retryIntervalMs <= 0) errs.push("--retry-interval-ms: must be a positive number");
  if (typeof o.leaderElect !== "boolean") errs.push(`--leader-elect: must be true or false, got ${JSON.stringify(o.leaderElect)}`);
  if (!(o.renewMs > 0)) errs.push("--leader-elect-renew-ms: must be a positive number");
  if (!(o.leaseMs > o.renewMs)) errs.push("--leader-elect-lease-ms: must be longer than --leader-elect-renew-ms");
  const m = checkMetricsAddress("--metrics-address", o.metricsAddress);
  if (m) errs.push(m);
  if (errs.length) throw new Error(`invalid options:\n  ${errs.join("\n  ")}`);
  return o;
}
