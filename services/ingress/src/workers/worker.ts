// A worker process of the multi-process mode: serves HTTP and HTTPS on the listeners it shares
// with the other workers, from a configurator fed by replicas of the primary's informers. Status,
// Events and bootstrap stay with the primary; a worker only serves (and counts what it served).
import type { Logger } from "@skiff/log";
import type { EndpointSlice, Ingress, IngressClass, Secret, Service } from "@skiff/api";
import { Configurator } from "../config/configurator.js";
import { CertStore } from "../tls/certs.js";
import { Upstreams } from "../proxy/upstreams.js";
import { Metrics } from "../metrics/metrics.js";
import { IngressServer } from "../server/server.js";
import { AccessLog } from "../server/access-log.js";
import { serverOptions, type IngressOptions } from "../options/options.js";
import { Replica, type ToPrimary, type ToWorker, type Watched } from "./replica.js";

const send = (m: ToPrimary) => process.send?.(m);

/** Runs this process as a worker until the primary says stop (or goes away). */
export function runWorker(opts: IngressOptions, log: Logger): void {
  const replicas = {
    ingresses: new Replica<Ingress>(),
    classes: new Replica<IngressClass>(),
    services: new Replica<Service>(),
    slices: new Replica<EndpointSlice>(),
    secrets: new Replica<Secret>(),
  };
  const pools = new Upstreams();
  const metrics = new Metrics(false);
  const access = new AccessLog({ service: "ingress", component: "access", worker: process.pid });
  const flusher = setInterval(() => access.flush(), 1000);
  flusher.unref();
  let server: IngressServer | undefined;
  let config: Configurator | undefined;
  let stopping = false,
    started = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    config?.stop();
    await server?.stop();
    pools.close();
    access.flush();
    process.exit(0);
  };
  const starting = (err: Error) => {
    log.fatal({ err: err.message }, "ingress worker cannot listen");
    process.exit(1);
  };
  process.on("message", (m: ToWorker) => {
    switch (m.t) {
      case "cert": {
        if (server) return;
        const certs = new CertStore(m.cert);
        // Events and status are the primary's: a worker's problems are the same as its.
        config = new Configurator(replicas, certs, pools, metrics, { record: () => undefined }, { sync: () => undefined }, log.child({ component: "config" }));
        server = new IngressServer(() => config!.snapshot, certs, pools, metrics, serverOptions(opts, m.cert), access);
        const s = server;
        s.start().then(() => send({ t: "listening", http: s.httpPort, https: s.httpsPort }), starting);
        return;
      }
      case "put":
        return (replicas[m.r] as Replica<Watched>).put(m.o);
      case "del":
        return (replicas[m.r] as Replica<Watched>).del(m.o);
      case "synced":
        if (config && !started) config.start();
        started = true;
        return;
      case "metrics":
        void metrics.json().then((json) => send({ t: "metrics", id: m.id, json }));
        return;
      case "stop":
        void stop();
    }
  });
  // A signal to the whole process group (Ctrl-C): finish like on the primary's stop.
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
  send({ t: "ready" });
}
