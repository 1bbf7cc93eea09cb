// apiserver options: one table of flags, environment variables, defaults and checks.
import { checks, defineOptions, list, num, oneOf, str, type OptionsOf } from "@skiff/flags";
import { parseRange, type IpRange } from "../allocation/cidr.js";

const YEAR_MS = 365 * 24 * 3600_000;
// Tests use certificates of seconds to show rotation; real ones live a year.
const atLeastTenSeconds = (v: number) => (v >= 10_000 ? undefined : "must be at least 10000 (ms)");
const hostPortOrOff = (v: string) => (v === "" || /^[^\s]+:\d+$/.test(v) ? undefined : `must be host:port, got ${JSON.stringify(v)}`);

const rows = {
  natsServers: list("nats", "NATS servers holding the store", ["nats://127.0.0.1:4222"], { env: "SKIFF_NATS" }),
  bucket: str("bucket", "KV bucket of the cluster store", "skiff", {
    env: "SKIFF_BUCKET",
    check: (v) => (/^[-\w]+$/.test(v) ? undefined : `invalid bucket name ${JSON.stringify(v)}`),
  }),
  replicas: num("replicas", "Replicas of the bucket (3 on a NATS cluster)", 1, { check: (v) => ([1, 3, 5].includes(v) ? undefined : "must be 1, 3 or 5") }),
  grpcAddress: str("grpc-address", "host:port the gRPC API listens on (port 0 = any)", "127.0.0.1:6444", {
    env: "SKIFF_APISERVER_GRPC_ADDRESS",
    check: checks.hostPort,
  }),
  httpsAddress: str("https-address", 'host:port of the Kubernetes REST API over HTTPS (port 0 = any; "" = off)', "0.0.0.0:6443", {
    env: "SKIFF_APISERVER_HTTPS_ADDRESS",
    check: hostPortOrOff,
  }),
  tlsSans: list("tls-san", "Extra names/IPs in the serving certificate (repeatable or comma-separated)", []),
  nodeToken: str("node-token", "Shared secret sent to node agents' NodeService (must equal the agents'; empty sends none)", "", { env: "SKIFF_NODE_TOKEN" }),
  bookmarkIntervalMs: num("bookmark-interval-ms", "Interval of watch bookmarks", 10_000, { check: checks.nonNegative }),
  compactAfterMs: num("compact-after-ms", "Delete markers older than this are compacted; also the watch cache's window", 10 * 60_000, {
    check: checks.nonNegative,
  }),
  compactIntervalMs: num("compact-interval-ms", "How often compaction runs (0 = never)", 60_000, { check: checks.nonNegative }),
  serviceClusterIpRange: str("service-cluster-ip-range", "ClusterIPs come from here (.1 = kubernetes, .10 = DNS)", "10.96.0.0/16", {
    env: "SKIFF_SERVICE_CIDR",
  }),
  serviceNodePortRange: str("service-node-port-range", "NodePorts come from here", "30000-32767"),
  loadBalancerIpRange: str("load-balancer-ip-range", 'LoadBalancer addresses come from here, a CIDR or "a-b" (empty: LoadBalancer services stay pending)', ""),
  allocatorRepairIntervalMs: num(
    "allocator-repair-interval-ms",
    "How often allocation records whose Service is gone are freed (also once at start; 0 = only at start)",
    180_000,
    {
      check: checks.nonNegative,
    },
  ),
  advertiseAddress: str("advertise-address", "Address the `kubernetes` Endpoints give for this apiserver (empty: the gRPC host, 127.0.0.1 for 0.0.0.0)", ""),
  authorizationMode: oneOf(
    "authorization-mode",
    "How REST requests are authorized: RBAC (system:masters may do anything) or AlwaysAllow (any authenticated user may do anything: benchmarks, debugging)",
    ["RBAC", "AlwaysAllow"] as const,
    "RBAC",
  ),
  tokenAuthFile: str("token-auth-file", 'Static bearer tokens, a CSV file of `token,user,uid,"group1,group2"` lines as Kubernetes\' --token-auth-file', ""),
  maxRequestsInflight: num("max-requests-inflight", "Reads served at once by the REST API; more wait in per-client queues or get 429", 100, {
    check: checks.positiveInt,
  }),
  maxMutatingRequestsInflight: num("max-mutating-requests-inflight", "Writes served at once by the REST API", 50, { check: checks.positiveInt }),
  requestTimeoutMs: num("request-timeout-ms", "A REST request (not a watch or stream) unanswered after this long gets 504 (Kubernetes' 1m)", 60_000, {
    check: checks.positiveInt,
  }),
  pkiDir: str(
    "pki-dir",
    "The control plane's PKI directory: ca.crt, ca.key (0600), admin.token; created with a new cluster CA on the cluster's first start",
    "/var/lib/skiff/pki",
    {
      env: "SKIFF_PKI_DIR",
    },
  ),
  encryptionConfig: str(
    "encryption-provider-config",
    "Encryption at rest, an EncryptionConfiguration file (empty: <pki-dir>/encryption-config.yaml, created with a new AES-GCM key for Secrets when missing)",
    "",
    {
      env: "SKIFF_ENCRYPTION_CONFIG",
    },
  ),
  nodeCertValidityMs: num("node-cert-validity-ms", "Validity of the node certificates signed at join and renewal (nodes renew at 2/3 of it)", YEAR_MS, {
    check: atLeastTenSeconds,
  }),
  certValidityMs: num(
    "cert-validity-ms",
    "Validity of the apiserver's own certificates (serving, and its NATS client one), re-issued in memory at 2/3 of it",
    YEAR_MS,
    { check: atLeastTenSeconds },
  ),
};

