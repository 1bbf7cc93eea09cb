import { describe, expect, it } from "vitest";
import { hollowOptions } from "./options.js";

describe("hollow-nodes options", () => {
  it("fills the defaults and reads flags and environment variables", () => {
    const o = hollowOptions.compile(
      hollowOptions.parse(["--count", "1000", "--heartbeat-ms=2000", "--events"], { SKIFF_APISERVER: "10.0.0.1:6444,10.0.0.2:6444" }),
    );
    expect(o).toMatchObject({ count: 1000, heartbeatMs: 2000, events: true, apiservers: ["10.0.0.1:6444", "10.0.0.2:6444"], prefix: "hollow-", maxPods: 110 });
  });

  it("lists every bad value at once", () => {
    expect(() => hollowOptions.compile(hollowOptions.parse(["--count", "0", "--max-pods", "-1"]))).toThrow(
      /--count: must be a positive number[\s\S]*--max-pods: must be a positive number/,
    );
    expect(() => hollowOptions.parse(["--cuont", "3"])).toThrow(/cuont/);
  });
});
