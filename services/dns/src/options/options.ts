// dns options: flags → partial → compileOptions() with the defaults documented here.
import { parseArgs } from "node:util";
import { checkMetricsAddress } from "@skiff/metrics";

export interface DnsOptions {
  /** apiserver gRPC addresses (--apiserver, SKIFF_APISERVER; default 127.0.0.1:6444). */
  apiservers: string[];
  /** ca.crt, tls.crt, tls.key to reach the apiservers with (--tls-dir, SKIFF_TLS_DIR; required: apiservers refuse clients without a certificate). */
  tlsDir: string;
  /** Where DNS listens, UDP and TCP (--listen; default 127.0.0.1:10053; port 0 = any). */
  listen: string;
  /** The cluster domain (--cluster-domain; default cluster.local). */
  clusterDomain: string;
  /** Resolvers for names outside the cluster: host:port, comma-separated (--upstream); "none" = such names get REFUSED; default "" = the nameservers of --resolv-conf. */
  upstream: string;
  /** The resolv.conf whose nameservers are the default upstreams (--resolv-conf; default /etc/resolv.conf). */
  resolvConf: string;
  /** Upstream timeout (--upstream-timeout-ms; default 2000). */
  upstreamTimeoutMs: number;
  /** JSON file written once serving (pid, port), for the agent that spawned us (--state-file). */
  stateFile: string;
  /** Prometheus /metrics, loopback only (--metrics-address; default 127.0.0.1:0: any free port, in the ready line and state file; "" = off). */
  metricsAddress: string;
}

export function parseFlags(argv: string[], env: NodeJS.ProcessEnv): Partial<DnsOptions> {
  const { values } = parseArgs({
    args: argv,
    options: {
      apiserver: { type: "string" }, "tls-dir": { type: "string" }, listen: { type: "string" }, "cluster-domain": { type: "string" },
      upstream: { type: "string" }, "upstream-timeout-ms": { type: "string" }, "state-file": { type: "string" }, "resolv-conf": { type: "string" },
      "metrics-address": { type: "string" },
    },
    strict: true,
  });
  const api = values.apiserver ?? env.SKIFF_APISERVER;
  return {
    apiservers: api ? api.split(",").map((s) => s.trim()).filter(Boolean) : undefined,
    listen: values.listen, clusterDomain: values["cluster-domain"], upstream: values.upstream, resolvConf: values["resolv-conf"],
    upstreamTimeoutMs: values["upstream-timeout-ms"] === undefined ? undefined : Number(values["upstream-timeout-ms"]),
    stateFile: values["state-file"],
    metricsAddress: values["metrics-address"],
    tlsDir: values["tls-dir"] ?? env.SKIFF_TLS_DIR,
  };
}

export function compileOptions(p: Partial<DnsOptions>): DnsOptions {
  const o: DnsOptions = {
    apiservers: p.apiservers?.length ? p.apiservers : ["127.0.0.1:6444"],
    listen: p.listen ?? "127.0.0.1:10053",
    clusterDomain: (p.clusterDomain ?? "cluster.local").replace(/\.$/, "").toLowerCase(),
    upstream: p.upstream ?? "",
    resolvConf: p.resolvConf ?? "/etc/resolv.conf",
    upstreamTimeoutMs: p.upstreamTimeoutMs ?? 2000,
    stateFile: p.stateFile ?? "",
    tlsDir: p.tlsDir ?? "",
    metricsAddress: p.metricsAddress ?? "127.0.0.1:0",
  };
  const errs: string[] = [];
  if (!o.tlsDir) errs.push("--tls-dir: required (ca.crt, tls.crt, tls.key of the cluster PKI; the node agent passes its own)");
  if (!/^[^\s:]+:\d+$/.test(o.listen)) errs.push(`--listen: must be host:port, got ${JSON.stringify(o.listen)}`);
  for (const u of o.upstream && o.upstream !== "none" ? o.upstream.split(",") : []) {
    if (!/^([^\s:\[\]]+|\[[0-9a-fA-F:.]+\]):\d+$/.test(u.trim())) errs.push(`--upstream: want "none" or host:port[,host:port], got ${JSON.stringify(u)}`);
  }
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(o.clusterDomain)) errs.push(`--cluster-domain: not a domain: ${JSON.stringify(o.clusterDomain)}`);
  const m = checkMetricsAddress("--metrics-address", o.metricsAddress);
  if (m) errs.push(m);
  if (!(o.upstreamTimeoutMs > 0)) errs.push("upstreamTimeoutMs: must be a positive number");
  if (errs.length) throw new Error(`invalid options:\n  ${errs.join("\n  ")}`);
  return o;
}
