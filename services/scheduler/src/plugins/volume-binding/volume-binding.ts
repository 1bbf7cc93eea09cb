// VolumeBinding plugin (reduced): a pod's PersistentVolumeClaims must exist, and a node qualifies
// only if every bound claim's PV is reachable from it (the PV's nodeAffinity) and every claim
// already assigned to a node (volume.kubernetes.io/selected-node) names this node.
import type { Node, NodeSelectorTerm, PersistentVolume, PersistentVolumeClaim, Pod } from "@skiff/api";
import { cycleValue, success, unresolvable, type CycleContext, type FilterPlugin, type NodeInfo, type Status } from "../../framework/types.js";

/** The plugin's name. */
export const NAME = "VolumeBinding";
/** Reason of a node the pod's volumes cannot be used from (Kubernetes' wording). */
export const REASON_NODE_CONFLICT = "node(s) had volume node affinity conflict";
/** Annotation on a claim naming the node its volume is (being) provisioned on. */
export const SELECTED_NODE = "volume.kubernetes.io/selected-node";

/** Where the plugin looks claims and volumes up (informer caches). */
export interface VolumeLister {
  claim(namespace: string, name: string): PersistentVolumeClaim | undefined;
  volume(name: string): PersistentVolume | undefined;
}

/** Whether a node matches one of the terms (labels by matchExpressions, the name by matchFields). */
export function nodeMatchesTerms(terms: NodeSelectorTerm[], node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  const has = (k: string) => Object.hasOwn(labels, k);
  return terms.some((t) => {
    if (!(t.matchExpressions?.length || t.matchFields?.length)) return false; // an empty term matches nothing
    const exprs = (t.matchExpressions ?? []).every((e) => {
      const v = labels[e.key];
      switch (e.operator) {
        case "In":
          return has(e.key) && (e.values ?? []).includes(v);
        case "NotIn":
          return !has(e.key) || !(e.values ?? []).includes(v);
        case "Exists":
          return has(e.key);
        case "DoesNotExist":
          return !has(e.key);
        case "Gt":
          return has(e.key) && Number(v) > Number(e.values?.[0]);
        case "Lt":
          return has(e.key) && Number(v) < Number(e.values?.[0]);
        default:
          return false;
      }
    });
    const fields = (t.matchFields ?? []).every(
      (f) => f.key === "metadata.name" && (f.operator === "In") === (f.values ?? []).includes(node.metadata.name ?? ""),
    );
    return exprs && fields;
  });
}

/** What the pod's claims require of a node, computed once per cycle. */
interface Requirements {
  missing?: string;
  volumes: PersistentVolume[];
  selectedNodes: string[];
}

function requirements(lister: VolumeLister, pod: Pod): Requirements {
  const out: Requirements = { volumes: [], selectedNodes: [] };
  const ns = pod.metadata.namespace ?? "default";
  for (const v of (pod.spec.volumes ?? []) as { persistentVolumeClaim?: { claimName: string } }[]) {
    const name = v.persistentVolumeClaim?.claimName;
    if (!name) continue;
    const claim = lister.claim(ns, name);
    if (!claim) return { ...out, missing: name };
    const pv = claim.spec.volumeName ? lister.volume(claim.spec.volumeName) : undefined;
    if (pv) out.volumes.push(pv);
    else if (claim.metadata.annotations?.[SELECTED_NODE]) out.selectedNodes.push(claim.metadata.annotations[SELECTED_NODE]);
  }
  return out;
}

/** The VolumeBinding filter over the given claim and volume caches. */
export function volumeBinding(lister: VolumeLister): FilterPlugin {
  return {
    name: NAME,
    preFilter: (_ctx, pod) => (((pod.spec.volumes ?? []) as { persistentVolumeClaim?: unknown }[]).some((v) => v.persistentVolumeClaim) ? undefined : "Skip"),
    filter(ctx: CycleContext, pod: Pod, nodeInfo: NodeInfo): Status {
      if (!((pod.spec.volumes ?? []) as { persistentVolumeClaim?: unknown }[]).some((v) => v.persistentVolumeClaim)) return success;
      const req = cycleValue(ctx, NAME, () => requirements(lister, pod));
      if (req.missing) return unresolvable(`persistentvolumeclaim "${req.missing}" not found`);
      const node = nodeInfo.node;
      for (const pv of req.volumes) {
        const terms = pv.spec.nodeAffinity?.required?.nodeSelectorTerms;
        if (terms && !nodeMatchesTerms(terms, node)) return unresolvable(REASON_NODE_CONFLICT);
      }
      if (req.selectedNodes.some((n) => n !== node.metadata.name)) return unresolvable(REASON_NODE_CONFLICT);
      return success;
    },
  };
}
