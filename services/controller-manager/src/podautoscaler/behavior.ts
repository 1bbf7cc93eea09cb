// From the metrics' recommendation to the replicas written, as Kubernetes' HPA does it
// (horizontal.go): stabilisation over a window of past recommendations, then the rate limits —
// without `behavior` the old rules (at most max(2×current, 4) up, the downscale window), with it
// the scaleUp/scaleDown policies and windows. Each yields the AbleToScale and ScalingLimited reasons.
import { defaultScaleDown, defaultScaleUp, type HPAScalingRules } from "@skiff/api";

/** A past recommendation. */
export interface Recommendation {
  replicas: number;
  at: number;
}
/** A past rescale: how many replicas it added or removed. */
export interface ScaleEvent {
  change: number;
  at: number;
  outdated?: boolean;
}

/** What the controller remembers of one HPA between syncs (in memory, as Kubernetes does). */
export interface HpaMemory {
  recommendations: Recommendation[];
  scaleUpEvents: ScaleEvent[];
  scaleDownEvents: ScaleEvent[];
}

/** A condition to set: type, status, reason, message. */
export interface ConditionUpdate {
  type: "AbleToScale" | "ScalingActive" | "ScalingLimited";
  status: "True" | "False";
  reason: string;
  message: string;
}

/** The outcome of normalisation: the replicas to write and the conditions that explain them. */
export interface Normalized {
  replicas: number;
  conditions: ConditionUpdate[];
}

/** The inputs of normalisation. */
export interface NormalizeArgs {
  current: number;
  desired: number;
  min: number;
  max: number;
  behavior?: { scaleUp?: HPAScalingRules; scaleDown?: HPAScalingRules };
  /** The scale-down window when the HPA does not set one (--horizontal-pod-autoscaler-downscale-stabilization). */
  downscaleWindowMs: number;
  now: number;
}

const stabilized = (up: boolean): ConditionUpdate =>
  up
    ? {
        type: "AbleToScale",
        status: "True",
        reason: "ScaleUpStabilized",
        message: "recent recommendations were lower than current one, applying the lowest recent recommendation",
      }
    : {
        type: "AbleToScale",
        status: "True",
        reason: "ScaleDownStabilized",
        message: "recent recommendations were higher than current one, applying the highest recent recommendation",
      };
const ready: ConditionUpdate = { type: "AbleToScale", status: "True", reason: "ReadyForNewScale", message: "recommended size matches current size" };
const limited = (replicas: number, wanted: number, reason: string, message: string): ConditionUpdate => ({
  type: "ScalingLimited",
  status: replicas === wanted ? "False" : "True",
  reason,
  message,
});
const within = { reason: "DesiredWithinRange", message: "the desired count is within the acceptable range" };
const tooFew = { reason: "TooFewReplicas", message: "the desired replica count is less than the minimum replica count" };
const tooMany = { reason: "TooManyReplicas", message: "the desired replica count is more than the maximum replica count" };
const upLimit = { reason: "ScaleUpLimit", message: "the desired replica count is increasing faster than the maximum scale rate" };
const downLimit = { reason: "ScaleDownLimit", message: "the desired replica count is decreasing faster than the maximum scale rate" };

/** Without behavior: the highest recommendation of the downscale window, then min, max and the 2×/4 scale-up limit. */
export function normalize(mem: HpaMemory, a: NormalizeArgs): Normalized {
  if (a.behavior) return normalizeWithBehavior(mem, a);
  const cutoff = a.now - a.downscaleWindowMs;
  let highest = a.desired;
  let old = -1;
  mem.recommendations.forEach((r, i) => {
    if (r.at < cutoff) old = i;
    else if (r.replicas > highest) highest = r.replicas;
  });
  const rec = { replicas: a.desired, at: a.now };
  if (old >= 0) mem.recommendations[old] = rec;
  else mem.recommendations.push(rec);
  const conditions = [highest !== a.desired ? stabilized(false) : ready];
  const scaleUpLimit = Math.max(2 * a.current, 4);
  const [maxAllowed, maxWhy] = a.max > scaleUpLimit ? [scaleUpLimit, upLimit] : [a.max, tooMany];
  let replicas = highest;
  let why = within;
  if (highest < a.min) {
    replicas = a.min;
    why = tooFew;
  } else if (highest > maxAllowed) {
    replicas = maxAllowed;
    why = maxWhy;
  }
  conditions.push(limited(replicas, highest, why.reason, why.message));
  return { replicas, conditions };
}

/** Replicas added (or removed) by the events of the last `periodSeconds`. */
export function changeInPeriod(events: ScaleEvent[], periodSeconds: number, now: number): number {
  const cutoff = now - periodSeconds * 1000;
  return events.filter((e) => e.at > cutoff).reduce((a, e) => a + e.change, 0);
}

