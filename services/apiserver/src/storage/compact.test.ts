// compact(): what the watch cache keeps of a message's data is its own bytes, never a view that
// holds the connection's whole read buffer alive.
import { describe, expect, it } from "vitest";
import { compact } from "./store.js";

describe("compact", () => {
  it("copies a view into a larger buffer (a Buffer's subarray too) to exactly its bytes", () => {
    const frame = Buffer.alloc(64 * 1024, 1);
    frame.write('{"kind":"Pod"}', 100);
    const view = frame.subarray(100, 114);
    const kept = compact(view);
    expect(kept.buffer.byteLength).toBe(14);
    expect(new TextDecoder().decode(kept)).toBe('{"kind":"Pod"}');
    frame.fill(0);
    expect(new TextDecoder().decode(kept)).toBe('{"kind":"Pod"}');
  });

  it("keeps a value that already owns its whole buffer", () => {
    const own = new TextEncoder().encode('{"kind":"Pod"}');
    expect(compact(own)).toBe(own);
  });
});
