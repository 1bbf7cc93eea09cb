// Wires the node's image handling from the agent's options: the Docker image runtime, the image
// manager (status.images + GC), the puller the pod manager uses, and the cluster-registry
// forwarder. server.ts calls startImages once.
import type { Server } from "node:net";
import type { Logger } from "@skiff/log";
import type { KObject, Secret } from "@skiff/api";
import type { EventRecorder } from "@skiff/client";
import type { NodeAgentOptions } from "../options/options.js";
import { DockerImages } from "./docker.js";
import { ImageManager, type ContainerImage } from "./manager.js";
import { ImagePuller } from "./puller.js";
import { forwardRegistry } from "./registry-forward.js";
import type { ImageRuntime } from "./runtime.js";

/** What the rest of the agent uses. */
export interface NodeImages {
  runtime: ImageRuntime;
  manager: ImageManager;
  /** status.images for the Node. */
  nodeImages: () => ContainerImage[];
  /** The image list changed (a pull or a load): re-read it. */
  changed: () => void;
  puller: (secret: (namespace: string, name: string) => Secret | undefined) => ImagePuller;
  stop: () => void;
}

export async function startImages(
  opts: NodeAgentOptions,
  recorder: EventRecorder,
  node: () => KObject | undefined,
  log: Logger,
  runtime: ImageRuntime = new DockerImages(opts.dockerSocket),
): Promise<NodeImages> {
  const manager = new ImageManager(
    { images: runtime, recorder, log: log.child({ component: "image-gc" }), node },
    {
      highThresholdPercent: opts.imageGcHighThresholdPercent,
      lowThresholdPercent: opts.imageGcLowThresholdPercent,
      minAgeMs: opts.imageGcMinAgeMs,
      periodMs: opts.imageGcPeriodMs,
      pinned: [opts.pauseImage],
    },
  );
  await manager.start();
  const changed = () => void manager.refresh().catch((err) => log.warn({ err }, "cannot list images"));
  let forwarder: Server | undefined;
  if (opts.localRegistry) {
    // Not fatal: pods that use other images still run; a pull from it then says the connection was refused.
    forwarder = await forwardRegistry(opts.localRegistry, opts.localRegistryPort, log.child({ component: "registry-forward" })).catch((err) => {
      log.error({ err, localRegistry: opts.localRegistry }, "cannot forward the cluster registry");
      return undefined;
    });
  }
  return {
    runtime,
    manager,
    changed,
    nodeImages: () => manager.nodeImages(),
    puller: (secret) =>
      new ImagePuller(
        { images: runtime, recorder, secret, log: log.child({ component: "puller" }), onPulled: changed },
        {
          nodeName: opts.nodeName,
          backoffBaseMs: opts.backoffBaseMs,
          backoffMaxMs: opts.backoffMaxMs,
        },
      ),
    stop: () => {
      manager.stop();
      forwarder?.close();
    },
  };
}
