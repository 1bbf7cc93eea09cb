// activeDeadlineSeconds, as the kubelet enforces it: counted from status.startTime; past it the
// pod's containers are stopped and the pod is Failed with reason DeadlineExceeded.

/** The pod's terminal status when its deadline has passed. */
export const DEADLINE_EXCEEDED = { reason: "DeadlineExceeded", message: "Pod was active on the node longer than the specified deadline" };

/** Milliseconds left before the pod's active deadline (≤ 0: passed), or undefined when it has none (or has not started). */
export function deadlineLeftMs(spec: { [field: string]: unknown }, startTime: string | undefined, now = Date.now()): number | undefined {
  const deadline = spec.activeDeadlineSeconds;
  if (typeof deadline !== "number" || !startTime) return undefined;
  return Date.parse(startTime) + deadline * 1000 - now;
}
