// Wires the apiserver: store → registry → gRPC service; returns a handle to stop it.
import { Server, ServerCredentials } from "@grpc/grpc-js";
import type { Logger } from "@skiff/log";
import { ResourceServiceService } from "@skiff/proto";
import { Store } from "./storage/store.js";
import { Registry } from "./registry/registry.js";
import { resourceService } from "./grpc/service.js";
import type { ApiserverOptions } from "./options/options.js";
import { ensureJoinToken, joinTokenAuthorizer } from "./auth/join-token.js";

export interface RunningApiserver {
  grpcAddress: string;
  registry: Registry;
  stop(): Promise<void>;
}

/** Starts the apiserver and resolves once it serves. */
export async function start(opts: ApiserverOptions, log: Logger): Promise<RunningApiserver> {
  const store = await Store.open({ servers: opts.natsServers, bucket: opts.bucket, replicas: opts.replicas, log: log.child({ component: "store" }) });
  const registry = new Registry(store, log.child({ component: "registry" }));
  await registry.ensureSystemNamespaces();
  const joinToken = opts.requireJoinToken ? await ensureJoinToken(registry, log.child({ component: "join-token" })) : undefined;

  const server = new Server({ "grpc.max_receive_message_length": 16 * 1024 * 1024 });
  server.addService(ResourceServiceService, resourceService(registry, log.child({ component: "grpc" }), { bookmarkIntervalMs: opts.bookmarkIntervalMs, authorize: joinToken ? joinTokenAuthorizer(() => joinToken) : undefined }));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(opts.grpcAddress, ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  const host = opts.grpcAddress.slice(0, opts.grpcAddress.lastIndexOf(":"));
  const grpcAddress = `${host}:${port}`;
  log.info({ grpcAddress }, "apiserver serving");

  let compactTimer: NodeJS.Timeout | undefined;
  if (opts.compactIntervalMs > 0) {
    compactTimer = setInterval(() => {
      store.compact(opts.compactAfterMs).catch((err) => log.warn({ err }, "compaction failed"));
    }, opts.compactIntervalMs);
    compactTimer.unref();
  }

  return {
    grpcAddress,
    registry,
    async stop() {
      if (compactTimer) clearInterval(compactTimer);
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => { server.forceShutdown(); resolve(); }, 3000);
        server.tryShutdown(() => { clearTimeout(t); resolve(); });
      });
      await store.close();
    },
  };
}
