// Writes a kubeconfig for the cluster's REST API with the CA certificate and admin token of the
// control plane's PKI directory (never read through the API: the store holds no keys).
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { ensureClusterCa } from "./tls/cluster-ca.js";

/** Options of writeKubeconfig. */
export interface KubeconfigOptions {
  /** HTTPS URL of the apiserver, e.g. https://127.0.0.1:6443. */
  server: string;
  /** File to write (mode 0600; parent directories are created). */
  path: string;
  /** Name of the cluster, user and context (default "skiff"). */
  name?: string;
  /** Default namespace of the context (default "default"). */
  namespace?: string;
}

/** Renders a kubeconfig (YAML-compatible JSON) for a server, CA and token. */
export function renderKubeconfig(server: string, caPem: string, token: string, name = "skiff", namespace = "default"): string {
  const cfg = {
    apiVersion: "v1",
    kind: "Config",
    preferences: {},
    "current-context": name,
    clusters: [{ name, cluster: { server, "certificate-authority-data": Buffer.from(caPem).toString("base64") } }],
    users: [{ name, user: { token } }],
    contexts: [{ name, context: { cluster: name, user: name, namespace } }],
  };
  // JSON is valid YAML: kubectl and client libraries read it as a kubeconfig.
  return JSON.stringify(cfg, null, 2) + "\n";
}

/** Writes a kubeconfig with the cluster's CA and admin token, read from the control plane's PKI directory; returns its path. */
export function writeKubeconfig(pkiDir: string, opts: KubeconfigOptions): string {
  // The trust bundle: during a CA rotation it holds both CAs.
  const { bundle, adminToken } = ensureClusterCa(pkiDir);
  mkdirSync(dirname(opts.path), { recursive: true });
  writeFileSync(opts.path, renderKubeconfig(opts.server, bundle, adminToken, opts.name, opts.namespace), { mode: 0o600 });
  return opts.path;
}
