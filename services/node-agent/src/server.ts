// Wires the node agent: NATS (heartbeats), apiserver client, Docker runtime, Node registration,
// the pod network for the node's podCIDR, and the pod manager.
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { Server } from "@grpc/grpc-js";
import { nodev1 } from "@skiff/proto";
import type { Logger } from "@skiff/log";
import { natsTls, ApiClient, EventRecorder, Informer, mtlsServerCredentials } from "@skiff/client";
import type { ConfigMap, Node, PersistentVolume, PersistentVolumeClaim, Pod, Secret, StorageClass } from "@skiff/api";
import { ContainerLabels as L } from "@skiff/api";
import { LocalPathProvisioner } from "./volumes/provisioner.js";
import { EmptyDirMonitor } from "./eviction/emptydir.js";
import { TokenManager } from "./volumes/tokens.js";
import { VolumeManager, type VolumeSources } from "./volumes/volumes.js";
import { nodeService } from "./grpc/service.js";
import { VolumeReclaimer } from "./volumes/reclaim.js";
import { DockerRuntime } from "./runtime/docker.js";
import type { Runtime } from "./runtime/runtime.js";
import { measure, parseEvictionHard } from "./node/conditions.js";
import { MemoryEvictor } from "./eviction/memory.js";
import { podStats } from "./stats/stats.js";
import { NodeRegistrar } from "./node/node.js";
import { PodManager } from "./pods/manager.js";
import { gatewayOf, podNetworkName } from "./network/network.js";
import type { NodeAgentOptions } from "./options/options.js";
import { ServiceNetwork } from "./network/service-network.js";
import { startImages } from "./images/wiring.js";
import { apiserversOnly, ensureNodeIdentity, ReferencedObjects, startCertificateRotation } from "./trust/index.js";
import { instrumentRuntime } from "./metrics/metrics.js";
import { withoutMirrorPods } from "./mirror/filter.js";
import { MirrorPods } from "./mirror/reconciler.js";

export const VERSION = "v1.32.0-skiff";

export interface RunningAgent {
  nodeName: string;
  /** host:port the NodeService listens on. */
  listenAddress: string;
  stop(): Promise<void>;
}

