// What a pod references by name (Secrets, ConfigMaps, claims): the edges of the Node
// authorizer's graph (node → pod → object), read from volumes, env, envFrom and pull secrets.
import type { Pod } from "@skiff/api";

/** Names a pod references, per resource. */
export interface PodReferences {
  secrets: Set<string>;
  configmaps: Set<string>;
  persistentvolumeclaims: Set<string>;
}

type Ref = { name?: string; secretName?: string; claimName?: string } | undefined;

/** The Secrets, ConfigMaps and claims a pod names (same namespace as the pod). */
export function podReferences(pod: Pod): PodReferences {
  const r: PodReferences = { secrets: new Set(), configmaps: new Set(), persistentvolumeclaims: new Set() };
  const add = (set: Set<string>, n: string | undefined) => {
    if (n) set.add(n);
  };
  const spec = pod.spec as Pod["spec"] & {
    volumes?: { secret?: Ref; configMap?: Ref; persistentVolumeClaim?: Ref; projected?: { sources?: { secret?: Ref; configMap?: Ref }[] } }[];
    imagePullSecrets?: Ref[];
    ephemeralContainers?: Pod["spec"]["containers"];
  };
  for (const v of spec.volumes ?? []) {
    add(r.secrets, v.secret?.secretName);
    add(r.configmaps, v.configMap?.name);
    add(r.persistentvolumeclaims, v.persistentVolumeClaim?.claimName);
    for (const s of v.projected?.sources ?? []) {
      add(r.secrets, s.secret?.name);
      add(r.configmaps, s.configMap?.name);
    }
  }
  for (const s of spec.imagePullSecrets ?? []) add(r.secrets, s?.name);
  for (const c of [...(spec.initContainers ?? []), ...spec.containers, ...(spec.ephemeralContainers ?? [])]) {
    for (const e of c.env ?? []) {
      const vf = e.valueFrom as { secretKeyRef?: Ref; configMapKeyRef?: Ref } | undefined;
      add(r.secrets, vf?.secretKeyRef?.name);
      add(r.configmaps, vf?.configMapKeyRef?.name);
    }
    for (const ef of (c.envFrom as { secretRef?: Ref; configMapRef?: Ref }[] | undefined) ?? []) {
      add(r.secrets, ef.secretRef?.name);
      add(r.configmaps, ef.configMapRef?.name);
    }
  }
  return r;
}
