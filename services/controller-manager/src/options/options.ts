// controller-manager options: one table of flags, environment variables, defaults and checks.
import { bool, checks, defineOptions, list, num, str, type OptionsOf } from "@skiff/flags";
import { metricsAddressProblem } from "@skiff/metrics";

const rows = {
  apiservers: list("apiserver", "apiserver gRPC addresses", ["127.0.0.1:6444"], { env: "SKIFF_APISERVER", check: checks.hostPorts }),
  tlsDir: str("tls-dir", "ca.crt, tls.crt, tls.key of this component's identity", "/var/lib/skiff/pki/controller-manager", {
    env: "SKIFF_TLS_DIR",
    emptyIsUnset: true,
  }),
  natsServers: list("nats", "NATS servers (heartbeats, leases)", ["nats://127.0.0.1:4222"], { env: "SKIFF_NATS" }),
  clusterCidr: str("cluster-cidr", "Pod addresses of the whole cluster", "10.244.0.0/16", {
    env: "SKIFF_CLUSTER_CIDR",
    check: (v) => (/^(\d+\.){3}\d+\/\d+$/.test(v) ? undefined : `invalid CIDR ${JSON.stringify(v)}`),
  }),
  nodeCidrMaskSize: num("node-cidr-mask-size", "Prefix length of each node's podCIDR", 24, {
    check: (v) => (v >= 8 && v <= 30 ? undefined : "must be between 8 and 30"),
  }),
  nodeMonitorGraceMs: num("node-monitor-grace-ms", "A node silent this long becomes Ready=Unknown", 10_000, { check: checks.positive }),
  /*
   * Pods that tolerate the not-ready/unreachable taint follow their tolerationSeconds (pod
   * defaulting gives 20 s; see defaults.ts) or stay forever without it (daemon pods).
   */
  podEvictionTimeoutMs: num(
    "pod-eviction-timeout-ms",
    "Pods on a node with a NoExecute taint they do not tolerate at all are evicted this long after it was added",
    20_000,
    {
      check: checks.nonNegative,
    },
  ),
  podGcOrphanQuarantineMs: num(
    "pod-gc-orphan-quarantine-ms",
    "Pods bound to a Node that has been gone this long are force-deleted (Kubernetes' PodGC quarantine: 40 s)",
    40_000,
    { check: checks.nonNegative },
  ),
  leaderElect: bool("leader-elect", "Run active/standby with a lease in NATS KV", true),
  leaseMs: num("leader-elect-lease-ms", "Lease duration: a standby takes over within this long", 15_000),
  renewMs: num("leader-elect-renew-ms", "Lease renew / candidate retry interval", 2_000, { check: checks.positive }),
  controllers: list("controllers", 'Which controllers run (comma-separated names, or "all")', ["all"]),
  jobBackoffBaseMs: num("job-backoff-base-ms", "Delay before a Job replaces its first failed pod, doubling per further failure (as Kubernetes)", 10_000, {
    check: checks.nonNegative,
  }),
  jobBackoffMaxMs: num("job-backoff-max-ms", "Cap of that delay (six minutes, as Kubernetes)", 360_000),
  hpaSyncPeriodMs: num("horizontal-pod-autoscaler-sync-period-ms", "How often each HorizontalPodAutoscaler is synced (as Kubernetes)", 15_000, {
    check: checks.positive,
  }),
  hpaDownscaleStabilizationMs: num(
    "horizontal-pod-autoscaler-downscale-stabilization-ms",
    "Scale-down stabilisation window of HPAs that set none (five minutes, as Kubernetes)",
    300_000,
    { check: checks.nonNegative },
  ),
  hpaTolerance: num("horizontal-pod-autoscaler-tolerance", "HPA usage ratios within 1 ± this change nothing", 0.1, {
    check: (v) => (v >= 0 && v < 1 ? undefined : "must be at least 0 and below 1"),
  }),
  hpaCpuInitializationPeriodMs: num(
    "horizontal-pod-autoscaler-cpu-initialization-period-ms",
    "CPU samples of pods younger than this count for the HPA only once they are ready",
    300_000,
    { check: checks.nonNegative },
  ),
  hpaInitialReadinessDelayMs: num(
    "horizontal-pod-autoscaler-initial-readiness-delay-ms",
    "A pod not ready this long after starting counts as unready for the HPA",
    30_000,
    { check: checks.nonNegative },
  ),
  metricsAddress: str("metrics-address", "Prometheus /metrics, loopback only (kube-controller-manager's port; empty: off)", "127.0.0.1:10257", {
    check: metricsAddressProblem,
  }),
};

export type ControllerManagerOptions = OptionsOf<typeof rows>;

export const controllerManagerOptions = defineOptions(rows, {
  validate(o) {
    const errs: string[] = [];
    const prefix = Number(/\/(\d+)$/.exec(o.clusterCidr)?.[1]);
    if (prefix > o.nodeCidrMaskSize) errs.push("--node-cidr-mask-size: must be at least the cluster CIDR's prefix length");
    if (!(o.leaseMs > o.renewMs)) errs.push("--leader-elect-lease-ms: must be longer than --leader-elect-renew-ms");
    if (!(o.jobBackoffMaxMs >= o.jobBackoffBaseMs)) errs.push("--job-backoff-max-ms: must be at least --job-backoff-base-ms");
    return errs;
  },
});

export const parseFlags = (argv: string[], env: NodeJS.ProcessEnv = {}) => controllerManagerOptions.parse(argv, env);
export const compileOptions = (given: Partial<ControllerManagerOptions>) => controllerManagerOptions.compile(given);
