// The cluster registry under one name everywhere: the agent listens on 127.0.0.1:<port> of its
// machine (--local-registry-port) and pipes each connection to the registry (--local-registry
// host:port). The node's
// engine treats localhost registries as insecure (plain HTTP) by default, so a pod's image
// `localhost:5001/app:1` is pulled from the same registry the host pushed it to.
import { createServer, connect, type Server } from "node:net";
import type { Logger } from "@skiff/log";

/** Starts the forwarder; resolves once it listens. */
export async function forwardRegistry(target: string, listenPort: number, log: Logger): Promise<Server> {
  const i = target.lastIndexOf(":");
  const host = target.slice(0, i);
  const port = Number(target.slice(i + 1));
  const server = createServer((client) => {
    const upstream = connect({ host, port });
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on("error", (err) => {
      log.debug({ err, target }, "registry connection failed");
      close();
    });
    client.on("error", close);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listenPort, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  log.info({ listen: `127.0.0.1:${listenPort}`, target }, "forwarding the cluster registry");
  return server;
}
