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
      if (C) return;
      // A chunk fetch that the network broke (Chromium aborts requests when an interface changes) is tried again.
      const attempt = (n: number) =>
        load().then(
          (c) => {
            loaded = c;
            setC(() => c);
          },
          (e: Error) => (n < 4 ? setTimeout(() => attempt(n + 1), 500 * n) : setErr(e.message)),
        );
      attempt(1);
    }, []);
    if (err) return <p class="bad">could not load: {err}</p>;
    return C ? <C {...props} /> : <p class="muted">loading…</p>;
  };
}
