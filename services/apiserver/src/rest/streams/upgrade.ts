// Upgrades of pods/exec, pods/attach and pods/portforward: authenticate, find the pod, negotiate
// the protocol, then run the session. Served: WebSocket with the channel protocols (exec,
// port-forward), WebSocket tunnelling SPDY (kubectl's port-forward, "SPDY/3.1+portforward.k8s.io"),
// and a plain SPDY/3.1 upgrade for port-forward (kubectl's fallback). Failures before the upgrade
// are written as plain HTTP responses with a Status body. Exec also runs over plain SPDY/3.1 with
// v4.channel.k8s.io (kubectl before 1.30, or with KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false).
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { BadRequestError, NotFoundError, UnavailableError, type Pod } from "@skiff/api";
import type { Logger } from "@skiff/log";
import type { RestContext } from "../handlers/context.js";
import type { TokenAuthenticator } from "../auth/authn.js";
import { identify } from "../auth/gate.js";
import { resourceAttributes } from "../../auth/authz/request.js";
import { parseResourcePath } from "../http/route.js";
import { statusOf } from "../http/respond.js";
import { execProtocols, negotiate, portForwardProtocols, spdyTunnelPrefix } from "./channels.js";
import { execOptionsFrom, runExec, runPortForward } from "./sessions.js";
import { execSpdyProtocol, serveExecSpdy } from "./exec-spdy.js";
import { noConnectorMessage } from "../../nodes/containers.js";
import { SpdyConnection, type SpdyTransport } from "./spdy/connection.js";
import { servePortForwardSpdy } from "./portforward-spdy.js";

/** The stream protocol of port-forward over SPDY. */
const portForwardSpdyProtocol = "portforward.k8s.io";

function protocolsFor(sub: string): string[] {
  return sub === "portforward" ? portForwardProtocols : execProtocols;
}

/** Builds the server's "upgrade" listener. */
export function upgradeHandler(ctx: RestContext, authn: TokenAuthenticator): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered, req) =>
      negotiate(offered, protocolsFor(parseResourcePath(new URL(req.url ?? "/", "https://x").pathname)?.subresource ?? "")) ?? false,
  });
  // ws rejects subprotocols that are not RFC 7230 tokens, and "SPDY/3.1+portforward.k8s.io" has a
  // "/": such requests reach ws without the header, and the answer gets it back here.
  const tunnelled = new WeakMap<IncomingMessage, string>();
  wss.on("headers", (headers: string[], req: IncomingMessage) => {
    const protocol = tunnelled.get(req);
    if (protocol) headers.push(`Sec-WebSocket-Protocol: ${protocol}`);
  });
  const reject = (socket: Duplex, err: unknown) => {
    const st = statusOf(err, ctx.log);
    const body = JSON.stringify(st);
    socket.end(
      `HTTP/1.1 ${st.code ?? 500} ${st.reason || "Error"}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  };
  return (req, socket, head) => {
    socket.on("error", () => undefined);
    void (async () => {
      const user = await identify(authn, ctx.authz, req);
      const url = new URL(req.url ?? "/", "https://x");
      const p = parseResourcePath(url.pathname);
      const sub = p?.subresource ?? "";
      if (p?.group !== "" || p.resource !== "pods" || !p.namespace || !p.name || !["exec", "attach", "portforward"].includes(sub))
        throw new NotFoundError("resource", url.pathname);
      ctx.authz?.check(resourceAttributes(user, req.method ?? "GET", p, url.searchParams, true));
      const upgrade = (req.headers.upgrade ?? "").toLowerCase();
      const spdy = upgrade === "spdy/3.1";
      if (upgrade !== "websocket" && !spdy)
        throw new BadRequestError(`unsupported upgrade ${JSON.stringify(req.headers.upgrade)}: WebSocket and SPDY/3.1 are served`);
      if (!ctx.connector) throw new UnavailableError(noConnectorMessage);
      const spdyProtocol = sub === "portforward" ? portForwardSpdyProtocol : execSpdyProtocol;
      if (spdy) {
        const offered = String(req.headers["x-stream-protocol-version"] ?? "")
          .split(",")
          .map((s) => s.trim());
        if (!offered.includes(spdyProtocol))
          throw new BadRequestError(`no supported stream protocol offered (X-Stream-Protocol-Version); supported: ${spdyProtocol}`);
      } else {
        const offered = (req.headers["sec-websocket-protocol"] ?? "").split(",");
        const protocol = negotiate(offered, protocolsFor(sub));
        if (protocol?.startsWith(spdyTunnelPrefix)) {
          tunnelled.set(req, protocol);
          delete req.headers["sec-websocket-protocol"];
        }
        if (!protocol) throw new BadRequestError(`no supported WebSocket subprotocol offered; supported: ${protocolsFor(sub).join(", ")}`);
      }
      const pod = (await ctx.registry.get("pods", p.namespace, p.name)) as Pod;
      if (!pod.spec.nodeName) throw new BadRequestError(`pod ${p.name} does not have a host assigned`);
      const connector = ctx.connector;
      const log = ctx.log.child({ pod: `${p.namespace}/${p.name}`, subresource: sub });
      if (spdy) {
        // Exec options are checked before the upgrade, so mistakes come back as plain HTTP errors.
        const execOpts = sub === "portforward" ? undefined : execOptionsFrom(pod, url.searchParams, sub === "attach");
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${spdyProtocol}\r\n\r\n`);
        const conn = spdyOverSocket(socket, head, log);
        if (execOpts) serveExecSpdy(conn, connector, pod, execOpts, log);
        else servePortForwardSpdy(conn, connector, pod, log);
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        if (tunnelled.has(req)) {
          servePortForwardSpdy(spdyOverWebSocket(ws, log), connector, pod, log);
          return;
        }
        const run =
          sub === "portforward"
            ? runPortForward(ws, connector, pod, url.searchParams, log)
            : runExec(ws, ws.protocol, connector, pod, url.searchParams, log, sub === "attach");
        run.catch((err) => {
          log.warn({ err }, "stream failed");
          ws.close(1011);
        });
      });
    })().catch((err) => reject(socket, err));
  };
}

/** A SPDY session on an upgraded socket. */
function spdyOverSocket(socket: Duplex, head: Buffer, log: Logger): SpdyConnection {
  const transport: SpdyTransport = {
    write: (b) => {
      if (!socket.destroyed) socket.write(b);
    },
    close: () => socket.destroy(),
  };
  const conn = new SpdyConnection(transport, { log });
  socket.on("data", (b: Buffer) => conn.receive(b));
  socket.on("close", () => conn.transportClosed());
  socket.on("end", () => conn.close());
  if (head.length) conn.receive(head);
  return conn;
}

/** A SPDY session whose bytes travel as binary WebSocket messages (kubectl's tunnelling dialer). */
function spdyOverWebSocket(ws: WebSocket, log: Logger): SpdyConnection {
  const transport: SpdyTransport = {
    write: (b) => {
      if (ws.readyState === ws.OPEN) ws.send(b, { binary: true });
    },
    close: () => ws.close(1000),
  };
  const conn = new SpdyConnection(transport, { log });
  ws.on("message", (m: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
    if (!isBinary) return conn.close();
    conn.receive(Buffer.isBuffer(m) ? m : Array.isArray(m) ? Buffer.concat(m) : Buffer.from(m));
  });
  ws.on("close", () => conn.transportClosed());
  return conn;
}
