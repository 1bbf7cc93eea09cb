// Auth material of the REST API. It comes from the control plane's --pki-dir (auth/cluster-pki.ts),
// never from the store: earlier versions kept the CA key and admin token in the Secret
// kube-system/skiff-pki, which removeLegacyPkiSecret deletes.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "@skiff/log";
import { isNotFound } from "@skiff/api";
import type { CertAndKey } from "@skiff/client";

/** The Secret earlier versions kept the CA key and admin token in. */
export const PKI_SECRET = { namespace: "kube-system", name: "skiff-pki" } as const;

/** What the REST server authenticates and serves with. */
export interface ClusterAuth {
  /** The cluster CA certificate (client certificates are checked against it). */
  ca: { cert: string };
  /** Bearer token of the cluster admin (kubeconfig's user). */
  adminToken: string;
  /** The serving certificate; `onRotate` announces a new one. */
  serving: CertAndKey;
  onRotate?(cb: (c: CertAndKey) => void): void;
  /** Serves /skiff/v1/* (TLS bootstrap of nodes) before authentication. */
  bootstrap?(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
}

/** Deletes the Secret that held the CA key in earlier versions, if the store still has it. */
export async function removeLegacyPkiSecret(
  registry: { delete(resource: string, ns: string | undefined, name: string, o: object): Promise<unknown> },
  log: Logger,
): Promise<void> {
  try {
    await registry.delete("secrets", PKI_SECRET.namespace, PKI_SECRET.name, { gracePeriodSeconds: 0 });
    log.warn(
      { secret: `${PKI_SECRET.namespace}/${PKI_SECRET.name}` },
      "deleted the Secret in which an earlier version kept the CA key and admin token: the CA now lives only in --pki-dir",
    );
  } catch (err) {
    if (!isNotFound(err)) log.warn({ err }, "could not check for the legacy PKI Secret");
  }
}
