// IntOrString values (maxSurge, maxUnavailable): "25%" or 2, resolved against a total.

/** Resolves an int-or-percent against `total`, rounding percentages up or down as Kubernetes does. */
export function resolveIntOrPercent(v: number | string | undefined, total: number, roundUp: boolean, dflt: number | string = 0): number {
  const x = v ?? dflt;
  if (typeof x === "number") return x;
  const m = /^(\d+)%$/.exec(x.trim());
  if (!m) {
    const n = Number(x);
    if (Number.isInteger(n)) return n;
    throw new Error(`invalid value for IntOrString: ${JSON.stringify(x)}`);
  }
  const raw = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(raw) : Math.floor(raw);
}

/**
 * maxSurge and maxUnavailable as absolute numbers (deployment util ResolveFenceposts): surge
 * rounds up, unavailable down; both zero becomes unavailable 1 so a rollout can progress.
 */
export function resolveFenceposts(
  maxSurge: number | string | undefined,
  maxUnavailable: number | string | undefined,
  desired: number,
): { surge: number; unavailable: number } {
  const surge = resolveIntOrPercent(maxSurge, desired, true, "25%");
  let unavailable = resolveIntOrPercent(maxUnavailable, desired, false, "25%");
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}
