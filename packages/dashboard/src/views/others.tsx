// Services with endpoints, Ingresses with rules and addresses, ConfigMaps, Secrets (values
// hidden until asked), PVs/PVCs/StorageClasses, and Events (filterable).
import { useState } from "preact/hooks";
import { RES, type Res } from "../lib/resources.js";
import { formatRoute } from "../lib/route.js";
import { age } from "../lib/status.js";
import type { KObj } from "../lib/types.js";
import { useList, useTick } from "./hooks.js";
import { Table, type Column } from "./table.js";

const yamlHref = (res: Res) => (o: KObj) => formatRoute({ view: "yaml", ns: o.metadata.namespace ?? "-", name: `${res.resource}/${o.metadata.name}` });
const nameCol = (res: Res): Column => ({ title: "Name", cell: (o) => <a href={yamlHref(res)(o)}>{o.metadata.name}</a>, sort: (o) => o.metadata.name });
const nsCol: Column = { title: "Namespace", cell: (o) => o.metadata.namespace, sort: (o) => o.metadata.namespace ?? "" };
const ageCol = (now: number): Column => ({
  title: "Age",
  cell: (o) => age(o.metadata.creationTimestamp, now),
  sort: (o) => o.metadata.creationTimestamp ?? "",
});

export function Network() {
  const now = useTick();
  const svcs = useList(RES.services);
  const eps = useList(RES.endpoints);
  const ings = useList(RES.ingresses);
  const endpointsOf = (s: KObj) => {
    const e = eps.items.find((x) => x.metadata.namespace === s.metadata.namespace && x.metadata.name === s.metadata.name);
    const subsets = (e?.subsets ?? []) as { addresses?: { ip: string }[]; notReadyAddresses?: { ip: string }[]; ports?: { port: number }[] }[];
    const ready = subsets.flatMap((ss) => (ss.addresses ?? []).flatMap((a) => (ss.ports ?? [{ port: 0 }]).map((p) => `${a.ip}${p.port ? `:${p.port}` : ""}`)));
    const notReady = subsets.flatMap((ss) => ss.notReadyAddresses ?? []).length;
    return `${ready.slice(0, 4).join(", ")}${ready.length > 4 ? ` +${ready.length - 4}` : ""}${notReady ? ` (${notReady} not ready)` : ""}` || "none";
  };
  return (
    <section>
      <h1>Services</h1>
      <Table
        testid="services"
        items={svcs.items}
        synced={svcs.synced}
        error={svcs.error}
        href={yamlHref(RES.services)}
        columns={[
          nameCol(RES.services),
          nsCol,
          { title: "Type", cell: (o) => o.spec?.type },
          { title: "Cluster IP", cell: (o) => o.spec?.clusterIP },
          {
            title: "External",
            cell: (o) => (o.status?.loadBalancer?.ingress ?? []).map((i: { ip?: string; hostname?: string }) => i.ip ?? i.hostname).join(", "),
          },
          {
            title: "Ports",
            cell: (o) =>
              (o.spec?.ports ?? [])
                .map((p: { port: number; protocol?: string; nodePort?: number }) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ""}/${p.protocol ?? "TCP"}`)
                .join(", "),
          },
          { title: "Endpoints", cell: endpointsOf },
          ageCol(now),
        ]}
      />
      <h2>Ingresses</h2>
      <Table
        testid="ingresses"
        items={ings.items}
        synced={ings.synced}
        href={yamlHref(RES.ingresses)}
        columns={[
          nameCol(RES.ingresses),
          nsCol,
          { title: "Class", cell: (o) => o.spec?.ingressClassName ?? "" },
          {
            title: "Rules",
            cell: (o) =>
              (o.spec?.rules ?? [])
                .flatMap((r: { host?: string; http?: { paths?: { path?: string; backend?: { service?: { name: string; port?: { number?: number } } } }[] } }) =>
                  (r.http?.paths ?? []).map(
                    (p) => `${r.host ?? "*"}${p.path ?? "/"} → ${p.backend?.service?.name ?? ""}:${p.backend?.service?.port?.number ?? ""}`,
                  ),
                )
                .join("; "),
          },
          {
            title: "Address",
            cell: (o) => (o.status?.loadBalancer?.ingress ?? []).map((i: { ip?: string; hostname?: string }) => i.ip ?? i.hostname).join(", "),
          },
          ageCol(now),
        ]}
      />
    </section>
  );
}

function SecretValues(p: { o: KObj }) {
  const [shown, setShown] = useState(false);
  const data = (p.o.data ?? {}) as Record<string, string>;
  if (!shown)
    return (
      <button type="button" onClick={() => setShown(true)}>
        Show {Object.keys(data).length} values
      </button>
    );
  const dec = (v: string) => {
    try {
      return new TextDecoder().decode(Uint8Array.from(atob(v), (c) => c.charCodeAt(0)));
    } catch {
      return v;
    }
  };
  return (
    <dl class="kvs">
      {Object.entries(data).map(([k, v]) => (
        <>
          <dt key={`k${k}`}>{k}</dt>
          <dd key={`v${k}`}>
            <code>{dec(v)}</code>
          </dd>
        </>
      ))}
      <button type="button" onClick={() => setShown(false)}>
        Hide
      </button>
    </dl>
  );
}

export function Config() {
  const now = useTick();
  const cms = useList(RES.configmaps);
  const secrets = useList(RES.secrets);
  return (
    <section>
      <h1>ConfigMaps</h1>
      <Table
        testid="configmaps"
        items={cms.items}
        synced={cms.synced}
        error={cms.error}
        href={yamlHref(RES.configmaps)}
        columns={[nameCol(RES.configmaps), nsCol, { title: "Keys", cell: (o) => Object.keys((o.data ?? {}) as object).join(", ") }, ageCol(now)]}
      />
      <h2>Secrets</h2>
      <Table
        testid="secrets"
        items={secrets.items}
        synced={secrets.synced}
        error={secrets.error}
        columns={[
          { title: "Name", cell: (o) => o.metadata.name, sort: (o) => o.metadata.name },
          nsCol,
          { title: "Type", cell: (o) => String(o.type ?? "") },
          { title: "Values", cell: (o) => <SecretValues o={o} /> },
          ageCol(now),
        ]}
      />
    </section>
  );
}

export function Storage() {
  const now = useTick();
  const pvs = useList(RES.persistentvolumes);
  const pvcs = useList(RES.persistentvolumeclaims);
  const scs = useList(RES.storageclasses);
  return (
    <section>
      <h1>PersistentVolumeClaims</h1>
      <Table
        items={pvcs.items}
        synced={pvcs.synced}
        error={pvcs.error}
        href={yamlHref(RES.persistentvolumeclaims)}
        columns={[
          nameCol(RES.persistentvolumeclaims),
          nsCol,
          { title: "Status", cell: (o) => o.status?.phase },
          { title: "Volume", cell: (o) => o.spec?.volumeName ?? "" },
          { title: "Capacity", cell: (o) => o.status?.capacity?.storage ?? o.spec?.resources?.requests?.storage },
          { title: "Class", cell: (o) => o.spec?.storageClassName ?? "" },
          ageCol(now),
        ]}
      />
      <h2>PersistentVolumes</h2>
      <Table
        items={pvs.items}
        synced={pvs.synced}
        href={yamlHref(RES.persistentvolumes)}
        columns={[
          nameCol(RES.persistentvolumes),
          { title: "Capacity", cell: (o) => o.spec?.capacity?.storage },
          { title: "Status", cell: (o) => o.status?.phase },
          { title: "Claim", cell: (o) => (o.spec?.claimRef ? `${o.spec.claimRef.namespace}/${o.spec.claimRef.name}` : "") },
          { title: "Class", cell: (o) => o.spec?.storageClassName ?? "" },
          ageCol(now),
        ]}
      />
      <h2>StorageClasses</h2>
      <Table
        items={scs.items}
        synced={scs.synced}
        href={yamlHref(RES.storageclasses)}
        columns={[
          nameCol(RES.storageclasses),
          { title: "Provisioner", cell: (o) => String(o.provisioner ?? "") },
          { title: "Default", cell: (o) => (o.metadata.annotations?.["storageclass.kubernetes.io/is-default-class"] === "true" ? "yes" : "") },
          ageCol(now),
        ]}
      />
    </section>
  );
}

export function Events() {
  const now = useTick();
  const [warningsOnly, setWarningsOnly] = useState(false);
  const events = useList(RES.events, { query: warningsOnly ? { fieldSelector: "type=Warning" } : {} });
  const when = (e: KObj) => String(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? "");
  const items = [...events.items].sort((a, b) => when(b).localeCompare(when(a)));
  return (
    <section>
      <h1>Events</h1>
      <label>
        <input type="checkbox" checked={warningsOnly} onChange={(e) => setWarningsOnly((e.target as HTMLInputElement).checked)} /> warnings only
      </label>
      <Table
        testid="events"
        items={items}
        search={(e) => `${String(e.reason)} ${String(e.message)} ${(e.involvedObject as { name?: string })?.name ?? ""} ${e.metadata.namespace}`}
        synced={events.synced}
        error={events.error}
        columns={[
          { title: "Last seen", cell: (e) => age(when(e), now), sort: (e) => when(e) },
          { title: "Type", cell: (e) => <span class={e.type === "Warning" ? "pill bad" : "pill ok"}>{String(e.type)}</span>, sort: (e) => String(e.type) },
          { title: "Reason", cell: (e) => String(e.reason ?? ""), sort: (e) => String(e.reason ?? "") },
          {
            title: "Object",
            cell: (e) => {
              const io = e.involvedObject as { kind: string; name: string; namespace?: string };
              return io?.kind === "Pod" ? (
                <a href={formatRoute({ view: "pods", ns: io.namespace, name: io.name })}>Pod/{io.name}</a>
              ) : (
                `${io?.kind}/${io?.name}`
              );
            },
          },
          { title: "Message", cell: (e) => String(e.message ?? "") },
          { title: "Count", cell: (e) => String(e.count ?? 1) },
        ]}
      />
    </section>
  );
}
