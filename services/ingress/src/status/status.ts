// status.loadBalancer.ingress of the Ingresses this controller serves: the addresses of the
// controller's own LoadBalancer Service (kube-system/skiff-ingress). Written only when it
// differs; Ingresses that left our class lose the addresses we had written.
import type { Logger } from "@skiff/log";
import type { ApiClient } from "@skiff/client";
import type { Ingress } from "@skiff/api";

/** Keeps Ingress statuses in line with the controller's addresses. */
export class StatusWriter {
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly client: ApiClient,
    private readonly addresses: () => string[],
    private readonly log: Logger,
  ) {}

  /** Writes the statuses that differ (fire-and-forget; the next sync retries failures). */
  sync(served: Ingress[], others: Ingress[]): void {
    const ips = this.addresses();
    const want = ips.map((ip) => ({ ip }));
    for (const ing of served) this.write(ing, want);
    for (const ing of others) {
      const cur = ing.status?.loadBalancer?.ingress ?? [];
      if (cur.length && cur.every((c) => c.ip && ips.includes(c.ip))) this.write(ing, []);
    }
  }

  private write(ing: Ingress, want: { ip: string }[]): void {
    const cur = (ing.status?.loadBalancer?.ingress ?? []).map((c) => ({ ip: c.ip }));
    if (JSON.stringify(cur) === JSON.stringify(want)) return;
    const key = `${ing.metadata.namespace}/${ing.metadata.name}`;
    if (this.inFlight.has(key)) return;
    this.inFlight.add(key);
    const next: Ingress = { ...ing, status: { ...ing.status, loadBalancer: { ingress: want } } };
    void this.client
      .updateStatus("ingresses", next)
      .then(() => this.log.info({ ingress: key, addresses: want.map((w) => w.ip) }, "ingress status updated"))
      .catch((err) => this.log.debug({ err: (err as Error).message, ingress: key }, "ingress status write failed; retried at the next sync"))
      .finally(() => this.inFlight.delete(key));
  }
}
