// apiserver options: flags and environment → partial → compileOptions() (defaults here).
import { parseArgs } from "node:util";
import { parseRange, type IpRange } from "../allocation/cidr.js";

export interface ApiserverOptions {
  /** NATS servers holding the store (SKIFF_NATS, --nats; default nats://127.0.0.1:4222). */
  natsServers: string[];
  /** KV bucket of the cluster store (--bucket; default "skiff"). */
  bucket: string;
  /** Replicas of the bucket (--replicas; 3 on a NATS cluster; default 1). */
  replicas: number;
  /** host:port the gRPC API listens on (--grpc-address; default 127.0.0.1:6444; port 0 = any). */
  grpcAddress: string;
  /** host:port of the Kubernetes REST API over HTTPS (--https-address; default 0.0.0.0:6443; port 0 = any; "" = off). */
  httpsAddress: string;
  /** Extra names/IPs in the serving certificate (--tls-san, repeatable or comma-separated; default none). */
  tlsSans: string[];
  /** Shared secret sent to node agents' NodeService (--node-token, SKIFF_NODE_TOKEN; must equal the agents'; empty sends none). */
  nodeToken: string;
  /** Interval of watch bookmarks (--bookmark-interval-ms; default 10000). */
  bookmarkIntervalMs: number;
  /** Delete markers older than this are compacted (--compact-after-ms; default 10 min). */
  compactAfterMs: number;
  /** How often compaction runs (--compact-interval-ms; default 60 s; 0 = never). */
  compactIntervalMs: number;
  /** ClusterIPs come from here (--service-cluster-ip-range; default 10.96.0.0/16; .1 = kubernetes, .10 = DNS). */
  serviceClusterIpRange: string;
  /** NodePorts come from here (--service-node-port-range; default 30000-32767). */
  serviceNodePortRange: string;
  /** LoadBalancer addresses come from here, a CIDR or "a-b" (--load-balancer-ip-range; default none: LoadBalancer services stay pending). */
  loadBalancerIpRange: string;
  /** How often allocation records whose Service is gone are freed (--allocator-repair-interval-ms; default 3 min; also once at start; 0 = only at start). */
  allocatorRepairIntervalMs: number;
  /** Address the `kubernetes` Endpoints give for this apiserver (--advertise-address; default the gRPC host, 127.0.0.1 for 0.0.0.0). */
  advertiseAddress: string;
  /** How REST requests are authorized (--authorization-mode): "RBAC" (default; system:masters may do anything) or "AlwaysAllow" (any authenticated user may do anything: benchmarks, debugging). */
  authorizationMode: "RBAC" | "AlwaysAllow";
  /** Static bearer tokens, a CSV file of `token,user,uid,"group1,group2"` lines as Kubernetes' --token-auth-file (default none). */
  tokenAuthFile: string;
  /** Reads served at once by the REST API; more wait in per-client queues or get 429 (--max-requests-inflight; default 100). */
  maxRequestsInflight: number;
  /** Writes served at once by the REST API (--max-mutating-requests-inflight; default 50). */
  maxMutatingRequestsInflight: number;
  /** A REST request (not a watch or stream) unanswered after this long gets 504 (--request-timeout-ms; default 60000, Kubernetes' 1m). */
  requestTimeoutMs: number;
  /** The control plane's PKI directory: ca.crt, ca.key (0600), admin.token; created with a new cluster CA on the cluster's first start (--pki-dir, SKIFF_PKI_DIR; default /var/lib/skiff/pki). */
  pkiDir: string;
  /** Encryption at rest, an EncryptionConfiguration file (--encryption-provider-config, SKIFF_ENCRYPTION_CONFIG; default <pki-dir>/encryption-config.yaml, created with a new AES-GCM key for Secrets when missing). */
  encryptionConfig: string;
  /** Validity of the node certificates signed at join and renewal (--node-cert-validity-ms; default 1 year; nodes renew at 2/3 of it). */
  nodeCertValidityMs: number;
  /** Validity of the apiserver's own certificates (serving, and its NATS client one), re-issued in memory at 2/3 of it (--cert-validity-ms; default 1 year; tests use seconds). */
  certValidityMs: number;
}

