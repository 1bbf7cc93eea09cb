// node-agent options: flags/environment → partial → compileOptions() with documented defaults.
import { hostname, networkInterfaces } from "node:os";
import { parseArgs } from "node:util";
import { DEFAULT_EVICTION_HARD, parseEvictionHard } from "../node/conditions.js";
import { isDNS1123Subdomain, isValidQuantity } from "@skiff/api";
import { validateGcPolicy } from "../images/gc.js";

export interface NodeAgentOptions {
  /** apiserver gRPC addresses (--apiserver, SKIFF_APISERVER; default 127.0.0.1:6444). */
  apiservers: string[];
  /** Join token for TLS bootstrap when --tls-dir holds no certificate yet (--token, SKIFF_TOKEN). */
  token?: string;
  /** The node's TLS directory: ca.crt, tls.crt, tls.key (system:node:<name>); written by joining (--tls-dir, SKIFF_TLS_DIR; default <root-dir>/pki). */
  tlsDir: string;
  /** Pin of the cluster CA for joining: sha256:<hex> of its public key (--ca-cert-hash, SKIFF_CA_CERT_HASH). */
  caCertHash: string;
  /** https://host:port of the apiservers' HTTPS API for joining and renewal (--bootstrap-server, SKIFF_BOOTSTRAP_SERVER, comma-separated; default each --apiserver host on port 6443). */
  bootstrapServers: string[];
  /** How often the certificate's age is checked for renewal and the TLS files re-read (--cert-check-ms; default 60000). */
  certCheckMs: number;
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
  /** The agent's state on disk: pod volumes and termination logs under <root-dir>/pods (--root-dir; default /var/lib/skiff). */
  rootDir: string;
  /** Where provisioned (local-path) PersistentVolumes keep their data; the agent deletes data under it for reclaimed PVs (--volume-dir; default <root-dir>/volumes). */
  volumeDir: string;
  /** Address of the agent's gRPC NodeService (logs, exec, port-forward, stats) (--listen-address; default <node-ip>:10250; port 0 picks one). */
  listenAddress: string;
  /** Shared secret the apiserver must present to the NodeService (--node-token, SKIFF_NODE_TOKEN; empty: no check, for loopback-only setups). */
  nodeToken: string;
  /** How often disk emptyDirs with a sizeLimit are measured; a pod over a limit is evicted (--volume-stats-ms; default 5000). */
  volumeStatsMs: number;
  /** Container log rotation size, Docker json-file max-size (--container-log-max-size; default 10m). */
  containerLogMaxSize: string;
  /** Service CIDR, as the apiserver's (--service-cidr; default 10.96.0.0/16; its .10 is the DNS). */
  serviceCidr: string;
  /** All pods' range, for the blackhole and forwarding rules (--cluster-cidr; default "" = built from nodes' podCIDRs). */
  clusterCidr: string;
  /** Cluster domain (--cluster-domain; default cluster.local). */
  clusterDomain: string;
  /** Cluster DNS address pods get (--cluster-dns; default the service CIDR's tenth address). */
  clusterDns: string;
  /** spawn: the agent starts (or adopts) the proxy and dns processes; external: they run elsewhere at --proxy-address / --dns-address; none: no service network (--proxy; default spawn). */
  proxyMode: "spawn" | "external" | "none";
  /** Run dir for the children's sockets, state and logs (--run-dir; default /run/skiff/<cluster>/<node>). */
  runDir: string;
  /** Proxy programming address in external mode (--proxy-address; default unix:<run-dir>/proxy.sock). */
  proxyAddress: string;
  /** Node-local dns "ip:port" in external mode (--dns-address). */
  dnsAddress: string;
  /** Upstream resolvers the dns forwards other names to (--dns-upstream host:port[,host:port]; default: the nameservers of the host's /etc/resolv.conf; "none" = answer REFUSED). */
  dnsUpstream: string;
  /** The resolv.conf whose nameservers the dns forwards to when --dns-upstream is not given (--dns-resolv-conf; default the dns's: /etc/resolv.conf). */
  dnsResolvConf: string;
  /** Hard eviction thresholds that turn MemoryPressure/DiskPressure True (--eviction-hard; default the kubelet's: memory.available<100Mi,nodefs.available<10%,nodefs.inodesFree<5%). */
  evictionHard: string;
  /** How often node conditions are measured (--node-conditions-ms; default 10000). */
  nodeConditionsMs: number;
  /** How often memory.available is checked against --eviction-hard, evicting one pod per round below it (--eviction-monitoring-ms; default 10000, the kubelet's housekeeping interval). */
  evictionMonitoringMs: number;
  /** Where NodePorts listen, passed to the proxy (--nodeport-addresses: "primary" and/or IPv4 CIDRs, comma-separated; default the proxy's: primary,127.0.0.1/32). */
  nodePortAddresses: string;
  /** Proxy /metrics (--proxy-metrics-address; default 127.0.0.1:0). */
  proxyMetricsAddress: string;
  /** Extra proxy flags, comma-separated (--proxy-flags, e.g. "--prefer-close"). */
  proxyFlags: string[];
  /** Image GC (see images/gc.ts; each flag also as SKIFF_IMAGE_GC_HIGH_THRESHOLD, …_LOW_THRESHOLD, …_MIN_AGE_MS, …_PERIOD_MS): --image-gc-high-threshold (default 100 = off: on a shared engine the user's own images are not Skiff's to remove; node containers and `skiff node --join` pass 85), --image-gc-low-threshold (80), --image-gc-min-age-ms (120000), --image-gc-period-ms (30000). */
  imageGcHighThresholdPercent: number;
  imageGcLowThresholdPercent: number;
  imageGcMinAgeMs: number;
  imageGcPeriodMs: number;
  /** The cluster registry as nodes reach it (--local-registry host:port, SKIFF_LOCAL_REGISTRY): the agent forwards 127.0.0.1:<port> on the node to it, so `localhost:<port>/app:1` means the same registry on the host and on every node. */
  localRegistry: string;
  /** Port of 127.0.0.1 the cluster registry is forwarded from (--local-registry-port, SKIFF_LOCAL_REGISTRY_PORT; default: the --local-registry port). */
  localRegistryPort: number;
  /** spawn: with --proxy=spawn the agent also starts (or adopts) the node's Ingress controller (services/ingress), reached through kube-system/skiff-ingress; none: no controller on this node (--ingress; default spawn). */
  ingressMode: "spawn" | "none";
}

