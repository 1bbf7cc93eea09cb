// Loads a heavy view (the terminal, charts, the YAML editor) on first use, so the first paint
// downloads only the core bundle.
import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";

/** A component whose code is fetched when it first renders. */
export function lazy<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | undefined;
  return function Lazy(props: P) {
    const [C, setC] = useState<ComponentType<P> | undefined>(() => loaded);
    const [err, setErr] = useState("");
    useEffect(() => {
      if (!C) load().then((c) => { loaded = c; setC(() => c); }, (e: Error) => setErr(e.message));
    }, []);
    if (err) return <p class="bad">could not load: {err}</p>;
    return C ? <C {...props} /> : <p class="muted">loading…</p>;
  };
}
