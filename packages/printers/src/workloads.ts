// Tables of the workload kinds (kubectl's printDeployment, printReplicaSet, printDaemonSet,
// printStatefulSet, printJob, printCronJob): counts, then the wide-only containers/images/selector.
import type { CronJob, DaemonSet, Deployment, Job, KObject, LabelSelectorStruct, PodTemplateSpec, ReplicaSet, StatefulSet } from "@skiff/api";
import { formatLabelSelector, labelSelectorFromStruct } from "@skiff/api";
import { ageSince, humanDuration } from "./age.js";
import { column, docs, makeTable, type Table, type TableOptions } from "./types.js";

const name = column("Name", docs.name, { format: "name" });
const age = column("Age", docs.age);
const containers = column("Containers", "Names of each container in the template.", { priority: 1 });
const images = column("Images", "Images referenced by each container in the template.", { priority: 1 });
const selector = column(
  "Selector",
  "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.",
  { priority: 1 },
);

/** Comma-joined container names and images of a pod template (the wide columns). */
export function templateColumns(t: PodTemplateSpec | undefined): [string, string] {
  const cs = t?.spec?.containers ?? [];
  return [cs.map((c) => c.name).join(","), cs.map((c) => c.image).join(",")];
}

/** A label selector as kubectl prints it ("<none>" when empty). */
export function selectorText(sel: LabelSelectorStruct | undefined): string {
  const s = formatLabelSelector(labelSelectorFromStruct(sel));
  return s || "<none>";
}

const n = (v: unknown) => (typeof v === "number" ? v : 0);

