// The cluster at a glance: nodes Ready/NotReady, capacity vs requests vs usage, pods by status,
// recent warnings. Usage comes from the metrics API (sampled: it cannot be watched).
import { RES } from "../lib/resources.js";
import { formatRoute } from "../lib/route.js";
import { age, nodeSummary, podsByStatus, podSummary, quantity } from "../lib/status.js";
import type { KObj } from "../lib/types.js";
import { Charts, useNodeMetrics } from "./charts.js";
import { useList, useTick } from "./hooks.js";

function requests(pods: KObj[], what: "cpu" | "memory"): number {
  let n = 0;
  for (const p of pods) {
    if (!p.spec?.nodeName || ["Succeeded", "Failed"].includes(p.status?.phase)) continue;
    for (const c of p.spec?.containers ?? []) n += quantity(c.resources?.requests?.[what]);
  }
  return n;
}

const fmt = (v: number, what: "cpu" | "memory") => (what === "cpu" ? `${v.toFixed(2)} cores` : `${(v / 1024 ** 3).toFixed(2)} GiB`);

function Gauge(p: { title: string; capacity: number; requested: number; used?: number; what: "cpu" | "memory" }) {
  const pct = (v: number) => `${Math.min(100, (100 * v) / Math.max(p.capacity, 1e-9)).toFixed(0)}%`;
  return (
    <div class="card">
      <h3>{p.title}</h3>
      <div class="bar">
        <div class="fill req" style={{ width: pct(p.requested) }} />
        {p.used !== undefined && <div class="fill used" style={{ width: pct(p.used) }} />}
      </div>
      <div class="muted">
        requests {fmt(p.requested, p.what)} ({pct(p.requested)}){p.used !== undefined ? `, used ${fmt(p.used, p.what)} (${pct(p.used)})` : ""} of{" "}
        {fmt(p.capacity, p.what)}
      </div>
    </div>
  );
}

export function Overview() {
  const now = useTick();
  const nodes = useList(RES.nodes);
  const pods = useList(RES.pods, { ns: "" });
  const events = useList(RES.events, { query: { fieldSelector: "type=Warning" } });
  const metrics = useNodeMetrics();
  const ready = nodes.items.filter((n) => nodeSummary(n).ready).length;
  const byStatus = podsByStatus(pods.items);
  const alloc = (w: "cpu" | "memory") => nodes.items.reduce((s, n) => s + quantity(n.status?.allocatable?.[w]), 0);
  const last = metrics.latest;
  const used = (w: "cpu" | "memory") => (last ? last.reduce((s, m) => s + quantity(m.usage?.[w]), 0) : undefined);
  const warnings = [...events.items]
    .sort((a, b) => String(b.lastTimestamp ?? b.metadata.creationTimestamp).localeCompare(String(a.lastTimestamp ?? a.metadata.creationTimestamp)))
    .slice(0, 10);
  const failing = pods.items.filter((p) => podSummary(p).tone === "bad").slice(0, 10);
  return (
    <section>
      <h1>Overview</h1>
      <div class="cards">
        <div class="card">
          <h3>Nodes</h3>
          <div class="big" data-testid="nodes-ready">
            {ready}/{nodes.items.length}
          </div>
          <div class="muted">Ready{nodes.items.length - ready ? `, ${nodes.items.length - ready} NotReady` : ""}</div>
        </div>
        <div class="card">
          <h3>Pods</h3>
          <div class="big" data-testid="pods-total">
            {pods.items.length}
          </div>
          <div class="muted">
            {Object.entries(byStatus)
              .map(([k, v]) => `${v} ${k}`)
              .join(", ")}
          </div>
        </div>
        <Gauge title="CPU" what="cpu" capacity={alloc("cpu")} requested={requests(pods.items, "cpu")} used={used("cpu")} />
        <Gauge title="Memory" what="memory" capacity={alloc("memory")} requested={requests(pods.items, "memory")} used={used("memory")} />
      </div>
      <Charts samples={metrics.samples} />
      {failing.length > 0 && (
        <>
          <h2>Pods that are not running well</h2>
          <ul class="events">
            {failing.map((p) => {
              const s = podSummary(p);
              return (
                <li key={p.metadata.uid}>
                  <a href={formatRoute({ view: "pods", ns: p.metadata.namespace, name: p.metadata.name })}>
                    {p.metadata.namespace}/{p.metadata.name}
                  </a>{" "}
                  <span class={`pill ${s.tone}`}>{s.status}</span> <span class="reason">{s.reason}</span>
                </li>
              );
            })}
          </ul>
        </>
      )}
      <h2>Recent warnings</h2>
      <ul class="events">
        {warnings.length === 0 ? (
          <li class="muted">none</li>
        ) : (
          warnings.map((e) => (
            <li key={e.metadata.uid}>
              <span class="muted">{age(String(e.lastTimestamp ?? e.metadata.creationTimestamp), now)}</span>{" "}
              {(e.involvedObject as KObj["metadata"] & { kind: string })?.kind}/{(e.involvedObject as { name: string })?.name}: <b>{String(e.reason)}</b>{" "}
              {String(e.message)}
            </li>
          ))
        )}
      </ul>
    </section>
  );
}