export type ApiserverOptions = OptionsOf<typeof rows>;

export const apiserverOptions = defineOptions(rows, {
  derive(o) {
    o.encryptionConfig ||= `${o.pkiDir}/encryption-config.yaml`;
  },
  validate: rangeErrors,
});

/** Reads flags (and SKIFF_* environment variables) into the options that were given. */
export const parseFlags = (argv: string[], env: NodeJS.ProcessEnv = {}) => apiserverOptions.parse(argv, env);
/** Fills defaults and checks; throws with every problem listed. */
export const compileOptions = (given: Partial<ApiserverOptions>) => apiserverOptions.compile(given);

/** What is wrong with the allocator ranges (service CIDR, NodePort range, load-balancer pool). */
function rangeErrors(o: ApiserverOptions): string[] {
  const errs: string[] = [];
  const parse = (flag: string, text: string, cidrOnly: boolean): IpRange | undefined => {
    try {
      if (cidrOnly && !text.includes("/")) throw new Error(`want a CIDR such as 10.96.0.0/16, got ${JSON.stringify(text)}`);
      return parseRange(text);
    } catch (err) {
      errs.push(`${flag}: ${(err as Error).message}`);
      return undefined;
    }
  };
  const svc = parse("--service-cluster-ip-range", o.serviceClusterIpRange, true);
  // The first and tenth addresses are the kubernetes and DNS services.
  if (svc && svc.last - svc.first + 1 < 16)
    errs.push(`--service-cluster-ip-range: ${o.serviceClusterIpRange} is too small (want /27 or larger: the 1st and 10th addresses are reserved)`);
  const m = /^(\d+)-(\d+)$/.exec(o.serviceNodePortRange);
  if (!m) errs.push(`--service-node-port-range: want "first-last" such as 30000-32767, got ${JSON.stringify(o.serviceNodePortRange)}`);
  else if (Number(m[1]) < 1 || Number(m[2]) > 65535 || Number(m[1]) > Number(m[2]))
    errs.push(`--service-node-port-range: ${o.serviceNodePortRange} must satisfy 1 <= first <= last <= 65535`);
  if (o.loadBalancerIpRange) {
    const lb = parse("--load-balancer-ip-range", o.loadBalancerIpRange, false);
    if (lb && svc && lb.first <= svc.last + 1 && svc.first - 1 <= lb.last)
      errs.push(`--load-balancer-ip-range: ${o.loadBalancerIpRange} overlaps the service CIDR ${o.serviceClusterIpRange}`);
  }
  return errs;
}