/** Deployments: READY UP-TO-DATE AVAILABLE AGE. */
export function deploymentTable(items: Deployment[], opts: TableOptions = {}): Table {
  const cols = [
    name,
    column("Ready", "Number of the pod with ready state"),
    column("Up-to-date", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
    column("Available", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
    age,
    containers,
    images,
    selector,
  ];
  return makeTable(
    cols,
    items.map((d) => ({
      object: d,
      cells: [
        d.metadata.name ?? "",
        `${n(d.status?.readyReplicas)}/${d.spec?.replicas ?? 1}`,
        n(d.status?.updatedReplicas),
        n(d.status?.availableReplicas),
        ageSince(d.metadata.creationTimestamp, opts.now),
        ...templateColumns(d.spec?.template),
        selectorText(d.spec?.selector),
      ],
    })),
  );
}

/** ReplicaSets (and ReplicationControllers): DESIRED CURRENT READY AGE. */
export function replicaSetTable(items: (ReplicaSet | KObject)[], opts: TableOptions = {}): Table {
  const cols = [
    name,
    column("Desired", "Number of desired pods."),
    column("Current", "Number of actual replicas."),
    column("Ready", "The number of ready replicas for this replica set."),
    age,
    containers,
    images,
    selector,
  ];
  return makeTable(
    cols,
    items.map((o) => {
      const r = o as ReplicaSet;
      const sel = r.spec?.selector as unknown;
      // A ReplicationController's selector is a plain label map.
      const selText =
        sel && !("matchLabels" in (sel as object)) && !("matchExpressions" in (sel as object))
          ? selectorText({ matchLabels: sel as Record<string, string> })
          : selectorText(r.spec?.selector);
      return {
        object: o,
        cells: [
          o.metadata.name ?? "",
          r.spec?.replicas ?? 1,
          n(r.status?.replicas),
          n(r.status?.readyReplicas),
          ageSince(o.metadata.creationTimestamp, opts.now),
          ...templateColumns(r.spec?.template),
          selText,
        ],
      };
    }),
  );
}

/** DaemonSets: DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE. */
export function daemonSetTable(items: DaemonSet[], opts: TableOptions = {}): Table {
  const cols = [
    name,
    column("Desired", "The total number of nodes that should be running the daemon pod."),
    column("Current", "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod."),
    column("Ready", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready."),
    column("Up-to-date", "The total number of nodes that are running updated daemon pod"),
    column("Available", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available."),
    column("Node Selector", "NodeSelector is a selector which must be true for the pod to fit on a node."),
    age,
    containers,
    images,
    selector,
  ];
  return makeTable(
    cols,
    items.map((d) => {
      const s = (d.status ?? {}) as Record<string, unknown>;
      const ns = d.spec?.template?.spec?.nodeSelector ?? {};
      const nsText =
        Object.entries(ns)
          .map(([k, v]) => `${k}=${v}`)
          .join(",") || "<none>";
      return {
        object: d,
        cells: [
          d.metadata.name ?? "",
          n(s.desiredNumberScheduled),
          n(s.currentNumberScheduled),
          n(s.numberReady),
          n(s.updatedNumberScheduled),
          n(s.numberAvailable),
          nsText,
          ageSince(d.metadata.creationTimestamp, opts.now),
          ...templateColumns(d.spec?.template),
          selectorText(d.spec?.selector),
        ],
      };
    }),
  );
}

/** StatefulSets: READY AGE. */
export function statefulSetTable(items: StatefulSet[], opts: TableOptions = {}): Table {
  const cols = [name, column("Ready", "Number of the pod with ready state"), age, containers, images];
  return makeTable(
    cols,
    items.map((s) => ({
      object: s,
      cells: [
        s.metadata.name ?? "",
        `${n(s.status?.readyReplicas)}/${s.spec?.replicas ?? 1}`,
        ageSince(s.metadata.creationTimestamp, opts.now),
        ...templateColumns(s.spec?.template),
      ],
    })),
  );
}

/** Jobs: STATUS COMPLETIONS DURATION AGE. */
export function jobTable(items: Job[], opts: TableOptions = {}): Table {
  const cols = [
    name,
    column("Status", "Status of the job."),
    column("Completions", "The desired number of successfully finished pods the job should be run with."),
    column("Duration", "Time required to complete the job."),
    age,
    containers,
    images,
    selector,
  ];
  const now = opts.now ?? new Date();
  return makeTable(
    cols,
    items.map((j) => {
      const st = j.status ?? {};
      const cond = (t: string) => st.conditions?.some((c) => c.type === t && c.status === "True");
      const status = cond("Complete")
        ? "Complete"
        : cond("Failed")
          ? "Failed"
          : cond("FailureTarget")
            ? "FailureTarget"
            : cond("SuccessCriteriaMet")
              ? "SuccessCriteriaMet"
              : j.spec?.suspend
                ? "Suspended"
                : "Running";
      const completions =
        j.spec?.completions !== undefined ? `${n(st.succeeded)}/${j.spec.completions}` : `${n(st.succeeded)}/1 of ${j.spec?.parallelism ?? 1}`;
      let duration = "";
      if (st.startTime) duration = humanDuration((st.completionTime ? Date.parse(st.completionTime) : now.getTime()) - Date.parse(st.startTime));
      return {
        object: j,
        cells: [
          j.metadata.name ?? "",
          status,
          completions,
          duration,
          ageSince(j.metadata.creationTimestamp, now),
          ...templateColumns(j.spec?.template),
          selectorText(j.spec?.selector),
        ],
      };
    }),
  );
}

/** CronJobs: SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE. */
export function cronJobTable(items: CronJob[], opts: TableOptions = {}): Table {
  const cols = [
    name,
    column("Schedule", "The schedule in Cron format"),
    column("Timezone", "The time zone name for the given schedule"),
    column("Suspend", "Whether the cron job is suspended"),
    column("Active", "The number of currently running jobs."),
    column("Last Schedule", "Information when was the last time the job was successfully scheduled."),
    age,
    containers,
    images,
    selector,
  ];
  return makeTable(
    cols,
    items.map((c) => ({
      object: c,
      cells: [
        c.metadata.name ?? "",
        c.spec?.schedule ?? "",
        c.spec?.timeZone ?? "<none>",
        c.spec?.suspend ? "True" : "False",
        c.status?.active?.length ?? 0,
        c.status?.lastScheduleTime ? ageSince(c.status.lastScheduleTime, opts.now) : "<none>",
        ageSince(c.metadata.creationTimestamp, opts.now),
        ...templateColumns(c.spec?.jobTemplate?.spec?.template),
        selectorText(c.spec?.jobTemplate?.spec?.selector),
      ],
    })),
  );
}
