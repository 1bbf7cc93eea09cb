// One pod: its containers and why they are not running, its logs (follow, container chooser,
// previous container), a terminal into a container, its events, delete and YAML.
import { useEffect, useRef, useState } from "preact/hooks";
import { lines } from "../lib/api.js";
import { apiPath, RES } from "../lib/resources.js";
import { formatRoute } from "../lib/route.js";
import { age, containerMessage, podSummary } from "../lib/status.js";
import type { ContainerStatus } from "../lib/types.js";
import { useApp, useList, useTick } from "./hooks.js";
import { lazy } from "./lazy.js";
import { remove } from "./workloads.js";

const Terminal = lazy(() => import("./terminal.js").then((m) => m.Terminal));

export function PodDetail(p: { ns: string; name: string; tab?: string }) {
  const app = useApp();
  const now = useTick();
  const pods = useList(RES.pods, { ns: p.ns, query: { fieldSelector: `metadata.name=${p.name}` } });
  const events = useList(RES.events, { ns: p.ns, query: { fieldSelector: `involvedObject.name=${p.name}` } });
  const pod = pods.items[0];
  const containers: string[] = (pod?.spec?.containers ?? []).map((c: { name: string }) => c.name);
  const [container, setContainer] = useState("");
  const c = container || containers[0] || "";
  const tab = p.tab ?? "summary";
  if (!pod)
    return (
      <section>
        <h1>
          Pod {p.ns}/{p.name}
        </h1>
        <p class="muted">{pods.synced ? "Not found (deleted, or not visible to you)." : "loading…"}</p>
      </section>
    );
  const s = podSummary(pod);
  const tabHref = (t: string) => formatRoute({ view: "pods", ns: p.ns, name: p.name, tab: t });
  return (
    <section>
      <h1>
        Pod{" "}
        <span data-testid="object-name">
          {p.ns}/{p.name}
        </span>
      </h1>
      <div class="summary">
        <span class={`pill ${s.tone}`} data-testid="pod-status">
          {s.status}
        </span>
        {s.reason && (
          <span class="reason" data-testid="pod-reason">
            {s.reason}
          </span>
        )}
        <span>ready {s.ready}</span>
        <span>restarts {s.restarts}</span>
        <span>node {s.node || "—"}</span>
        <span>IP {s.ip || "—"}</span>
        <span>{age(pod.metadata.creationTimestamp, now)} old</span>
      </div>
      <nav class="tabs">
        {["summary", "logs", "terminal", "events"].map((t) => (
          <a key={t} href={tabHref(t)} class={tab === t ? "active" : ""}>
            {t}
          </a>
        ))}
        <a href={formatRoute({ view: "yaml", ns: p.ns, name: `pods/${p.name}` })}>yaml</a>
        <button type="button" class="danger" onClick={() => void remove(app, RES.pods, pod)}>
          Delete
        </button>
      </nav>
      {(tab === "logs" || tab === "terminal") && containers.length > 1 && (
        <label>
          container{" "}
          <select value={c} onChange={(e) => setContainer((e.target as HTMLSelectElement).value)}>
            {containers.map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        </label>
      )}
      {tab === "summary" && (
        <table class="kv">
          <thead>
            <tr>
              <th>Container</th>
              <th>Image</th>
              <th>State</th>
              <th>Ready</th>
              <th>Restarts</th>
              <th>Why</th>
            </tr>
          </thead>
          <tbody>
            {((pod.status?.containerStatuses ?? []) as ContainerStatus[]).map((cs) => (
              <tr key={cs.name}>
                <td>{cs.name}</td>
                <td>{cs.image}</td>
                <td>
                  {Object.keys(cs.state ?? {})[0]} {cs.state?.waiting?.reason ?? cs.state?.terminated?.reason ?? ""}
                </td>
                <td>{String(!!cs.ready)}</td>
                <td>{cs.restartCount ?? 0}</td>
                <td class="reason">{containerMessage(cs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {tab === "logs" && <Logs ns={p.ns} name={p.name} container={c} />}
      {tab === "terminal" && <Terminal key={c} ns={p.ns} name={p.name} container={c} />}
      {tab === "events" && (
        <ul class="events">
          {events.items.map((e) => (
            <li key={e.metadata.uid} class={e.type === "Warning" ? "bad" : ""}>
              {age((e.lastTimestamp as string) ?? e.metadata.creationTimestamp, now)} {String(e.reason)}: {String(e.message)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Follows a container's log (or shows the previous container's), appending lines as they come. */
function Logs(p: { ns: string; name: string; container: string }) {
  const app = useApp();
  const [previous, setPrevious] = useState(false);
  const [text, setText] = useState<string[]>([]);
  const [state, setState] = useState("connecting…");
  const pre = useRef<HTMLPreElement>(null);
  useEffect(() => {
    const abort = new AbortController();
    setText([]);
    // Lines carry timestamps, so a stream broken by the network resumes where it stopped
    // (sinceSeconds back to the last line, dropping what was already shown).
    let last = "";
    void (async () => {
      for (let attempt = 0; !abort.signal.aborted; attempt++) {
        const since: Record<string, string> = last
          ? { sinceSeconds: String(Math.max(1, Math.ceil((Date.now() - Date.parse(last)) / 1000) + 1)) }
          : { tailLines: "1000" };
        const q = new URLSearchParams({ container: p.container, timestamps: "true", ...since, ...(previous ? { previous: "true" } : { follow: "true" }) });
        try {
          const res = await app.api.fetch(`${apiPath(RES.pods, p.ns, p.name)}/log?${q}`, { signal: abort.signal });
          if (!res.ok) {
            const st = (await res.json().catch(() => ({}))) as { message?: string };
            setState(`refused: ${st.message ?? res.statusText}`);
            return;
          }
          setState(previous ? "previous container" : "following");
          let batch: string[] = [];
          let t: ReturnType<typeof setTimeout> | undefined;
          for await (const l of lines(res.body!)) {
            const sp = l.indexOf(" ");
            const ts = sp > 0 ? l.slice(0, sp) : "";
            if (ts && last && ts <= last) continue;
            if (ts) last = ts;
            batch.push(sp > 0 && /^\d{4}-/.test(ts) ? l.slice(sp + 1) : l);
            t ??= setTimeout(() => {
              const b = batch;
              batch = [];
              t = undefined;
              setText((old) => [...old, ...b].slice(-5000));
            }, 50);
          }
          setState("ended");
          return;
        } catch (err) {
          if (abort.signal.aborted) return;
          setState(`reconnecting (${(err as Error).message})`);
          await new Promise((r) => setTimeout(r, Math.min(5000, 500 * (attempt + 1))));
        }
      }
    })();
    return () => abort.abort();
  }, [p.ns, p.name, p.container, previous]);
  useEffect(() => {
    if (pre.current) pre.current.scrollTop = pre.current.scrollHeight;
  }, [text]);
  return (
    <div>
      <div class="table-tools">
        <label>
          <input type="checkbox" checked={previous} onChange={(e) => setPrevious((e.target as HTMLInputElement).checked)} /> previous container
        </label>
        <span class="muted" data-testid="log-state">
          {state}
        </span>
      </div>
      <pre class="logs" ref={pre} data-testid="logs">
        {text.join("\n")}
      </pre>
    </div>
  );
}
