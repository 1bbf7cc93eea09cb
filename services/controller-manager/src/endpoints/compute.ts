// What a Service's endpoints are, as a pure function of the Service and the pods of its
// namespace: ready pods in `addresses`, the rest in `notReadyAddresses`, named target ports
// resolved per pod from its container ports. Shared by the Endpoints and EndpointSlice
// controllers.
import { getCondition, type Pod, type Service, type EndpointAddress } from "@skiff/api";

/** One backend pod of a service with the ports it serves the service's ports on. */
export interface Backend {
  address: EndpointAddress;
  ready: boolean;
  terminating: boolean;
  /** One entry per service port the pod can serve: name, resolved port, protocol. */
  ports: { name?: string; port: number; protocol: string }[];
}

/** Whether a pod's labels match a service's (map) selector. */
export function selects(svc: Service, pod: Pod): boolean {
  const sel = svc.spec?.selector;
  if (!sel || Object.keys(sel).length === 0) return false;
  const labels = pod.metadata.labels ?? {};
  return Object.entries(sel).every(([k, v]) => labels[k] === v);
}

/** The pods behind a service with their readiness, in a stable order (by IP). */
export function backends(svc: Service, pods: Pod[]): Backend[] {
  const out: Backend[] = [];
  const publishNotReady = svc.spec.publishNotReadyAddresses === true;
  for (const pod of pods) {
    if (pod.metadata.namespace !== svc.metadata.namespace || !selects(svc, pod)) continue;
    const ip = pod.status?.podIP;
    const phase = pod.status?.phase;
    if (!ip || phase === "Succeeded" || phase === "Failed") continue;
    const terminating = !!pod.metadata.deletionTimestamp;
    // A terminating pod leaves the ready set at once (it is draining); it stays visible only
    // when the service publishes not-ready addresses.
    if (terminating && !publishNotReady) continue;
    const ready = publishNotReady || (!terminating && getCondition(pod.status?.conditions, "Ready")?.status === "True");
    const ports: Backend["ports"] = [];
    for (const sp of svc.spec.ports ?? []) {
      const port = resolveTargetPort(pod, sp.targetPort ?? sp.port, sp.protocol ?? "TCP");
      if (port !== undefined) ports.push({ ...(sp.name ? { name: sp.name } : {}), port, protocol: sp.protocol ?? "TCP" });
    }
    if (ports.length === 0) continue;
    const hostname = pod.spec.hostname && pod.spec.subdomain === svc.metadata.name ? pod.spec.hostname : undefined;
    out.push({
      address: {
        ip,
        ...(hostname ? { hostname } : {}),
        ...(pod.spec.nodeName ? { nodeName: pod.spec.nodeName } : {}),
        targetRef: { kind: "Pod", name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid },
      },
      ready,
      terminating,
      ports,
    });
  }
  return out.sort((a, b) => a.address.ip.localeCompare(b.address.ip, undefined, { numeric: true }));
}

/** A number, or a container port's name looked up in the pod (undefined when it has none). */
export function resolveTargetPort(pod: Pod, target: number | string, protocol: string): number | undefined {
  if (typeof target === "number") return target;
  if (/^\d+$/.test(target)) return Number(target);
  for (const c of pod.spec.containers ?? []) {
    const p = c.ports?.find((x) => x.name === target && (x.protocol ?? "TCP") === protocol);
    if (p) return p.containerPort;
  }
  return undefined;
}

/** Endpoints subsets: backends grouped by identical port lists (as Kubernetes repacks them). */
export function subsets(bs: Backend[]): NonNullable<import("@skiff/api").Endpoints["subsets"]> {
  const groups = new Map<string, { addresses: EndpointAddress[]; notReadyAddresses: EndpointAddress[]; ports: Backend["ports"] }>();
  for (const b of bs) {
    const k = JSON.stringify(b.ports);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { addresses: [], notReadyAddresses: [], ports: b.ports }));
    (b.ready ? g.addresses : g.notReadyAddresses).push(b.address);
  }
  return [...groups.values()].map((g) => ({
    ...(g.addresses.length ? { addresses: g.addresses } : {}),
    ...(g.notReadyAddresses.length ? { notReadyAddresses: g.notReadyAddresses } : {}),
    ports: g.ports,
  }));
}
