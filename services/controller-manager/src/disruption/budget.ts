// What a PodDisruptionBudget allows, from the pods it selects (Kubernetes' disruption
// controller, in small): expected and healthy pods, the healthy count the budget needs, and how
// many more may be evicted. Pods an eviction just took (status.disruptedPods) do not count as
// healthy until they are gone, so two evictions never spend one allowance.
import { labelSelectorFromStruct, matchesLabels, type Pod, type PodDisruptionBudget } from "@skiff/api";

/** How long an eviction's mark holds when its pod does not go (Kubernetes: 2 minutes). */
export const DISRUPTION_TIMEOUT_MS = 120_000;

const ready = (p: Pod) => p.status?.phase === "Running" && (p.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");

/** A budget's value of an int-or-percent field against `expected` pods (percentages round up). */
export function scaled(v: number | string, expected: number): number {
  if (typeof v === "number") return v;
  return Math.ceil((Number(v.slice(0, -1)) / 100) * expected);
}

/** The status a budget should have now. */
export function budgetStatus(
  pdb: PodDisruptionBudget,
  pods: Pod[],
  now = Date.now(),
): NonNullable<PodDisruptionBudget["status"]> & { disruptedPods?: Record<string, string> } {
  const sel = labelSelectorFromStruct(pdb.spec.selector ?? {});
  const selected = pods.filter(
    (p) =>
      p.metadata.namespace === pdb.metadata.namespace &&
      matchesLabels(sel, p.metadata.labels) &&
      p.status?.phase !== "Succeeded" &&
      p.status?.phase !== "Failed",
  );
  const marked = (pdb.status as { disruptedPods?: Record<string, string> } | undefined)?.disruptedPods ?? {};
  const disruptedPods: Record<string, string> = {};
  for (const [name, at] of Object.entries(marked)) {
    const p = selected.find((x) => x.metadata.name === name);
    if (p && !p.metadata.deletionTimestamp && now - Date.parse(at) < DISRUPTION_TIMEOUT_MS) disruptedPods[name] = at;
  }
  const live = selected.filter((p) => !p.metadata.deletionTimestamp);
  const expectedPods = live.length;
  const currentHealthy = live.filter((p) => ready(p) && !(p.metadata.name! in disruptedPods)).length;
  const desiredHealthy =
    pdb.spec.minAvailable !== undefined
      ? scaled(pdb.spec.minAvailable, expectedPods)
      : pdb.spec.maxUnavailable !== undefined
        ? Math.max(0, expectedPods - scaled(pdb.spec.maxUnavailable, expectedPods))
        : expectedPods;
  const disruptionsAllowed = Math.max(0, currentHealthy - desiredHealthy);
  return {
    observedGeneration: pdb.metadata.generation,
    disruptionsAllowed,
    currentHealthy,
    desiredHealthy,
    expectedPods,
    ...(Object.keys(disruptedPods).length ? { disruptedPods } : {}),
    conditions: [
      {
        type: "DisruptionAllowed",
        status: disruptionsAllowed > 0 ? "True" : "False",
        reason: disruptionsAllowed > 0 ? "SufficientPods" : "InsufficientPods",
        message: "",
        observedGeneration: pdb.metadata.generation,
        lastTransitionTime: new Date(now).toISOString(),
      },
    ],
  };
}
