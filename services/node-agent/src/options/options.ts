// node-agent options: one table of flags, environment variables, defaults and checks; the
// defaults computed from other options (paths under --root-dir, the DNS address) in derive().
import { hostname, networkInterfaces } from "node:os";
import { bool, checks, defineOptions, keyValues, list, num, oneOf, optional, str, type OptionsOf } from "@skiff/flags";
import { isDNS1123Subdomain, isValidQuantity } from "@skiff/api";
import { DEFAULT_EVICTION_HARD, parseEvictionHard } from "../node/conditions.js";
import { validateGcPolicy } from "../images/gc.js";

const quantity = (v: string) => (isValidQuantity(v) ? undefined : `not a quantity: ${v}`);
const { positive } = checks;

const rows = {
  apiservers: list("apiserver", "apiserver gRPC addresses", ["127.0.0.1:6444"], { env: "SKIFF_APISERVER" }),
  token: optional("token", "Join token for TLS bootstrap when --tls-dir holds no certificate yet", { env: "SKIFF_TOKEN" }),
  tlsDir: str("tls-dir", "The node's TLS directory: ca.crt, tls.crt, tls.key (system:node:<name>); written by joining (default <root-dir>/pki)", "", {
    env: "SKIFF_TLS_DIR",
  }),
  caCertHash: str("ca-cert-hash", "Pin of the cluster CA for joining: sha256:<hex> of its public key", "", { env: "SKIFF_CA_CERT_HASH" }),
  bootstrapServers: list(
    "bootstrap-server",
    "https://host:port of the apiservers' HTTPS API for joining and renewal (default each --apiserver host on port 6443)",
    undefined,
    {
      env: "SKIFF_BOOTSTRAP_SERVER",
      check: (v) => v.filter((b) => !/^https:\/\/[^\s/]+:\d+$/.test(b)).map((b) => `want https://host:port, got ${JSON.stringify(b)}`),
    },
  ),
  certCheckMs: num("cert-check-ms", "How often the certificate's age is checked for renewal and the TLS files re-read", 60_000, { check: positive }),
  natsServers: list("nats", "NATS servers for heartbeats", ["nats://127.0.0.1:4222"], { env: "SKIFF_NATS" }),
  nodeName: str(
    "node-name",
    "This node's name (default: the host name, lower-cased)",
    () =>
      hostname()
        .toLowerCase()
        .replace(/[^a-z0-9.-]/g, "-"),
    {
      env: "SKIFF_NODE_NAME",
      check: (v) => isDNS1123Subdomain(v),
    },
  ),
  nodeLabels: keyValues("node-labels", "Extra node labels, k=v,k2=v2"),
  clusterName: str("cluster-name", "Name of the cluster; containers and networks carry it so clusters sharing an engine never touch each other's", "skiff", {
    env: "SKIFF_CLUSTER_NAME",
    check: (v) => (/^[a-z0-9-]{1,20}$/.test(v) ? undefined : "1-20 characters of [a-z0-9-]"),
  }),
  nodeIP: str("node-ip", "Address other nodes reach this node at (default: first non-loopback IPv4)", detectNodeIP, { env: "SKIFF_NODE_IP" }),
  pauseImage: str("pause-image", "Sandbox image (built locally)", "skiff/pause:3.9"),
  dockerSocket: str("docker-socket", "The Docker engine's socket", "/var/run/docker.sock"),
  reservedCpu: str("reserved-cpu", "CPU reserved for the system: allocatable = capacity − reserved", "100m", { check: quantity }),
  reservedMemory: str("reserved-memory", "Memory reserved for the system", "256Mi", { check: quantity }),
  maxPods: num("max-pods", "Pods this node runs at most", 110, { check: positive }),
  heartbeatMs: num("heartbeat-ms", "Heartbeat interval (NATS)", 2000, { check: positive }),
  statusMs: num("status-ms", "Node status interval", 10_000, { check: positive }),
  backoffBaseMs: num("backoff-base-ms", "CrashLoopBackOff / image pull back-off: first delay, doubling", 10_000, { check: positive }),
  backoffMaxMs: num("backoff-max-ms", "Cap of the back-off", 300_000, { check: positive }),
  backoffResetMs: num("backoff-reset-ms", "The back-off resets after a container ran this long", 600_000, { check: positive }),
  resyncMs: num("resync-ms", "Every pod is reconciled at least this often", 10_000, { check: positive }),
  workers: num("workers", "Pods reconciled at once", 4, { check: positive }),
  podNetworkAttach: oneOf(
    "pod-network-attach",
    "How sandboxes join the pod network: veth (the agent attaches them to the bridge, as a CNI plugin; ~400 ms faster per pod), docker (Docker's own networking), auto (veth when the agent runs as root with ip and nsenter)",
    ["auto", "veth", "docker"] as const,
    "auto",
  ),
  podNetworkInternal: bool("pod-network-internal", "Make the pod bridge network internal (no route out; tests use this)", false),
  rootDir: str("root-dir", "The agent's state on disk: pod volumes and termination logs under <root-dir>/pods", "/var/lib/skiff", {
    env: "SKIFF_ROOT_DIR",
    check: checks.absolutePath,
  }),
  volumeDir: str("volume-dir", "Where provisioned (local-path) PersistentVolumes keep their data (default <root-dir>/volumes)", "", {
    env: "SKIFF_VOLUME_DIR",
  }),
  listenAddress: str(
    "listen-address",
    "Address of the agent's gRPC NodeService (logs, exec, port-forward, stats) (default <node-ip>:10250; port 0 picks one)",
    "",
  ),
  nodeToken: str("node-token", "Shared secret the apiserver must present to the NodeService (empty: no check, for loopback-only setups)", "", {
    env: "SKIFF_NODE_TOKEN",
  }),
  volumeStatsMs: num("volume-stats-ms", "How often disk emptyDirs with a sizeLimit are measured; a pod over a limit is evicted", 5000, { check: positive }),
  containerLogMaxSize: str("container-log-max-size", "Container log rotation size, Docker json-file max-size", "10m", {
    check: (v) => (/^\d+[kmg]$/.test(v) ? undefined : `want a size like 10m, got ${v}`),
  }),
  serviceCidr: str("service-cidr", "Service CIDR, as the apiserver's (its .10 is the DNS)", "10.96.0.0/16", {
    env: "SKIFF_SERVICE_CIDR",
    check: (v) => (/^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.test(v) ? undefined : `not a CIDR: ${JSON.stringify(v)}`),
  }),
  clusterCidr: str("cluster-cidr", "All pods' range, for the blackhole and forwarding rules (empty: built from nodes' podCIDRs)", "", {
    env: "SKIFF_CLUSTER_CIDR",
  }),
  clusterDomain: str("cluster-domain", "Cluster domain", "cluster.local"),
  clusterDns: str("cluster-dns", "Cluster DNS address pods get (default the service CIDR's tenth address)", ""),
  proxyMode: oneOf(
    "proxy",
    "spawn: the agent starts (or adopts) the proxy and dns processes; external: they run elsewhere at --proxy-address / --dns-address; none: no service network",
    ["spawn", "external", "none"] as const,
    "spawn",
  ),
  runDir: str("run-dir", "Run dir for the children's sockets, state and logs (default /run/skiff/<cluster>/<node>)", ""),
  proxyAddress: str("proxy-address", "Proxy programming address in external mode (default unix:<run-dir>/proxy.sock)", ""),
  dnsAddress: str("dns-address", 'Node-local dns "ip:port" in external mode', ""),
  dnsUpstream: str(
    "dns-upstream",
    'Upstream resolvers the dns forwards other names to, host:port[,host:port] (default: the nameservers of the host\'s /etc/resolv.conf; "none" = answer REFUSED)',
    "",
    {
      env: "SKIFF_DNS_UPSTREAM",
    },
  ),
  dnsResolvConf: str(
    "dns-resolv-conf",
    "The resolv.conf whose nameservers the dns forwards to when --dns-upstream is not given (default the dns's: /etc/resolv.conf)",
    "",
  ),
  evictionHard: str("eviction-hard", "Hard eviction thresholds that turn MemoryPressure/DiskPressure True (the kubelet's defaults)", DEFAULT_EVICTION_HARD, {
    check: (v) => {
      try {
        parseEvictionHard(v);
        return undefined;
      } catch (err) {
        return (err as Error).message.replace(/^--eviction-hard: /, "");
      }
    },
  }),
  nodeConditionsMs: num("node-conditions-ms", "How often node conditions are measured", 10_000, { check: positive }),
  evictionMonitoringMs: num(
    "eviction-monitoring-ms",
    "How often memory.available is checked against --eviction-hard, evicting one pod per round below it (the kubelet's housekeeping interval)",
    10_000,
    { check: positive },
  ),
  nodePortAddresses: str(
    "nodeport-addresses",
    'Where NodePorts listen, passed to the proxy: "primary" and/or IPv4 CIDRs (default the proxy\'s: primary,127.0.0.1/32)',
    "",
  ),
  proxyMetricsAddress: str("proxy-metrics-address", "Proxy /metrics", "127.0.0.1:0"),
  proxyFlags: list("proxy-flags", 'Extra proxy flags, comma-separated (e.g. "--prefer-close")', []),
  allowedUnsafeSysctls: list(
    "allowed-unsafe-sysctls",
    'Unsafe sysctls (names or "prefix*") pods may set on this node besides the safe set (the kubelet\'s --allowed-unsafe-sysctls)',
    [],
  ),
  // Off by default: on a shared engine the user's own images are not Skiff's to remove; node
  // containers and `skiff node --join` pass 85.
  imageGcHighThresholdPercent: num("image-gc-high-threshold", "Disk use (%) that starts image garbage collection (100 = off)", 100, {
    env: "SKIFF_IMAGE_GC_HIGH_THRESHOLD",
  }),
  imageGcLowThresholdPercent: num("image-gc-low-threshold", "Disk use (%) image garbage collection frees down to", 80, { env: "SKIFF_IMAGE_GC_LOW_THRESHOLD" }),
  imageGcMinAgeMs: num("image-gc-min-age-ms", "Images unused for less than this are kept", 120_000, { env: "SKIFF_IMAGE_GC_MIN_AGE_MS" }),
  imageGcPeriodMs: num("image-gc-period-ms", "How often disk use is checked for image garbage collection", 30_000, {
    env: "SKIFF_IMAGE_GC_PERIOD_MS",
    check: positive,
  }),
  localRegistry: str(
    "local-registry",
    "The cluster registry as nodes reach it, host:port: the agent forwards 127.0.0.1:<port> on the node to it, so `localhost:<port>/app:1` means the same registry on the host and on every node",
    "",
    {
      env: "SKIFF_LOCAL_REGISTRY",
      check: (v) => (!v || /^[A-Za-z0-9.-]+:\d+$/.test(v) ? undefined : `want host:port, got ${JSON.stringify(v)}`),
    },
  ),
  localRegistryPort: num("local-registry-port", "Port of 127.0.0.1 the cluster registry is forwarded from (default: the --local-registry port)", undefined, {
    env: "SKIFF_LOCAL_REGISTRY_PORT",
  }),
  mirrorPods: bool(
    "mirror-pods",
    "Show the node's proxy, DNS and ingress controller as mirror pods in kube-system (as the kubelet does for static pods); --mirror-pods=false: none",
    true,
  ),
  ingressMode: oneOf(
    "ingress",
    "spawn: with --proxy=spawn the agent also starts (or adopts) the node's Ingress controller; none: no controller on this node",
    ["spawn", "none"] as const,
    "spawn",
  ),
};

