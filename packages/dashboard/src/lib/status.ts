// What the views say about objects: a pod's status and the reason it is not running (as kubectl
// prints it, plus the message that explains it), readiness of workloads and nodes, ages.
import type { ContainerStatus, KObj } from "./types.js";

/** How a pod is doing: the STATUS column, its severity and the explanation shown beside it. */
export interface PodSummary {
  /** kubectl's STATUS column: Running, Pending, CrashLoopBackOff, ImagePullBackOff, Unschedulable, Terminating, … */
  status: string;
  /** ok (running and ready, or completed), warn (progressing/not ready), bad (failing). */
  tone: "ok" | "warn" | "bad";
  /** Why it is not running, in the words of the component that knows (empty when it runs). */
  reason: string;
  ready: string;
  restarts: number;
  node: string;
  ip: string;
}

const badWaiting = new Set([
  "CrashLoopBackOff",
  "ImagePullBackOff",
  "ErrImagePull",
  "InvalidImageName",
  "CreateContainerConfigError",
  "CreateContainerError",
  "RunContainerError",
  "ErrImageNeverPull",
]);

/** The summary of one pod. */
export function podSummary(pod: KObj): PodSummary {
  const st = pod.status ?? {};
  const cs: ContainerStatus[] = st.containerStatuses ?? [];
  const ics: ContainerStatus[] = st.initContainerStatuses ?? [];
  const total = (pod.spec?.containers ?? []).length || cs.length;
  const readyN = cs.filter((c) => c.ready).length;
  const restarts = [...cs, ...ics].reduce((n, c) => n + (c.restartCount ?? 0), 0);
  const base = { ready: `${readyN}/${total}`, restarts, node: pod.spec?.nodeName ?? "", ip: st.podIP ?? "" };
  const phase: string = st.phase ?? "Pending";

  if (pod.metadata.deletionTimestamp) return { ...base, status: "Terminating", tone: "warn", reason: "" };
  if (st.reason) return { ...base, status: st.reason, tone: "bad", reason: st.message ?? "" };

  // Not yet on a node: the scheduler's condition says why.
  const scheduled = (st.conditions ?? []).find((c: { type: string }) => c.type === "PodScheduled");
  if (!pod.spec?.nodeName && scheduled?.status === "False") {
    return { ...base, status: scheduled.reason || "Pending", tone: scheduled.reason === "Unschedulable" ? "bad" : "warn", reason: scheduled.message ?? "" };
  }

  // Init containers first, as kubectl: Init:N/M or Init:<reason>.
  for (const [i, c] of ics.entries()) {
    if (c.state?.terminated?.exitCode === 0) continue;
    const w = c.state?.waiting;
    const t = c.state?.terminated;
    if (t)
      return { ...base, status: `Init:${t.reason || (t.signal ? `Signal:${t.signal}` : `ExitCode:${t.exitCode}`)}`, tone: "bad", reason: containerMessage(c) };
    if (w?.reason && w.reason !== "PodInitializing")
      return { ...base, status: `Init:${w.reason}`, tone: badWaiting.has(w.reason) ? "bad" : "warn", reason: containerMessage(c) };
    return { ...base, status: `Init:${i}/${(pod.spec?.initContainers ?? []).length || ics.length}`, tone: "warn", reason: "" };
  }

  // The first failing container explains the pod (waiting beats terminated beats running-not-ready).
  let status = phase;
  let tone: PodSummary["tone"] = phase === "Running" || phase === "Succeeded" ? "ok" : phase === "Failed" ? "bad" : "warn";
  let reason = "";
  for (const c of [...cs].reverse()) {
    const w = c.state?.waiting;
    const t = c.state?.terminated;
    if (w?.reason) {
      status = w.reason;
      tone = badWaiting.has(w.reason) ? "bad" : "warn";
      reason = containerMessage(c);
    } else if (t) {
      status = t.reason || (t.signal ? `Signal:${t.signal}` : `ExitCode:${t.exitCode}`);
      tone = t.exitCode === 0 ? (phase === "Succeeded" ? "ok" : "warn") : "bad";
      reason = t.exitCode === 0 ? "" : containerMessage(c);
    }
  }
  if (status === "Running" && readyN < total) {
    tone = "warn";
    const notReady = cs.filter((c) => !c.ready).map((c) => c.name);
    reason = `not ready: ${notReady.join(", ")}`;
  }
  if (phase === "Pending" && !reason && (st.conditions ?? []).length === 0 && !pod.spec?.nodeName) reason = "waiting for the scheduler";
  return { ...base, status, tone, reason };
}

