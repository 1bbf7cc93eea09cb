// Wires the scheduler process: apiserver client → Scheduler, run while this process holds the
// leader lease (NATS KV) when leader election is on; returns a function that stops it.
import { hostname } from "node:os";
import type { Logger } from "@skiff/log";
import { ApiClient, LeaderElector, connectNats, runWithLeaderElection } from "@skiff/client";
import { Scheduler } from "./scheduler.js";
import { startMetricsListener } from "@skiff/metrics";
import type { SchedulerOptions } from "./options/options.js";

/**
 * Starts the scheduler. Without leader election it resolves once it schedules; with it, it
 * resolves once campaigning and schedules from when the lease is won. `onLost` is called when
 * a leader is deposed (main exits there, so that nothing keeps acting).
 */
export async function start(opts: SchedulerOptions, log: Logger, onLost: () => void = () => undefined): Promise<() => Promise<void>> {
  const client = new ApiClient({ addresses: opts.apiservers, tls: { dir: opts.tlsDir } });
  // Standbys serve /metrics too (their process figures; attempts stay at zero until they lead).
  const metrics = await startMetricsListener(opts.metricsAddress, log);
  const scheduler = new Scheduler({
    client,
    schedulerName: opts.schedulerName,
    retryIntervalMs: opts.retryIntervalMs,
    log: log.child({ component: "scheduler" }),
  });
  if (!opts.leaderElect) {
    try {
      await scheduler.start();
    } catch (err) {
      await metrics?.close();
      client.close();
      throw err;
    }
    log.info({ apiservers: opts.apiservers, schedulerName: opts.schedulerName }, "scheduler running");
    return async () => {
      await scheduler.stop();
      await metrics?.close();
      client.close();
    };
  }
  const nc = await connectNats(opts.natsServers, "skiff-scheduler", opts.tlsDir);
  const elector = new LeaderElector({
    nc,
    name: opts.schedulerName,
    identity: `${hostname()}_${process.pid}`,
    leaseMs: opts.leaseMs,
    renewMs: opts.renewMs,
    log: log.child({ component: "leader-election" }),
  });
  let leading = false;
  const done = runWithLeaderElection(
    elector,
    async () => {
      leading = true;
      await scheduler.start();
      log.info({ apiservers: opts.apiservers, schedulerName: opts.schedulerName }, "scheduler running (leader)");
    },
    () => {
      // A deposed leader stops scheduling at once; main then exits so it comes back as a standby.
      void scheduler.stop();
      onLost();
    },
  ).catch((err) => log.error({ err }, "leader election failed"));
  log.info({ lease: opts.schedulerName }, "campaigning for the scheduler lease");
  return async () => {
    await elector.stop();
    if (leading) await scheduler.stop();
    await done;
    await metrics?.close();
    client.close();
    await nc.drain().catch(() => undefined);
  };
}
