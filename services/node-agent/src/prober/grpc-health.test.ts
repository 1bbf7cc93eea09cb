import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Server, ServerCredentials, type ServerUnaryCall, type sendUnaryData } from "@grpc/grpc-js";
import { decodeHealthResponse, encodeHealthRequest, grpcHealthCheck } from "./grpc-health.js";

/** A real gRPC server on loopback serving grpc.health.v1.Health/Check: "" and "db" SERVING, "cache" NOT_SERVING. */
describe("grpc probe", () => {
  const server = new Server();
  let port = 0;
  beforeAll(async () => {
    const statuses: Record<string, number> = { "": 1, db: 1, cache: 2 };
    server.register(
      "/grpc.health.v1.Health/Check",
      (call: ServerUnaryCall<Buffer, Buffer>, cb: sendUnaryData<Buffer>) => {
        const b = call.request;
        const service = b.length ? b.subarray(2, 2 + b[1]).toString() : "";
        const st = statuses[service];
        if (st === undefined) return cb({ code: 5, details: "unknown service" });
        cb(null, Buffer.from([0x08, st]));
      },
      (x: Buffer) => x,
      (x: Buffer) => x,
      "unary",
    );
    port = await new Promise<number>((res, rej) => server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  });
  afterAll(() => server.forceShutdown());

  it("SERVING is success, NOT_SERVING a failure naming the status", async () => {
    expect(await grpcHealthCheck("127.0.0.1", port, "", 2000)).toEqual({ ok: true, message: "SERVING" });
    expect(await grpcHealthCheck("127.0.0.1", port, "db", 2000)).toEqual({ ok: true, message: "SERVING" });
    expect(await grpcHealthCheck("127.0.0.1", port, "cache", 2000)).toEqual({ ok: false, message: 'service unhealthy (responded with "NOT_SERVING")' });
    expect((await grpcHealthCheck("127.0.0.1", port, "other", 2000)).message).toMatch(/^error: health rpc probe failed: unknown service/);
  });

  it("nothing listening is a failure, not a hang", async () => {
    const r = await grpcHealthCheck("127.0.0.1", 1, "", 1000);
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/^timeout: /);
  });

  it("wire format of the two messages", () => {
    expect(encodeHealthRequest("")).toEqual(Buffer.alloc(0));
    expect(encodeHealthRequest("db")).toEqual(Buffer.from([0x0a, 2, 0x64, 0x62]));
    expect(decodeHealthResponse(Buffer.from([0x08, 0x02]))).toBe(2);
    expect(decodeHealthResponse(Buffer.alloc(0))).toBe(0);
  });
});
