// Mirror pods: the API objects a node agent creates for the pods it runs on its own (the
// kubelet's static pods; Skiff's node proxy, DNS and ingress controller). The annotation keys
// are Kubernetes' own, so kubectl (drain) and controllers recognise them.
import type { KObject } from "./types.js";

/** Set on every mirror pod: the hash of the static pod it mirrors (kubelet's ConfigMirrorAnnotationKey). */
export const MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror";
/** The static pod's hash (kubelet's ConfigHashAnnotationKey). */
export const CONFIG_HASH_ANNOTATION = "kubernetes.io/config.hash";
/** Where the static pod came from (kubelet's ConfigSourceAnnotationKey: file, http, …). */
export const CONFIG_SOURCE_ANNOTATION = "kubernetes.io/config.source";
/** When the node agent first saw the static pod (kubelet's ConfigFirstSeenAnnotationKey). */
export const CONFIG_SEEN_ANNOTATION = "kubernetes.io/config.seen";

/** Whether an object is a mirror pod (it carries the mirror annotation). */
export function isMirrorPod(o: Pick<KObject, "metadata"> | undefined): boolean {
  return o?.metadata?.annotations?.[MIRROR_POD_ANNOTATION] !== undefined;
}
