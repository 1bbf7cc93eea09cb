// Shared state of the views: the signed-in API, the namespace filter, notices of what an
// action did (or why it was refused), and live lists as hooks.
import { createContext } from "preact";
import { useContext, useEffect, useState } from "preact/hooks";
import type { Api } from "../lib/api.js";
import { apiPath, type Res } from "../lib/resources.js";
import type { KObj } from "../lib/types.js";
import { ListWatch } from "../lib/watch.js";

export interface Ctx {
  api: Api;
  /** "" = all namespaces. */
  ns: string;
  user: string;
  notify(kind: "ok" | "error", text: string): void;
}

export const AppCtx = createContext<Ctx>(undefined as unknown as Ctx);
export const useApp = () => useContext(AppCtx);

/** A live list of a resource (in the selected namespace unless `ns` is given). */
export function useList(
  res: Res,
  opts: { ns?: string; query?: Record<string, string>; skip?: boolean } = {},
): { items: KObj[]; error?: string; synced: boolean } {
  const app = useApp();
  const ns = opts.ns ?? app.ns;
  const [state, setState] = useState<{ items: KObj[]; error?: string; synced: boolean }>({ items: [], synced: false });
  const q = JSON.stringify(opts.query ?? {});
  useEffect(() => {
    if (opts.skip) return;
    setState({ items: [], synced: false });
    const lw = new ListWatch({
      fetch: app.api.fetch,
      path: apiPath(res, ns),
      query: opts.query,
      coalesceMs: 40,
      onChange: (items) => setState({ items, synced: true }),
      onError: (err) => setState((s) => ({ ...s, error: err?.message })),
    }).start();
    return () => lw.stop();
  }, [app.api, res.resource, ns, q, opts.skip]);
  return state;
}

/** Runs an action and says what it did ("scaled …") or why the API refused it ("cannot scale …: <the API's message>"). */
export async function act(app: Ctx, what: { did: string; doing: string }, f: () => Promise<unknown>): Promise<boolean> {
  try {
    await f();
    app.notify("ok", what.did);
    return true;
  } catch (err) {
    app.notify("error", `cannot ${what.doing} — refused: ${(err as Error).message}`);
    return false;
  }
}

/** Re-renders every few seconds so ages stay current. */
export function useTick(ms = 5000): number {
  const [t, setT] = useState(Date.now());
  useEffect(() => {
    const i = setInterval(() => setT(Date.now()), ms);
    return () => clearInterval(i);
  }, [ms]);
  return t;
}
