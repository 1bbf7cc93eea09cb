// Pod affinity terms: which pods a term selects (its label selector over the namespaces it names
// or selects, by default the owning pod's own) and the topology domain of a node for a term.
import { labelSelectorFromStruct, matchesLabels, type PodAffinityTerm, type Pod, type LabelSelectorSpec } from "@skiff/api";

/** Labels of a namespace by name (undefined when unknown): for namespaceSelector. */
export type NamespaceLabels = (name: string) => Record<string, string> | undefined;

/** A term compiled once: matches(pod) says whether the term selects that pod. */
export interface CompiledTerm {
  topologyKey: string;
  matches(pod: Pod): boolean;
}

function selectorMatcher(sel: LabelSelectorSpec | null | undefined): (labels: Record<string, string> | undefined) => boolean {
  // A nil selector selects nothing; an empty one everything (Kubernetes' LabelSelectorAsSelector).
  if (sel === null || sel === undefined) return () => false;
  const s = labelSelectorFromStruct(sel);
  return (labels) => matchesLabels(s, labels);
}

/**
 * Compiles a term of `owner` (the pod that carries it). The namespaces: those listed plus those
 * the namespaceSelector selects ({} = all); neither given → the owner's own namespace.
 * matchLabelKeys/mismatchLabelKeys add owner's label values to the selector, as Kubernetes does.
 */
export function compileTerm(term: PodAffinityTerm, owner: Pod, nsLabels: NamespaceLabels): CompiledTerm {
  const labelsMatch = selectorMatcher(term.labelSelector);
  const ownLabels = owner.metadata.labels ?? {};
  const extraIn = (term.matchLabelKeys ?? []).filter((k) => k in ownLabels).map((k) => [k, ownLabels[k]] as const);
  const extraOut = (term.mismatchLabelKeys ?? []).filter((k) => k in ownLabels).map((k) => [k, ownLabels[k]] as const);
  const listed = new Set(term.namespaces ?? []);
  const nsSelector = term.namespaceSelector === undefined || term.namespaceSelector === null ? undefined : selectorMatcher(term.namespaceSelector);
  const ownNs = owner.metadata.namespace ?? "default";
  const nsMatches = (ns: string): boolean => {
    if (listed.size === 0 && !nsSelector) return ns === ownNs;
    return listed.has(ns) || (!!nsSelector && nsSelector(nsLabels(ns)));
  };
  return {
    topologyKey: term.topologyKey,
    matches: (p) => {
      if (p.metadata.deletionTimestamp) return false;
      if (!nsMatches(p.metadata.namespace ?? "default")) return false;
      const l = p.metadata.labels ?? {};
      if (!labelsMatch(l)) return false;
      return extraIn.every(([k, v]) => l[k] === v) && extraOut.every(([k, v]) => l[k] !== v);
    },
  };
}

/** The value of a node's topology label for a term, or undefined when the node has none. */
export function domainOf(labels: Record<string, string> | undefined, key: string): string | undefined {
  return labels && Object.hasOwn(labels, key) ? labels[key] : undefined;
}
