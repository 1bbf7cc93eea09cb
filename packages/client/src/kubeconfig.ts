// Writes a kubeconfig for the cluster's REST API: the CA and admin token are read through the
// gRPC ApiClient from the Secret the apiserver keeps them in (kube-system/skiff-pki).
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { KObject } from "@skiff/api";
import type { ApiClient } from "./client.js";

/** Where the apiserver keeps the cluster CA and admin token. */
export const CLUSTER_PKI_SECRET = { namespace: "kube-system", name: "skiff-pki" } as const;

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

/** The CA certificate (PEM) and admin token of a cluster. */
export async function readClusterCredentials(client: ApiClient): Promise<{ caPem: string; token: string }> {
  const s = await client.get<KObject & { data?: Record<string, string> }>("secrets", CLUSTER_PKI_SECRET.name, CLUSTER_PKI_SECRET.namespace);
  const caPem = Buffer.from(s.data?.["ca.crt"] ?? "", "base64").toString("utf8");
  const token = Buffer.from(s.data?.token ?? "", "base64").toString("utf8");
  if (!caPem || !token) throw new Error(`secret ${CLUSTER_PKI_SECRET.namespace}/${CLUSTER_PKI_SECRET.name} has no ca.crt or token`);
  return { caPem, token };
}

/** Renders a kubeconfig (YAML-compatible JSON) for a server, CA and token. */
export function renderKubeconfig(server: string, caPem: string, token: string, name = "skiff", namespace = "default"): string {
  const cfg = {
    apiVersion: "v1", kind: "Config", preferences: {}, "current-context": name,
    clusters: [{ name, cluster: { server, "certificate-authority-data": Buffer.from(caPem).toString("base64") } }],
    users: [{ name, user: { token } }],
    contexts: [{ name, context: { cluster: name, user: name, namespace } }],
  };
  // JSON is valid YAML: kubectl and client libraries read it as a kubeconfig.
  return JSON.stringify(cfg, null, 2) + "\n";
}

/** Reads the cluster's CA and token through `client` and writes a kubeconfig; returns its path. */
export async function writeKubeconfig(client: ApiClient, opts: KubeconfigOptions): Promise<string> {
  const { caPem, token } = await readClusterCredentials(client);
  mkdirSync(dirname(opts.path), { recursive: true });
  writeFileSync(opts.path, renderKubeconfig(opts.server, caPem, token, opts.name, opts.namespace), { mode: 0o600 });
  return opts.path;
}
