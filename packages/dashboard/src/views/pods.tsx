// Pods: phase, readiness, restarts, node, IP, age, and the reason when a pod is not running.
import { RES } from "../lib/resources.js";
import { formatRoute } from "../lib/route.js";
import { age, podSummary } from "../lib/status.js";
import type { KObj } from "../lib/types.js";
import { useList, useTick } from "./hooks.js";
import { Table, type Column } from "./table.js";

export const podHref = (o: KObj) => formatRoute({ view: "pods", ns: o.metadata.namespace, name: o.metadata.name });

export function podColumns(now: number): Column[] {
  return [
    { title: "Name", cell: (o) => <a href={podHref(o)}>{o.metadata.name}</a>, sort: (o) => o.metadata.name },
    { title: "Namespace", cell: (o) => o.metadata.namespace, sort: (o) => o.metadata.namespace ?? "" },
    { title: "Ready", cell: (o) => podSummary(o).ready },
    {
      title: "Status",
      sort: (o) => podSummary(o).status,
      cell: (o) => {
        const s = podSummary(o);
        return (
          <div class="status-cell">
            <span class={`pill ${s.tone}`} data-testid="pod-status">
              {s.status}
            </span>
            {s.reason && (
              <div class="reason" data-testid="pod-reason">
                {s.reason}
              </div>
            )}
          </div>
        );
      },
    },
    { title: "Restarts", cell: (o) => podSummary(o).restarts, sort: (o) => podSummary(o).restarts },
    {
      title: "Node",
      cell: (o) => (o.spec?.nodeName ? <a href={formatRoute({ view: "nodes", name: o.spec.nodeName })}>{o.spec.nodeName}</a> : ""),
      sort: (o) => o.spec?.nodeName ?? "",
    },
    { title: "IP", cell: (o) => o.status?.podIP ?? "" },
    { title: "Age", cell: (o) => age(o.metadata.creationTimestamp, now), sort: (o) => o.metadata.creationTimestamp ?? "" },
  ];
}

export function Pods() {
  const now = useTick();
  const pods = useList(RES.pods);
  return (
    <section>
      <h1>Pods</h1>
      <Table testid="pods" items={pods.items} synced={pods.synced} error={pods.error} columns={podColumns(now)} href={podHref} empty="No pods." />
    </section>
  );
}
