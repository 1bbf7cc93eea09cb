// Pure pod-status computation: from the pod spec and what the runtime reports, the status
// Kubernetes users expect (phase, conditions, containerStatuses). No I/O here.
import { nowRfc3339, podQOSClass, type Pod, type PodStatus, type ContainerStatus, type ContainerState, type PodCondition } from "@skiff/api";
import type { RuntimeContainer } from "../runtime/runtime.js";

/** Why a container is not running, when the agent knows better than the runtime. */
export interface Waiting {
  reason: string;
  message?: string;
}

export interface ContainerView {
  name: string;
  image: string;
  /** The newest instance and the one before it (for lastState), newest first. */
  current?: RuntimeContainer;
  previous?: RuntimeContainer;
  restartCount: number;
  /** Set when the agent holds the container back (pulling, back-off, config error…). */
  waiting?: Waiting;
  /** Readiness and startup from the prober (default: true once running). */
  ready?: boolean;
  started?: boolean;
  /** Termination messages by container id (from terminationMessagePath). */
  messages?: Record<string, string>;
}

/** Init containers' progress, as the pod manager found it. */
export interface InitProgress {
  views: ContainerView[];
  /** Every init container completed successfully. */
  done: boolean;
  /** One failed and will not be retried (restartPolicy Never): the pod fails. */
  failed: boolean;
}

/** Maps one runtime container to a Kubernetes container state. */
export function stateOf(c: RuntimeContainer | undefined, waiting?: Waiting, messages?: Record<string, string>): ContainerState {
  if (waiting && c?.state !== "running") return { waiting: { reason: waiting.reason, ...(waiting.message ? { message: waiting.message } : {}) } };
  if (!c) return { waiting: { reason: "ContainerCreating" } };
  if (c.state === "running" || c.state === "paused" || c.state === "restarting") return { running: { startedAt: c.startedAt } };
  if (c.state === "exited" || c.state === "dead") {
    const reason = c.oomKilled ? "OOMKilled" : c.exitCode === 0 ? "Completed" : "Error";
    return {
      terminated: {
        exitCode: c.exitCode,
        reason,
        startedAt: c.startedAt,
        finishedAt: c.finishedAt,
        containerID: `docker://${c.id}`,
        ...(c.error ? { message: c.error } : messages?.[c.id] ? { message: messages[c.id] } : {}),
      },
    };
  }
  return { waiting: { reason: "ContainerCreating" } };
}

function terminatedOnly(c: RuntimeContainer | undefined, messages?: Record<string, string>): ContainerState {
  if (!c) return {};
  const s = stateOf(c, undefined, messages);
  return s.terminated ? s : {};
}

/** Builds containerStatuses for the pod's containers. */
export function containerStatuses(views: ContainerView[], init = false): ContainerStatus[] {
  return views.map((v) => {
    const state = stateOf(v.current, v.waiting, v.messages);
    return {
      name: v.name,
      state,
      lastState: terminatedOnly(v.previous, v.messages),
      // An init container is ready once it completed; an app container when running and its readiness says so.
      ready: init ? state.terminated?.exitCode === 0 : !!state.running && (v.ready ?? true),
      started: !!state.running && (v.started ?? true),
      restartCount: v.restartCount,
      image: v.image,
      imageID: v.current ? `docker-pullable://${v.current.imageId}` : "",
      ...(v.current ? { containerID: `docker://${v.current.id}` } : {}),
    };
  });
}

/** Phase from container states and restartPolicy, as the kubelet computes it. */
export function podPhase(pod: Pod, statuses: ContainerStatus[]): NonNullable<PodStatus["phase"]> {
  const policy = pod.spec.restartPolicy ?? "Always";
  let running = 0,
    waiting = 0,
    succeeded = 0,
    failed = 0,
    neverStarted = 0;
  for (const s of statuses) {
    if (s.state.running) running++;
    else if (s.state.terminated) s.state.terminated.exitCode === 0 ? succeeded++ : failed++;
    else {
      waiting++;
      if (!s.lastState.terminated) neverStarted++;
    }
  }
  if (neverStarted > 0) return "Pending";
  if (waiting > 0) return "Running"; // restarting after a crash
  if (running > 0) return "Running";
  if (policy === "Always") return "Running"; // all exited, about to restart
  if (failed > 0) return policy === "Never" ? "Failed" : "Running";
  return "Succeeded";
}

