// The pods table (kubectl's printPod): READY, the STATUS reason rules, RESTARTS.
import type { Container, ContainerStatus, Pod } from "@skiff/api";
import { ageSince } from "./age.js";
import { column, docs, makeTable, type Table, type TableOptions } from "./types.js";

/** Column definitions of the pods table, as the Kubernetes apiserver declares them. */
export const podColumns = [
  column("Name", docs.name, { format: "name" }),
  column("Ready", "The aggregate readiness state of this pod for accepting traffic."),
  column("Status", "The aggregate status of the containers in this pod."),
  column("Restarts", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
  column("Age", docs.age),
  column("IP", "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.", { priority: 1 }),
  column("Node", "NodeName indicates in which node this pod is scheduled.", { priority: 1 }),
  column("Nominated Node", "nominatedNodeName is set only when this pod preempts other pods on the node.", { priority: 1 }),
  column("Readiness Gates", "If specified, all readiness gates will be evaluated for pod readiness.", { priority: 1 }),
];

/** Builds the pods table. */
export function podTable(pods: Pod[], opts: TableOptions = {}): Table {
  return makeTable(
    podColumns,
    pods.map((p) => ({ cells: podRow(p, opts.now), object: p })),
  );
}

/** A sidecar: an init container that keeps running beside the app containers. */
function isRestartableInit(c: Container | undefined): boolean {
  return c?.restartPolicy === "Always";
}

/** Latest finishedAt of a container's previous run, as ms (0 when none). */
function lastTerminated(cs: ContainerStatus): number {
  const f = cs.lastState?.terminated?.finishedAt;
  return f ? Date.parse(f) || 0 : 0;
}

/** The summary of a pod shown in STATUS, following kubectl's rules in order. */
export function podStatusReason(pod: Pod): string {
  return podSummary(pod).reason;
}

interface PodSummary {
  reason: string;
  ready: number;
  total: number;
  restarts: number;
  lastRestart: number;
}

function podSummary(pod: Pod): PodSummary {
  const status = pod.status ?? {};
  const spec = pod.spec ?? { containers: [] };
  const initSpecs = new Map((spec.initContainers ?? []).map((c) => [c.name, c]));
  const total = (spec.containers ?? []).length + [...initSpecs.values()].filter(isRestartableInit).length;
  let ready = 0;
  let restarts = 0;
  let lastRestart = 0;
  let sidecarRestarts = 0;
  let sidecarLastRestart = 0;
  let reason: string = status.reason || status.phase || "Pending";
  const conds = status.conditions ?? [];
  if (conds.some((c) => c.type === "PodScheduled" && c.reason === "SchedulingGated")) reason = "SchedulingGated";

  let initializing = false;
  const inits = status.initContainerStatuses ?? [];
  for (let i = 0; i < inits.length; i++) {
    const c = inits[i];
    restarts += c.restartCount ?? 0;
    lastRestart = Math.max(lastRestart, lastTerminated(c));
    const sidecar = isRestartableInit(initSpecs.get(c.name));
    if (sidecar) {
      sidecarRestarts += c.restartCount ?? 0;
      sidecarLastRestart = Math.max(sidecarLastRestart, lastTerminated(c));
    }
    const term = c.state?.terminated;
    const waiting = c.state?.waiting;
    if (term && term.exitCode === 0) continue;
    if (sidecar && c.started) {
      if (c.ready) ready++;
      continue;
    }
    if (term) {
      reason = term.reason ? `Init:${term.reason}` : term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode}`;
    } else if (waiting?.reason && waiting.reason !== "PodInitializing") {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${initSpecs.size}`;
    }
    initializing = true;
    break;
  }

  const initialized = conds.some((c) => c.type === "Initialized" && c.status === "True");
  if (!initializing || initialized) {
    // Only sidecars count towards restarts once the pod is initialized (kubectl does the same).
    restarts = sidecarRestarts;
    lastRestart = sidecarLastRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    // Walk backwards so the first container's reason wins, as in kubectl.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i];
      restarts += c.restartCount ?? 0;
      lastRestart = Math.max(lastRestart, lastTerminated(c));
      const waiting = c.state?.waiting;
      const term = c.state?.terminated;
      if (waiting?.reason) reason = waiting.reason;
      else if (term?.reason) reason = term.reason;
      else if (term) reason = term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode}`;
      else if (c.ready && c.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    // One container finished but another still runs: the pod is not "Completed".
    if (reason === "Completed" && hasRunning) {
      reason = conds.some((c) => c.type === "Ready" && c.status === "True") ? "Running" : "NotReady";
    }
  }

  const terminal = status.phase === "Succeeded" || status.phase === "Failed";
  if (pod.metadata.deletionTimestamp && status.reason === "NodeLost") reason = "Unknown";
  else if (pod.metadata.deletionTimestamp && !terminal) reason = "Terminating";
  return { reason, ready, total, restarts, lastRestart };
}

/** The cells of one pod row (all columns, wide ones included). */
export function podRow(pod: Pod, now: Date = new Date()): string[] {
  const s = podSummary(pod);
  let restarts = String(s.restarts);
  if (s.restarts !== 0 && s.lastRestart) restarts += ` (${ageSince(new Date(s.lastRestart).toISOString(), now)} ago)`;
  const ip = pod.status?.podIPs?.[0]?.ip || pod.status?.podIP || "<none>";
  const nominated = (pod.status as { nominatedNodeName?: string } | undefined)?.nominatedNodeName || "<none>";
  const gates = (pod.spec?.readinessGates as { conditionType: string }[] | undefined) ?? [];
  let readinessGates = "<none>";
  if (gates.length) {
    const trueConds = new Set((pod.status?.conditions ?? []).filter((c) => c.status === "True").map((c) => c.type));
    readinessGates = `${gates.filter((g) => trueConds.has(g.conditionType)).length}/${gates.length}`;
  }
  return [
    pod.metadata.name ?? "",
    `${s.ready}/${s.total}`,
    s.reason,
    restarts,
    ageSince(pod.metadata.creationTimestamp, now),
    ip,
    pod.spec?.nodeName || "<none>",
    nominated,
    readinessGates,
  ];
}
