// dns options: one table of flags, environment variables, defaults and checks.
import { checks, defineOptions, list, num, str, type OptionsOf } from "@skiff/flags";
import { metricsAddressProblem } from "@skiff/metrics";

const rows = {
  apiservers: list("apiserver", "apiserver gRPC addresses", ["127.0.0.1:6444"], { env: "SKIFF_APISERVER", check: checks.hostPorts }),
  tlsDir: str("tls-dir", "ca.crt, tls.crt, tls.key to reach the apiservers with (required: apiservers refuse clients without a certificate)", "", {
    env: "SKIFF_TLS_DIR",
    check: (v) => (v ? undefined : "required (ca.crt, tls.crt, tls.key of the cluster PKI; the node agent passes its own)"),
  }),
  listen: str("listen", "Where DNS listens, UDP and TCP (port 0 = any)", "127.0.0.1:10053", {
    check: (v) => (/^[^\s:]+:\d+$/.test(v) ? undefined : `must be host:port, got ${JSON.stringify(v)}`),
  }),
  clusterDomain: str("cluster-domain", "The cluster's DNS domain", "cluster.local", {
    check: (v) => (/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(v) ? undefined : `not a domain: ${JSON.stringify(v)}`),
  }),
  upstream: str(
    "upstream",
    'Resolvers other names are forwarded to, host:port[,host:port]; "none" answers REFUSED; empty: the nameservers of --resolv-conf',
    "",
    {
      check: (v) =>
        (v && v !== "none" ? v.split(",") : [])
          .filter((u) => !/^([^\s:[\]]+|\[[0-9a-fA-F:.]+\]):\d+$/.test(u.trim()))
          .map((u) => `want "none" or host:port[,host:port], got ${JSON.stringify(u)}`),
    },
  ),
  resolvConf: str("resolv-conf", "The resolv.conf whose nameservers are the upstreams when --upstream is empty", "/etc/resolv.conf"),
  upstreamTimeoutMs: num("upstream-timeout-ms", "How long an upstream may take to answer", 2000, { check: checks.positive }),
  stateFile: str("state-file", "JSON file written once serving (pid, port), for the agent that spawned us (empty: none)", ""),
  metricsAddress: str("metrics-address", "Prometheus /metrics, loopback only (port 0: any, in the ready line and state file; empty: off)", "127.0.0.1:0", {
    check: metricsAddressProblem,
  }),
};

export type DnsOptions = OptionsOf<typeof rows>;

export const dnsOptions = defineOptions(rows, {
  derive(o) {
    o.clusterDomain = o.clusterDomain.replace(/\.$/, "").toLowerCase();
  },
});

export const parseFlags = (argv: string[], env: NodeJS.ProcessEnv = {}) => dnsOptions.parse(argv, env);
export const compileOptions = (given: Partial<DnsOptions>) => dnsOptions.compile(given);
