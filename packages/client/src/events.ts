// Records Kubernetes Events (what `kubectl describe` shows) without ever blocking the caller;
// repeats of the same event within a short window bump `count` on the existing Event.
import type { Logger } from "@skiff/log";
import type { KObject, Event } from "@skiff/api";
import { nowRfc3339 } from "@skiff/api/meta";
import type { ApiClient } from "./client.js";

export class EventRecorder {
  private readonly recent = new Map<string, { name: string; namespace: string; count: number; at: number }>();

  constructor(
    private readonly client: ApiClient,
    private readonly component: string,
    private readonly host: string,
    private readonly log: Logger,
  ) {}

  /** Records an event about an object (fire-and-forget; failures are logged). */
  record(obj: KObject, type: "Normal" | "Warning", reason: string, message: string, fieldPath?: string): void {
    void this.write(obj, type, reason, message, fieldPath).catch((err) => this.log.debug({ err, reason }, "could not record event"));
  }

  private async write(obj: KObject, type: "Normal" | "Warning", reason: string, message: string, fieldPath?: string): Promise<void> {
    const namespace = obj.metadata.namespace || "default";
    const dedupe = `${obj.metadata.uid}/${reason}/${message}`;
    const prev = this.recent.get(dedupe);
    const now = nowRfc3339();
    if (prev && Date.now() - prev.at < 10 * 60_000) {
      try {
        const ev = await this.client.get<Event>("events", prev.name, prev.namespace);
        ev.count = (ev.count ?? 1) + 1;
        ev.lastTimestamp = now;
        await this.client.update("events", ev);
        prev.count = ev.count;
        prev.at = Date.now();
        return;
      } catch {
        this.recent.delete(dedupe); // fall back to a new event
      }
    }
    const name = `${obj.metadata.name}.${Date.now().toString(16)}${Math.floor(Math.random() * 0xfff).toString(16)}`;
    const ev: Event = {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
        ...(fieldPath ? { fieldPath } : {}),
      },
      reason,
      message,
      type,
      source: { component: this.component, host: this.host },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      reportingComponent: this.component,
      reportingInstance: this.host,
    };
    await this.client.create("events", ev, namespace);
    if (this.recent.size > 5000) this.recent.clear();
    this.recent.set(dedupe, { name, namespace, count: 1, at: Date.now() });
  }
}
