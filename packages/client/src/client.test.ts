// ApiClient failover over real gRPC on loopback: a fake ResourceService answers `get`, and a
// "silent" apiserver accepts TCP connections but never speaks (as a machine that vanished
// behind a load balancer, or a process frozen by SIGSTOP, looks to a client).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type Server as NetServer, type Socket } from "node:net";
import { Server, ServerCredentials, status, type ServerUnaryCall, type sendUnaryData, type UntypedServiceImplementation } from "@grpc/grpc-js";
import { ResourceServiceService } from "@skiff/proto";
import { ApiClient } from "./client.js";

let grpcServer: Server;
let live = "";
let silent: NetServer;
const held: Socket[] = [];
let silentAddr = "";
let closedAddr = "";

const listen = (s: NetServer) => new Promise<number>((r) => s.listen(0, "127.0.0.1", () => r((s.address() as { port: number }).port)));

beforeAll(async () => {
  grpcServer = new Server();
  const unimplemented = (_call: unknown, cb: sendUnaryData<unknown>) => cb({ code: status.UNIMPLEMENTED });
  // Unary methods only: the streaming ones (Multiplex among them) are left out, so grpc-js
  // answers them UNIMPLEMENTED, as an apiserver without them would.
  const unaryMethods = Object.entries(ResourceServiceService).filter(([, d]) => !d.requestStream && !d.responseStream);
  const impl: Record<string, unknown> = Object.fromEntries(unaryMethods.map(([k]) => [k, unimplemented]));
  impl.get = (call: ServerUnaryCall<{ ref?: { name: string } }, unknown>, cb: sendUnaryData<unknown>) =>
    cb(null, { objectJson: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: call.request.ref?.name } }) });
  grpcServer.addService(ResourceServiceService, impl as UntypedServiceImplementation);
  const port = await new Promise<number>((res, rej) =>
    grpcServer.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))),
  );
  live = `127.0.0.1:${port}`;
  silent = createServer((s) => held.push(s));
  silentAddr = `127.0.0.1:${await listen(silent)}`;
  const gone = createServer();
  closedAddr = `127.0.0.1:${await listen(gone)}`;
  await new Promise((r) => gone.close(r)); // nothing listens there any more: connections are refused
});

afterAll(async () => {
  grpcServer.forceShutdown();
  for (const s of held) s.destroy();
  await new Promise((r) => silent.close(r));
});

describe("ApiClient failover", () => {
  it("a silent first apiserver costs a connect to the next one, not a timeout", async () => {
    const client = new ApiClient({ addresses: [silentAddr, live], timeoutMs: 10_000 });
    try {
      const t0 = Date.now();
      const cm = await client.get("configmaps", "a", "default");
      expect(cm.metadata.name).toBe("a");
      // A connect timeout per silent address (the old behaviour) would take 3 s or more.
      expect(Date.now() - t0).toBeLessThan(2500);
      // It stays on the live one.
      const t1 = Date.now();
      await client.get("configmaps", "b", "default");
      expect(Date.now() - t1).toBeLessThan(1000);
    } finally {
      client.close();
    }
  });

  it("a refused address is skipped", async () => {
    const client = new ApiClient({ addresses: [closedAddr, live], timeoutMs: 10_000 });
    try {
      expect((await client.get("configmaps", "c", "default")).metadata.name).toBe("c");
    } finally {
      client.close();
    }
  });

  it("an apiserver without Multiplex gets unary calls, the first one included", async () => {
    const client = new ApiClient({ addresses: [live], timeoutMs: 5_000 });
    try {
      for (const name of ["e", "f"]) expect((await client.get("configmaps", name, "default")).metadata.name).toBe(name);
      // A method the fake does not implement keeps its own error (not taken for a missing Multiplex).
      await expect(client.delete("configmaps", "g", "default")).rejects.toMatchObject({ reason: "InternalError" });
    } finally {
      client.close();
    }
  });

  it("no reachable apiserver: Unavailable within the deadline", async () => {
    const client = new ApiClient({ addresses: [silentAddr, closedAddr], timeoutMs: 1500 });
    try {
      const t0 = Date.now();
      await expect(client.get("configmaps", "d", "default")).rejects.toMatchObject({ reason: "Unavailable" });
      expect(Date.now() - t0).toBeLessThan(5000);
    } finally {
      client.close();
    }
  });
});
