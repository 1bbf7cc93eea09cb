// The primary's side of the multi-process mode (--workers N, node:cluster): forks the workers
// that serve HTTP and HTTPS (the listening sockets are shared, connections handed out
// round-robin), replicates its informers to them, forks a worker again when one dies (and sends
// it everything), sums their metrics, and stops them gracefully.
import cluster, { type Worker } from "node:cluster";
import type { Logger } from "@skiff/log";
import type { Informers } from "../config/configurator.js";
import { RESOURCES, type ResourceName, type ToPrimary, type ToWorker, type Watched } from "./replica.js";

/** The workers of one controller. */
export class WorkerPool {
  private readonly workers = new Set<Worker>();
  /** Workers that said they listen for messages (one sent earlier could be lost). */
  private readonly ready = new Set<Worker>();
  private synced = false;
  private stopping = false;
  private nextId = 0;
  private readonly pendingMetrics = new Map<number, { left: number; got: unknown[]; done: (v: unknown[]) => void }>();
  httpPort = 0;
  httpsPort = 0;

  constructor(
    private readonly n: number,
    private readonly inf: Informers,
    private readonly defaultCert: { cert: string; key: string },
    private readonly log: Logger,
  ) {}

  /** Forks the workers; resolves with the shared ports once every worker listens. */
  async start(): Promise<void> {
    await Promise.all(Array.from({ length: this.n }, () => this.fork()));
  }

  /** Once the informers have synced: every object to every worker, then each change as it comes. */
  replicate(): void {
    for (const r of RESOURCES) {
      const src = this.inf[r] as Informers["ingresses"];
      // addHandlers replays what the informer holds as adds: the workers' initial state.
      src.addHandlers({
        onAdd: (o) => this.broadcast({ t: "put", r, o }),
        onUpdate: (_old, o) => this.broadcast({ t: "put", r, o }),
        onDelete: (o) => this.broadcast({ t: "del", r, o }),
      });
    }
    this.synced = true;
    this.broadcast({ t: "synced" });
  }

  /** The workers' metrics (JSON of their registries), for the primary to add up. */
  metrics(): Promise<unknown[]> {
    const live = [...this.ready].filter((w) => w.isConnected());
    if (live.length === 0) return Promise.resolve([]);
    const id = this.nextId++;
    return new Promise((resolve) => {
      const entry = { left: live.length, got: [] as unknown[], done: resolve };
      this.pendingMetrics.set(id, entry);
      // A worker that dies meanwhile must not hang the scrape.
      setTimeout(() => this.finishMetrics(id), 2000).unref();
      for (const w of live) this.send(w, { t: "metrics", id });
    });
  }

  /** Asks every worker to finish its requests and exit; resolves when all have. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      [...this.workers].map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.isDead()) return resolve();
            w.once("exit", () => resolve());
            this.send(w, { t: "stop" });
            // A worker that cannot finish in time is killed (the agent waits for us).
            setTimeout(() => w.process.kill("SIGKILL"), 8000).unref();
          }),
      ),
    );
  }

  private finishMetrics(id: number): void {
    const p = this.pendingMetrics.get(id);
    if (!p) return;
    this.pendingMetrics.delete(id);
    p.done(p.got);
  }

  private fork(): Promise<void> {
    const w = cluster.fork();
    this.workers.add(w);
    return new Promise((resolve, reject) => {
      let listening = false;
      w.on("message", (m: ToPrimary) => {
        if (m.t === "ready") {
          this.ready.add(w);
          this.send(w, { t: "cert", cert: this.defaultCert });
          // A worker that starts after the informers synced (one replacing a dead one) gets the whole state at once.
          if (this.synced) {
            for (const r of RESOURCES)
              for (const o of (this.inf[r] as Informers["ingresses"]).list()) this.send(w, { t: "put", r: r as ResourceName, o: o as Watched });
            this.send(w, { t: "synced" });
          }
        } else if (m.t === "listening") {
          listening = true;
          this.httpPort = m.http;
          this.httpsPort = m.https;
          resolve();
        } else if (m.t === "metrics") {
          const p = this.pendingMetrics.get(m.id);
          if (!p) return;
          p.got.push(m.json);
          if (--p.left === 0) this.finishMetrics(m.id);
        }
      });
      w.on("exit", (code, signal) => {
        this.workers.delete(w);
        this.ready.delete(w);
        if (!listening) return reject(new Error(`ingress worker exited before listening (code ${code}, signal ${signal})`));
        if (this.stopping) return;
        this.log.error({ pid: w.process.pid, code, signal }, "ingress worker died; starting another");
        void this.fork().catch((err: Error) => this.log.error({ err: err.message }, "cannot start an ingress worker"));
      });
    });
  }

  private broadcast(m: ToWorker): void {
    for (const w of this.ready) this.send(w, m);
  }

  private send(w: Worker, m: ToWorker): void {
    if (w.isConnected()) w.send(m);
  }
}
