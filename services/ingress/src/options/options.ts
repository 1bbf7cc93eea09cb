// ingress options: flags/environment → partial → compileOptions() with the defaults documented here.
import { parseArgs } from "node:util";
import { checkMetricsAddress } from "@skiff/metrics";

export interface IngressOptions {
  /** apiserver gRPC addresses (--apiserver, SKIFF_APISERVER; default 127.0.0.1:6444). */
  apiservers: string[];
  /** ca.crt, tls.crt, tls.key to reach the apiservers with (--tls-dir, SKIFF_TLS_DIR; the node agent passes its own: the controller acts with the node's identity). */
  tlsDir: string;
  /** This node's name, for Events (--node-name, SKIFF_NODE_NAME; default the host name). */
  nodeName: string;
  /** Plain HTTP listener (--http-address; default 127.0.0.1:0: any port, written to the state file). */
  httpAddress: string;
  /** TLS listener, HTTP/2 and HTTP/1.1 (--https-address; default 127.0.0.1:0). */
  httpsAddress: string;
  /** Prometheus /metrics (--metrics-address; default 127.0.0.1:0). */
  metricsAddress: string;
  /** The IngressClass this controller serves and creates if absent (--ingress-class; default skiff). */
  ingressClass: string;
  /** Create the IngressClass and the kube-system/skiff-ingress Service when absent (--bootstrap; default true). */
  bootstrap: boolean;
  /** One log line per request (--access-log; default true). */
  accessLog: boolean;
  /** JSON file written once serving (pid, ports), for the agent that spawned us (--state-file). */
  stateFile: string;
}

export function parseFlags(argv: string[], env: NodeJS.ProcessEnv): Partial<IngressOptions> {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(["apiserver", "tls-dir", "node-name", "http-address", "https-address", "metrics-address", "ingress-class", "bootstrap", "access-log", "state-file"].map((k) => [k, { type: "string" as const }])),
    strict: true,
  }) as { values: Record<string, string | undefined> };
  const api = values.apiserver ?? env.SKIFF_APISERVER;
  const bool = (v?: string) => (v === undefined ? undefined : v === "true" ? true : v === "false" ? false : (v as unknown as boolean));
  return {
    apiservers: api ? api.split(",").map((s) => s.trim()).filter(Boolean) : undefined,
    tlsDir: values["tls-dir"] ?? env.SKIFF_TLS_DIR,
    nodeName: values["node-name"] ?? env.SKIFF_NODE_NAME,
    httpAddress: values["http-address"], httpsAddress: values["https-address"], metricsAddress: values["metrics-address"],
    ingressClass: values["ingress-class"], bootstrap: bool(values.bootstrap), accessLog: bool(values["access-log"]), stateFile: values["state-file"],
  };
}

export function compileOptions(p: Partial<IngressOptions>): IngressOptions {
  const o: IngressOptions = {
    apiservers: p.apiservers?.length ? p.apiservers : ["127.0.0.1:6444"],
    tlsDir: p.tlsDir ?? "",
    nodeName: p.nodeName ?? "localhost",
    httpAddress: p.httpAddress ?? "127.0.0.1:0",
    httpsAddress: p.httpsAddress ?? "127.0.0.1:0",
    metricsAddress: p.metricsAddress ?? "127.0.0.1:0",
    ingressClass: p.ingressClass ?? "skiff",
    bootstrap: p.bootstrap ?? true,
    accessLog: p.accessLog ?? true,
    stateFile: p.stateFile ?? "",
  };
  const errs: string[] = [];
  for (const [flag, v] of [["--http-address", o.httpAddress], ["--https-address", o.httpsAddress], ["--metrics-address", o.metricsAddress]] as const) {
    if (!/^[^\s:]+:\d+$/.test(v)) errs.push(`${flag}: must be host:port, got ${JSON.stringify(v)}`);
  }
  const metrics = checkMetricsAddress("--metrics-address", o.metricsAddress);
  if (metrics) errs.push(metrics);
  for (const [flag, v] of [["--bootstrap", o.bootstrap], ["--access-log", o.accessLog]] as const) if (typeof v !== "boolean") errs.push(`${flag}: must be true or false, got ${JSON.stringify(v)}`);
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(o.ingressClass)) errs.push(`--ingress-class: not a valid name: ${JSON.stringify(o.ingressClass)}`);
  if (errs.length) throw new Error(`invalid options:\n  ${errs.join("\n  ")}`);
  return o;
}

/** Splits "host:port". */
export function hostPort(a: string): { host: string; port: number } {
  const i = a.lastIndexOf(":");
  return { host: a.slice(0, i), port: Number(a.slice(i + 1)) };
}
