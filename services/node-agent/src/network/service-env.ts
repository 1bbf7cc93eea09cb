// Docker-link-style service environment variables for a pod's containers, as the kubelet
// sets them: {SVC}_SERVICE_HOST/_PORT[_NAME], {SVC}_PORT, {SVC}_PORT_{N}_{PROTO}[_PROTO|_PORT|_ADDR],
// for every service of the pod's namespace (and `kubernetes` from default) that exists
// when the container is created. Headless and ExternalName services have none.
import type { Service } from "@skiff/api";

function envName(s: string): string {
  return s.toUpperCase().replace(/-/g, "_");
}

/** The variables for one service. */
function forService(s: Service): string[] {
  const ip = s.spec.clusterIP;
  const ports = s.spec.ports ?? [];
  if (!ip || ip === "None" || s.spec.type === "ExternalName" || ports.length === 0) return [];
  const n = envName(s.metadata.name!);
  const out = [`${n}_SERVICE_HOST=${ip}`, `${n}_SERVICE_PORT=${ports[0].port}`];
  for (const p of ports) if (p.name) out.push(`${n}_SERVICE_PORT_${envName(p.name)}=${p.port}`);
  const first = ports[0];
  out.push(`${n}_PORT=${(first.protocol ?? "TCP").toLowerCase()}://${ip}:${first.port}`);
  for (const p of ports) {
    const proto = p.protocol ?? "TCP";
    const pre = `${n}_PORT_${p.port}_${proto}`;
    out.push(`${pre}=${proto.toLowerCase()}://${ip}:${p.port}`, `${pre}_PROTO=${proto.toLowerCase()}`, `${pre}_PORT=${p.port}`, `${pre}_ADDR=${ip}`);
  }
  return out;
}

/**
 * Service variables for a pod in `namespace` (enableServiceLinks false: only `kubernetes`).
 * Services of the namespace win over a same-named one elsewhere; order is stable (by name).
 */
export function serviceEnv(namespace: string, services: Service[], enableServiceLinks = true): string[] {
  const chosen = new Map<string, Service>();
  for (const s of services) {
    if (s.metadata.namespace === namespace && enableServiceLinks) chosen.set(s.metadata.name!, s);
  }
  const master = services.find((s) => s.metadata.namespace === "default" && s.metadata.name === "kubernetes");
  if (master && !chosen.has("kubernetes")) chosen.set("kubernetes", master);
  return [...chosen.keys()].sort().flatMap((k) => forService(chosen.get(k)!));
}
