import { EventEmitter } from "node:events";
import { status as Code, type ServerDuplexStream } from "@grpc/grpc-js";
import { register } from "prom-client";
import { describe, expect, it } from "vitest";
import { silentLogger } from "@skiff/log";
import { ResourceServiceService, type MultiplexRequest, type MultiplexResponse } from "@skiff/proto";
import { multiplexHandler } from "./multiplex.js";

/** A server stream that records what the handler writes. */
function fakeStream() {
  const written: MultiplexResponse[] = [];
  const call = Object.assign(new EventEmitter(), {
    write: (m: MultiplexResponse) => written.push(m),
    end: () => undefined,
  });
  return { call: call as unknown as ServerDuplexStream<MultiplexRequest, MultiplexResponse>, written };
}

async function handled(method: string, code: string): Promise<number> {
  const m = (await register.getSingleMetric("grpc_server_handled_total")!.get()).values;
  return m.find((v) => v.labels.grpc_method === method && v.labels.grpc_code === code)?.value ?? 0;
}

const getRequest = (id: number): MultiplexRequest => ({
  id,
  method: "Get",
  request: ResourceServiceService.get.requestSerialize({ ref: { resource: "pods", namespace: "default", name: "x" } }),
});

describe("Multiplex refusals", () => {
  const handlers = { get: async () => ({ objectJson: "{}" }) } as unknown as Parameters<typeof multiplexHandler>[0];

  it("answers a method no stream may carry with MethodNotAllowed, counted under 'unknown'", async () => {
    const before = await handled("unknown", "UNIMPLEMENTED");
    const { call, written } = fakeStream();
    multiplexHandler(handlers, silentLogger(), {})(call);
    call.emit("data", { id: 7, method: "Watch", request: Buffer.alloc(0) });
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({ id: 7, code: Code.UNIMPLEMENTED });
    expect(JSON.parse(written[0].statusJson)).toMatchObject({ kind: "Status", reason: "MethodNotAllowed", message: 'method "Watch" cannot be multiplexed' });
    expect(await handled("unknown", "UNIMPLEMENTED")).toBe(before + 1);
    expect(await handled("Watch", "UNIMPLEMENTED")).toBe(0);
  });

  it("refuses calls once the apiserver stops, UNAVAILABLE with a Status, and counts them; answers what it took", async () => {
    let release = () => {};
    const slow = { get: () => new Promise((r) => (release = () => r({ objectJson: "{}" }))) } as unknown as typeof handlers;
    const stops = new Set<(err: Error) => void>();
    const { call, written } = fakeStream();
    multiplexHandler(slow, silentLogger(), { watches: stops })(call);
    call.emit("data", getRequest(1));
    await new Promise((r) => setTimeout(r, 10));
    const before = await handled("Get", "UNAVAILABLE");
    for (const stop of stops) stop(new Error("stopping"));
    call.emit("data", getRequest(2));
    expect(written[0]).toMatchObject({ id: 2, code: Code.UNAVAILABLE });
    expect(JSON.parse(written[0].statusJson)).toMatchObject({ reason: "ServiceUnavailable", message: "the apiserver is shutting down" });
    expect(await handled("Get", "UNAVAILABLE")).toBe(before + 1);
    release();
    await new Promise((r) => setTimeout(r, 10));
    expect(written[1]).toMatchObject({ id: 1, code: Code.OK });
  });
});
