// A terminal into a container: xterm.js over the exec WebSocket (v5/v4.channel.k8s.io: one
// byte of channel, then data; 0 stdin, 1 stdout, 2 stderr, 3 status, 4 resize). The token rides
// in a subprotocol, since browsers cannot set Authorization on a WebSocket.
import { useEffect, useRef, useState } from "preact/hooks";
import { Terminal as Xterm } from "@xterm/xterm";
import { FitAddon } from "@xterm/addon-fit";
import "@xterm/xterm/css/xterm.css";
import { apiPath, RES } from "../lib/resources.js";
import { useApp } from "./hooks.js";

export function Terminal(p: { ns: string; name: string; container: string }) {
  const app = useApp();
  const el = useRef<HTMLDivElement>(null);
  const [state, setState] = useState("connecting…");
  const [session, setSession] = useState(0);
  useEffect(() => {
    setState("connecting…");
    const term = new Xterm({ convertEol: false, fontSize: 13, cursorBlink: true, theme: { background: "#111418" } });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(el.current!);
    fit.fit();
    const q = new URLSearchParams({ container: p.container, stdin: "true", stdout: "true", stderr: "true", tty: "true" });
    q.append("command", "sh");
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${apiPath(RES.pods, p.ns, p.name)}/exec?${q}`;
    const ws = new WebSocket(url, ["v5.channel.k8s.io", "v4.channel.k8s.io", app.api.wsTokenProtocol()]);
    ws.binaryType = "arraybuffer";
    const enc = new TextEncoder();
    const send = (ch: number, data: Uint8Array) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      const b = new Uint8Array(data.length + 1);
      b[0] = ch;
      b.set(data, 1);
      ws.send(b);
    };
    const resize = () => send(4, enc.encode(JSON.stringify({ Width: term.cols, Height: term.rows })));
    ws.onopen = () => {
      setState(`connected to ${p.container} (${ws.protocol})`);
      resize();
      term.focus();
    };
    ws.onmessage = (m) => {
      const b = new Uint8Array(m.data as ArrayBuffer);
      if (b.length === 0) return;
      if (b[0] === 1 || b[0] === 2) term.write(b.subarray(1));
      else if (b[0] === 3) {
        const st = JSON.parse(new TextDecoder().decode(b.subarray(1))) as { status?: string; message?: string };
        setState(st.status === "Success" ? "exited" : `ended: ${st.message ?? st.status}`);
      }
    };
    ws.onclose = (e) => setState((s) => (s.startsWith("connected") || s === "connecting…" ? `closed${e.reason ? `: ${e.reason}` : ""}` : s));
    ws.onerror = () => setState("could not connect (refused, or the pod has no shell)");
    const d = term.onData((s) => send(0, enc.encode(s)));
    const onResize = () => {
      fit.fit();
      resize();
    };
    window.addEventListener("resize", onResize);
    return () => {
      d.dispose();
      window.removeEventListener("resize", onResize);
      ws.close();
      term.dispose();
    };
  }, [p.ns, p.name, p.container, session]);
  return (
    <div>
      <div class="table-tools">
        <span class="muted" data-testid="terminal-state">
          {state}
        </span>
        {!state.startsWith("connect") && (
          <button type="button" onClick={() => setSession(session + 1)} data-testid="reconnect">
            New session
          </button>
        )}
      </div>
      <div class="terminal" ref={el} data-testid="terminal" />
    </div>
  );
}
