// NodeRestriction for pod creates: a node may create only mirror pods (of what it runs itself),
// bound to itself, owned by its own Node as controller, and naming no Secret, ConfigMap, claim
// or service account — the rules and wording of Kubernetes' NodeRestriction admission plugin.
import { MIRROR_POD_ANNOTATION, type KObject, type Pod } from "@skiff/api";
import { podReferences } from "./pod-refs.js";

/** Why node `node` may not create `object` as a pod, or undefined when it may. `nodeUid` reads its Node's uid. */
export async function mirrorPodCreate(node: string, object: KObject | undefined, nodeUid: () => Promise<string | undefined>): Promise<string | undefined> {
  const pod = object as Pod | undefined;
  if (!pod?.metadata?.annotations || pod.metadata.annotations[MIRROR_POD_ANNOTATION] === undefined)
    return `pod does not have "${MIRROR_POD_ANNOTATION}" annotation, node "${node}" can only create mirror pods`;
  if (pod.spec?.nodeName !== node) return `node "${node}" can only create pods with spec.nodeName set to itself`;
  const owners = pod.metadata.ownerReferences ?? [];
  if (owners.length > 1) return `node "${node}" can only create pods with a single owner reference set to itself`;
  if (owners.length === 1) {
    const o = owners[0];
    if (o.apiVersion !== "v1" || o.kind !== "Node" || o.name !== node) return `node "${node}" can only create pods with an owner reference set to itself`;
    if (o.controller !== true) return `node "${node}" can only create pods with a controller owner reference set to itself`;
    if (o.blockOwnerDeletion) return `node "${node}" must not set blockOwnerDeletion on an owner reference`;
    if (o.uid !== (await nodeUid())) return `node "${node}" UID mismatch`;
  }
  const spec = pod.spec as Pod["spec"] & { serviceAccountName?: string; serviceAccount?: string };
  if (spec.serviceAccountName || spec.serviceAccount) return `node "${node}" can not create pods that reference a service account`;
  const refs = podReferences(pod);
  if (refs.secrets.size) return `node "${node}" can not create pods that reference secrets`;
  if (refs.configmaps.size) return `node "${node}" can not create pods that reference configmaps`;
  if (refs.persistentvolumeclaims.size) return `node "${node}" can not create pods that reference persistentvolumeclaims`;
  return undefined;
}
