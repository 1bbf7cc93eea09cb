// Hollow nodes: many node agents in one process for scale tests, as Kubernetes' kubemark runs the
// real kubelet on a fake runtime. Each node registers through the real NodeRegistrar (capacity
// from a FakeRuntime, heartbeats over NATS, status checks) and runs its pods through the real
// PodManager (pod workers, sandbox and containers, status manager, termination) on its own
// FakeRuntime; one pod informer for the fleet is split by node (node-pods.ts).
import { accessSync, constants, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import type { Logger } from "@skiff/log";
import { natsTls, ApiClient, EventRecorder, Informer } from "@skiff/client";
import type { KObject, Pod } from "@skiff/api";
import type { PodSource } from "../pods/manager.js";
import { FakeRuntime } from "../runtime/fake.js";
import { FakeImages } from "../images/fake.js";
import { ImagePuller } from "../images/puller.js";
import { NodeRegistrar } from "../node/node.js";
import { PodManager } from "../pods/manager.js";
import { VolumeManager, type VolumeSources } from "../volumes/volumes.js";
import { VERSION } from "../server.js";
import { splitByNode } from "./node-pods.js";
import type { HollowOptions } from "./options.js";

export { compileHollowOptions, type HollowOptions } from "./options.js";

/** A running fleet. */
export interface HollowFleet {
  nodes: string[];
  stop(): Promise<void>;
}

/** An EventRecorder that drops everything (hollow nodes without --events). */
class DroppedEvents extends EventRecorder {
  override record(_obj: KObject): void {}
}

/** What one hollow node's pod manager runs on. */
export interface HollowNode {
  client: ApiClient;
  nodeName: string;
  hostIP: string;
  runtime: FakeRuntime;
  pods: PodSource;
  /** Parent of the node's pod directories. */
  rootDir: string;
  opts: Pick<HollowOptions, "cpus" | "memoryGiB" | "workers" | "events" | "resyncMs">;
}

const images = new FakeImages();

/** The real node agent's PodManager for one hollow node: fake runtime and images, no volume sources. */
export function hollowPodManager(n: HollowNode, log: Logger): PodManager {
  const { client, nodeName, opts } = n;
  const plog = log.child({ node: nodeName, component: "pods" });
  const recorder = opts.events ? new EventRecorder(client, "kubelet", nodeName, plog) : new DroppedEvents(client, "kubelet", nodeName, plog);
  const sources: VolumeSources = {
    // Every pod mounts its ServiceAccount's kube-api-access volume (admission adds it): a stand-in
    // token and root CA, since nothing runs in a hollow pod to use them.
    configMap: (ns, name) =>
      name === "kube-root-ca.crt" ? { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: ns }, data: { "ca.crt": "" } } : undefined,
    secret: () => undefined,
    claim: () => undefined,
    volume: () => undefined,
    token: async () => ({ token: "hollow", caCert: "" }),
    allocatable: { cpu: String(opts.cpus), memory: `${opts.memoryGiB}Gi` },
  };
  return new PodManager(
    {
      client,
      runtime: n.runtime,
      pods: n.pods,
      recorder,
      log: plog,
      sources,
      volumes: new VolumeManager(join(n.rootDir, nodeName), sources, plog),
      images: new ImagePuller({ images, recorder, secret: () => undefined, log: plog }, { nodeName, backoffBaseMs: 10_000, backoffMaxMs: 300_000 }),
    },
    {
      nodeName,
      clusterName: "hollow",
      hostIP: n.hostIP,
      pauseImage: "skiff/pause:3.9",
      network: () => "hollow",
      backoffBaseMs: 10_000,
      backoffMaxMs: 300_000,
      backoffResetMs: 600_000,
      resyncMs: opts.resyncMs,
      workers: opts.workers,
    },
  );
}

/** Registers `count` hollow nodes (a few at a time) and runs their pods through the real pod manager. */
export async function startHollowNodes(opts: HollowOptions, log: Logger): Promise<HollowFleet> {
  const nc = await connect({
    servers: opts.natsServers,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    name: "skiff-hollow-nodes",
    tls: natsTls(opts.tlsDir),
  });
  const client = new ApiClient({ addresses: opts.apiservers, timeoutMs: 30_000, tls: { dir: opts.tlsDir } });
  // Pod directories (termination logs, projected volumes) of every node, removed when the fleet stops.
  const rootDir = await mkdtemp(join(scratchBase(), "skiff-hollow-"));
  const registrars: NodeRegistrar[] = [];
  const names = Array.from({ length: opts.count }, (_, i) => `${opts.prefix}${i}`);
  const nodeIP = (i: number) => `127.254.${(i >> 8) & 255}.${i & 255}`;
  const runtimes = new Map(names.map((n) => [n, new FakeRuntime({ cpus: opts.cpus, memoryBytes: opts.memoryGiB * 1024 ** 3, ipPrefix: "127.255" })]));
  for (let i = 0; i < names.length; i += 20) {
    await Promise.all(
      names.slice(i, i + 20).map(async (name, j) => {
        const registrar = new NodeRegistrar(
          client,
          runtimes.get(name)!,
          nc,
          {
            nodeName: name,
            nodeIP: nodeIP(i + j),
            labels: { "skiff.io/hollow": "true" },
            reservedCpu: "100m",
            reservedMemory: "256Mi",
            maxPods: opts.maxPods,
            heartbeatMs: opts.heartbeatMs,
            statusMs: opts.statusMs,
            version: VERSION,
          },
          log.child({ node: name }),
        );
        await registrar.start();
        registrars.push(registrar);
      }),
    );
  }
  log.info({ nodes: names.length }, "hollow nodes registered");

  const pods = new Informer<Pod>(client, "pods", {}, log.child({ component: "pod-informer" }));
  const views = splitByNode(pods, names);
  const managers = names.map((name, i) =>
    hollowPodManager({ client, nodeName: name, hostIP: nodeIP(i), runtime: runtimes.get(name)!, pods: views.get(name)!, rootDir, opts }, log),
  );
  void pods.start();
  await Promise.all(managers.map((m) => m.start()));
  log.info({ nodes: names.length }, "hollow nodes running pods");

  return {
    nodes: names,
    async stop() {
      for (const m of managers) m.stop();
      pods.stop();
      for (const r of registrars) r.stop();
      client.close();
      await nc.drain().catch(() => undefined);
      await rm(rootDir, { recursive: true, force: true });
    },
  };
}

/**
 * Where the fleet's pod directories go: a memory filesystem when the machine has one (/dev/shm),
 * else the temporary directory. The agent code writes every pod's projected service-account
 * volume there (a dozen directory entries). The kubelet keeps such volumes on tmpfs. On this
 * project's ext4 test machine (mounted with `discard`) the same writes took 1.5 ms of kernel CPU
 * per pod against 0.06 ms on tmpfs, a quarter of the fleet's CPU in bench:scheduler's burst: load
 * that real nodes spread over their own disks, not the scheduler's work.
 */
function scratchBase(): string {
  try {
    if (statSync("/dev/shm").isDirectory()) {
      accessSync("/dev/shm", constants.W_OK);
      return "/dev/shm";
    }
  } catch {
    // no memory filesystem here
  }
  return tmpdir();
}