/** Reads flags (and SKIFF_* environment variables) into a partial options object. */
export function parseFlags(argv: string[], env: NodeJS.ProcessEnv): Partial<ApiserverOptions> {
  const { values } = parseArgs({
    args: argv,
    options: {
      nats: { type: "string" }, bucket: { type: "string" }, replicas: { type: "string" },
      "grpc-address": { type: "string" }, "https-address": { type: "string" }, "tls-san": { type: "string", multiple: true }, "bookmark-interval-ms": { type: "string" },
      "node-token": { type: "string" },
      "compact-after-ms": { type: "string" }, "compact-interval-ms": { type: "string" },
      "service-cluster-ip-range": { type: "string" }, "service-node-port-range": { type: "string" },
      "load-balancer-ip-range": { type: "string" }, "advertise-address": { type: "string" },
      "pki-dir": { type: "string" }, "encryption-provider-config": { type: "string" }, "node-cert-validity-ms": { type: "string" }, "cert-validity-ms": { type: "string" },
      "allocator-repair-interval-ms": { type: "string" },
      "authorization-mode": { type: "string" },
      "token-auth-file": { type: "string" },
      "max-requests-inflight": { type: "string" }, "max-mutating-requests-inflight": { type: "string" }, "request-timeout-ms": { type: "string" },
    },
    strict: true,
  });
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const nats = values.nats ?? env.SKIFF_NATS;
  return {
    natsServers: nats ? nats.split(",").map((s) => s.trim()).filter(Boolean) : undefined,
    bucket: values.bucket ?? env.SKIFF_BUCKET,
    replicas: num(values.replicas),
    grpcAddress: values["grpc-address"] ?? env.SKIFF_APISERVER_GRPC_ADDRESS,
    httpsAddress: values["https-address"] ?? env.SKIFF_APISERVER_HTTPS_ADDRESS,
    tlsSans: values["tls-san"]?.flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean),
    bookmarkIntervalMs: num(values["bookmark-interval-ms"]),
    nodeToken: values["node-token"] ?? env.SKIFF_NODE_TOKEN,
    compactAfterMs: num(values["compact-after-ms"]),
    compactIntervalMs: num(values["compact-interval-ms"]),
    serviceClusterIpRange: values["service-cluster-ip-range"] ?? env.SKIFF_SERVICE_CIDR,
    serviceNodePortRange: values["service-node-port-range"],
    loadBalancerIpRange: values["load-balancer-ip-range"],
    advertiseAddress: values["advertise-address"],
    pkiDir: values["pki-dir"] ?? env.SKIFF_PKI_DIR,
    encryptionConfig: values["encryption-provider-config"] ?? env.SKIFF_ENCRYPTION_CONFIG,
    nodeCertValidityMs: num(values["node-cert-validity-ms"]),
    certValidityMs: num(values["cert-validity-ms"]),
    allocatorRepairIntervalMs: num(values["allocator-repair-interval-ms"]),
    authorizationMode: values["authorization-mode"] as ApiserverOptions["authorizationMode"] | undefined,
    tokenAuthFile: values["token-auth-file"],
    maxRequestsInflight: num(values["max-requests-inflight"]),
    maxMutatingRequestsInflight: num(values["max-mutating-requests-inflight"]),
    requestTimeoutMs: num(values["request-timeout-ms"]),
  };
}

