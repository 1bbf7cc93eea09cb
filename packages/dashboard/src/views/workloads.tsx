// Workloads: Deployments (scale, restart, roll back, delete), ReplicaSets, StatefulSets,
// DaemonSets, Jobs and CronJobs with their status and conditions; a Deployment's page shows its
// rollout as old/new ReplicaSet bars that move as the watch reports.
import { useState } from "preact/hooks";
import { apiPath, RES, type Res } from "../lib/resources.js";
import { formatRoute } from "../lib/route.js";
import { age, workloadSummary } from "../lib/status.js";
import type { KObj } from "../lib/types.js";
import { act, useApp, useList, useTick, type Ctx } from "./hooks.js";
import { podColumns } from "./pods.js";
import { Table, type Column } from "./table.js";

const kinds: [Res, string][] = [
  [RES.deployments, "Deployments"],
  [RES.statefulsets, "StatefulSets"],
  [RES.daemonsets, "DaemonSets"],
  [RES.replicasets, "ReplicaSets"],
  [RES.jobs, "Jobs"],
  [RES.cronjobs, "CronJobs"],
];

const hrefOf = (res: Res) => (o: KObj) => formatRoute({ view: res.resource, ns: o.metadata.namespace, name: o.metadata.name });

/** Scales a Deployment/StatefulSet/ReplicaSet through its scale subresource. */
export function scale(app: Ctx, res: Res, o: KObj, replicas: number) {
  return act(app, { did: `scaled ${res.kind} ${o.metadata.name} to ${replicas}`, doing: `scale ${res.kind} ${o.metadata.name} to ${replicas}` }, () =>
    app.api.patch(`${apiPath(res, o.metadata.namespace, o.metadata.name)}/scale`, { spec: { replicas } }),
  );
}