/** The most replicas the scale-up rules allow now (calculateScaleUpLimitWithScalingRules). */
export function scaleUpLimit(current: number, up: ScaleEvent[], down: ScaleEvent[], rules: HPAScalingRules, now: number): number {
  if (rules.selectPolicy === "Disabled") return current;
  const pick = rules.selectPolicy === "Min" ? Math.min : Math.max;
  let result = rules.selectPolicy === "Min" ? Infinity : -Infinity;
  for (const p of rules.policies ?? []) {
    const start = current - changeInPeriod(up, p.periodSeconds, now) + changeInPeriod(down, p.periodSeconds, now);
    const proposed = p.type === "Pods" ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

/** The fewest replicas the scale-down rules allow now (calculateScaleDownLimitWithBehaviors). */
export function scaleDownLimit(current: number, up: ScaleEvent[], down: ScaleEvent[], rules: HPAScalingRules, now: number): number {
  if (rules.selectPolicy === "Disabled") return current;
  // "Min" selects the policy changing least, i.e. the highest floor.
  const pick = rules.selectPolicy === "Min" ? Math.max : Math.min;
  let result = rules.selectPolicy === "Min" ? -Infinity : Infinity;
  for (const p of rules.policies ?? []) {
    const start = current - changeInPeriod(up, p.periodSeconds, now) + changeInPeriod(down, p.periodSeconds, now);
    const proposed = p.type === "Pods" ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

/** With behavior: per-direction windows (lowest recent up, highest recent down), then the policies' rates. */
function normalizeWithBehavior(mem: HpaMemory, a: NormalizeArgs): Normalized {
  const up = defaultScaleUp(a.behavior?.scaleUp);
  const down = defaultScaleDown(a.behavior?.scaleDown);
  const upWindow = (up.stabilizationWindowSeconds ?? 0) * 1000;
  const downWindow = down.stabilizationWindowSeconds !== undefined ? down.stabilizationWindowSeconds * 1000 : a.downscaleWindowMs;
  let upRec = a.desired;
  let downRec = a.desired;
  const longest = Math.max(upWindow, downWindow);
  let obsolete = -1;
  mem.recommendations.forEach((r, i) => {
    if (r.at > a.now - upWindow) upRec = Math.min(upRec, r.replicas);
    if (r.at > a.now - downWindow) downRec = Math.max(downRec, r.replicas);
    if (r.at < a.now - longest) obsolete = i;
  });
  const rec = { replicas: a.desired, at: a.now };
  if (obsolete >= 0) mem.recommendations[obsolete] = rec;
  else mem.recommendations.push(rec);
  let stable = a.current;
  if (stable < upRec) stable = upRec;
  if (stable > downRec) stable = downRec;
  const conditions = [stable !== a.desired ? stabilized(a.desired >= a.current) : ready];
  let replicas = stable;
  let why = within;
  if (stable > a.current) {
    const limit = Math.max(scaleUpLimit(a.current, mem.scaleUpEvents, mem.scaleDownEvents, up, a.now), a.current);
    const [maxAllowed, maxWhy] = a.max > limit ? [limit, upLimit] : [a.max, tooMany];
    if (stable > maxAllowed) {
      replicas = maxAllowed;
      why = maxWhy;
    }
  } else if (stable < a.current) {
    const limit = Math.min(scaleDownLimit(a.current, mem.scaleUpEvents, mem.scaleDownEvents, down, a.now), a.current);
    const [minAllowed, minWhy] = a.min < limit ? [limit, downLimit] : [a.min, tooFew];
    if (stable < minAllowed) {
      replicas = minAllowed;
      why = minWhy;
    }
  }
  conditions.push(limited(replicas, stable, why.reason, why.message));
  return { replicas, conditions };
}

/** Remembers a rescale for the rate limits (only HPAs with behavior use them, as in Kubernetes). */
export function recordScale(mem: HpaMemory, a: Pick<NormalizeArgs, "behavior" | "now">, from: number, to: number): void {
  if (!a.behavior || from === to) return;
  const up = to > from;
  const rules = up ? defaultScaleUp(a.behavior.scaleUp) : defaultScaleDown(a.behavior.scaleDown);
  const longest = Math.max(0, ...(rules.policies ?? []).map((p) => p.periodSeconds)) * 1000;
  const events = up ? mem.scaleUpEvents : mem.scaleDownEvents;
  // Events older than the longest period no longer limit anything: reuse one slot.
  const stale = events.findIndex((e) => e.at <= a.now - longest);
  const ev = { change: Math.abs(to - from), at: a.now };
  if (stale >= 0) events[stale] = ev;
  else events.push(ev);
}