/** Validates a partial and fills defaults; throws with every problem listed. */
export function compileOptions(p: Partial<ApiserverOptions>): ApiserverOptions {
  const o: ApiserverOptions = {
    natsServers: p.natsServers?.length ? p.natsServers : ["nats://127.0.0.1:4222"],
    bucket: p.bucket ?? "skiff",
    replicas: p.replicas ?? 1,
    grpcAddress: p.grpcAddress ?? "127.0.0.1:6444",
    httpsAddress: p.httpsAddress ?? "0.0.0.0:6443",
    tlsSans: p.tlsSans ?? [],
    bookmarkIntervalMs: p.bookmarkIntervalMs ?? 10_000,
    nodeToken: p.nodeToken ?? "",
    compactAfterMs: p.compactAfterMs ?? 10 * 60_000,
    compactIntervalMs: p.compactIntervalMs ?? 60_000,
    serviceClusterIpRange: p.serviceClusterIpRange ?? "10.96.0.0/16",
    serviceNodePortRange: p.serviceNodePortRange ?? "30000-32767",
    loadBalancerIpRange: p.loadBalancerIpRange ?? "",
    advertiseAddress: p.advertiseAddress ?? "",
    pkiDir: p.pkiDir ?? "/var/lib/skiff/pki",
    encryptionConfig: "",
    nodeCertValidityMs: p.nodeCertValidityMs ?? 365 * 24 * 3600_000,
    certValidityMs: p.certValidityMs ?? 365 * 24 * 3600_000,
    allocatorRepairIntervalMs: p.allocatorRepairIntervalMs ?? 180_000,
    authorizationMode: p.authorizationMode ?? "RBAC",
    tokenAuthFile: p.tokenAuthFile ?? "",
    maxRequestsInflight: p.maxRequestsInflight ?? 100,
    maxMutatingRequestsInflight: p.maxMutatingRequestsInflight ?? 50,
    requestTimeoutMs: p.requestTimeoutMs ?? 60_000,
  };
  o.encryptionConfig = p.encryptionConfig || `${o.pkiDir}/encryption-config.yaml`;
  const errs: string[] = [];
  if (!/^[-\w]+$/.test(o.bucket)) errs.push(`--bucket: invalid bucket name ${JSON.stringify(o.bucket)}`);
  if (![1, 3, 5].includes(o.replicas)) errs.push("--replicas: must be 1, 3 or 5");
  if (!/^[^\s]+:\d+$/.test(o.grpcAddress)) errs.push(`--grpc-address: must be host:port, got ${JSON.stringify(o.grpcAddress)}`);
  if (o.httpsAddress !== "" && !/^[^\s]+:\d+$/.test(o.httpsAddress)) errs.push(`--https-address: must be host:port, got ${JSON.stringify(o.httpsAddress)}`);
  errs.push(...rangeErrors(o));
  if (!["RBAC", "AlwaysAllow"].includes(o.authorizationMode)) errs.push(`--authorization-mode: must be RBAC or AlwaysAllow, got ${JSON.stringify(o.authorizationMode)}`);
  for (const k of ["nodeCertValidityMs", "certValidityMs"] as const) if (!(o[k] >= 10_000)) errs.push(`${k}: must be at least 10000 (ms)`);
  for (const k of ["bookmarkIntervalMs", "compactAfterMs", "compactIntervalMs", "allocatorRepairIntervalMs"] as const) {
    if (!Number.isFinite(o[k]) || o[k] < 0) errs.push(`${k}: must be a non-negative number`);
  }
  for (const k of ["maxRequestsInflight", "maxMutatingRequestsInflight", "requestTimeoutMs"] as const) {
    if (!Number.isInteger(o[k]) || o[k] < 1) errs.push(`${k}: must be a positive integer`);
  }
  if (errs.length) throw new Error(`invalid options:\n  ${errs.join("\n  ")}`);
  return o;
}

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
  if (svc && svc.last - svc.first + 1 < 16) errs.push(`--service-cluster-ip-range: ${o.serviceClusterIpRange} is too small (want /27 or larger: the 1st and 10th addresses are reserved)`);
  const m = /^(\d+)-(\d+)$/.exec(o.serviceNodePortRange);
  if (!m) errs.push(`--service-node-port-range: want "first-last" such as 30000-32767, got ${JSON.stringify(o.serviceNodePortRange)}`);
  else if (Number(m[1]) < 1 || Number(m[2]) > 65535 || Number(m[1]) > Number(m[2])) errs.push(`--service-node-port-range: ${o.serviceNodePortRange} must satisfy 1 <= first <= last <= 65535`);
  if (o.loadBalancerIpRange) {
    const lb = parse("--load-balancer-ip-range", o.loadBalancerIpRange, false);
    if (lb && svc && lb.first <= svc.last + 1 && svc.first - 1 <= lb.last) errs.push(`--load-balancer-ip-range: ${o.loadBalancerIpRange} overlaps the service CIDR ${o.serviceClusterIpRange}`);
  }
  return errs;
}
