// An in-memory ImageRuntime for hollow nodes: every image is present (as on a node where
// everything was preloaded), pulls and loads succeed, nothing is ever in use or removed.
import type { ImageRuntime, RuntimeImage } from "./runtime.js";

/** Images a hollow node "has": whatever was asked for. */
export class FakeImages implements ImageRuntime {
  async list(): Promise<RuntimeImage[]> {
    return [];
  }

  async inspect(name: string): Promise<{ id: string; sizeBytes: number }> {
    return { id: `sha256:${name}`, sizeBytes: 0 };
  }

  async pull(): Promise<void> {}

  async load(): Promise<string> {
    return "";
  }

  async remove(): Promise<void> {}

  async inUse(): Promise<Set<string>> {
    return new Set();
  }

  async fsStats(): Promise<undefined> {
    return undefined;
  }
}
