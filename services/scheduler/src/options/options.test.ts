import { describe, it, expect } from "vitest";
import { compileOptions, parseFlags } from "./options.js";

describe("scheduler options", () => {
  it("fills defaults", () => {
    expect(compileOptions(parseFlags([], {}))).toEqual({
      apiservers: ["127.0.0.1:6444"],
      tlsDir: "/var/lib/skiff/pki/scheduler",
      schedulerName: "default-scheduler",
      retryIntervalMs: 10_000,
      natsServers: ["nats://127.0.0.1:4222"],
      leaderElect: true,
      leaseMs: 15_000,
      renewMs: 2_000,
      metricsAddress: "127.0.0.1:10259",
    });
  });

  it("reads flags over the environment", () => {
    expect(
      compileOptions(
        parseFlags(["--apiserver", "a:1, b:2", "--scheduler-name", "mine", "--retry-interval-ms", "500", "--leader-elect", "false"], {
          SKIFF_APISERVER: "c:3",
        }),
      ),
    ).toMatchObject({
      apiservers: ["a:1", "b:2"],
      schedulerName: "mine",
      retryIntervalMs: 500,
      leaderElect: false,
    });
    expect(compileOptions(parseFlags([], { SKIFF_APISERVER: "c:3" })).apiservers).toEqual(["c:3"]);
  });

  it("lists every problem", () => {
    expect(() => compileOptions(parseFlags(["--apiserver", "nohost", "--retry-interval-ms", "x"], {}))).toThrow(
      /--apiserver: must be host:port.*\n.*--retry-interval-ms: must be a positive number/,
    );
  });
});
