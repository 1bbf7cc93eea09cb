// The proxy's local gRPC service (skiff.proxy.v1.ProxyService): the node agent programs it.
import { status as GrpcStatus, type ServerUnaryCall, type sendUnaryData } from "@grpc/grpc-js";
import type { Logger } from "@skiff/log";
import type { proxyv1 } from "@skiff/proto";
import type { ProxyTable } from "../table/table.js";

/** Handlers bound to one table. */
export function proxyService(table: ProxyTable, log: Logger): proxyv1.ProxyServiceServer {
  return {
    setTable(call: ServerUnaryCall<proxyv1.SetTableRequest, proxyv1.SetTableResponse>, cb: sendUnaryData<proxyv1.SetTableResponse>) {
      table.set(call.request).then(
        (failures) => cb(null, { failures }),
        (err) => {
          log.error({ err }, "applying table failed");
          cb({ code: GrpcStatus.INTERNAL, details: (err as Error).message });
        },
      );
    },
    getStatus(_call: ServerUnaryCall<proxyv1.GetStatusRequest, proxyv1.GetStatusResponse>, cb: sendUnaryData<proxyv1.GetStatusResponse>) {
      const s = table.status();
      cb(null, { version: s.version, listeners: s.listeners, failures: s.failed });
    },
  };
}
