// An object's YAML, editable: Apply sends it as a server-side apply (field manager
// skiff-dashboard); a conflict with another manager is shown as such, with the choice to force.
// Create takes pasted YAML (one or more documents) and applies each.
import { useEffect, useState } from "preact/hooks";
import { dump, loadAll } from "js-yaml";
import { ApiFailure } from "../lib/api.js";
import { apiPath, resOfKind, type Res } from "../lib/resources.js";
import type { KObj } from "../lib/types.js";
import { useApp } from "./hooks.js";

/** The YAML shown for editing: without managedFields (noise that apply would refuse). */
export function editableYaml(o: KObj): string {
  const { managedFields: _m, ...metadata } = o.metadata;
  return dump({ ...o, metadata }, { noRefs: true, lineWidth: 120 });
}

export function YamlView(p: { res: Res; ns?: string; name: string }) {
  const app = useApp();
  const path = apiPath(p.res, p.ns, p.name);
  const [text, setText] = useState("");
  const [err, setErr] = useState("");
  const [conflict, setConflict] = useState("");
  const load = () =>
    app.api.get<KObj>(path).then(
      (o) => {
        setText(editableYaml(o));
        setErr("");
      },
      (e: Error) => setErr(e.message),
    );
  useEffect(() => {
    void load();
  }, [path]);
  const apply = async (force: boolean) => {
    try {
      const o = await app.api.apply<KObj>(path, text, force);
      setConflict("");
      app.notify("ok", `applied ${p.res.kind} ${p.name} (resourceVersion ${o.metadata.resourceVersion})`);
      setText(editableYaml(o));
    } catch (e) {
      if (e instanceof ApiFailure && e.code === 409) {
        setConflict(e.message);
        app.notify("error", `conflict: ${e.message}`);
      } else app.notify("error", `apply refused: ${(e as Error).message}`);
    }
  };
  return (
    <section>
      <h1>
        {p.res.kind}{" "}
        <span data-testid="object-name">
          {p.ns ? `${p.ns}/` : ""}
          {p.name}
        </span>{" "}
        — YAML
      </h1>
      {err && <p class="bad">{err}</p>}
      <textarea
        class="yaml"
        spellcheck={false}
        value={text}
        onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
        data-testid="yaml"
        aria-label="YAML"
      />
      <div class="actions">
        <button type="button" onClick={() => void apply(false)} data-testid="apply">
          Apply
        </button>
        <button type="button" onClick={() => void load()}>
          Reload
        </button>
        {conflict && (
          <span class="bad" data-testid="conflict">
            Conflict: {conflict}{" "}
            <button type="button" onClick={() => void apply(true)}>
              Apply anyway (force)
            </button>
          </span>
        )}
      </div>
    </section>
  );
}

export function CreateView() {
  const app = useApp();
  const [text, setText] = useState("");
  const create = async () => {
    let docs: KObj[];
    try {
      docs = (loadAll(text) as KObj[]).filter(Boolean);
    } catch (e) {
      app.notify("error", `not YAML: ${(e as Error).message}`);
      return;
    }
    for (const d of docs) {
      const res = resOfKind(d.kind ?? "");
      if (!res || !d.metadata?.name) {
        app.notify(
          "error",
          `cannot create ${d.kind ?? "an object without kind"}: kind and metadata.name are required (and the kind must be one the dashboard knows)`,
        );
        continue;
      }
      const ns = res.namespaced ? d.metadata.namespace || app.ns || "default" : undefined;
      try {
        await app.api.post(apiPath(res, ns), { ...d, metadata: { ...d.metadata, ...(ns ? { namespace: ns } : {}) } });
        app.notify("ok", `created ${d.kind} ${d.metadata.name}`);
      } catch (e) {
        app.notify("error", `create ${d.kind} ${d.metadata.name} refused: ${(e as Error).message}`);
      }
    }
  };
  return (
    <section>
      <h1>Create from YAML</h1>
      <textarea
        class="yaml"
        spellcheck={false}
        value={text}
        onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
        placeholder="apiVersion: apps/v1&#10;kind: Deployment&#10;…"
        aria-label="YAML to create"
      />
      <div class="actions">
        <button type="button" onClick={() => void create()}>
          Create
        </button>
      </div>
    </section>
  );
}
