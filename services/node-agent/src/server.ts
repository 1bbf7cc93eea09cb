// Wires the node agent: NATS (heartbeats), apiserver client, Docker runtime, Node registration,
// the pod network for the node's podCIDR, and the pod manager.
import { connect } from "@nats-io/transport-node";
import type { Logger } from "@skiff/log";
import { ApiClient, EventRecorder, Informer } from "@skiff/client";
import type { Node, Pod } from "@skiff/api";
import { DockerRuntime } from "./runtime/docker.js";
import type { Runtime } from "./runtime/runtime.js";
import { NodeRegistrar } from "./node/node.js";
import { PodManager } from "./pods/manager.js";
import { gatewayOf, podNetworkName } from "./network/network.js";
import type { NodeAgentOptions } from "./options/options.js";

export const VERSION = "v1.32.0-skiff";

export interface RunningAgent {
  nodeName: string;
  stop(): Promise<void>;
}

/** Starts the agent; resolves once the Node is registered and pods are being run. */
export async function start(opts: NodeAgentOptions, log: Logger, runtime: Runtime = new DockerRuntime(opts.dockerSocket)): Promise<RunningAgent> {
  const nc = await connect({ servers: opts.natsServers, maxReconnectAttempts: -1, reconnectTimeWait: 500, name: `skiff-node-${opts.nodeName}` });
  const client = new ApiClient({ addresses: opts.apiservers, token: opts.token });
  const registrar = new NodeRegistrar(client, runtime, nc, {
    nodeName: opts.nodeName, nodeIP: opts.nodeIP, labels: opts.nodeLabels, reservedCpu: opts.reservedCpu, reservedMemory: opts.reservedMemory,
    maxPods: opts.maxPods, heartbeatMs: opts.heartbeatMs, statusMs: opts.statusMs, version: VERSION,
  }, log.child({ component: "node" }));
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

  const pods = new Informer<Pod>(client, "pods", { fieldSelector: `spec.nodeName=${opts.nodeName}` }, log.child({ component: "pod-informer" }));
  const recorder = new EventRecorder(client, "kubelet", opts.nodeName, log.child({ component: "events" }));
  const manager = new PodManager({ client, runtime, pods, recorder, log: log.child({ component: "pods" }) }, {
    nodeName: opts.nodeName, clusterName: opts.clusterName, hostIP: opts.nodeIP, pauseImage: opts.pauseImage,
    network: () => network, backoffBaseMs: opts.backoffBaseMs, backoffMaxMs: opts.backoffMaxMs, backoffResetMs: opts.backoffResetMs,
    resyncMs: opts.resyncMs, workers: opts.workers,
  });
  void pods.start();
  await manager.start();
  log.info({ node: opts.nodeName }, "node agent running");

  return {
    nodeName: opts.nodeName,
    async stop() {
      // Pods keep running when the agent stops: a restarted agent adopts them.
      manager.stop();
      pods.stop();
      nodes.stop();
      registrar.stop();
      client.close();
      await nc.drain().catch(() => undefined);
    },
  };
}
