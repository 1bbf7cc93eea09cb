// The processes the agent runs as part of the node with --proxy=spawn: the DNS, the proxy and
// (with --ingress=spawn) the Ingress controller — their command lines, state and log files.
// The service network starts them; their mirror pods (mirror/) show them in kube-system.
import { join } from "node:path";
import type { NodeAgentOptions } from "../options/options.js";
import { childCommandLine, serviceMain } from "./children.js";

/** One node process: its service, arguments and files in the run dir. */
export interface ComponentSpec {
  /** "dns", "proxy", "ingress": the service (services/<name>) and its container's name. */
  name: "dns" | "proxy" | "ingress";
  main: string;
  args: string[];
  stateFile: string;
  logFile: string;
  /** The node works without it (pods and Services still do): a failure to start is logged, not fatal. */
  optional: boolean;
}

/** The node processes these options run, in start order (the proxy's table needs the DNS's port). */
export function componentSpecs(opts: NodeAgentOptions): ComponentSpec[] {
  if (opts.proxyMode !== "spawn") return [];
  const dir = opts.runDir;
  const spec = (name: ComponentSpec["name"], args: string[], optional = false): ComponentSpec => ({
    name,
    main: serviceMain(name),
    args,
    stateFile: join(dir, `${name}.json`),
    logFile: join(dir, `${name}.log`),
    optional,
  });
  return [
    spec("dns", [
      // The DNS reads services and endpoints with the node's identity (the Node authorizer allows it).
      "--apiserver",
      opts.apiservers.join(","),
      "--tls-dir",
      opts.tlsDir,
      "--listen",
      "127.0.0.1:0",
      "--cluster-domain",
      opts.clusterDomain,
      ...(opts.dnsUpstream ? ["--upstream", opts.dnsUpstream] : []),
      ...(opts.dnsResolvConf ? ["--resolv-conf", opts.dnsResolvConf] : []),
    ]),
    spec("proxy", [
      "--listen",
      opts.proxyAddress,
      "--metrics-address",
      opts.proxyMetricsAddress,
      ...(opts.nodePortAddresses ? ["--nodeport-addresses", opts.nodePortAddresses] : []),
      ...opts.proxyFlags,
    ]),
    ...(opts.ingressMode === "spawn"
      ? [
          // The controller acts with the node's identity (the Node authorizer grants what it needs).
          spec("ingress", ["--apiserver", opts.apiservers.join(","), "--tls-dir", opts.tlsDir, "--node-name", opts.nodeName], true),
        ]
      : []),
  ];
}

/** The full command line a component runs (what ensureChild starts and compares when adopting). */
export function commandLine(c: ComponentSpec): string[] {
  return childCommandLine(c.main, c.args, c.stateFile);
}
