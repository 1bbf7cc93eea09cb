// proxy options: one table of flags, defaults and checks.
import { bool, checks, defineOptions, list, num, str, type OptionsOf } from "@skiff/flags";
import { DEFAULT_NODEPORT_ADDRESSES, nodePortAddressErrors } from "../nodeport/addresses.js";

const rows = {
  listen: str("listen", "Where the programming gRPC API listens: unix:/path.sock or 127.0.0.1:port", "unix:/run/skiff/proxy.sock", {
    check: (v) => (/^(unix:.+|[^\s:]+:\d+)$/.test(v) ? undefined : `want unix:/path or host:port, got ${JSON.stringify(v)}`),
  }),
  metricsAddress: str("metrics-address", "Prometheus /metrics on loopback (port 0 = any)", "127.0.0.1:10249", {
    check: (v) => (/^(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+$/.test(v) ? undefined : `must be a loopback host:port, got ${JSON.stringify(v)}`),
  }),
  connectTimeoutMs: num("connect-timeout-ms", "Dial timeout before the next endpoint is tried", 1000, { check: checks.positive }),
  maxAttempts: num("max-attempts", "Endpoints one connection tries", 3, { check: checks.positive }),
  udpIdleMs: num("udp-idle-ms", "Idle UDP sessions close after this", 30_000, { check: checks.positive }),
  preferCloseDefault: bool("prefer-close", "Treat every service as trafficDistribution: PreferClose", false),
  retryMs: num("retry-ms", "Retry period of frontends that could not open", 2000, { check: checks.positive }),
  nodePortAddresses: list("nodeport-addresses", 'Where NodePorts listen: "primary" and/or IPv4 CIDRs', DEFAULT_NODEPORT_ADDRESSES, {
    check: nodePortAddressErrors,
  }),
  stateFile: str("state-file", "Written (JSON: pid, listen, metricsAddress) once ready, for an agent that restarts (empty: none)", ""),
};

export type ProxyOptions = OptionsOf<typeof rows>;

export const proxyOptions = defineOptions(rows);

export const parseFlags = (argv: string[], env: NodeJS.ProcessEnv = {}) => proxyOptions.parse(argv, env);
export const compileOptions = (given: Partial<ProxyOptions>) => proxyOptions.compile(given);
