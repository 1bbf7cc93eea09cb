// The node's pods without its mirror pods: what the pod workers, the evictors and the host-port
// table see. A mirror pod's process is not a container to run, stop or evict (the kubelet never
// runs a mirror pod either; it runs the static pod the mirror pod shows).
import { isMirrorPod, type Pod } from "@skiff/api";
import type { InformerHandlers } from "@skiff/client";
import type { PodSource } from "../pods/manager.js";

/** A view of `pods` in which mirror pods do not exist. */
export function withoutMirrorPods(pods: PodSource): PodSource {
  const keep = (p: Pod | undefined) => (p && !isMirrorPod(p) ? p : undefined);
  return {
    get: (key) => keep(pods.get(key)),
    list: () => pods.list().filter((p) => !isMirrorPod(p)),
    waitForSync: () => pods.waitForSync(),
    addHandlers: (h: InformerHandlers<Pod>) =>
      pods.addHandlers({
        onAdd: h.onAdd && ((p) => !isMirrorPod(p) && h.onAdd!(p)),
        onUpdate: h.onUpdate && ((o, p) => !isMirrorPod(p) && h.onUpdate!(o, p)),
        onDelete: h.onDelete && ((p) => !isMirrorPod(p) && h.onDelete!(p)),
      }),
  };
}
