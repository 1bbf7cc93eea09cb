// The Events section at the bottom of every describe: the events about one object.
import type { ApiClient } from "@skiff/client";
import type { Event, KObject } from "@skiff/api";
import { ageSince } from "@skiff/printers";
import { sortEvents } from "@skiff/printers";
import type { DescribeWriter } from "./writer.js";

/** Lists the events whose involvedObject is `obj` (none when events cannot be listed). */
export async function eventsFor(client: ApiClient, obj: KObject): Promise<Event[]> {
  const { name, namespace, uid } = obj.metadata;
  const fieldSelector = [`involvedObject.name=${name}`, namespace ? `involvedObject.namespace=${namespace}` : `involvedObject.kind=${obj.kind}`].join(",");
  try {
    const { items } = await client.list<Event>("events", { namespace: namespace ?? "", fieldSelector });
    // A same-named object of another kind, or an earlier incarnation of this one, is not it.
    return items.filter(
      (e) => (!e.involvedObject?.kind || !obj.kind || e.involvedObject.kind === obj.kind) && (!e.involvedObject?.uid || !uid || e.involvedObject.uid === uid),
    );
  } catch {
    return []; // kubectl describes the object even when events are not readable
  }
}

/** Writes the `Events:` table (Type Reason Age From Message) or `Events:  <none>`. */
export function writeEvents(w: DescribeWriter, events: Event[], now: Date = new Date()): void {
  if (events.length === 0) return w.line(0, "Events:\t<none>");
  w.flush();
  w.line(0, "Events:");
  w.line(1, "Type\tReason\tAge\tFrom\tMessage");
  w.line(1, "----\t------\t----\t----\t-------");
  for (const e of sortEvents(events)) {
    const first = e.firstTimestamp || e.eventTime || e.metadata.creationTimestamp;
    const age = (e.count ?? 1) > 1 ? `${ageSince(e.lastTimestamp || first, now)} (x${e.count} over ${ageSince(first, now)})` : ageSince(first, now);
    w.line(1, `${e.type ?? ""}\t${e.reason ?? ""}\t${age}\t${e.source?.component || e.reportingComponent || ""}\t${(e.message ?? "").trim()}`);
  }
}
