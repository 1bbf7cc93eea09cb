// ingress options: one table of flags, environment variables, defaults and checks.
import { bool, checks, defineOptions, list, num, str, type OptionsOf } from "@skiff/flags";
import { metricsAddressProblem } from "@skiff/metrics";

const listenAddress = (v: string) => (/^[^\s:]+:\d+$/.test(v) ? undefined : `must be host:port, got ${JSON.stringify(v)}`);

const rows = {
  apiservers: list("apiserver", "apiserver gRPC addresses", ["127.0.0.1:6444"], { env: "SKIFF_APISERVER", check: checks.hostPorts }),
  tlsDir: str(
    "tls-dir",
    "ca.crt, tls.crt, tls.key to reach the apiservers with (the node agent passes its own: the controller acts with the node's identity)",
    "",
    { env: "SKIFF_TLS_DIR" },
  ),
  nodeName: str("node-name", "This node's name, for Events", "localhost", { env: "SKIFF_NODE_NAME" }),
  httpAddress: str("http-address", "Plain HTTP listener (port 0: any port, written to the state file)", "127.0.0.1:0", { check: listenAddress }),
  httpsAddress: str("https-address", "TLS listener, HTTP/2 and HTTP/1.1", "127.0.0.1:0", { check: listenAddress }),
  metricsAddress: str("metrics-address", "Prometheus /metrics, loopback only", "127.0.0.1:0", { check: metricsAddressProblem }),
  ingressClass: str("ingress-class", "The IngressClass this controller serves and creates if absent", "skiff", {
    check: (v) => (/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(v) ? undefined : `not a valid name: ${JSON.stringify(v)}`),
  }),
  bootstrap: bool("bootstrap", "Create the IngressClass and the kube-system/skiff-ingress Service when absent", true),
  accessLog: bool("access-log", "One log line per request", true),
  workers: num(
    "workers",
    "Processes that serve HTTP and HTTPS (node:cluster, connections shared round-robin; 0: one per CPU, like ingress-nginx's worker_processes auto; 1: the controller process serves alone). Default 1: every node runs a controller, and each worker is ~70 MB",
    1,
    { env: "SKIFF_INGRESS_WORKERS", check: (v) => (Number.isInteger(v) && v >= 0 && v <= 64 ? undefined : "must be an integer from 0 to 64") },
  ),
  stateFile: str("state-file", "JSON file written once serving (pid, ports), for the agent that spawned us (empty: none)", ""),
};

export type IngressOptions = OptionsOf<typeof rows>;

export const ingressOptions = defineOptions(rows);

export const parseFlags = (argv: string[], env: NodeJS.ProcessEnv = {}) => ingressOptions.parse(argv, env);
export const compileOptions = (given: Partial<IngressOptions>) => ingressOptions.compile(given);

/** Splits "host:port". */
export function hostPort(a: string): { host: string; port: number } {
  const i = a.lastIndexOf(":");
  return { host: a.slice(0, i), port: Number(a.slice(i + 1)) };
}

/** The listeners and public ports an IngressServer gets from the options (the primary's and every worker's alike). */
export function serverOptions(opts: IngressOptions, defaultCert: { cert: string; key: string }) {
  return {
    http: hostPort(opts.httpAddress),
    https: hostPort(opts.httpsAddress),
    publicHttpPort: 80,
    publicHttpsPort: 443,
    accessLog: opts.accessLog,
    defaultCert,
  };
}
