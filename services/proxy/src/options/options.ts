// proxy options: flags → partial → compileOptions() with the defaults documented here.
import { parseArgs } from "node:util";
import { DEFAULT_NODEPORT_ADDRESSES, nodePortAddressErrors } from "../nodeport/addresses.js";

export interface ProxyOptions {
  /** Where the programming gRPC API listens: "unix:/path.sock" or "127.0.0.1:port" (--listen; default unix:/run/skiff/proxy.sock). */
  listen: string;
  /** Prometheus /metrics on loopback (--metrics-address; default 127.0.0.1:10249; port 0 = any). */
  metricsAddress: string;
  /** Dial timeout before the next endpoint is tried (--connect-timeout-ms; default 1000). */
  connectTimeoutMs: number;
  /** Endpoints one connection tries (--max-attempts; default 3). */
  maxAttempts: number;
  /** Idle UDP sessions close after this (--udp-idle-ms; default 30000). */
  udpIdleMs: number;
  /** Treat every service as trafficDistribution: PreferClose (--prefer-close; default false). */
  preferCloseDefault: boolean;
  /** Retry period of frontends that could not open (--retry-ms; default 2000). */
  retryMs: number;
  /** Where NodePorts listen: "primary" (the node IP) and IPv4 CIDRs selecting local addresses (--nodeport-addresses, comma-separated; default primary,127.0.0.1/32). */
  nodePortAddresses: string[];
  /** Written (JSON: pid, listen, metricsAddress) once ready, for an agent that restarts (--state-file; default none). */
  stateFile: string;
}

export function parseFlags(argv: string[]): Partial<ProxyOptions> {
  const { values } = parseArgs({
    args: argv,
    options: {
      listen: { type: "string" }, "metrics-address": { type: "string" }, "connect-timeout-ms": { type: "string" },
      "max-attempts": { type: "string" }, "udp-idle-ms": { type: "string" }, "prefer-close": { type: "boolean" },
      "retry-ms": { type: "string" }, "state-file": { type: "string" }, "nodeport-addresses": { type: "string" },
    },
    strict: true,
  });
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  return {
    listen: values.listen, metricsAddress: values["metrics-address"], connectTimeoutMs: num(values["connect-timeout-ms"]),
    maxAttempts: num(values["max-attempts"]), udpIdleMs: num(values["udp-idle-ms"]), preferCloseDefault: values["prefer-close"],
    retryMs: num(values["retry-ms"]), stateFile: values["state-file"],
    nodePortAddresses: values["nodeport-addresses"]?.split(",").map((s) => s.trim()).filter(Boolean),
  };
}

export function compileOptions(p: Partial<ProxyOptions>): ProxyOptions {
  const o: ProxyOptions = {
    listen: p.listen ?? "unix:/run/skiff/proxy.sock",
    metricsAddress: p.metricsAddress ?? "127.0.0.1:10249",
    connectTimeoutMs: p.connectTimeoutMs ?? 1000,
    maxAttempts: p.maxAttempts ?? 3,
    udpIdleMs: p.udpIdleMs ?? 30_000,
    preferCloseDefault: p.preferCloseDefault ?? false,
    retryMs: p.retryMs ?? 2000,
    stateFile: p.stateFile ?? "",
    nodePortAddresses: p.nodePortAddresses?.length ? p.nodePortAddresses : DEFAULT_NODEPORT_ADDRESSES,
  };
  const errs: string[] = [];
  for (const k of ["connectTimeoutMs", "maxAttempts", "udpIdleMs", "retryMs"] as const) {
    if (!Number.isFinite(o[k]) || o[k] <= 0) errs.push(`${k}: must be a positive number`);
  }
  if (!/^(unix:.+|[^\s:]+:\d+)$/.test(o.listen)) errs.push(`--listen: want unix:/path or host:port, got ${JSON.stringify(o.listen)}`);
  if (!/^(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+$/.test(o.metricsAddress)) errs.push(`--metrics-address: must be a loopback host:port, got ${JSON.stringify(o.metricsAddress)}`);
  errs.push(...nodePortAddressErrors(o.nodePortAddresses));
  if (errs.length) throw new Error(`invalid options:\n  ${errs.join("\n  ")}`);
  return o;
}
