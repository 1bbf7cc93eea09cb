// The events table (kubectl's printEvent), oldest first so the latest ends at the bottom.
import type { Event } from "@skiff/api";
import { ageSince } from "./age.js";
import { column, docs, makeTable, type Table, type TableOptions } from "./types.js";

/** Column definitions of the events table, as the Kubernetes apiserver declares them. */
export const eventColumns = [
  column("Last Seen", "The time at which the most recent occurrence of this event was recorded."),
  column("Type", "Type of this event (Normal, Warning), new types could be added in the future"),
  column("Reason", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
  column("Object", "The object that this event is about."),
  column("Subobject", "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.", {
    priority: 1,
  }),
  column("Source", "The component reporting this event.", { priority: 1 }),
  column("Message", "A human-readable description of the status of this operation."),
  column("First Seen", "The time at which the event was first recorded.", { priority: 1 }),
  column("Count", "The number of times this event has occurred.", { priority: 1 }),
  column("Name", docs.name, { priority: 1, format: "name" }),
];

/** When an event last happened (the newest of its timestamps), as ms since the epoch. */
export function eventLastSeen(e: Event): number {
  const t = e.lastTimestamp || e.eventTime || e.firstTimestamp || e.metadata.creationTimestamp;
  return t ? Date.parse(t) || 0 : 0;
}

/** Sorts events by the time they last happened, oldest first (kubectl events' order). */
export function sortEvents(events: Event[]): Event[] {
  return [...events].sort((a, b) => eventLastSeen(a) - eventLastSeen(b));
}

/** `component, host` as kubectl formats an event source. */
export function eventSource(e: Event): string {
  const component = e.source?.component || e.reportingComponent || "";
  const host = e.source?.host || e.reportingInstance || "";
  return host ? `${component}, ${host}` : component;
}

/** Builds the events table, sorted by last timestamp. */
export function eventTable(events: Event[], opts: TableOptions = {}): Table {
  return makeTable(
    eventColumns,
    sortEvents(events).map((e) => ({ cells: eventRow(e, opts.now), object: e })),
  );
}

/** The cells of one event row (all columns, wide ones included). */
export function eventRow(e: Event, now: Date = new Date()): (string | number)[] {
  const first = ageSince(e.firstTimestamp || e.eventTime || e.metadata.creationTimestamp, now);
  const last = e.lastTimestamp ? ageSince(e.lastTimestamp, now) : first;
  const io = e.involvedObject ?? {};
  const kind = (io.kind ?? "").toLowerCase();
  return [
    last,
    e.type ?? "",
    e.reason ?? "",
    io.name ? `${kind}/${io.name}` : kind,
    io.fieldPath ?? "",
    eventSource(e),
    (e.message ?? "").trim(),
    first,
    e.count || 1,
    e.metadata.name ?? "",
  ];
}
