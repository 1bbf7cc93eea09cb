// The pods/eviction subresource (what `kubectl drain` calls): a pod is deleted only if the
// PodDisruptionBudget that selects it allows one more disruption; the allowance is spent by a
// compare-and-set on the budget's status (marking the pod in status.disruptedPods) before the
// pod is deleted, so concurrent evictions never overspend it. Otherwise 429, and kubectl drain
// tries again.
import { InternalError, TooManyRequestsError, labelSelectorFromStruct, matchesLabels, type Pod, type PodDisruptionBudget } from "@skiff/api";
import type { UserInfo } from "../auth/user.js";
import type { DeleteOptions, Registry } from "./registry.js";

const healthy = (p: Pod) => p.status?.phase === "Running" && (p.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");

export async function evictPod(registry: Registry, namespace: string, name: string, del: DeleteOptions, dryRun: boolean, user?: UserInfo): Promise<void> {
  const pod = (await registry.get("pods", namespace, name)) as Pod;
  const finished = pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed" || !!pod.metadata.deletionTimestamp;
  const budgets = finished
    ? []
    : ((await registry.list("poddisruptionbudgets", { namespace })).items as PodDisruptionBudget[]).filter((b) =>
        matchesLabels(labelSelectorFromStruct(b.spec?.selector ?? {}), pod.metadata.labels),
      );
  if (budgets.length > 1) throw new InternalError("This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.");
  const pdb = budgets[0];
  if (pdb) {
    await registry.update(
      "poddisruptionbudgets",
      namespace,
      pdb.metadata.name!,
      (cur) => {
        const b = cur as PodDisruptionBudget;
        const st = b.status;
        // No Retry-After (0), as Kubernetes: clients would retry silently; kubectl drain reports and retries itself.
        const refuse = (why: string) =>
          new TooManyRequestsError("Cannot evict pod as it would violate the pod's disruption budget.", 0, {
            causes: [{ reason: "DisruptionBudget", message: why }],
          });
        if (!st || (st.observedGeneration ?? 0) < (b.metadata.generation ?? 1))
          throw refuse(`The disruption budget ${b.metadata.name} is still being processed by the server.`);
        // An unhealthy pod spends no allowance; it may go while the budget is met (IfHealthyBudget) or always (AlwaysAllow).
        if (!healthy(pod)) {
          if (b.spec.unhealthyPodEvictionPolicy === "AlwaysAllow" || st.currentHealthy >= st.desiredHealthy) return b;
          throw refuse(`The disruption budget ${b.metadata.name} needs ${st.desiredHealthy} healthy pods and has ${st.currentHealthy} currently`);
        }
        if (st.disruptionsAllowed <= 0)
          throw refuse(`The disruption budget ${b.metadata.name} needs ${st.desiredHealthy} healthy pods and has ${st.currentHealthy} currently`);
        const disrupted = { ...((st as { disruptedPods?: Record<string, string> }).disruptedPods ?? {}), [name]: new Date().toISOString() };
        return { ...b, status: { ...st, disruptionsAllowed: st.disruptionsAllowed - 1, disruptedPods: disrupted } } as PodDisruptionBudget;
      },
      { subresource: "status", dryRun, user },
    );
  }
  await registry.delete("pods", namespace, name, { ...del, dryRun, user });
}
