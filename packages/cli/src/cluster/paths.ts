// The single-host cluster (`skiff up`): where its files live under SKIFF_HOME, where the
// repository (and so each service's dist/main.js) is, and the processes it runs, in order.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { nodeCommand } from "@skiff/client/launch";

/** Files of a single-host cluster under SKIFF_HOME. */
export interface ClusterPaths {
  home: string;
  runDir: string;
  logDir: string;
  natsDir: string;
  clusterJson: string;
  kubeconfig: string;
}

/** The paths under a SKIFF_HOME. */
export function clusterPaths(home: string): ClusterPaths {
  return {
    home,
    runDir: join(home, "run"),
    logDir: join(home, "logs"),
    natsDir: join(home, "nats"),
    clusterJson: join(home, "cluster.json"),
    kubeconfig: join(home, "kubeconfig"),
  };
}

/** `$SKIFF_HOME/run/<name>.pid`. */
export const pidFile = (p: ClusterPaths, name: string): string => join(p.runDir, `${name}.pid`);
/** `$SKIFF_HOME/logs/<name>.log`. */
export const logFile = (p: ClusterPaths, name: string): string => join(p.logDir, `${name}.log`);

/**
 * The repository root, found from this file: packages/cli/{dist,src}/cluster/paths.js sits
 * four levels below it, whether run built or from source.
 */
export function repoRoot(): string {
  return fileURLToPath(new URL("../../../../", import.meta.url)).replace(/\/$/, "");
}

/** The processes of a single-host cluster, in start order (stopped in reverse). */
export const componentNames = ["nats", "apiserver", "scheduler", "controller-manager", "node-agent"] as const;
export type ComponentName = (typeof componentNames)[number];

/** How to start one process. */
export interface ComponentSpec {
  name: ComponentName;
  command: string;
  args: string[];
  /** Its environment (default: the CLI's). */
  env?: NodeJS.ProcessEnv;
}

/**
 * nats-server's configuration for Skiff: messages up to 2 MiB, so the store holds objects up to
 * its 1.5 MiB limit (etcd's, in Kubernetes) with room for headers; nats-server's default is 1 MiB.
 */
export const natsConfig = "max_payload: 2097152\n";

/** Where `skiff up` writes natsConfig. */
export function natsConfigFile(home: string): string {
  return join(clusterPaths(home).natsDir, "skiff-nats.conf");
}

/** Settings of a single-host cluster. */
export interface UpSettings {
  home: string;
  repo: string;
  natsPort: number;
  apiserver: string;
  /** host:port of the Kubernetes REST API (HTTPS, for kubectl). */
  https: string;
  nodeName: string;
  clusterName: string;
  /** The control plane's PKI directory and the components' TLS directories in it. */
  pki: { dir: string; tlsDirs: Record<string, string> };
}

/** `skiff up`'s LoadBalancer pool (its Ingress controller gets the first address). */
export const singleHostLoadBalancerPool = "10.244.255.0/24";

/** The command line of every process of the cluster. */
export function componentSpecs(s: UpSettings): ComponentSpec[] {
  const nats = `nats://127.0.0.1:${s.natsPort}`;
  const service = (name: ComponentName, args: string[]): ComponentSpec => ({ name, ...nodeCommand(serviceMain(s.repo, name), args) });
  return [
    // The configuration (TLS, a user per identity) is written by writeNatsConfigs (pki/).
    { name: "nats", command: "nats-server", args: ["-c", join(s.pki.dir, "nats", "nats.conf")] },
    // LoadBalancer addresses from a /24 of the pod range that no node gets (the controller-manager
    // hands out the low /24s): the node agent makes each one local, so it answers on this host,
    // and the cluster range's blackhole keeps the unused ones from leaving it.
    service("apiserver", [
      "--pki-dir",
      s.pki.dir,
      "--nats",
      nats,
      "--grpc-address",
      s.apiserver,
      "--https-address",
      s.https,
      "--load-balancer-ip-range",
      singleHostLoadBalancerPool,
    ]),
    service("scheduler", ["--apiserver", s.apiserver, "--tls-dir", s.pki.tlsDirs.scheduler, "--nats", nats]),
    service("controller-manager", [
      "--apiserver",
      s.apiserver,
      "--tls-dir",
      s.pki.tlsDirs["controller-manager"],
      "--nats",
      nats,
      "--cluster-cidr",
      "10.244.0.0/16",
    ]),
    // The run dir lives under SKIFF_HOME, so `skiff down` finds the node's proxy and dns there.
    // One host: the agent's API listens on loopback only (the apiserver is on this machine).
    service("node-agent", [
      "--apiserver",
      s.apiserver,
      "--tls-dir",
      s.pki.tlsDirs[`node-${s.nodeName}`],
      "--listen-address",
      "127.0.0.1:10250",
      "--nats",
      nats,
      "--node-name",
      s.nodeName,
      "--cluster-name",
      s.clusterName,
      "--cluster-cidr",
      "10.244.0.0/16",
      "--service-cidr",
      "10.96.0.0/16",
      "--run-dir",
      join(clusterPaths(s.home).runDir, "node"),
      // Renewal and CA rotation go through the HTTPS port, wherever --https-port put it.
      "--bootstrap-server",
      `https://127.0.0.1:${s.https.slice(s.https.lastIndexOf(":") + 1)}`,
    ]),
  ];
}

/** Where `skiff up` records the node agent's command line, so `skiff down` can tear the node down. */
export function agentArgsFile(paths: ClusterPaths): string {
  return join(paths.runDir, "node-agent.args.json");
}

/** `<repo>/services/<name>/dist/main.js`. */
export function serviceMain(repo: string, name: string): string {
  return join(repo, "services", name, "dist", "main.js");
}

/** What identifies a component's process in /proc/<pid>/cmdline (guards against reused pids). */
export function cmdlineMarker(name: ComponentName): string {
  return name === "nats" ? "nats-server" : `services/${name}/dist/main.js`;
}

/** A hostname turned into a valid node name (a lower-case DNS-1123 subdomain). */
export function nodeNameFrom(hostname: string): string {
  const cleaned = hostname
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, "-")
    .split(".")
    .map((label) => label.replace(/^-+|-+$/g, ""))
    .filter(Boolean)
    .join(".")
    .slice(0, 253)
    .replace(/[.-]+$/, "");
  return cleaned || "skiff-node";
}
