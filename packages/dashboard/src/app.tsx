// The shell: sign-in, then a header (namespace filter, user, theme), navigation and the view the
// location hash names. Notices say what each action did or why the API refused it.
import { useEffect, useMemo, useState } from "preact/hooks";
import { Api } from "./lib/api.js";
import { RES, type Res } from "./lib/resources.js";
import { parseRoute } from "./lib/route.js";
import { AppCtx, useList, type Ctx } from "./views/hooks.js";
import { NodeDetail, Nodes } from "./views/nodes.js";
import { Config, Events, Network, Storage } from "./views/others.js";
import { Overview } from "./views/overview.js";
import { PodDetail } from "./views/pod.js";
import { Pods } from "./views/pods.js";
import { loadSession, loginFromFragment, saveSession, SignIn, type Session } from "./views/signin.js";
import { WorkloadDetail, Workloads } from "./views/workloads.js";
import { lazy } from "./views/lazy.js";

const YamlView = lazy(() => import("./views/yaml.js").then((m) => m.YamlView));
const CreateView = lazy(() => import("./views/yaml.js").then((m) => m.CreateView));

const nav: [string, string][] = [
  ["overview", "Overview"],
  ["nodes", "Nodes"],
  ["workloads", "Workloads"],
  ["pods", "Pods"],
  ["services", "Network"],
  ["config", "Config"],
  ["storage", "Storage"],
  ["events", "Events"],
  ["create", "Create"],
];
const workloadRes: Record<string, Res> = {
  deployments: RES.deployments,
  statefulsets: RES.statefulsets,
  daemonsets: RES.daemonsets,
  replicasets: RES.replicasets,
  jobs: RES.jobs,
  cronjobs: RES.cronjobs,
};

function useHash(): string {
  const [h, setH] = useState(location.hash);
  useEffect(() => {
    const on = () => setH(location.hash);
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);
  return h;
}

export function App() {
  const [session, setSession] = useState<Session | undefined>(loadSession);
  const [loginError, setLoginError] = useState("");
  const [pending, setPending] = useState(/login=/.test(location.hash));
  const [theme, setTheme] = useState(localStorage.getItem("skiff-theme") ?? (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light"));
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem("skiff-theme", theme);
  }, [theme]);
  useEffect(() => {
    if (!pending) return;
    loginFromFragment()
      .then(
        (s) => {
          if (s) {
            saveSession(s);
            setSession(s);
          }
        },
        (e: Error) => setLoginError(e.message),
      )
      .finally(() => setPending(false));
  }, []);
  if (pending)
    return (
      <main class="signin">
        <p>Signing in…</p>
      </main>
    );
  if (!session)
    return (
      <SignIn
        error={loginError}
        onSession={(s) => {
          saveSession(s);
          setSession(s);
          location.hash = "#/overview";
        }}
      />
    );
  return (
    <Signed
      session={session}
      theme={theme}
      setTheme={setTheme}
      signOut={() => {
        saveSession(undefined);
        setSession(undefined);
      }}
    />
  );
}

function Signed(p: { session: Session; theme: string; setTheme(t: string): void; signOut(): void }) {
  const api = useMemo(() => new Api(p.session.token), [p.session.token]);
  const [ns, setNs] = useState(localStorage.getItem("skiff-namespace") ?? "");
  const [notices, setNotices] = useState<{ id: number; kind: "ok" | "error"; text: string }[]>([]);
  const [menu, setMenu] = useState(false);
  const hash = useHash();
  const ctx: Ctx = useMemo(
    () => ({
      api,
      ns,
      user: p.session.user,
      notify: (kind, text) => {
        const id = Date.now() + Math.random();
        setNotices((n) => [...n.slice(-4), { id, kind, text }]);
        setTimeout(() => setNotices((n) => n.filter((x) => x.id !== id)), kind === "error" ? 12000 : 5000);
      },
    }),
    [api, ns, p.session.user],
  );
  const route = parseRoute(hash);
  const chooseNs = (v: string) => {
    setNs(v);
    localStorage.setItem("skiff-namespace", v);
  };
  return (
    <AppCtx.Provider value={ctx}>
      <header>
        <button type="button" class="menu" aria-label="menu" onClick={() => setMenu(!menu)}>
          ☰
        </button>
        <a class="brand" href="#/overview">
          Skiff
        </a>
        <NamespacePicker value={ns} onChange={chooseNs} />
        <span class="spacer" />
        <span class="user" data-testid="user">
          {p.session.user}
        </span>
        <button type="button" onClick={() => p.setTheme(p.theme === "dark" ? "light" : "dark")} aria-label="toggle theme">
          {p.theme === "dark" ? "☀" : "☾"}
        </button>
        <button type="button" onClick={p.signOut}>
          Sign out
        </button>
      </header>
      <div class="layout">
        <nav class={`side ${menu ? "open" : ""}`}>
          {nav.map(([v, t]) => (
            <a
              key={v}
              href={`#/${v}`}
              onClick={() => setMenu(false)}
              class={route.view === v || (v === "workloads" && route.view in workloadRes) ? "active" : ""}
            >
              {t}
            </a>
          ))}
        </nav>
        <main class="content">
          <View route={route} />
        </main>
      </div>
      <div class="notices" aria-live="polite">
        {notices.map((n) => (
          <div key={n.id} class={`notice ${n.kind}`} data-testid={`notice-${n.kind}`}>
            {n.text}
          </div>
        ))}
      </div>
    </AppCtx.Provider>
  );
}

function NamespacePicker(p: { value: string; onChange(v: string): void }) {
  const nss = useList(RES.namespaces, { ns: "" });
  return (
    <select value={p.value} onChange={(e) => p.onChange((e.target as HTMLSelectElement).value)} aria-label="namespace" data-testid="namespace">
      <option value="">all namespaces</option>
      {p.value && !nss.items.some((n) => n.metadata.name === p.value) && <option value={p.value}>{p.value}</option>}
      {nss.items.map((n) => (
        <option key={n.metadata.name} value={n.metadata.name}>
          {n.metadata.name}
        </option>
      ))}
    </select>
  );
}

function View(p: { route: ReturnType<typeof parseRoute> }) {
  const r = p.route;
  if (r.view === "pods" && r.ns && r.name) return <PodDetail key={`${r.ns}/${r.name}`} ns={r.ns} name={r.name} tab={r.tab} />;
  if (workloadRes[r.view] && r.ns && r.name) return <WorkloadDetail key={`${r.view}/${r.ns}/${r.name}`} res={workloadRes[r.view]} ns={r.ns} name={r.name} />;
  if (r.view === "nodes" && r.name) return <NodeDetail name={r.name} />;
  if (r.view === "yaml" && r.ns && r.name) {
    const [resource, name] = r.name.split("/");
    const res = (RES as Record<string, Res>)[resource];
    if (res && name) return <YamlView key={`${r.ns}/${r.name}`} res={res} ns={res.namespaced ? r.ns : undefined} name={name} />;
  }
  switch (r.view) {
    case "nodes":
      return <Nodes />;
    case "workloads":
      return <Workloads />;
    case "pods":
      return <Pods />;
    case "services":
      return <Network />;
    case "config":
      return <Config />;
    case "storage":
      return <Storage />;
    case "events":
      return <Events />;
    case "create":
      return <CreateView />;
    default:
      return <Overview />;
  }
}
