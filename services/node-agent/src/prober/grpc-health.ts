// The grpc probe: the standard gRPC health check (grpc.health.v1.Health/Check) against the pod
// IP, as the kubelet runs it — SERVING is success; any other status, an RPC error or a timeout
// is a failure with the kubelet's messages. The two tiny messages are encoded by hand (field 1:
// the service name; field 1 of the answer: the status enum), so no generated code is needed.
import { Client, credentials, status as Code, type ServiceError } from "@grpc/grpc-js";
import type { Outcome } from "./worker.js";

const statusNames = ["UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"];

/** HealthCheckRequest { string service = 1; } in protobuf wire format. */
export function encodeHealthRequest(service: string): Buffer {
  const s = Buffer.from(service, "utf8");
  if (s.length === 0) return Buffer.alloc(0);
  const len: number[] = [];
  let n = s.length;
  while (n > 127) {
    len.push((n & 127) | 128);
    n >>>= 7;
  }
  len.push(n);
  return Buffer.concat([Buffer.from([0x0a, ...len]), s]);
}

/** HealthCheckResponse { ServingStatus status = 1; }: the status number (0 when absent). */
export function decodeHealthResponse(b: Buffer): number {
  for (let i = 0; i < b.length; ) {
    const tag = b[i++];
    let v = 0,
      shift = 0;
    if ((tag & 7) === 0) {
      for (;;) {
        const x = b[i++];
        v |= (x & 127) << shift;
        shift += 7;
        if (!(x & 128) || i >= b.length) break;
      }
      if (tag >> 3 === 1) return v;
    } else if ((tag & 7) === 2) {
      let len = 0;
      for (;;) {
        const x = b[i++];
        len |= (x & 127) << shift;
        shift += 7;
        if (!(x & 128) || i >= b.length) break;
      }
      i += len;
    } else return 0;
  }
  return 0;
}

/** Runs one health check. */
export function grpcHealthCheck(host: string, port: number, service: string, timeoutMs: number): Promise<Outcome> {
  const target = `${host}:${port}`;
  const client = new Client(target, credentials.createInsecure());
  return new Promise<Outcome>((resolve) => {
    client.makeUnaryRequest<Buffer, Buffer>(
      "/grpc.health.v1.Health/Check",
      (x) => x,
      (x) => x,
      encodeHealthRequest(service),
      { deadline: Date.now() + timeoutMs },
      (err: ServiceError | null, res?: Buffer) => {
        client.close();
        if (err) {
          if (err.code === Code.DEADLINE_EXCEEDED) return resolve({ ok: false, message: `timeout: health rpc did not complete within ${timeoutMs / 1000}s` });
          if (err.code === Code.UNAVAILABLE)
            return resolve({ ok: false, message: `timeout: failed to connect service "${target}" within ${timeoutMs / 1000}s: ${err.details}` });
          return resolve({ ok: false, message: `error: health rpc probe failed: ${err.details || err.message}` });
        }
        const st = decodeHealthResponse(res ?? Buffer.alloc(0));
        resolve(st === 1 ? { ok: true, message: "SERVING" } : { ok: false, message: `service unhealthy (responded with "${statusNames[st] ?? st}")` });
      },
    );
  });
}
