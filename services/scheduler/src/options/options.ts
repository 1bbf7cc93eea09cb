// scheduler options: one table of flags, environment variables, defaults and checks.
import { DEFAULT_SCHEDULER_LEASE } from "@skiff/client";
import { bool, checks, defineOptions, list, num, str, type OptionsOf } from "@skiff/flags";
import { metricsAddressProblem } from "@skiff/metrics";

const rows = {
  apiservers: list("apiserver", "host:port of the apiservers' gRPC API, tried in order", ["127.0.0.1:6444"], {
    env: "SKIFF_APISERVER",
    check: checks.hostPorts,
  }),
  tlsDir: str("tls-dir", "ca.crt, tls.crt, tls.key of this component's identity", "/var/lib/skiff/pki/scheduler", { env: "SKIFF_TLS_DIR", emptyIsUnset: true }),
  schedulerName: str("scheduler-name", "Pods with this spec.schedulerName are ours", DEFAULT_SCHEDULER_LEASE, {
    check: (v) => (v.trim() ? undefined : "must not be empty"),
  }),
  retryIntervalMs: num("retry-interval-ms", "How often unschedulable pods are retried without any cluster change", 10_000, { check: checks.positive }),
  natsServers: list("nats", "NATS servers holding the leader lease", ["nats://127.0.0.1:4222"], { env: "SKIFF_NATS" }),
  leaderElect: bool("leader-elect", "Run active/standby with a lease in NATS KV", true),
  leaseMs: num("leader-elect-lease-ms", "Lease duration: a standby takes over within this long", 15_000),
  renewMs: num("leader-elect-renew-ms", "Lease renew / candidate retry interval", 2_000, { check: checks.positive }),
  metricsAddress: str("metrics-address", "Prometheus /metrics, loopback only (kube-scheduler's port; empty: off)", "127.0.0.1:10259", {
    check: metricsAddressProblem,
  }),
};

/** Everything the scheduler process is configured with. */
export type SchedulerOptions = OptionsOf<typeof rows>;

export const schedulerOptions = defineOptions(rows, {
  validate: (o) => (o.leaseMs > o.renewMs ? [] : ["--leader-elect-lease-ms: must be longer than --leader-elect-renew-ms"]),
});

/** Reads flags (and SKIFF_* environment variables) into the options that were given. */
export const parseFlags = (argv: string[], env: NodeJS.ProcessEnv = {}) => schedulerOptions.parse(argv, env);
/** Fills defaults and checks; throws with every problem listed. */
export const compileOptions = (given: Partial<SchedulerOptions>) => schedulerOptions.compile(given);