/** Why one container is not running: its waiting message, with the last termination for crash loops. */
export function containerMessage(c: ContainerStatus): string {
  const w = c.state?.waiting;
  const t = c.state?.terminated ?? c.lastState?.terminated;
  const parts: string[] = [];
  if (w?.message) parts.push(w.message);
  if (t && (w?.reason === "CrashLoopBackOff" || c.state?.terminated)) {
    const how = t.reason ? `${t.reason}, exit code ${t.exitCode ?? "?"}` : `exit code ${t.exitCode ?? "?"}`;
    parts.push(`${c.name} last terminated (${how})${t.message ? `: ${t.message.trim()}` : ""}`);
  }
  return parts.join(" — ");
}

/** Ready/desired of a Deployment, StatefulSet or ReplicaSet, and whether it has converged. */
export function workloadSummary(o: KObj): { ready: string; upToDate: number; available: number; tone: "ok" | "warn" | "bad"; message: string } {
  const st = o.status ?? {};
  const kind = o.kind ?? "";
  let desired: number;
  let ready: number;
  if (kind === "DaemonSet") {
    desired = st.desiredNumberScheduled ?? 0;
    ready = st.numberReady ?? 0;
  } else if (kind === "Job") {
    desired = o.spec?.completions ?? 1;
    ready = st.succeeded ?? 0;
  } else {
    desired = o.spec?.replicas ?? 1;
    ready = st.readyReplicas ?? 0;
  }
  const conds: { type: string; status: string; reason?: string; message?: string }[] = st.conditions ?? [];
  const failing = conds.find(
    (c) =>
      (c.type === "Progressing" && c.status === "False") ||
      (c.type === "ReplicaFailure" && c.status === "True") ||
      (c.type === "Failed" && c.status === "True"),
  );
  const stale = (o.metadata.generation ?? 0) > (st.observedGeneration ?? 0);
  const tone = failing ? "bad" : ready >= desired && !stale ? "ok" : "warn";
  return {
    ready: `${ready}/${desired}`,
    upToDate: st.updatedReplicas ?? 0,
    available: st.availableReplicas ?? 0,
    tone,
    message: failing ? `${failing.reason ?? failing.type}: ${failing.message ?? ""}` : "",
  };
}

/** Ready / NotReady / Unknown of a node, with SchedulingDisabled when cordoned. */
export function nodeSummary(n: KObj): { status: string; tone: "ok" | "warn" | "bad"; ready: boolean } {
  const c = (n.status?.conditions ?? []).find((x: { type: string }) => x.type === "Ready");
  const ready = c?.status === "True";
  let status = ready ? "Ready" : c?.status === "False" ? "NotReady" : "Unknown";
  if (n.spec?.unschedulable) status += ",SchedulingDisabled";
  return { status, tone: ready ? (n.spec?.unschedulable ? "warn" : "ok") : "bad", ready };
}

/** kubectl's age: 5s, 3m, 2h, 4d. */
export function age(ts: string | undefined, now = Date.now()): string {
  if (!ts) return "";
  const s = Math.max(0, Math.floor((now - Date.parse(ts)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/** Parses a Kubernetes quantity (CPU or memory) into a number of base units (cores, bytes). */
export function quantity(q: string | number | undefined): number {
  if (q === undefined || q === "") return 0;
  if (typeof q === "number") return q;
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(q.trim());
  if (!m) return 0;
  const n = Number(m[1]);
  const mult: Record<string, number> = {
    "": 1,
    n: 1e-9,
    u: 1e-6,
    m: 1e-3,
    k: 1e3,
    K: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: 1024 ** 3,
    Ti: 1024 ** 4,
  };
  return n * (mult[m[2]] ?? 1);
}

/** Counts pods per phase-like status for the overview. */
export function podsByStatus(pods: KObj[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of pods) {
    const s = podSummary(p).status;
    out[s] = (out[s] ?? 0) + 1;
  }
  return out;
}
