// The Services every cluster starts with: `kubernetes` in default (the service CIDR's first
// address, pointing at the apiservers) and `kube-dns` in kube-system (the tenth address;
// the node agents send it to their node's dns process). Each apiserver adds its own
// address to the `kubernetes` Endpoints.
import type { Logger } from "@skiff/log";
import { AlreadyExistsError, NotFoundError, type Endpoints, type Service } from "@skiff/api";
import type { Registry } from "../registry/registry.js";
import type { ServiceAllocator } from "./allocator.js";

/** Creates the built-in services when missing and registers this apiserver in `kubernetes`. */
export async function ensureSystemServices(registry: Registry, alloc: ServiceAllocator, advertise: { ip: string; port: number }, log: Logger): Promise<void> {
  const services: Service[] = [
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "kubernetes", namespace: "default", labels: { component: "apiserver", provider: "kubernetes" } },
      spec: { type: "ClusterIP", clusterIP: alloc.serviceIP(1), ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: advertise.port }] },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "kube-dns", namespace: "kube-system", labels: { "k8s-app": "kube-dns", "kubernetes.io/name": "CoreDNS" } },
      spec: {
        type: "ClusterIP",
        clusterIP: alloc.serviceIP(10),
        ports: [
          { name: "dns", port: 53, protocol: "UDP", targetPort: 53 },
          { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 },
        ],
      },
    },
  ];
  for (const s of services) {
    // Look first: re-creating would trip the allocator (the address is ours already) before the
    // store could answer AlreadyExists.
    const exists = await registry.get("services", s.metadata.namespace, s.metadata.name!).then(
      () => true,
      (err) => {
        if (err instanceof NotFoundError) return false;
        throw err;
      },
    );
    if (exists) continue;
    try {
      await registry.create("services", s.metadata.namespace, s);
      log.info({ service: `${s.metadata.namespace}/${s.metadata.name}`, clusterIP: s.spec.clusterIP }, "created system service");
    } catch (err) {
      if (err instanceof AlreadyExistsError) continue;
      log.error({ err, service: s.metadata.name }, "cannot create system service");
    }
  }
  // Register this apiserver's address (replicas start together: the registry's update retries).
  const addr = { ip: advertise.ip };
  const ports = [{ name: "https", port: advertise.port, protocol: "TCP" }];
  const withUs = (ep: Endpoints): Endpoints => {
    const subset = ep.subsets?.[0];
    if (subset?.addresses?.some((a) => a.ip === addr.ip) && subset.ports?.[0]?.port === advertise.port) return ep;
    return { ...ep, subsets: [{ addresses: [...(subset?.addresses ?? []).filter((a) => a.ip !== addr.ip), addr], ports }] };
  };
  await registry.upsert("endpoints", "default", "kubernetes", (cur) => withUs(cur as Endpoints), {
    create: () => withUs({ apiVersion: "v1", kind: "Endpoints", metadata: { name: "kubernetes", namespace: "default" }, subsets: [] }),
  });
}
