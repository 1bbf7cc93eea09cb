// Where the cluster is: --server, SKIFF_APISERVER, $SKIFF_HOME/cluster.json (written by
// `skiff up`), else the single-host default. Also where SKIFF_HOME is.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** The apiserver address of a single-host cluster. */
export const defaultApiserver = "127.0.0.1:6444";

/** What `skiff up` records in $SKIFF_HOME/cluster.json. */
export interface ClusterInfo {
  apiserver: string;
  /** https://host:port of the Kubernetes REST API, and the kubeconfig written for it. */
  server?: string;
  kubeconfig?: string;
  nats?: string;
  nodeName?: string;
  startedAt?: string;
  /** The apiserver ↔ node-agent secret (skiff controlplane), for `skiff image load` on VMs. */
  nodeToken?: string;
  /** Set by `skiff up --nodes N`: the container topology (name, network, nodes). */
  topology?: { name: string; network: string; nodes: string[]; nats: string[]; joinToken?: string };
}

/** SKIFF_HOME: --home, else $SKIFF_HOME, else ~/.skiff. */
export function resolveHome(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag || env.SKIFF_HOME || join(homedir(), ".skiff");
}

/** Reads $SKIFF_HOME/cluster.json; undefined when absent or unreadable. */
export function readClusterInfo(home: string): ClusterInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(join(home, "cluster.json"), "utf8")) as ClusterInfo;
    return typeof info.apiserver === "string" ? info : undefined;
  } catch {
    return undefined;
  }
}

/** The apiserver addresses to use, in order of precedence. */
export function resolveApiserver(flag: string | undefined, env: NodeJS.ProcessEnv, home: string): string[] {
  const raw = flag || env.SKIFF_APISERVER || readClusterInfo(home)?.apiserver || defaultApiserver;
  // Accept URLs too (people paste what kubectl uses); gRPC wants host:port.
  return raw
    .split(",")
    .map((s) =>
      s
        .trim()
        .replace(/^[a-z]+:\/\//, "")
        .replace(/\/.*$/, ""),
    )
    .filter(Boolean);
}
