import { describe, expect, it } from "vitest";
import { FakeRuntime } from "./fake.js";

describe("FakeRuntime", () => {
  it("creates, starts, lists by label, stops and removes containers, with events", async () => {
    const rt = new FakeRuntime({ cpus: 8, memoryBytes: 1024 });
    expect(await rt.info()).toMatchObject({ cpus: 8, memoryBytes: 1024 });
    const seen: string[] = [];
    const off = await rt.events(
      { pod: "a" },
      (e) => seen.push(e.action),
      () => undefined,
    );
    const sb = await rt.create({ name: "sb", image: "pause", labels: { pod: "a", role: "sandbox" }, network: "n" });
    const c = await rt.create({ name: "c", image: "img", labels: { pod: "a" }, sandboxId: sb });
    await rt.create({ name: "other", image: "img", labels: { pod: "b" } });
    await rt.start(c);
    expect((await rt.inspect(c))?.state).toBe("running");
    expect((await rt.inspect(sb))?.ip).toMatch(/^10\.255\./);
    expect((await rt.list({ pod: "a" })).map((x) => x.name).sort()).toEqual(["c", "sb"]);
    await rt.stop(c, 1);
    expect(await rt.inspect(c)).toMatchObject({ state: "exited", exitCode: 0 });
    await rt.remove(c);
    expect(await rt.inspect(c)).toBeNull();
    off();
    expect(seen).toEqual(["create", "create", "start", "die", "destroy"]);
    await expect(rt.start("nope")).rejects.toThrow(/No such container/);
  });
});
