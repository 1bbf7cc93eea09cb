// Wires the apiserver: store → registry → gRPC service; returns a handle to stop it.
import { Server } from "@grpc/grpc-js";
import type { Logger } from "@skiff/log";
import { Store } from "./storage/store.js";
import { Registry } from "./registry/registry.js";
import { resourceService, resourceServiceDefinition } from "./grpc/service.js";
import type { ApiserverOptions } from "./options/options.js";
import { UnavailableError, type LimitRange, type Node, type ResourceQuota } from "@skiff/api";
import { LiveIndex } from "./registry/live-index.js";
import { TokenSubjects } from "./auth/serviceaccount/subjects.js";
import { GrpcNodeConnector } from "./nodes/grpc-connector.js";
import type { NodeConnector } from "./nodes/connector.js";
import { startRestServer, servingNames, type RunningRestServer } from "./rest/index.js";
import { compileFlowControlOptions } from "./rest/flowcontrol/flowcontrol.js";
import { ServiceAllocator } from "./allocation/allocator.js";
import { ensureSystemServices } from "./allocation/bootstrap.js";
import { setupTrust } from "./auth/trust.js";
import { rbacForCalls } from "./auth/authorizer.js";
import { encryptionAtRest } from "./storage/at-rest.js";
import { natsClientTls } from "./auth/nats-client.js";
import { startRepair } from "./allocation/repair.js";
import { ensureDefaultStorageClass } from "./admission/storage-class.js";
import { admissionChain } from "./admission/index.js";
import { ApiAuthorizer } from "./auth/authz/index.js";
import { RbacCache } from "./auth/authz/rbac/cache.js";
import { ensureBootstrapPolicy } from "./auth/authz/rbac/bootstrap.js";
import { TokenSigner } from "./auth/serviceaccount/jwt.js";
import { ServiceAccountTokens } from "./auth/serviceaccount/authenticator.js";
import { loadOrCreateSigningKey } from "./auth/serviceaccount/key.js";
import { publishRootCa } from "./auth/serviceaccount/root-ca.js";
import { parseTokenFile, StaticTokens } from "./rest/auth/authn.js";
import { readFileSync } from "node:fs";
import { grpcMetricsInterceptor, instrumentStore } from "./instrumentation/metrics.js";

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
  // The store's NATS client certificate, renewed (and re-issued after a CA change) in place.
  const natsTls = natsClientTls(opts.pkiDir, opts.certValidityMs, log.child({ component: "nats-tls" }));
  const store = instrumentStore(
    await Store.open({
      servers: opts.natsServers,
      bucket: opts.bucket,
      replicas: opts.replicas,
      log: log.child({ component: "store" }),
      // A watch resumes from the cache for as long as the stream itself keeps delete markers.
      cache: { windowMs: opts.compactAfterMs },
      transformer: encryptionAtRest(opts),
      tls: natsTls.tls,
    }),
  );
  const allocator = new ServiceAllocator(
    store,
    { serviceCidr: opts.serviceClusterIpRange, nodePortRange: opts.serviceNodePortRange, loadBalancerRange: opts.loadBalancerIpRange },
    log.child({ component: "allocator" }),
  );
  // Authorization reads roles and bindings from a cache the registry feeds; the admission chain
  // (built with the registry, which its plugins read) uses it to stop RBAC escalation.
  let rbacCache: RbacCache | undefined;
  let authz: ApiAuthorizer | undefined;
  let indexes: LiveIndex[] = [];
  const registry = new Registry(store, log.child({ component: "registry" }), {
    admission: (read) => {
      rbacCache = new RbacCache(read, log.child({ component: "rbac" }));
      // AlwaysAllow keeps RBAC objects and reviews but lets every authenticated request through.
      authz = opts.authorizationMode === "RBAC" ? new ApiAuthorizer(rbacCache) : undefined;
      const limitRanges = new LiveIndex<LimitRange>(read, "limitranges", log.child({ component: "admission" }));
      const quotas = new LiveIndex<ResourceQuota>(read, "resourcequotas", log.child({ component: "admission" }));
      indexes = [limitRanges, quotas];
      return admissionChain(read, { allocator, authz, limitRanges, quotas, log: log.child({ component: "admission" }) });
    },
  });
  await registry.ensureSystemNamespaces();
  await ensureBootstrapPolicy(registry, log.child({ component: "bootstrap" }));
  // ServiceAccount tokens are authenticated against live indexes of accounts and pods (no store read per request).
  const tokenSubjects = new TokenSubjects(registry, log.child({ component: "token-subjects" }));
  await Promise.all([rbacCache!.start(), ...indexes.map((i) => i.start()), tokenSubjects.start()]);
  const httpsHost = opts.httpsAddress.slice(0, opts.httpsAddress.lastIndexOf(":")).replace(/^\[|\]$/g, "");
  // In-cluster clients reach the API at the `kubernetes` Service's ClusterIP: it is in the serving certificate.
  const trust = await setupTrust(
    {
      pkiDir: opts.pkiDir,
      hosts: servingNames(httpsHost, [...opts.tlsSans, opts.grpcAddress.slice(0, opts.grpcAddress.lastIndexOf(":")), allocator.serviceIP(1)]),
      certValidityMs: opts.certValidityMs,
      nodeCertValidityMs: opts.nodeCertValidityMs,
      rbac: authz ? rbacForCalls(authz, registry.resources) : undefined,
    },
    registry,
    log.child({ component: "auth" }),
  );

  // The key ServiceAccount tokens are signed with, and the CA pods trust (published in every namespace).
  const tokens = new TokenSigner(await loadOrCreateSigningKey(registry, log.child({ component: "auth" })));
  const stopRootCa = publishRootCa(
    registry,
    () => trust.pki.bundle(),
    log.child({ component: "root-ca-publisher" }),
    (cb) => trust.pki.onCaChange(cb),
  );

  const nodeConnector =
    deps.connector ??
    new GrpcNodeConnector({
      getNode: async (n) => (await registry.get("nodes", undefined, n)) as Node,
      token: opts.nodeToken,
      credentials: trust.agentCredentials,
    });
  const server = new Server({ "grpc.max_receive_message_length": 16 * 1024 * 1024, interceptors: [grpcMetricsInterceptor(), ...trust.interceptors] });
  const watches = new Set<(err: Error) => void>();
  server.addService(
    resourceServiceDefinition,
    resourceService(registry, log.child({ component: "grpc" }), {
      watches,
      authorization: trust.authorization,
      bookmarkIntervalMs: opts.bookmarkIntervalMs,
      connector: nodeConnector,
      tokens,
      get caCert() {
        return trust.pki.bundle();
      },
    }),
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(opts.grpcAddress, trust.serverCredentials, (err, p) => (err ? reject(err) : resolve(p))),
  );
  const host = opts.grpcAddress.slice(0, opts.grpcAddress.lastIndexOf(":"));
  const grpcAddress = `${host}:${port}`;
  let rest: RunningRestServer | undefined;
  if (opts.httpsAddress) {
    rest = await startRestServer(
      { registry, log: log.child({ component: "rest" }), connector: nodeConnector, bookmarkIntervalMs: opts.bookmarkIntervalMs, authz, tokens },
      trust.restAuth,
      // In-cluster clients reach the API at the `kubernetes` Service's ClusterIP.
      {
        address: opts.httpsAddress,
        tlsSans: opts.tlsSans,
        flowControl: compileFlowControlOptions({
          maxRequestsInflight: opts.maxRequestsInflight,
          maxMutatingRequestsInflight: opts.maxMutatingRequestsInflight,
          requestTimeoutMs: opts.requestTimeoutMs,
        }),
        tokenCheckers: [
          ...(opts.tokenAuthFile ? [new StaticTokens(parseTokenFile(readFileSync(opts.tokenAuthFile, "utf8"), opts.tokenAuthFile))] : []),
          new ServiceAccountTokens(tokens, tokenSubjects.lookup),
        ],
      },
    );
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
      stopRootCa();
      rbacCache?.stop();
      tokenSubjects.stop();
      for (const i of indexes) i.stop();
      trust.stop();
      natsTls.stop();
      await rest?.stop();
      // Watches never finish by themselves: end them now (their clients resume on another
      // apiserver, as from a stopping kube-apiserver), and give unary calls up to 3 s to finish.
      for (const end of [...watches]) end(new UnavailableError("the apiserver is shutting down"));
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 3000);
        server.tryShutdown(() => {
          clearTimeout(t);
          resolve();
        });
      });
      await store.close();
    },
  };
}
