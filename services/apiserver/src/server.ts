// Wires the apiserver: store → registry → gRPC service; returns a handle to stop it.
import { Server } from "@grpc/grpc-js";
import type { Logger } from "@skiff/log";
import { ResourceServiceService } from "@skiff/proto";
import { Store } from "./storage/store.js";
import { Registry } from "./registry/registry.js";
import { resourceService } from "./grpc/service.js";
import type { ApiserverOptions } from "./options/options.js";
import type { Node } from "@skiff/api";
import { GrpcNodeConnector } from "./nodes/grpc-connector.js";
import type { NodeConnector } from "./nodes/connector.js";
import { startRestServer, servingNames, type RunningRestServer } from "./rest/index.js";
import { ServiceAllocator } from "./allocation/allocator.js";
import { ensureSystemServices } from "./allocation/bootstrap.js";
import { setupTrust } from "./auth/trust.js";
import { encryptionAtRest } from "./storage/at-rest.js";
import { natsClientTls } from "./auth/nats-client.js";
import { startRepair } from "./allocation/repair.js";
import { defaultStorageClassHooks, ensureDefaultStorageClass } from "./admission/storage-class.js";

export interface RunningApiserver {
  grpcAddress: string;
  /** host:port of the HTTPS REST API ("" when disabled). */
  httpsAddress: string;
  registry: Registry;
  /** Logs, exec and port-forward into pods, through their node agents (for the REST layer). */
  nodeConnector: NodeConnector;
  stop(): Promise<void>;
}

/** Optional collaborators of the apiserver. */
export interface ApiserverDeps {
  /** Reaches node agents for logs/exec/port-forward (default: gRPC to the pod's node agent). */
  connector?: NodeConnector;
}

/** Starts the apiserver and resolves once it serves. */
export async function start(opts: ApiserverOptions, log: Logger, deps: ApiserverDeps = {}): Promise<RunningApiserver> {
  const store = await Store.open({ servers: opts.natsServers, bucket: opts.bucket, replicas: opts.replicas, log: log.child({ component: "store" }),
    // A watch resumes from the cache for as long as the stream itself keeps delete markers.
    cache: { windowMs: opts.compactAfterMs }, transformer: encryptionAtRest(opts), tls: natsClientTls(opts.pkiDir) });
  const registry = new Registry(store, log.child({ component: "registry" }));
  await registry.ensureSystemNamespaces();
  const allocator = new ServiceAllocator(store, { serviceCidr: opts.serviceClusterIpRange, nodePortRange: opts.serviceNodePortRange, loadBalancerRange: opts.loadBalancerIpRange }, log.child({ component: "allocator" }));
  registry.hooks.set("services", allocator.hooks());
  const httpsHost = opts.httpsAddress.slice(0, opts.httpsAddress.lastIndexOf(":")).replace(/^\[|\]$/g, "");
  const trust = await setupTrust({ pkiDir: opts.pkiDir, hosts: servingNames(httpsHost, [...opts.tlsSans, opts.grpcAddress.slice(0, opts.grpcAddress.lastIndexOf(":"))]), certValidityMs: opts.certValidityMs, nodeCertValidityMs: opts.nodeCertValidityMs }, registry, log.child({ component: "auth" }));
  registry.hooks.set("persistentvolumeclaims", defaultStorageClassHooks(registry));

  const nodeConnector = deps.connector ?? new GrpcNodeConnector({ getNode: async (n) => (await registry.get("nodes", undefined, n)) as Node, token: opts.nodeToken, credentials: trust.agentCredentials });
  const server = new Server({ "grpc.max_receive_message_length": 16 * 1024 * 1024, interceptors: trust.interceptors });
  server.addService(ResourceServiceService, resourceService(registry, log.child({ component: "grpc" }), { bookmarkIntervalMs: opts.bookmarkIntervalMs, connector: nodeConnector }));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(opts.grpcAddress, trust.serverCredentials, (err, p) => (err ? reject(err) : resolve(p))),
  );
  const host = opts.grpcAddress.slice(0, opts.grpcAddress.lastIndexOf(":"));
  const grpcAddress = `${host}:${port}`;
  let rest: RunningRestServer | undefined;
  if (opts.httpsAddress) {
    rest = await startRestServer({ registry, log: log.child({ component: "rest" }), connector: nodeConnector, bookmarkIntervalMs: opts.bookmarkIntervalMs }, trust.restAuth, { address: opts.httpsAddress, tlsSans: opts.tlsSans });
  }
  const httpsAddress = rest?.address ?? "";
  log.info({ grpcAddress, httpsAddress }, "apiserver serving");
  // The `kubernetes` service leads pods to the Kubernetes API: the HTTPS port when it is served.
  const advertiseIp = opts.advertiseAddress || (host === "0.0.0.0" || host === "[::]" ? "127.0.0.1" : host);
  const apiPort = rest ? Number(httpsAddress.slice(httpsAddress.lastIndexOf(":") + 1)) : port;
  await ensureSystemServices(registry, allocator, { ip: advertiseIp, port: apiPort }, log.child({ component: "bootstrap" }));
  const stopRepair = startRepair(registry, allocator, opts.allocatorRepairIntervalMs, log.child({ component: "allocator-repair" }));
  await ensureDefaultStorageClass(registry, log.child({ component: "bootstrap" }));

  let compactTimer: NodeJS.Timeout | undefined;
  if (opts.compactIntervalMs > 0) {
    compactTimer = setInterval(() => {
      store.compact(opts.compactAfterMs).catch((err) => log.warn({ err }, "compaction failed"));
    }, opts.compactIntervalMs);
    compactTimer.unref();
  }

  return {
    grpcAddress,
    httpsAddress,
    registry,
    nodeConnector,
    async stop() {
      (nodeConnector as Partial<GrpcNodeConnector>).close?.();
      if (compactTimer) clearInterval(compactTimer);
      stopRepair();
      trust.stop();
      await rest?.stop();
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => { server.forceShutdown(); resolve(); }, 3000);
        server.tryShutdown(() => { clearTimeout(t); resolve(); });
      });
      await store.close();
    },
  };
}
