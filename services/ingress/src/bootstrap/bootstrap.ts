// What the controller needs in the cluster, created if absent at start (any node's controller
// may do it; AlreadyExists is success): the IngressClass `skiff`, marked default, and the
// LoadBalancer Service kube-system/skiff-ingress whose address the controller serves on
// (each node's proxy sends its ports 80/443 to the node's own controller).
import type { Logger } from "@skiff/log";
import type { ApiClient } from "@skiff/client";
import { isAlreadyExists, type IngressClass, type Service } from "@skiff/api";
import { CONTROLLER, DEFAULT_CLASS_ANNOTATION } from "../routing/routing.js";

/** Namespace and name of the controller's Service. */
export const INGRESS_SERVICE = { namespace: "kube-system", name: "skiff-ingress" } as const;

async function createIfAbsent(client: ApiClient, resource: string, obj: IngressClass | Service, log: Logger): Promise<void> {
  try {
    await client.create(resource, obj, obj.metadata.namespace);
    log.info({ resource, name: obj.metadata.name }, "created");
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}

/** Creates the class and the Service when missing (never changes what users edited). */
export async function bootstrap(client: ApiClient, className: string, log: Logger): Promise<void> {
  await createIfAbsent(
    client,
    "ingressclasses",
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "IngressClass",
      metadata: { name: className, annotations: { [DEFAULT_CLASS_ANNOTATION]: "true" }, labels: { "app.kubernetes.io/name": "skiff-ingress" } },
      spec: { controller: CONTROLLER },
    },
    log,
  );
  await createIfAbsent(
    client,
    "services",
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: INGRESS_SERVICE.name, namespace: INGRESS_SERVICE.namespace, labels: { "app.kubernetes.io/name": "skiff-ingress" } },
      spec: {
        type: "LoadBalancer",
        ports: [
          { name: "http", port: 80, protocol: "TCP" },
          { name: "https", port: 443, protocol: "TCP" },
        ],
      },
    },
    log,
  );
}
