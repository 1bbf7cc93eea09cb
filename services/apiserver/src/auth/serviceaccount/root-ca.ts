// The root CA publisher: every namespace holds the ConfigMap kube-root-ca.crt with the cluster
// CA's certificate (`ca.crt`), which pods' ServiceAccount volumes project to trust the API.
// Kubernetes runs this in the controller-manager; here the apiserver, which holds the CA, does.
import type { Logger } from "@skiff/log";
import { isAlreadyExists, isNotFound, type ConfigMap, type KObject } from "@skiff/api";
import type { Registry } from "../../registry/registry.js";

export const ROOT_CA_CONFIGMAP = "kube-root-ca.crt";

/** Watches namespaces and keeps their kube-root-ca.crt current; returns a stop function. */
export function publishRootCa(registry: Registry, caCertOf: () => string, log: Logger, onCaChange?: (cb: () => void) => void): () => void {
  let stopped = false;
  let stopWatch: (() => void) | undefined;
  const ensure = async (ns: KObject) => {
    const namespace = ns.metadata.name!;
    if (ns.metadata.deletionTimestamp) return;
    // The trust bundle: during a CA rotation it holds both CAs, so pods trust the API throughout.
    const caCert = caCertOf();
    const want = { "ca.crt": caCert };
    try {
      const cur = (await registry.get("configmaps", namespace, ROOT_CA_CONFIGMAP)) as ConfigMap;
      if (cur.data?.["ca.crt"] === caCert) return;
      await registry.update("configmaps", namespace, ROOT_CA_CONFIGMAP, (c) => ({ ...c, data: want }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await registry
        .create("configmaps", namespace, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: ROOT_CA_CONFIGMAP, namespace }, data: want } as ConfigMap)
        .catch((e) => {
          if (!isAlreadyExists(e)) throw e;
        });
    }
  };
  const start = () => {
    if (stopped) return;
    registry
      .watch(
        "namespaces",
        {},
        (e) => {
          if (e.type === "ADDED" || e.type === "MODIFIED")
            ensure(e.object).catch((err) => log.warn({ err, namespace: e.object.metadata.name }, "cannot publish the root CA"));
        },
        (err) => {
          log.warn({ err }, "namespace watch failed; restarting");
          setTimeout(start, 1000).unref();
        },
      )
      .then(
        (s) => {
          if (stopped) s();
          else stopWatch = s;
        },
        (err) => {
          log.warn({ err }, "cannot watch namespaces");
          setTimeout(start, 1000).unref();
        },
      );
  };
  start();
  // A new CA: a fresh watch lists every namespace again (ADDED), and each gets the new bundle.
  onCaChange?.(() => {
    stopWatch?.();
    stopWatch = undefined;
    start();
  });
  return () => {
    stopped = true;
    stopWatch?.();
  };
}