export type NodeAgentOptions = OptionsOf<typeof rows>;

export const nodeAgentOptions = defineOptions(rows, {
  derive(o) {
    o.tlsDir ||= `${o.rootDir}/pki`;
    if (!o.bootstrapServers?.length) o.bootstrapServers = o.apiservers.map((a) => `https://${a.slice(0, a.lastIndexOf(":"))}:6443`);
    o.volumeDir ||= `${o.rootDir}/volumes`;
    o.listenAddress ||= `${o.nodeIP}:10250`;
    o.runDir ||= `/run/skiff/${o.clusterName}/${o.nodeName}`;
    o.proxyAddress ||= `unix:${o.runDir}/proxy.sock`;
    o.clusterDns ||= tenthAddress(o.serviceCidr) ?? "";
    o.localRegistryPort ??= Number(/:(\d+)$/.exec(o.localRegistry)?.[1]) || 0;
  },
  validate(o) {
    const errs: string[] = [];
    if (o.proxyMode === "external" && o.dnsAddress && !/^[\d.]+:\d+$/.test(o.dnsAddress)) errs.push("--dns-address: must be ip:port");
    if (!o.volumeDir.startsWith("/")) errs.push("--volume-dir: must be an absolute path");
    if (!/^.+:\d+$/.test(o.listenAddress)) errs.push(`--listen-address: want host:port, got ${o.listenAddress}`);
    const gc = {
      highThresholdPercent: o.imageGcHighThresholdPercent,
      lowThresholdPercent: Math.min(o.imageGcLowThresholdPercent, o.imageGcHighThresholdPercent),
      minAgeMs: o.imageGcMinAgeMs,
    };
    errs.push(...validateGcPolicy(gc));
    if (o.imageGcHighThresholdPercent < 100 && o.imageGcLowThresholdPercent > o.imageGcHighThresholdPercent) {
      errs.push(
        `--image-gc-low-threshold (${o.imageGcLowThresholdPercent}) must be less than or equal to --image-gc-high-threshold (${o.imageGcHighThresholdPercent})`,
      );
    }
    if (o.localRegistry && !(Number.isInteger(o.localRegistryPort) && o.localRegistryPort > 0 && o.localRegistryPort < 65536))
      errs.push(`--local-registry-port: a port number, got ${o.localRegistryPort}`);
    return errs;
  },
});

export const parseFlags = (argv: string[], env: NodeJS.ProcessEnv = {}) => nodeAgentOptions.parse(argv, env);
export const compileOptions = (given: Partial<NodeAgentOptions>) => nodeAgentOptions.compile(given);

/** The tenth address of a CIDR (the cluster DNS's ClusterIP), or undefined for a malformed one. */
function tenthAddress(cidr: string): string | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  if (!m) return undefined;
  const bits = Number(m[5]);
  const base = ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
  const ip = ((base & ((~0 << (32 - bits)) >>> 0)) >>> 0) + 10;
  return [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join(".");
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
