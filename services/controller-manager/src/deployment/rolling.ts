// The arithmetic of a rolling update (kube's rolling.go), as pure functions: how far the new
// ReplicaSet may grow, and how far the old ones may shrink, so that at most replicas+maxSurge
// pods exist and at least replicas-maxUnavailable stay available.

/** New spec.replicas of the new ReplicaSet. `totalSpec` sums every ReplicaSet's spec.replicas. */
export function rollingNewReplicas(desired: number, surge: number, totalSpec: number, newSpec: number): number {
  if (newSpec === desired) return newSpec;
  if (newSpec > desired) return desired; // scaled down while rolling
  const maxTotal = desired + surge;
  if (totalSpec >= maxTotal) return newSpec;
  return newSpec + Math.max(0, Math.min(maxTotal - totalSpec, desired - newSpec));
}

/** One old ReplicaSet as the scale-down sees it (oldest first). */
export interface OldSet {
  spec: number;
  /** Available pods it has, counted at most up to spec (extras are about to go). */
  available: number;
}

/**
 * New spec.replicas of each old ReplicaSet (same order). Unhealthy replicas of old sets go
 * first; then available ones, never below replicas-maxUnavailable available in total.
 */
export function rollingOldReplicas(desired: number, unavailable: number, newSpec: number, newAvailable: number, old: OldSet[]): number[] {
  const out = old.map((o) => o.spec);
  const oldTotal = out.reduce((a, b) => a + b, 0);
  if (oldTotal === 0) return out;
  const minAvailable = desired - unavailable;
  const allSpec = oldTotal + newSpec;
  const newUnavailable = Math.max(0, newSpec - Math.min(newAvailable, newSpec));
  const maxScaledDown = allSpec - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return out;
  let scaled = 0;
  // Unhealthy first: replicas that are not available cost no availability to remove.
  for (let i = 0; i < old.length && scaled < maxScaledDown; i++) {
    const unhealthy = out[i] - Math.min(old[i].available, out[i]);
    if (unhealthy <= 0) continue;
    const n = Math.min(unhealthy, maxScaledDown - scaled);
    out[i] -= n;
    scaled += n;
  }
  const available = old.reduce((s, o, i) => s + Math.min(o.available, out[i]), 0) + Math.min(newAvailable, newSpec);
  let budget = Math.min(available - minAvailable, maxScaledDown - scaled);
  for (let i = 0; i < old.length && budget > 0; i++) {
    const n = Math.min(out[i], budget);
    out[i] -= n;
    budget -= n;
  }
  return out;
}