/**
 * Computes the full status; `prev` keeps startTime and unchanged conditions' timestamps.
 * `failed` makes the pod Failed: an eviction message (reason Evicted, with a DisruptionTarget
 * condition), or a reason and message of its own (DeadlineExceeded for activeDeadlineSeconds).
 */
export function computeStatus(
  pod: Pod,
  views: ContainerView[],
  podIP: string | undefined,
  hostIP: string,
  init?: InitProgress,
  failed?: string | { reason: string; message: string },
): PodStatus {
  const failure = typeof failed === "string" ? { reason: "Evicted", message: failed } : failed;
  const evicted = failure?.reason === "Evicted" ? failure.message : undefined;
  const prev = pod.status ?? {};
  const statuses = containerStatuses(views);
  const initStatuses = init?.views.length ? containerStatuses(init.views, true) : undefined;
  const initDone = !init || init.done;
  const phase = failure !== undefined || init?.failed ? "Failed" : !initDone ? "Pending" : podPhase(pod, statuses);
  const incomplete = initStatuses?.filter((s) => !s.ready).map((s) => s.name) ?? [];
  const allReady = statuses.length > 0 && statuses.every((s) => s.ready);
  const notReady = statuses.filter((s) => !s.ready).map((s) => s.name);
  const readyMsg = notReady.length ? `containers with unready status: [${notReady.join(" ")}]` : undefined;
  const terminal = phase === "Succeeded" || phase === "Failed";
  // Readiness gates: conditions others write; Ready also waits for each of them to be True.
  const gates = ((pod.spec.readinessGates as { conditionType: string }[] | undefined) ?? []).map(
    (g) => prev.conditions?.find((c) => c.type === g.conditionType) ?? { type: g.conditionType, status: "False" as const },
  );
  const gatesOk = gates.every((g) => g.status === "True");
  const conds: PodCondition[] = [
    { type: "PodReadyToStartContainers", status: podIP ? "True" : "False" },
    initDone
      ? { type: "Initialized", status: "True" }
      : { type: "Initialized", status: "False", reason: "ContainersNotInitialized", message: `containers with incomplete status: [${incomplete.join(" ")}]` },
    {
      type: "Ready",
      status: allReady && !terminal && gatesOk ? "True" : "False",
      ...(readyMsg && !terminal
        ? { reason: "ContainersNotReady", message: readyMsg }
        : terminal
          ? { reason: "PodCompleted" }
          : !gatesOk
            ? { reason: "ReadinessGatesNotReady", message: "the status of pod readiness gates are not ready" }
            : {}),
    },
    {
      type: "ContainersReady",
      status: allReady && !terminal ? "True" : "False",
      ...(readyMsg && !terminal ? { reason: "ContainersNotReady", message: readyMsg } : terminal ? { reason: "PodCompleted" } : {}),
    },
    { type: "PodScheduled", status: "True" },
    // The kubelet marks pods it evicts as disrupted (Kubernetes 1.26+).
    ...(evicted !== undefined ? [{ type: "DisruptionTarget", status: "True" as const, reason: "TerminationByKubelet", message: evicted }] : []),
  ];
  const now = nowRfc3339();
  const conditions = [...conds, ...gates.filter((g) => prev.conditions?.some((c) => c.type === g.type))].map((c) => {
    const old = prev.conditions?.find((o) => o.type === c.type);
    return { ...c, lastProbeTime: null, lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : now };
  });
  return {
    phase,
    ...(failure !== undefined ? { reason: failure.reason, message: failure.message } : {}),
    conditions,
    hostIP,
    hostIPs: [{ ip: hostIP }],
    ...(podIP ? { podIP, podIPs: [{ ip: podIP }] } : {}),
    startTime: prev.startTime ?? now,
    ...(initStatuses ? { initContainerStatuses: initStatuses } : {}),
    containerStatuses: statuses,
    qosClass: podQOSClass(pod),
  };
}

/** True when two statuses differ in anything but condition timestamps. */
export function statusChanged(a: PodStatus | undefined, b: PodStatus): boolean {
  const strip = (s: PodStatus | undefined) =>
    JSON.stringify({ ...s, conditions: s?.conditions?.map(({ type, status, reason, message }) => ({ type, status, reason, message })) });
  return strip(a) !== strip(b);
}
