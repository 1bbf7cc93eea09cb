// Wires the controller-manager: shared informers, NATS, and every registered controller.
import { connect } from "@nats-io/transport-node";
import type { Logger } from "@skiff/log";
import { hostname } from "node:os";
import { startMetricsListener, workQueueMetricsProvider } from "@skiff/metrics";
import {
  natsTls,
  setWorkQueueMetricsProvider,
  ApiClient,
  CONTROLLER_MANAGER_LEASE,
  EventRecorder,
  Informer,
  LeaderElector,
  runWithLeaderElection,
} from "@skiff/client";
import type { KObject } from "@skiff/api";
import type { ControllerContext, InformerFactory, Controller } from "./controller.js";
import { controllers } from "./controllers.js";
import type { ControllerManagerOptions } from "./options/options.js";

/** Lazily creates one informer per resource, started on first use. */
class SharedInformers implements InformerFactory {
  private readonly informers = new Map<string, Informer>();
  constructor(
    private readonly client: ApiClient,
    private readonly log: Logger,
  ) {}
  get<T extends KObject>(resource: string): Informer<T> {
    let inf = this.informers.get(resource);
    if (!inf) {
      inf = new Informer(this.client, resource, {}, this.log.child({ informer: resource }));
      this.informers.set(resource, inf);
      void inf.start();
    }
    return inf as unknown as Informer<T>;
  }
  stop(): void {
    for (const i of this.informers.values()) i.stop();
  }
}

/**
 * Starts the controller-manager: every controller at once without leader election; with it,
 * once this process holds the lease. `onLost` is called when a leader is deposed, after every
 * controller was stopped (main exits there, so nothing keeps acting).
 */
export async function start(opts: ControllerManagerOptions, log: Logger, onLost: () => void = () => undefined): Promise<() => Promise<void>> {
  const nc = await connect({
    servers: opts.natsServers,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    name: "skiff-controller-manager",
    tls: natsTls(opts.tlsDir),
  });
  const client = new ApiClient({ addresses: opts.apiservers, tls: { dir: opts.tlsDir } });
  setWorkQueueMetricsProvider(workQueueMetricsProvider);
  const metrics = await startMetricsListener(opts.metricsAddress, log);
  const informers = new SharedInformers(client, log);
  const ctx: ControllerContext = {
    client,
    informers,
    nc,
    recorder: new EventRecorder(client, "controller-manager", "controller-manager", log.child({ component: "events" })),
    opts,
    log,
  };
  const running: Controller[] = [];
  const startAll = async () => {
    for (const d of controllers) {
      if (!opts.controllers.includes("all") && !opts.controllers.includes(d.name)) continue;
      const c = d.create({ ...ctx, log: log.child({ controller: d.name }) });
      await c.start();
      running.push(c);
      log.info({ controller: d.name }, "controller started");
    }
  };
  const stopAll = () => {
    for (const c of running.splice(0)) c.stop();
  };
  let elector: LeaderElector | undefined;
  if (opts.leaderElect) {
    elector = new LeaderElector({
      nc,
      name: CONTROLLER_MANAGER_LEASE,
      identity: `${hostname()}_${process.pid}`,
      leaseMs: opts.leaseMs,
      renewMs: opts.renewMs,
      log: log.child({ component: "leader-election" }),
    });
    void runWithLeaderElection(elector, startAll, () => {
      stopAll();
      informers.stop();
      onLost();
    }).catch((err) => log.error({ err }, "leader election failed"));
  } else {
    await startAll();
  }
  return async () => {
    await elector?.stop();
    stopAll();
    informers.stop();
    await metrics?.close();
    client.close();
    await nc.drain().catch(() => undefined);
  };
}
