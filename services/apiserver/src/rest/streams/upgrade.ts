// WebSocket upgrades of pods/exec, pods/attach and pods/portforward: authenticate, find the
// pod, negotiate the subprotocol, then run the session; failures before the upgrade are
// written as plain HTTP responses with a Status body.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { BadRequestError, NotFoundError, UnavailableError, type Pod } from "@skiff/api";
import type { RestContext } from "../handlers/context.js";
import type { TokenAuthenticator } from "../auth/authn.js";
import { parseResourcePath } from "../http/route.js";
import { statusOf } from "../http/respond.js";
import { execProtocols, negotiate, portForwardProtocols } from "./channels.js";
import { runExec, runPortForward } from "./sessions.js";
import { noConnectorMessage } from "../subresources/index.js";

function protocolsFor(sub: string): string[] {
  return sub === "portforward" ? portForwardProtocols : execProtocols;
}

/** Builds the server's "upgrade" listener. */
export function upgradeHandler(ctx: RestContext, authn: TokenAuthenticator): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered, req) => negotiate(offered, protocolsFor(parseResourcePath(new URL(req.url ?? "/", "https://x").pathname)?.subresource ?? "")) ?? false,
  });
  const reject = (socket: Duplex, err: unknown) => {
    const st = statusOf(err, ctx.log);
    const body = JSON.stringify(st);
    socket.end(`HTTP/1.1 ${st.code ?? 500} ${st.reason || "Error"}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  };
  return (req, socket, head) => {
    socket.on("error", () => undefined);
    void (async () => {
      authn.authenticate(req);
      const url = new URL(req.url ?? "/", "https://x");
      const p = parseResourcePath(url.pathname);
      const sub = p?.subresource ?? "";
      if (!p || p.group !== "" || p.resource !== "pods" || !p.namespace || !p.name || !["exec", "attach", "portforward"].includes(sub)) throw new NotFoundError("resource", url.pathname);
      if ((req.headers.upgrade ?? "").toLowerCase() !== "websocket") throw new BadRequestError(`unsupported upgrade ${JSON.stringify(req.headers.upgrade)}: only WebSocket is served (SPDY is not)`);
      if (!ctx.connector) throw new UnavailableError(noConnectorMessage);
      const offered = (req.headers["sec-websocket-protocol"] ?? "").split(",");
      const protocol = negotiate(offered, protocolsFor(sub));
      if (!protocol) throw new BadRequestError(`no supported WebSocket subprotocol offered; supported: ${protocolsFor(sub).join(", ")}`);
      const pod = (await ctx.registry.get("pods", p.namespace, p.name)) as Pod;
      if (!pod.spec.nodeName) throw new BadRequestError(`pod ${p.name} does not have a host assigned`);
      const connector = ctx.connector;
      wss.handleUpgrade(req, socket, head, (ws) => {
        const log = ctx.log.child({ pod: `${p.namespace}/${p.name}`, subresource: sub });
        const run = sub === "portforward" ? runPortForward(ws, connector, pod, url.searchParams, log) : runExec(ws, protocol, connector, pod, url.searchParams, log);
        run.catch((err) => { log.warn({ err }, "stream failed"); ws.close(1011); });
      });
    })().catch((err) => reject(socket, err));
  };
}
