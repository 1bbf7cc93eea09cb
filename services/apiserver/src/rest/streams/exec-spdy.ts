// Exec over SPDY with the v4.channel.k8s.io stream protocol (kubectl before 1.30, or with
// KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false): the client opens one stream per channel, named by
// its `streamType` header (error, stdin, stdout, stderr, resize); once all it asked for are open
// the command runs; stdout/stderr end first, then the exit Status is written on the error stream.
import { finished } from "node:stream/promises";
import type { Logger } from "@skiff/log";
import type { Pod } from "@skiff/api";
import type { ExecOptions, ExecSession, NodeConnector } from "../../nodes/connector.js";
import { statusOf } from "../http/respond.js";
import type { SpdyConnection, SpdyStream } from "./spdy/connection.js";
import { RstStatus } from "./spdy/frames.js";
import { exitStatus } from "./channels.js";

/** The remote-command protocol served over SPDY. */
export const execSpdyProtocol = "v4.channel.k8s.io";

/** How long the client has to open every stream it asked for (the kubelet's stream creation timeout). */
const STREAMS_TIMEOUT_MS = 30_000;

type StreamType = "error" | "stdin" | "stdout" | "stderr" | "resize";

/** Runs one exec on a SPDY session; `opts` were validated before the upgrade. */
export function serveExecSpdy(conn: SpdyConnection, connector: NodeConnector, pod: Pod, opts: ExecOptions, log: Logger): void {
  const wanted = new Set<StreamType>(["error"]);
  if (opts.stdin) wanted.add("stdin");
  if (opts.stdout || opts.tty) wanted.add("stdout");
  if (opts.stderr && !opts.tty) wanted.add("stderr");
  if (opts.tty) wanted.add("resize");
  const streams = new Map<StreamType, SpdyStream>();
  const timer = setTimeout(() => {
    log.info({ missing: [...wanted].filter((t) => !streams.has(t)) }, "exec streams not all opened in time");
    streams.get("error")?.end(`timed out waiting for the client to open its ${[...wanted].filter((t) => !streams.has(t)).join(", ")} stream(s)`);
    conn.goAway();
  }, STREAMS_TIMEOUT_MS);
  timer.unref();
  conn.on("close", () => clearTimeout(timer));

  conn.on("stream", (s: SpdyStream) => {
    s.on("error", () => undefined);
    const type = s.header("streamType") as StreamType | undefined;
    if (!type || !wanted.has(type) || streams.has(type)) {
      log.debug({ type }, "refusing an unexpected exec stream");
      s.reply({}, true);
      s.reset(RstStatus.protocolError);
      return;
    }
    s.reply();
    streams.set(type, s);
    if (streams.size === wanted.size) {
      clearTimeout(timer);
      void run().catch((err) => log.warn({ err }, "exec over SPDY failed"));
    }
  });

  async function run(): Promise<void> {
    const error = streams.get("error")!;
    error.resume();
    const outputs = [streams.get("stdout"), streams.get("stderr")].filter((s): s is SpdyStream => !!s);
    const endAll = (status: object) => {
      for (const o of outputs) if (!o.writableEnded) o.end();
      error.end(JSON.stringify(status));
      for (const s of streams.values()) if (!s.writableEnded) s.end();
      // The client hangs up once it has read the status; a client that does not is cut off.
      conn.goAway();
      setTimeout(() => conn.close(), 10_000).unref();
    };
    let session: ExecSession;
    try {
      session = await connector.exec(pod, opts);
    } catch (err) {
      return endAll(statusOf(err, log));
    }
    const stdin = streams.get("stdin");
    if (stdin && session.stdin) stdin.pipe(session.stdin);
    const resize = streams.get("resize");
    if (resize) readResizes(resize, (cols, rows) => session.resize(cols, rows));
    conn.on("close", () => session.close());
    const copies: Promise<unknown>[] = [];
    for (const [from, to] of [
      [session.stdout, streams.get("stdout")],
      [session.stderr, streams.get("stderr")],
    ] as const) {
      if (!to) continue;
      if (!from) {
        to.end();
        continue;
      }
      from.pipe(to);
      copies.push(finished(to, { readable: false }).catch(() => undefined));
    }
    try {
      const code = await session.exit;
      await Promise.all(copies);
      endAll(exitStatus(opts.attach ? 0 : code, opts.command));
    } catch (err) {
      endAll(statusOf(err, log));
    }
  }
}

/** Reads the resize stream: JSON objects like {"Width":80,"Height":24}, one after another. */
function readResizes(s: SpdyStream, onSize: (cols: number, rows: number) => void): void {
  let buf = "";
  s.setEncoding("utf8");
  s.on("data", (chunk: string) => {
    buf += chunk;
    // Objects are flat, so each one ends at its first "}".
    for (let end = buf.indexOf("}"); end >= 0; end = buf.indexOf("}")) {
      const text = buf.slice(0, end + 1);
      buf = buf.slice(end + 1);
      try {
        const o = JSON.parse(text.slice(text.indexOf("{"))) as { Width?: number; Height?: number };
        if (typeof o.Width === "number" && typeof o.Height === "number") onSize(o.Width, o.Height);
      } catch {
        // A malformed size is ignored, as the kubelet does.
      }
    }
  });
}
