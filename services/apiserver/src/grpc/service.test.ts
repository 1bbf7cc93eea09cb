import { describe, expect, it } from "vitest";
import { EventType, WatchResponse } from "@skiff/proto";
import type { KObject } from "@skiff/api";
import { resourceServiceDefinition, watchFrame } from "./service.js";

const pod: KObject = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "default", resourceVersion: "7" } };

describe("watch responses", () => {
  it("encodes an event once for every watch that sends it, per event type", () => {
    const a = watchFrame({ type: "MODIFIED", object: pod });
    expect(watchFrame({ type: "MODIFIED", object: pod })).toBe(a);
    const added = watchFrame({ type: "ADDED", object: pod });
    expect(added).not.toBe(a);
    const decoded = WatchResponse.decode(a);
    expect(decoded.type).toBe(EventType.EVENT_TYPE_MODIFIED);
    expect(JSON.parse(decoded.objectJson)).toEqual(pod);
    expect(WatchResponse.decode(added).type).toBe(EventType.EVENT_TYPE_ADDED);
  });

  it("registers a Watch serializer that sends encoded frames as they are and encodes anything else", () => {
    const serialize = resourceServiceDefinition.watch.responseSerialize;
    const frame = watchFrame({ type: "DELETED", object: pod });
    expect(serialize(frame)).toBe(frame);
    const bookmark = serialize({ type: EventType.EVENT_TYPE_BOOKMARK, objectJson: "{}" });
    expect(WatchResponse.decode(bookmark)).toEqual({ type: EventType.EVENT_TYPE_BOOKMARK, objectJson: "{}" });
  });
});
