// Nodes: status (Ready/NotReady, cordoned), capacity, pods on each (the node map), cordon/uncordon.
import { apiPath, RES } from "../lib/resources.js";
import { formatRoute } from "../lib/route.js";
import { age, nodeSummary, podSummary } from "../lib/status.js";
import type { KObj } from "../lib/types.js";
import { act, useApp, useList, useTick } from "./hooks.js";
import { Table } from "./table.js";

function Cordon(p: { n: KObj }) {
  const app = useApp();
  const on = !!p.n.spec?.unschedulable;
  return (
    <button
      type="button"
      data-testid="cordon"
      onClick={() =>
        void act(
          app,
          { did: `${on ? "uncordoned" : "cordoned"} node ${p.n.metadata.name}`, doing: `${on ? "uncordon" : "cordon"} node ${p.n.metadata.name}` },
          () => app.api.patch(apiPath(RES.nodes, undefined, p.n.metadata.name), { spec: { unschedulable: !on } }),
        )
      }
    >
      {on ? "Uncordon" : "Cordon"}
    </button>
  );
}

export function Nodes() {
  const now = useTick();
  const nodes = useList(RES.nodes);
  const pods = useList(RES.pods, { ns: "" });
  const onNode = (n: string) => pods.items.filter((p) => p.spec?.nodeName === n);
  return (
    <section>
      <h1>Nodes</h1>
      <Table
        testid="nodes"
        items={nodes.items}
        synced={nodes.synced}
        error={nodes.error}
        href={(n) => formatRoute({ view: "nodes", name: n.metadata.name })}
        columns={[
          { title: "Name", cell: (n) => <a href={formatRoute({ view: "nodes", name: n.metadata.name })}>{n.metadata.name}</a>, sort: (n) => n.metadata.name },
          {
            title: "Status",
            cell: (n) => {
              const s = nodeSummary(n);
              return <span class={`pill ${s.tone}`}>{s.status}</span>;
            },
          },
          { title: "CPU", cell: (n) => n.status?.allocatable?.cpu ?? "" },
          { title: "Memory", cell: (n) => n.status?.allocatable?.memory ?? "" },
          { title: "Pods", cell: (n) => onNode(n.metadata.name).length, sort: (n) => onNode(n.metadata.name).length },
          { title: "Age", cell: (n) => age(n.metadata.creationTimestamp, now) },
          { title: "Actions", cell: (n) => <Cordon n={n} /> },
        ]}
      />
      <h2>Node map</h2>
      <div class="node-map">
        {nodes.items.slice(0, 50).map((n) => (
          <div class="node-box" key={n.metadata.name}>
            <div>
              <b>{n.metadata.name}</b> <span class={`pill ${nodeSummary(n).tone}`}>{nodeSummary(n).status}</span>
            </div>
            <div class="pod-dots">
              {onNode(n.metadata.name).map((p) => {
                const s = podSummary(p);
                return (
                  <a
                    key={p.metadata.uid}
                    class={`dot ${s.tone}`}
                    aria-label={`${p.metadata.namespace}/${p.metadata.name}: ${s.status}`}
                    title={`${p.metadata.namespace}/${p.metadata.name}: ${s.status}`}
                    href={formatRoute({ view: "pods", ns: p.metadata.namespace, name: p.metadata.name })}
                  >
                    <span class="sr-only">{p.metadata.name}</span>
                  </a>
                );
              })}
            </div>
          </div>
        ))}
      </div>
    </section>
  );
}

export function NodeDetail(p: { name: string }) {
  const now = useTick();
  const nodes = useList(RES.nodes, { query: { fieldSelector: `metadata.name=${p.name}` } });
  const n = nodes.items[0];
  if (!n)
    return (
      <section>
        <h1>Node {p.name}</h1>
        <p class="muted">{nodes.synced ? "Not found." : "loading…"}</p>
      </section>
    );
  return (
    <section>
      <h1>
        Node <span data-testid="object-name">{p.name}</span>
      </h1>
      <div class="actions">
        <Cordon n={n} />
        <a class="button" href={formatRoute({ view: "yaml", ns: "-", name: `nodes/${p.name}` })}>
          YAML
        </a>
      </div>
      <ul class="conditions">
        {(n.status?.conditions ?? []).map((c: { type: string; status: string; reason?: string; message?: string; lastHeartbeatTime?: string }) => (
          <li key={c.type}>
            <b>{c.type}</b>={c.status} {c.reason}{" "}
            <span class="muted">
              {c.message} ({age(c.lastHeartbeatTime, now)} ago)
            </span>
          </li>
        ))}
      </ul>
      <p>
        addresses: {(n.status?.addresses ?? []).map((a: { type: string; address: string }) => `${a.type}=${a.address}`).join(", ")}; podCIDR {n.spec?.podCIDR}
      </p>
    </section>
  );
}