/** Restarts a rollout as kubectl does: a new restartedAt annotation on the pod template. */
export function restart(app: Ctx, res: Res, o: KObj) {
  return act(app, { did: `restarted ${res.kind} ${o.metadata.name}`, doing: `restart ${res.kind} ${o.metadata.name}` }, () =>
    app.api.patch(apiPath(res, o.metadata.namespace, o.metadata.name), {
      spec: { template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": new Date().toISOString() } } } },
    }),
  );
}

export function remove(app: Ctx, res: Res, o: KObj) {
  if (!confirm(`Delete ${res.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}?`)) return Promise.resolve(false);
  return act(app, { did: `deleted ${res.kind} ${o.metadata.name}`, doing: `delete ${res.kind} ${o.metadata.name}` }, () =>
    app.api.delete(apiPath(res, o.metadata.namespace, o.metadata.name)),
  );
}

export function ScaleControl(p: { res: Res; o: KObj }) {
  const app = useApp();
  const [n, setN] = useState<string>(String(p.o.spec?.replicas ?? 1));
  return (
    <form
      class="inline"
      onSubmit={(e) => {
        e.preventDefault();
        void scale(app, p.res, p.o, Number(n));
      }}
    >
      <input
        type="number"
        min={0}
        value={n}
        onInput={(e) => setN((e.target as HTMLInputElement).value)}
        aria-label={`replicas of ${p.o.metadata.name}`}
        data-testid="scale-input"
      />
      <button type="submit" data-testid="scale-button">
        Scale
      </button>
    </form>
  );
}

function columns(res: Res, now: number): Column[] {
  const cols: Column[] = [
    { title: "Name", cell: (o) => <a href={hrefOf(res)(o)}>{o.metadata.name}</a>, sort: (o) => o.metadata.name },
    { title: "Namespace", cell: (o) => o.metadata.namespace, sort: (o) => o.metadata.namespace ?? "" },
  ];
  if (res.kind === "CronJob") {
    cols.push(
      { title: "Schedule", cell: (o) => o.spec?.schedule },
      { title: "Suspend", cell: (o) => String(!!o.spec?.suspend) },
      { title: "Last schedule", cell: (o) => age(o.status?.lastScheduleTime, now) },
    );
  } else {
    cols.push({
      title: res.kind === "Job" ? "Completions" : "Ready",
      cell: (o) => {
        const s = workloadSummary({ ...o, kind: res.kind });
        return (
          <div class="status-cell">
            <span class={`pill ${s.tone}`} data-testid="ready">
              {s.ready}
            </span>
            {s.message && <div class="reason">{s.message}</div>}
          </div>
        );
      },
    });
    if (res.kind !== "Job")
      cols.push(
        { title: "Up-to-date", cell: (o) => workloadSummary({ ...o, kind: res.kind }).upToDate },
        { title: "Available", cell: (o) => workloadSummary({ ...o, kind: res.kind }).available },
      );
  }
  cols.push({ title: "Age", cell: (o) => age(o.metadata.creationTimestamp, now), sort: (o) => o.metadata.creationTimestamp ?? "" });
  return cols;
}

function ActionsCell(p: { res: Res; o: KObj }) {
  const app = useApp();
  const scalable = ["Deployment", "StatefulSet", "ReplicaSet"].includes(p.res.kind);
  const restartable = ["Deployment", "StatefulSet", "DaemonSet"].includes(p.res.kind);
  return (
    <div class="actions">
      {scalable && <ScaleControl res={p.res} o={p.o} />}
      {restartable && (
        <button type="button" onClick={() => void restart(app, p.res, p.o)}>
          Restart
        </button>
      )}
      <button type="button" class="danger" onClick={() => void remove(app, p.res, p.o)}>
        Delete
      </button>
    </div>
  );
}

export function Workloads() {
  const now = useTick();
  return (
    <section>
      <h1>Workloads</h1>
      {kinds.map(([res, title]) => (
        <WorkloadTable key={res.resource} res={res} title={title} now={now} />
      ))}
    </section>
  );
}

function WorkloadTable(p: { res: Res; title: string; now: number }) {
  const l = useList(p.res);
  if (l.synced && l.items.length === 0 && p.res.kind !== "Deployment") return null;
  const cols = [...columns(p.res, p.now), { title: "Actions", cell: (o: KObj) => <ActionsCell res={p.res} o={o} /> }];
  return (
    <>
      <h2>{p.title}</h2>
      <Table testid={p.res.resource} items={l.items} synced={l.synced} error={l.error} columns={cols} href={hrefOf(p.res)} />
    </>
  );
}

/** One workload: status, conditions, rollout bars, its pods, actions. */
export function WorkloadDetail(p: { res: Res; ns: string; name: string }) {
  const app = useApp();
  const now = useTick();
  const objs = useList(p.res, { ns: p.ns, query: { fieldSelector: `metadata.name=${p.name}` } });
  const o = objs.items[0];
  const rss = useList(RES.replicasets, { ns: p.ns, skip: p.res.kind !== "Deployment" });
  const selector: Record<string, string> = o?.spec?.selector?.matchLabels ?? {};
  const labelSelector = Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  const pods = useList(RES.pods, { ns: p.ns, query: { labelSelector }, skip: !labelSelector });
  if (!o)
    return (
      <section>
        <h1>
          {p.res.kind} {p.ns}/{p.name}
        </h1>
        <p class="muted">{objs.synced ? "Not found (deleted, or not visible to you)." : "loading…"}</p>
      </section>
    );
  const owned = rss.items.filter((rs) => rs.metadata.ownerReferences?.some((r) => r.uid === o.metadata.uid));
  const rev = (rs: KObj) => Number(rs.metadata.annotations?.["deployment.kubernetes.io/revision"] ?? 0);
  owned.sort((a, b) => rev(b) - rev(a));
  const max = Math.max(1, o.spec?.replicas ?? 1, ...owned.map((rs) => rs.status?.replicas ?? 0));
  const prev = owned[1];
  return (
    <section>
      <h1>
        {p.res.kind}{" "}
        <span data-testid="object-name">
          {p.ns}/{p.name}
        </span>
      </h1>
      <div class="actions">
        <ActionsCell res={p.res} o={o} />
        {prev && (
          <button
            type="button"
            onClick={() =>
              void act(app, { did: `rolled back ${p.name} to revision ${rev(prev)}`, doing: `roll back ${p.name}` }, () =>
                app.api.patch(apiPath(p.res, p.ns, p.name), {
                  spec: {
                    template: {
                      metadata: { labels: prev.spec.template.metadata.labels, annotations: prev.spec.template.metadata.annotations ?? {} },
                      spec: prev.spec.template.spec,
                    },
                  },
                }),
              )
            }
          >
            Roll back to revision {rev(prev)}
          </button>
        )}
        <a class="button" href={formatRoute({ view: "yaml", ns: p.ns, name: `${p.res.resource}/${p.name}` })}>
          YAML
        </a>
      </div>
      <p>
        Ready <b data-testid="detail-ready">{workloadSummary({ ...o, kind: p.res.kind }).ready}</b>, {age(o.metadata.creationTimestamp, now)} old
      </p>
      {owned.length > 0 && (
        <div class="rollout" data-testid="rollout">
          <h2>Rollout</h2>
          {owned.slice(0, 4).map((rs, i) => (
            <div class="bar-row" key={rs.metadata.uid}>
              <span class="bar-label">
                {i === 0 ? "new" : "old"} rev {rev(rs)}
              </span>
              <div class="bar">
                <div class={`fill ${i === 0 ? "new" : "old"}`} style={{ width: `${(100 * (rs.status?.replicas ?? 0)) / max}%` }} />
                <div class="fill ready" style={{ width: `${(100 * (rs.status?.readyReplicas ?? 0)) / max}%` }} />
              </div>
              <span>
                {rs.status?.readyReplicas ?? 0}/{rs.status?.replicas ?? 0}
              </span>
            </div>
          ))}
        </div>
      )}
      <h2>Conditions</h2>
      <ul class="conditions">
        {(o.status?.conditions ?? []).map((c: { type: string; status: string; reason?: string; message?: string }) => (
          <li key={c.type}>
            <b>{c.type}</b>={c.status} {c.reason} <span class="muted">{c.message}</span>
          </li>
        ))}
      </ul>
      <h2>Pods</h2>
      <Table testid="workload-pods" items={pods.items} synced={pods.synced} columns={podColumns(now)} />
    </section>
  );
}
