// Port-forward over SPDY (portforward.k8s.io), as kubectl speaks it directly or tunnelled in
// WebSocket: per local connection the client opens an "error" stream and then a "data" stream,
// both with headers `port` and `requestID`. We accept each stream at once, and once a pair is
// complete connect it to the pod's port through the node connector. Bytes flow on the data
// stream; a failure is written as text on the error stream; both close when the pod side ends.
import type { Duplex } from "node:stream";
import type { Logger } from "@skiff/log";
import type { Pod } from "@skiff/api";
import type { NodeConnector } from "../../nodes/connector.js";
import type { SpdyConnection, SpdyStream } from "./spdy/connection.js";
import { RstStatus } from "./spdy/frames.js";

/** How long half of a pair may wait for the other half (the kubelet's stream creation timeout). */
const PAIR_TIMEOUT_MS = 30_000;

interface Pair {
  port: number;
  data?: SpdyStream;
  error?: SpdyStream;
  timer: NodeJS.Timeout;
}

/** Serves port-forward pairs on a SPDY session until it closes. */
export function servePortForwardSpdy(conn: SpdyConnection, connector: NodeConnector, pod: Pod, log: Logger): void {
  const pairs = new Map<string, Pair>();
  const name = pod.metadata.name;

  conn.on("stream", (s: SpdyStream) => {
    const type = s.header("streamType");
    const portText = s.header("port") ?? "";
    const requestID = s.header("requestID") ?? "";
    const port = Number(portText);
    s.on("error", () => undefined);
    if ((type !== "data" && type !== "error") || !/^\d+$/.test(portText) || port < 1 || port > 65535) {
      // The kubelet refuses such a stream the same way: a reply that closes it, then a reset.
      log.debug({ type, port: portText }, "refusing a port-forward stream with bad headers");
      s.reply({}, true);
      s.reset(RstStatus.protocolError);
      return;
    }
    s.reply();
    let pair = pairs.get(requestID);
    if (!pair) {
      const timer = setTimeout(() => {
        pairs.delete(requestID);
        const p = pair!;
        p.error?.end(`timed out waiting for the ${p.data ? "error" : "data"} stream of request ${requestID}`);
        p.data?.end();
      }, PAIR_TIMEOUT_MS);
      timer.unref();
      pair = { port, timer };
      pairs.set(requestID, pair);
    }
    if (pair[type]) {
      s.reset(RstStatus.protocolError);
      return;
    }
    pair[type] = s;
    if (pair.data && pair.error) {
      clearTimeout(pair.timer);
      pairs.delete(requestID);
      void forward(pair.data, pair.error, port);
    }
  });
  conn.on("close", () => {
    for (const p of pairs.values()) clearTimeout(p.timer);
    pairs.clear();
  });

  async function forward(data: SpdyStream, error: SpdyStream, port: number): Promise<void> {
    // kubectl half-closes the error stream at once; only we write on it.
    error.resume();
    // Agents already word their failures this way; others get the kubelet's prefix.
    const message = (err: Error) =>
      err.message.startsWith("error forwarding port") ? err.message : `error forwarding port ${port} to pod ${name}: ${err.message}`;
    let target: Duplex;
    try {
      target = await connector.portForward(pod, port);
    } catch (err) {
      error.end(message(err as Error));
      data.end();
      return;
    }
    let failed = false;
    target.on("error", (err: Error) => {
      if (failed) return;
      failed = true;
      if (!error.writableEnded) error.end(message(err));
      if (!data.writableEnded) data.end();
    });
    data.on("close", () => target.destroy());
    data.pipe(target);
    target.pipe(data);
    // The client waits for the error stream to end before it lets the connection go.
    data.on("finish", () => {
      if (!error.writableEnded) error.end();
    });
  }
}
