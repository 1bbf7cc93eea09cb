// The controller's level-triggered loop: any change to Ingresses, IngressClasses, Services,
// EndpointSlices or TLS Secrets schedules one rebuild (coalesced) of the whole serving
// snapshot — routing table, resolved backends, certificates — which requests then read. A
// rebuild swaps a reference: requests in flight keep the snapshot they started with.
// Problems become Warning Events (once each), and served Ingresses get status addresses.
import type { Logger } from "@skiff/log";
import type { EventRecorder, Informer } from "@skiff/client";
import type { EndpointSlice, Ingress, IngressClass, Secret, Service } from "@skiff/api";
import { RouteTable, servedByUs, type Problem } from "../routing/routing.js";
import { refKey, resolveBackend, type Resolution } from "../backends/backends.js";
import type { CertStore } from "../tls/certs.js";
import type { Upstreams } from "../proxy/upstreams.js";
import type { Metrics } from "../metrics/metrics.js";
import type { StatusWriter } from "../status/status.js";

/** What requests are served from. */
export interface Snapshot {
  table: RouteTable;
  resolved: Map<string, Resolution>;
  /** True until the informers have synced: requests are answered 503 rather than 404. */
  starting?: boolean;
}

/** What the configurator reads of an informer (a worker reads replicas of the primary's: workers/). */
export type Source<T extends Ingress | IngressClass | Service | EndpointSlice | Secret> = Pick<Informer<T>, "list" | "get" | "addHandlers">;

/** The informers the controller reads. */
export interface Informers {
  ingresses: Source<Ingress>;
  classes: Source<IngressClass>;
  services: Source<Service>;
  slices: Source<EndpointSlice>;
  secrets: Source<Secret>;
}

const SERVICE_NAME = "kubernetes.io/service-name";

/** Rebuilds snapshots from the informers. */
export class Configurator {
  snapshot: Snapshot = { table: new RouteTable([]), resolved: new Map(), starting: true };
  private timer?: NodeJS.Immediate;
  private resync?: NodeJS.Timeout;
  private reported = new Set<string>();

  constructor(
    private readonly inf: Informers,
    private readonly certs: CertStore,
    private readonly pools: Upstreams,
    private readonly metrics: Metrics,
    private readonly recorder: Pick<EventRecorder, "record">,
    private readonly status: Pick<StatusWriter, "sync">,
    private readonly log: Logger,
  ) {}

  /** Hooks the informers (already synced) and builds the first snapshot. */
  start(): void {
    const kick = () => this.schedule();
    for (const i of Object.values(this.inf) as Source<Ingress>[]) i.addHandlers({ onAdd: kick, onUpdate: kick, onDelete: kick });
    // Level-triggered: a periodic rebuild also retries status writes that failed.
    this.resync = setInterval(kick, 30_000);
    this.resync.unref();
    this.rebuild();
  }

  stop(): void {
    if (this.timer) clearImmediate(this.timer);
    if (this.resync) clearInterval(this.resync);
  }

  /** Coalesces a burst of changes into one rebuild. */
  schedule(): void {
    this.timer ??= setImmediate(() => {
      this.timer = undefined;
      this.rebuild();
    });
  }

  /** Builds and swaps in a new snapshot. */
  rebuild(): void {
    const { inf } = this;
    const classes = inf.classes.list();
    const all = inf.ingresses.list();
    const served = all.filter((i) => servedByUs(i, classes));
    const table = new RouteTable(served);
    const problems: Problem[] = [...table.problems];
    const slicesBySvc = new Map<string, EndpointSlice[]>();
    for (const s of inf.slices.list()) {
      const svc = s.metadata.labels?.[SERVICE_NAME];
      if (!svc) continue;
      const k = `${s.metadata.namespace}/${svc}`;
      (slicesBySvc.get(k) ?? slicesBySvc.set(k, []).get(k)!).push(s);
    }
    const resolved = new Map<string, Resolution>();
    const live = new Set<string>();
    for (const { ingress, ref } of table.backends()) {
      const k = refKey(ref);
      let r = resolved.get(k);
      if (!r) {
        const svcKey = `${ref.namespace}/${ref.service}`;
        r = resolveBackend(ref, inf.services.get(svcKey), slicesBySvc.get(svcKey) ?? []);
        resolved.set(k, r);
        if (r.ok) for (const e of r.endpoints) live.add(`${e.ip}:${e.port}`);
      }
      if (!r.ok && r.problem) problems.push({ ingress, ...r.problem });
    }
    problems.push(...this.certs.update(table, (ns, n) => inf.secrets.get(`${ns}/${n}`)));
    this.snapshot = { table, resolved };
    this.metrics.reloads++;
    this.pools.retain(live);
    this.report(problems);
    this.status.sync(
      served,
      all.filter((i) => !servedByUs(i, classes)),
    );
    this.log.debug({ ingresses: served.length, backends: resolved.size, problems: problems.length }, "configuration rebuilt");
  }

  /** Records each problem once (a fixed and re-broken one is recorded again). */
  private report(problems: Problem[]): void {
    const now = new Set<string>();
    for (const p of problems) {
      const id = `${p.ingress}|${p.reason}|${p.message}`;
      now.add(id);
      if (this.reported.has(id)) continue;
      const ing = this.inf.ingresses.get(p.ingress);
      this.log.warn({ ingress: p.ingress, reason: p.reason }, p.message);
      if (ing) this.recorder.record(ing, "Warning", p.reason, p.message);
    }
    this.reported = now;
  }
}
