// Auth material every apiserver replica shares: the cluster CA and the admin token, created
// by the first apiserver to start and kept in the store as the Secret kube-system/skiff-pki.
import type { Logger } from "@skiff/log";
import { isAlreadyExists, isNotFound, type KObject } from "@skiff/api";
import type { Registry } from "../../registry/registry.js";
import { createCa, newToken, type CertAndKey } from "./pki.js";

/** Namespace and name of the Secret holding the cluster CA and admin token. */
export const PKI_SECRET = { namespace: "kube-system", name: "skiff-pki" } as const;

/** The shared auth material. */
export interface ClusterAuth {
  ca: CertAndKey;
  /** Bearer token of the cluster admin (kubeconfig's user). */
  adminToken: string;
}

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const unb64 = (s: string | undefined) => Buffer.from(s ?? "", "base64").toString("utf8");

/** Reads the auth material from a Secret's data; undefined when incomplete. */
export function authFromSecret(s: KObject): ClusterAuth | undefined {
  const d = (s as { data?: Record<string, string> }).data ?? {};
  const auth = { ca: { cert: unb64(d["ca.crt"]), key: unb64(d["ca.key"]) }, adminToken: unb64(d["token"]) };
  return auth.ca.cert && auth.ca.key && auth.adminToken ? auth : undefined;
}

/** Loads the cluster's CA and token, creating them when this is the cluster's first start. */
export async function loadOrCreateClusterAuth(registry: Registry, log: Logger): Promise<ClusterAuth> {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const s = await registry.get("secrets", PKI_SECRET.namespace, PKI_SECRET.name);
      const auth = authFromSecret(s);
      if (auth) return auth;
      throw new Error(`secret ${PKI_SECRET.namespace}/${PKI_SECRET.name} lacks ca.crt, ca.key or token`);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const ca = createCa();
    const adminToken = newToken();
    try {
      await registry.create("secrets", PKI_SECRET.namespace, {
        apiVersion: "v1", kind: "Secret",
        metadata: { name: PKI_SECRET.name, namespace: PKI_SECRET.namespace, labels: { "app.kubernetes.io/managed-by": "skiff" } },
        type: "Opaque",
        data: { "ca.crt": b64(ca.cert), "ca.key": b64(ca.key), token: b64(adminToken) },
      } as KObject);
      log.info("created the cluster CA and admin token");
      return { ca, adminToken };
    } catch (err) {
      // Another replica won the race: read what it wrote.
      if (!isAlreadyExists(err)) throw err;
    }
  }
  throw new Error("could not load or create the cluster CA");
}