export function parseFlags(argv: string[], env: NodeJS.ProcessEnv): Partial<NodeAgentOptions> {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries([
      "apiserver", "token", "nats", "node-name", "node-labels", "cluster-name", "node-ip", "pause-image", "docker-socket",
      "reserved-cpu", "reserved-memory", "max-pods", "heartbeat-ms", "status-ms", "backoff-base-ms", "backoff-max-ms",
      "backoff-reset-ms", "resync-ms", "workers", "volume-stats-ms", "root-dir", "volume-dir", "listen-address", "node-token", "container-log-max-size",
        "service-cidr", "cluster-cidr", "cluster-domain", "cluster-dns", "proxy", "run-dir", "proxy-address", "dns-address",
      "dns-upstream", "proxy-metrics-address", "proxy-flags", "ingress",
      "image-gc-high-threshold", "image-gc-low-threshold", "image-gc-min-age-ms", "image-gc-period-ms", "local-registry", "local-registry-port",
      "nodeport-addresses", "dns-resolv-conf", "eviction-hard", "node-conditions-ms", "eviction-monitoring-ms",
      "tls-dir", "ca-cert-hash", "bootstrap-server", "cert-check-ms",
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
    rootDir: str("root-dir") ?? env.SKIFF_ROOT_DIR,
    volumeDir: str("volume-dir") ?? env.SKIFF_VOLUME_DIR,
    listenAddress: str("listen-address"),
    nodeToken: str("node-token") ?? env.SKIFF_NODE_TOKEN,
    containerLogMaxSize: str("container-log-max-size"),
    volumeStatsMs: num("volume-stats-ms"),
    serviceCidr: str("service-cidr") ?? env.SKIFF_SERVICE_CIDR,
    clusterCidr: str("cluster-cidr") ?? env.SKIFF_CLUSTER_CIDR,
    clusterDomain: str("cluster-domain"),
    clusterDns: str("cluster-dns"),
    proxyMode: str("proxy") as NodeAgentOptions["proxyMode"] | undefined,
    runDir: str("run-dir"),
    proxyAddress: str("proxy-address"),
    dnsAddress: str("dns-address"),
    dnsUpstream: str("dns-upstream") ?? env.SKIFF_DNS_UPSTREAM,
    nodePortAddresses: str("nodeport-addresses"),
    dnsResolvConf: str("dns-resolv-conf"),
    evictionHard: str("eviction-hard"),
    nodeConditionsMs: num("node-conditions-ms"),
    evictionMonitoringMs: num("eviction-monitoring-ms"),
    proxyMetricsAddress: str("proxy-metrics-address"),
    proxyFlags: list(str("proxy-flags")),
    imageGcHighThresholdPercent: num("image-gc-high-threshold") ?? envNum(env.SKIFF_IMAGE_GC_HIGH_THRESHOLD),
    imageGcLowThresholdPercent: num("image-gc-low-threshold") ?? envNum(env.SKIFF_IMAGE_GC_LOW_THRESHOLD),
    imageGcMinAgeMs: num("image-gc-min-age-ms") ?? envNum(env.SKIFF_IMAGE_GC_MIN_AGE_MS),
    imageGcPeriodMs: num("image-gc-period-ms") ?? envNum(env.SKIFF_IMAGE_GC_PERIOD_MS),
    localRegistry: str("local-registry") ?? env.SKIFF_LOCAL_REGISTRY,
    localRegistryPort: num("local-registry-port") ?? envNum(env.SKIFF_LOCAL_REGISTRY_PORT),
    ingressMode: str("ingress") as NodeAgentOptions["ingressMode"] | undefined,
    tlsDir: str("tls-dir") ?? env.SKIFF_TLS_DIR,
    caCertHash: str("ca-cert-hash") ?? env.SKIFF_CA_CERT_HASH,
    bootstrapServers: list(str("bootstrap-server") ?? env.SKIFF_BOOTSTRAP_SERVER),
    certCheckMs: num("cert-check-ms"),
  };
}

/** A number from the environment (undefined when unset or empty). */
function envNum(v: string | undefined): number | undefined {
  return v === undefined || v === "" ? undefined : Number(v);
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
  const errsEarly: string[] = [];
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
    rootDir: p.rootDir ?? "/var/lib/skiff",
    volumeDir: "",
    listenAddress: "",
    nodeToken: p.nodeToken ?? "",
    containerLogMaxSize: p.containerLogMaxSize ?? "10m",
    volumeStatsMs: p.volumeStatsMs ?? 5000,
    serviceCidr: p.serviceCidr ?? "10.96.0.0/16",
    clusterCidr: p.clusterCidr ?? "",
    clusterDomain: p.clusterDomain ?? "cluster.local",
    clusterDns: p.clusterDns ?? "",
    proxyMode: p.proxyMode ?? "spawn",
    runDir: p.runDir ?? "",
    proxyAddress: p.proxyAddress ?? "",
    dnsAddress: p.dnsAddress ?? "",
    dnsUpstream: p.dnsUpstream ?? "",
    nodePortAddresses: p.nodePortAddresses ?? "",
    dnsResolvConf: p.dnsResolvConf ?? "",
    evictionHard: p.evictionHard ?? DEFAULT_EVICTION_HARD,
    nodeConditionsMs: p.nodeConditionsMs ?? 10_000,
    evictionMonitoringMs: p.evictionMonitoringMs ?? 10_000,
    proxyMetricsAddress: p.proxyMetricsAddress ?? "127.0.0.1:0",
    proxyFlags: p.proxyFlags ?? [],
    imageGcHighThresholdPercent: p.imageGcHighThresholdPercent ?? 100,
    imageGcLowThresholdPercent: p.imageGcLowThresholdPercent ?? 80,
    imageGcMinAgeMs: p.imageGcMinAgeMs ?? 120_000,
    imageGcPeriodMs: p.imageGcPeriodMs ?? 30_000,
    localRegistry: p.localRegistry ?? "",
    localRegistryPort: p.localRegistryPort ?? (Number(/:(\d+)$/.exec(p.localRegistry ?? "")?.[1]) || 0),
    ingressMode: p.ingressMode ?? "spawn",
    tlsDir: "",
    caCertHash: p.caCertHash ?? "",
    bootstrapServers: [],
    certCheckMs: p.certCheckMs ?? 60_000,
  };
  o.tlsDir = p.tlsDir || `${o.rootDir}/pki`;
  o.bootstrapServers = p.bootstrapServers?.length ? p.bootstrapServers : o.apiservers.map((a) => `https://${a.slice(0, a.lastIndexOf(":"))}:6443`);
  o.volumeDir = p.volumeDir ?? `${o.rootDir}/volumes`;
  o.listenAddress = p.listenAddress ?? `${o.nodeIP}:10250`;
  o.runDir ||= `/run/skiff/${o.clusterName}/${o.nodeName}`;
  o.proxyAddress ||= `unix:${o.runDir}/proxy.sock`;
  const svc = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(o.serviceCidr);
  if (!svc) errsEarly.push(`--service-cidr: not a CIDR: ${JSON.stringify(o.serviceCidr)}`);
  else if (!o.clusterDns) {
    const bits = Number(svc[5]);
    const base = ((Number(svc[1]) << 24) | (Number(svc[2]) << 16) | (Number(svc[3]) << 8) | Number(svc[4])) >>> 0;
    const net = (base & ((~0 << (32 - bits)) >>> 0)) >>> 0;
    const ip = net + 10;
    o.clusterDns = [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join(".");
  }
  if (!["spawn", "external", "none"].includes(o.proxyMode)) errsEarly.push(`--proxy: must be spawn, external or none, got ${JSON.stringify(o.proxyMode)}`);
  if (!["spawn", "none"].includes(o.ingressMode)) errsEarly.push(`--ingress: must be spawn or none, got ${JSON.stringify(o.ingressMode)}`);
  if (o.proxyMode === "external" && o.dnsAddress && !/^[\d.]+:\d+$/.test(o.dnsAddress)) errsEarly.push("--dns-address: must be ip:port");
  const errs: string[] = [...errsEarly];
  try { parseEvictionHard(o.evictionHard); } catch (err) { errs.push((err as Error).message); }
  if (!(o.nodeConditionsMs > 0)) errs.push("--node-conditions-ms: must be a positive number");
  if (!(o.evictionMonitoringMs > 0)) errs.push("--eviction-monitoring-ms: must be a positive number");
  const bad = isDNS1123Subdomain(o.nodeName);
  if (bad) errs.push(`--node-name: ${bad}`);
  if (!/^[a-z0-9-]{1,20}$/.test(o.clusterName)) errs.push("--cluster-name: 1-20 characters of [a-z0-9-]");
  if (!isValidQuantity(o.reservedCpu)) errs.push(`--reserved-cpu: not a quantity: ${o.reservedCpu}`);
  if (!isValidQuantity(o.reservedMemory)) errs.push(`--reserved-memory: not a quantity: ${o.reservedMemory}`);
  for (const b of o.bootstrapServers) if (!/^https:\/\/[^\s/]+:\d+$/.test(b)) errs.push(`--bootstrap-server: want https://host:port, got ${JSON.stringify(b)}`);
  for (const k of ["certCheckMs", "maxPods", "heartbeatMs", "statusMs", "backoffBaseMs", "backoffMaxMs", "backoffResetMs", "resyncMs", "workers", "volumeStatsMs"] as const) {
    if (!Number.isFinite(o[k]) || o[k] <= 0) errs.push(`${k}: must be a positive number`);
  }
  if (!o.rootDir.startsWith("/")) errs.push("--root-dir: must be an absolute path");
  if (!o.volumeDir.startsWith("/")) errs.push("--volume-dir: must be an absolute path");
  if (!/^.+:\d+$/.test(o.listenAddress)) errs.push(`--listen-address: want host:port, got ${o.listenAddress}`);
  if (!/^\d+[kmg]$/.test(o.containerLogMaxSize)) errs.push(`--container-log-max-size: want a size like 10m, got ${o.containerLogMaxSize}`);
  errs.push(...validateGcPolicy({ highThresholdPercent: o.imageGcHighThresholdPercent, lowThresholdPercent: Math.min(o.imageGcLowThresholdPercent, o.imageGcHighThresholdPercent), minAgeMs: o.imageGcMinAgeMs }));
  if (o.imageGcHighThresholdPercent < 100 && o.imageGcLowThresholdPercent > o.imageGcHighThresholdPercent) errs.push(`--image-gc-low-threshold (${o.imageGcLowThresholdPercent}) must be less than or equal to --image-gc-high-threshold (${o.imageGcHighThresholdPercent})`);
  if (!(o.imageGcPeriodMs > 0)) errs.push("--image-gc-period-ms: must be a positive number");
  if (o.localRegistry && !(Number.isInteger(o.localRegistryPort) && o.localRegistryPort > 0 && o.localRegistryPort < 65536)) errs.push(`--local-registry-port: a port number, got ${o.localRegistryPort}`);
  if (o.localRegistry && !/^[A-Za-z0-9.-]+:\d+$/.test(o.localRegistry)) errs.push(`--local-registry: want host:port, got ${JSON.stringify(o.localRegistry)}`);
  if (errs.length) throw new Error(`invalid options:\n  ${errs.join("\n  ")}`);
  return o;
}
