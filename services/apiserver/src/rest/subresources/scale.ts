// The scale subresource (autoscaling/v1 Scale) of Deployments, ReplicaSets, StatefulSets and
// ReplicationControllers: GET builds a Scale from the object; PUT/PATCH write spec.replicas.
import {
  BadRequestError,
  ConflictError,
  formatLabelSelector,
  labelSelectorFromStruct,
  type KObject,
  type LabelSelectorStruct,
  type ResourceInfo,
} from "@skiff/api";
import { applyPatch, parsePatchBody, patchTypeOf, recordUpdate } from "../patch/index.js";
import type { WriteOptions } from "../../registry/registry.js";

/** An autoscaling/v1 Scale. */
export interface Scale extends KObject {
  spec: { replicas?: number };
  status: { replicas: number; selector?: string };
}

/** The Scale view of a scalable object. */
export function scaleOf(o: KObject): Scale {
  const spec = (o.spec ?? {}) as { replicas?: number; selector?: LabelSelectorStruct | Record<string, string> };
  const status = (o.status ?? {}) as { replicas?: number };
  const sel = spec.selector as Record<string, unknown> | undefined;
  // ReplicationControllers have a plain label map; the others a LabelSelector.
  const struct: LabelSelectorStruct | undefined =
    sel && !("matchLabels" in sel) && !("matchExpressions" in sel) ? { matchLabels: sel as Record<string, string> } : (sel as LabelSelectorStruct | undefined);
  const m = o.metadata;
  return {
    apiVersion: "autoscaling/v1",
    kind: "Scale",
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: formatLabelSelector(labelSelectorFromStruct(struct)) },
  };
}

/** The registry surface the scale handler uses. */
interface ScaleStore {
  update(resource: string, ns: string | undefined, name: string, tryUpdate: (cur: KObject) => KObject, opts: WriteOptions): Promise<KObject>;
}

/**
 * Writes a desired Scale (replicas, optional resourceVersion precondition) to the object;
 * `manager` then owns spec.replicas (an Update entry for the scale subresource).
 */
export async function writeScale(
  store: ScaleStore,
  info: ResourceInfo,
  ns: string | undefined,
  name: string,
  mutate: (s: Scale) => Scale,
  manager: string,
  opts: WriteOptions,
): Promise<Scale> {
  const written = await store.update(
    info.resource,
    ns,
    name,
    (cur) => {
      const want = mutate(scaleOf(cur));
      const replicas = want.spec?.replicas;
      if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0)
        throw new BadRequestError(`spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be a non-negative integer`);
      if (want.metadata?.resourceVersion && want.metadata.resourceVersion !== cur.metadata.resourceVersion) throw new ConflictError(info.resource, name);
      const next = structuredClone(cur);
      (next.spec as { replicas?: number }).replicas = replicas;
      recordUpdate(cur, next, manager, { subresource: "scale", only: ["f:spec"] });
      return next;
    },
    { ...opts, subresource: "scale" },
  );
  return scaleOf(written);
}

/** Applies a PATCH body (any patch type but apply) to a Scale. */
export function patchScale(contentType: string | undefined, body: Buffer): (s: Scale) => Scale {
  const type = patchTypeOf(contentType);
  if (type === "apply") throw new BadRequestError("apply patches are not supported on the scale subresource");
  const p = parsePatchBody(type, body);
  return (s) => {
    const out = applyPatch(type, s, p) as Scale;
    // A patch's resourceVersion is a precondition only when the patch set one itself.
    if (!(p as KObject)?.metadata?.resourceVersion || type === "json") out.metadata.resourceVersion = s.metadata.resourceVersion;
    return out;
  };
}