/** Starts the agent; resolves once the Node is registered and pods are being run. */
export async function start(
  opts: NodeAgentOptions,
  log: Logger,
  runtime: Runtime = new DockerRuntime(opts.dockerSocket, {
    podNetworkAttach: opts.podNetworkAttach,
    sandboxDir: join(opts.rootDir, "sandboxes"),
    log: log.child({ component: "runtime" }),
  }),
): Promise<RunningAgent> {
  runtime = instrumentRuntime(runtime);
  // The node's identity first: everything it says to the cluster is said with it.
  await ensureNodeIdentity(
    { tlsDir: opts.tlsDir, nodeName: opts.nodeName, token: opts.token, caCertHash: opts.caCertHash, servers: opts.bootstrapServers },
    log.child({ component: "bootstrap" }),
  );
  const stopRotation = startCertificateRotation(
    { tlsDir: opts.tlsDir, nodeName: opts.nodeName, servers: opts.bootstrapServers, checkMs: opts.certCheckMs },
    log.child({ component: "cert-rotation" }),
  );
  const tls = { dir: opts.tlsDir, refreshMs: Math.min(opts.certCheckMs, 30_000) };
  const nc = await connect({
    servers: opts.natsServers,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    name: `skiff-node-${opts.nodeName}`,
    tls: natsTls(opts.tlsDir),
  });
  const client = new ApiClient({ addresses: opts.apiservers, tls });
  const pods = new Informer<Pod>(client, "pods", { fieldSelector: `spec.nodeName=${opts.nodeName}` }, log.child({ component: "pod-informer" }));
  // The pods to run: mirror pods show the node's own processes and are kept by mirror/, not run.
  const runnable = withoutMirrorPods(pods);

  const recorder = new EventRecorder(client, "kubelet", opts.nodeName, log.child({ component: "events" }));
  // The GC's events name the Node; its first pass comes a period after the registration below.
  const images = await startImages(opts, recorder, () => registrar.current(), log.child({ component: "images" }));

  let serviceNetwork: ServiceNetwork | undefined;
  // The NodeService is bound first: its port goes into the Node's status.
  const grpcServer = new Server({
    "grpc.max_receive_message_length": 16 * 1024 * 1024,
    interceptors: [apiserversOnly(log.child({ component: "node-service" }))],
  });
  grpcServer.addService(
    nodev1.NodeServiceService,
    nodeService({
      runtime,
      pods,
      clusterName: opts.clusterName,
      nodeName: opts.nodeName,
      token: opts.nodeToken,
      log: log.child({ component: "node-service" }),
      images: images.runtime,
      onImagesLoaded: images.changed,
      runDir: opts.proxyMode === "spawn" ? opts.runDir : "",
      mirrorProcess: (pod) => {
        const c = serviceNetwork?.components().find((x) => `${x.name}-${opts.nodeName}` === pod.metadata.name);
        return c && { logFile: c.logFile, pid: serviceNetwork?.processState(c).pid };
      },
    }),
  );
  const listenPort = await new Promise<number>((resolve, reject) =>
    grpcServer.bindAsync(opts.listenAddress, mtlsServerCredentials(tls), (err, p) => (err ? reject(err) : resolve(p))),
  );
  const listenAddress = `${opts.listenAddress.slice(0, opts.listenAddress.lastIndexOf(":"))}:${listenPort}`;
  log.info({ listenAddress, tokenRequired: !!opts.nodeToken }, "node service listening");

  const registrar = new NodeRegistrar(
    client,
    runtime,
    nc,
    {
      nodeName: opts.nodeName,
      nodeIP: opts.nodeIP,
      labels: opts.nodeLabels,
      reservedCpu: opts.reservedCpu,
      reservedMemory: opts.reservedMemory,
      maxPods: opts.maxPods,
      heartbeatMs: opts.heartbeatMs,
      statusMs: opts.statusMs,
      version: VERSION,
      kubeletPort: listenPort,
      kubeletHost: opts.listenAddress.slice(0, opts.listenAddress.lastIndexOf(":")),
      images: images.nodeImages,
      conditionsMs: opts.nodeConditionsMs,
      evictionHard: parseEvictionHard(opts.evictionHard),
      rootDir: opts.rootDir,
    },
    log.child({ component: "node" }),
  );
  await registrar.start();

  // The pod network follows the podCIDR the controller-manager's node IPAM assigns.
  let network: string | undefined;
  const nodes = new Informer<Node>(client, "nodes", { fieldSelector: `metadata.name=${opts.nodeName}` }, log.child({ component: "node-informer" }));
  const ensureNetwork = async (n: Node) => {
    const cidr = n.spec?.podCIDR;
    if (!cidr || network) return;
    const name = podNetworkName(opts.clusterName, opts.nodeName);
    await runtime.ensureNetwork(name, cidr, gatewayOf(cidr), { "io.skiff.cluster": opts.clusterName, "io.skiff.node": opts.nodeName }, opts.podNetworkInternal);
    network = name;
    log.info({ network: name, podCIDR: cidr }, "pod network ready");
  };
  const onNode = (n: Node) => void ensureNetwork(n).catch((err) => log.error({ err }, "cannot create the pod network"));
  nodes.addHandlers({ onAdd: onNode, onUpdate: (_o, n) => onNode(n) });
  await nodes.start();

  serviceNetwork = new ServiceNetwork(client, opts, log.child({ component: "service-network" }), pods);
  await serviceNetwork.start();

  // Objects pods reference (env, volumes): watched one by one (the Node authorizer allows no more),
  // like the kubelet's per-object watches; a change re-syncs the pods of its namespace.
  let manager: PodManager | undefined;
  const byNs = (ns: string) => manager?.enqueueNamespace(ns);
  const configMaps = new ReferencedObjects<ConfigMap>(client, "configmaps", log.child({ component: "configmap-informer" }), byNs);
  const secrets = new ReferencedObjects<Secret>(client, "secrets", log.child({ component: "secret-informer" }), byNs);
  const claims = new ReferencedObjects<PersistentVolumeClaim>(client, "persistentvolumeclaims", log.child({ component: "pvc-informer" }), byNs);
  const pvs = new Informer<PersistentVolume>(client, "persistentvolumes", {}, log.child({ component: "pv-informer" }));
  const classes = new Informer<StorageClass>(client, "storageclasses", {}, log.child({ component: "storageclass-informer" }));
  await Promise.all([pvs.start(), classes.start()]);
  const tokens = new TokenManager((ns, sa, spec) => client.createToken(ns, sa, { spec }));
  const sources: VolumeSources = {
    configMap: (ns, n) => configMaps.get(ns, n),
    secret: (ns, n) => secrets.get(ns, n),
    claim: (ns, n) => claims.get(ns, n),
    volume: (n) => pvs.get(n),
    token: (pod, audience, seconds) => tokens.token(pod, audience, seconds),
    get allocatable() {
      const a = registrar.current()?.status?.allocatable;
      return { cpu: a?.cpu ?? "1", memory: a?.memory ?? "1Gi" };
    },
  };
  const provisioner = new LocalPathProvisioner(
    client,
    { storageClass: (n) => classes.get(n), volume: (n) => pvs.get(n) },
    recorder,
    opts.volumeDir,
    opts.nodeName,
    log.child({ component: "provisioner" }),
  );
  const volumes = new VolumeManager(opts.rootDir, sources, log.child({ component: "volumes" }), provisioner);
  manager = new PodManager(
    {
      client,
      runtime,
      pods: runnable,
      recorder,
      log: log.child({ component: "pods" }),
      volumes,
      sources,
      images: images.puller((ns, n) => secrets.get(ns, n)),
    },
    {
      nodeName: opts.nodeName,
      clusterName: opts.clusterName,
      hostIP: opts.nodeIP,
      pauseImage: opts.pauseImage,
      network: () => network,
      backoffBaseMs: opts.backoffBaseMs,
      backoffMaxMs: opts.backoffMaxMs,
      backoffResetMs: opts.backoffResetMs,
      resyncMs: opts.resyncMs,
      workers: opts.workers,
      logMaxSize: opts.containerLogMaxSize,
      serviceNetwork,
      allowedUnsafeSysctls: opts.allowedUnsafeSysctls,
    },
  );
  pvs.addHandlers({ onUpdate: () => manager?.enqueueAll() });
  const reclaimer = new VolumeReclaimer(client, pvs, opts.volumeDir, log.child({ component: "reclaimer" }), opts.nodeName);
  await reclaimer.start();
  void pods.start();
  await manager.start();
  const emptyDirs = new EmptyDirMonitor(
    {
      pods: () => runnable.list(),
      emptyDirPath: (uid, v) => volumes.emptyDirPath(uid, v),
      evict: (p, m) => manager.evict(p, m),
      log: log.child({ component: "eviction" }),
    },
    opts.volumeStatsMs,
  );
  emptyDirs.start();
  const containerLabels = (pod: Pod) => ({ [L.cluster]: opts.clusterName, [L.node]: opts.nodeName, [L.podUid]: pod.metadata.uid! });
  const memoryEvictor = new MemoryEvictor(
    {
      pods: () => runnable.list(),
      available: async () => (await measure(opts.rootDir)).memoryAvailableBytes,
      usage: async (pod) => (await podStats(runtime, containerLabels(pod))).map((c) => ({ name: c.name, bytes: Number(c.memoryWorkingSetBytes) })),
      evict: (p, m) => manager.evict(p, m),
      log: log.child({ component: "eviction" }),
    },
    parseEvictionHard(opts.evictionHard).memoryAvailableBytes,
    opts.evictionMonitoringMs,
  );
  memoryEvictor.start();
  // Mirror pods of the node's proxy, DNS and ingress controller (kube-system), as the kubelet's of its static pods.
  const net = serviceNetwork;
  const mirrors = opts.mirrorPods
    ? new MirrorPods(
        {
          client,
          pods,
          node: () => registrar.current(),
          components: () => net.components(),
          processState: (c) => net.processState(c),
          restart: (c) => net.ensureComponent(c.container),
          log: log.child({ component: "mirror-pods" }),
        },
        {
          nodeName: opts.nodeName,
          nodeIP: opts.nodeIP,
          version: VERSION,
          resyncMs: Math.min(opts.resyncMs, 10_000),
          restartBaseMs: opts.backoffBaseMs,
          restartMaxMs: opts.backoffMaxMs,
          recreateDelayMs: 1000,
        },
      )
    : undefined;
  mirrors?.start();
  log.info({ node: opts.nodeName }, "node agent running");

  return {
    nodeName: opts.nodeName,
    listenAddress,
    async stop() {
      // Pods keep running when the agent stops: a restarted agent adopts them.
      emptyDirs.stop();
      memoryEvictor.stop();
      mirrors?.stop();
      images.stop();
      manager.stop();
      reclaimer.stop();
      grpcServer.forceShutdown();
      for (const inf of [configMaps, secrets, claims, pvs, classes]) inf.stop();
      stopRotation();
      net.stop();
      pods.stop();
      nodes.stop();
      registrar.stop();
      client.close();
      await nc.drain().catch(() => undefined);
    },
  };
}
