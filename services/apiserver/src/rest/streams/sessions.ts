// Runs exec/attach and port-forward sessions over an open WebSocket against a NodeConnector:
// stdin/stdout/stderr/resize on their channels, the exit status on the error channel.
import { finished } from "node:stream/promises";
import type { WebSocket } from "ws";
import type { Logger } from "@skiff/log";
import { BadRequestError, type Pod } from "@skiff/api";
import type { NodeConnector, ExecOptions, ExecSession } from "../../nodes/connector.js";
import { statusOf } from "../http/respond.js";
import { flag } from "../handlers/query.js";
import { chooseContainer } from "../../nodes/containers.js";
import { Channel, exitStatus, frame, parseResize, portPrefix, unframe } from "./channels.js";

function send(ws: WebSocket, data: Buffer): void {
  if (ws.readyState === ws.OPEN) ws.send(data, { binary: true });
}

/** Closes the socket after writing a Status on the error channel. */
function failOnErrorChannel(ws: WebSocket, err: unknown, log: Logger): void {
  send(ws, frame(Channel.error, JSON.stringify(statusOf(err, log))));
  ws.close(1000);
}

/**
 * Exec options from the query (repeated `command` parameters, stream flags); attach options
 * (pods/attach: the container's main process, no command) when `attach` is set.
 */
export function execOptionsFrom(pod: Pod, q: URLSearchParams, attach = false): ExecOptions {
  const command = attach ? [] : q.getAll("command");
  if (!attach && command.length === 0) throw new BadRequestError("you must specify at least 1 command");
  const o = {
    container: chooseContainer(pod, q.get("container")),
    command,
    stdin: flag(q, "stdin"),
    stdout: flag(q, "stdout"),
    stderr: flag(q, "stderr"),
    tty: flag(q, "tty"),
    attach,
  };
  if (!o.stdin && !o.stdout && !o.stderr) throw new BadRequestError("you must specify at least one of stdin, stdout, stderr");
  // With a tty, stderr is merged into stdout.
  if (o.tty) o.stderr = false;
  return o;
}

/**
 * Runs one exec (or attach) over a WebSocket speaking `protocol` (v4 or v5 channel protocol).
 * An attach ends with Success when the process exits or the client detaches, as the kubelet's.
 */
export async function runExec(
  ws: WebSocket,
  protocol: string,
  connector: NodeConnector,
  pod: Pod,
  q: URLSearchParams,
  log: Logger,
  attach = false,
): Promise<void> {
  // Listen before the exec starts: kubectl sends stdin (and its close) right after the upgrade,
  // and ws drops messages nobody listens for.
  const early: Buffer[] = [];
  let onMessage = (m: Buffer) => {
    early.push(m);
  };
  ws.on("message", (m: Buffer | ArrayBuffer) => onMessage(Buffer.isBuffer(m) ? m : Buffer.from(m as ArrayBuffer)));
  let closedEarly = false;
  ws.once("close", () => {
    closedEarly = true;
  });
  let session: ExecSession;
  let opts: ExecOptions;
  try {
    opts = execOptionsFrom(pod, q, attach);
    session = await connector.exec(pod, opts);
  } catch (err) {
    return failOnErrorChannel(ws, err, log);
  }
  const v5 = protocol === "v5.channel.k8s.io";
  onMessage = (m: Buffer) => {
    const f = unframe(m);
    if (!f) return;
    if (f.channel === Channel.stdin) session.stdin?.write(f.data);
    else if (f.channel === Channel.resize) {
      const size = parseResize(f.data);
      if (size) session.resize(size.cols, size.rows);
    } else if (v5 && f.channel === Channel.close && f.data[0] === Channel.stdin) session.stdin?.end();
  };
  for (const m of early.splice(0)) onMessage(m);
  if (closedEarly) session.close();
  ws.on("close", () => session.close());
  const outputs: Promise<unknown>[] = [];
  for (const [stream, ch] of [
    [session.stdout, Channel.stdout],
    [session.stderr, Channel.stderr],
  ] as const) {
    if (!stream) continue;
    stream.on("data", (d: Buffer) => send(ws, frame(ch, d)));
    outputs.push(finished(stream).catch(() => undefined));
  }
  try {
    const code = await session.exit;
    await Promise.all(outputs);
    send(ws, frame(Channel.error, JSON.stringify(exitStatus(opts.attach ? 0 : code, opts.command))));
    ws.close(1000);
  } catch (err) {
    failOnErrorChannel(ws, err, log);
  }
}

/** Forwards each `ports` query port over its channel pair (data 2i, error 2i+1). */
export async function runPortForward(ws: WebSocket, connector: NodeConnector, pod: Pod, q: URLSearchParams, log: Logger): Promise<void> {
  const ports = q
    .getAll("ports")
    .flatMap((p) => p.split(","))
    .map((p) => Number(p.trim()));
  if (ports.length === 0 || ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) {
    send(
      ws,
      frame(Channel.error, JSON.stringify(statusOf(new BadRequestError('query parameter "ports" must name one or more ports between 1 and 65535'), log))),
    );
    ws.close(1000);
    return;
  }
  const conns = new Map<number, NodeJS.ReadWriteStream>();
  ws.on("message", (m: Buffer) => {
    const f = unframe(Buffer.isBuffer(m) ? m : Buffer.from(m as ArrayBuffer));
    if (!f || f.channel % 2 !== 0) return;
    conns.get(f.channel / 2)?.write(f.data);
  });
  ws.on("close", () => {
    for (const c of conns.values()) (c as unknown as { destroy(): void }).destroy();
  });
  await Promise.all(
    ports.map(async (port, i) => {
      const data = 2 * i,
        errCh = 2 * i + 1;
      send(ws, frame(data, portPrefix(port)));
      send(ws, frame(errCh, portPrefix(port)));
      try {
        const conn = await connector.portForward(pod, port);
        conns.set(i, conn);
        conn.on("data", (d: Buffer) => send(ws, frame(data, d)));
        conn.on("error", (err: Error) => send(ws, frame(errCh, `error forwarding port ${port} to pod ${pod.metadata.name}: ${err.message}`)));
        conn.on("close", () => {
          conns.delete(i);
          if (conns.size === 0) ws.close(1000);
        });
      } catch (err) {
        send(ws, frame(errCh, `error forwarding port ${port} to pod ${pod.metadata.name}: ${(err as Error).message}`));
      }
    }),
  );
}
