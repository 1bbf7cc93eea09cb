// The key that signs ServiceAccount tokens, shared by every apiserver replica: created by the
// first apiserver to start and kept as the Secret kube-system/skiff-service-account-key (Skiff's
// Secrets are readable only by cluster admins through RBAC).
import { generateKeyPairSync } from "node:crypto";
import type { Logger } from "@skiff/log";
import { isAlreadyExists, isNotFound, type Secret } from "@skiff/api";
import type { Registry } from "../../registry/registry.js";

export const SA_KEY_SECRET = { namespace: "kube-system", name: "skiff-service-account-key" } as const;

/** Loads the signing key (PEM), creating it on the cluster's first start. */
export async function loadOrCreateSigningKey(registry: Registry, log: Logger): Promise<string> {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const s = (await registry.get("secrets", SA_KEY_SECRET.namespace, SA_KEY_SECRET.name)) as Secret;
      const pem = Buffer.from(s.data?.["sa.key"] ?? "", "base64").toString("utf8");
      if (pem) return pem;
      throw new Error(`secret ${SA_KEY_SECRET.namespace}/${SA_KEY_SECRET.name} lacks sa.key`);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const pem = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    try {
      await registry.create("secrets", SA_KEY_SECRET.namespace, {
        apiVersion: "v1",
        kind: "Secret",
        type: "Opaque",
        metadata: { name: SA_KEY_SECRET.name, namespace: SA_KEY_SECRET.namespace, labels: { "app.kubernetes.io/managed-by": "skiff" } },
        data: { "sa.key": Buffer.from(pem).toString("base64") },
      } as Secret);
      log.info("created the service-account signing key");
      return pem;
    } catch (err) {
      if (!isAlreadyExists(err)) throw err; // another replica was first: read its key
    }
  }
  throw new Error("could not load or create the service-account signing key");
}
