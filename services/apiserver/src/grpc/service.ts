// The internal gRPC API (skiff.resource.v1.ResourceService): decodes requests, calls the
// registry, and maps errors once through toGrpcError.
import type { ServerUnaryCall, ServerWritableStream, sendUnaryData, UntypedHandleCall } from "@grpc/grpc-js";
import type { Logger } from "@skiff/log";
import { ApiError, BadRequestError, UnavailableError, type KObject, type TokenRequest } from "@skiff/api";
import type { TokenSigner } from "../auth/serviceaccount/jwt.js";
import { requestToken } from "../auth/serviceaccount/token-request.js";
import {
  EventType,
  ResourceServiceService,
  WatchResponse as WatchResponseCodec,
  type BindRequest,
  type CreateRequest,
  type CreateTokenRequest,
  type DeleteRequest,
  type GetRequest,
  type ListRequest,
  type ResourceServiceServer,
  type UpdateRequest,
  type UpdateStatusRequest,
  type WatchRequest,
  type WatchResponse,
} from "@skiff/proto";
import { toGrpcError } from "@skiff/client";
import type { Registry, WatchEvent, WriteOptions } from "../registry/registry.js";
import { bindPod } from "../registry/binding.js";
import { RecentMemo } from "../registry/codec.js";
import type { NodeConnector } from "../nodes/connector.js";
import { podStreamHandlers } from "./pod-streams.js";
import { multiplexHandler, type MultiplexOptions } from "./multiplex.js";
import { logFailure } from "./failures.js";
import { metricsGet } from "../rest/metrics/metrics.js";

/**
 * Encoded watch responses of recently watched objects, by object and event type (the objects are
 * shared and never changed once decoded). One store change reaches every watch that sees it: the
 * scheduler's, the controller-manager's, a node agent's; it is encoded once for all of them.
 */
const frames = new RecentMemo<KObject, Partial<Record<WatchEvent["type"], Buffer>>>(128);

/** The encoded WatchResponse of one event, shared by every watch that sends it. */
export function watchFrame(e: WatchEvent): Buffer {
  let byType = frames.get(e.object);
  if (byType === undefined) frames.set(e.object, (byType = {}));
  let f = byType[e.type];
  if (f === undefined) {
    const bytes = WatchResponseCodec.encode({ type: eventTypes[e.type], objectJson: JSON.stringify(e.object) }).finish();
    byType[e.type] = f = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  return f;
}

/**
 * ResourceService as the server registers it: Watch's responses are written already encoded
 * (watchFrame), so its serializer passes bytes through.
 */
export const resourceServiceDefinition = {
  ...ResourceServiceService,
  watch: {
    ...ResourceServiceService.watch,
    responseSerialize: (v: WatchResponse | Buffer): Buffer => (Buffer.isBuffer(v) ? v : ResourceServiceService.watch.responseSerialize(v)),
  },
};

/** The resource name under which List serves metrics.k8s.io PodMetrics. */
const POD_METRICS = "pods.metrics.k8s.io";

function parseObject(json: string): KObject {
  try {
    const o = JSON.parse(json);
    if (!o || typeof o !== "object" || Array.isArray(o)) throw new Error("not an object");
    return o as KObject;
  } catch (err) {
    throw new BadRequestError(`the object is not valid JSON: ${(err as Error).message}`);
  }
}

const eventTypes: Record<WatchEvent["type"], EventType> = {
  ADDED: EventType.EVENT_TYPE_ADDED,
  MODIFIED: EventType.EVENT_TYPE_MODIFIED,
  DELETED: EventType.EVENT_TYPE_DELETED,
  BOOKMARK: EventType.EVENT_TYPE_BOOKMARK,
};

export interface ServiceOptions {
  bookmarkIntervalMs: number;
  /** Reaches node agents for PodLogs/PodExec; without one they answer Unavailable. */
  connector?: NodeConnector;
  /** Signs ServiceAccount tokens (CreateToken); without it CreateToken answers Unavailable. */
  tokens?: TokenSigner;
  /** The cluster CA certificate CreateToken hands out with tokens. */
  caCert?: string;
  /** Open watches and call streams register how to end them here, so that a stopping apiserver can end them at once. */
  watches?: Set<(err: Error) => void>;
  /** Decides each call a Multiplex stream carries (the interceptor decides the unary ones). */
  authorization?: MultiplexOptions["authorization"];
}

/** Builds the ResourceService implementation over a registry. */
export function resourceService(registry: Registry, log: Logger, opts: ServiceOptions): ResourceServiceServer & Record<string, UntypedHandleCall> {
  /** Wraps a unary handler: typed errors map to statuses, others are logged as internal. */
  function unary<Req, Res>(name: string, fn: (req: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res>) {
    return (call: ServerUnaryCall<Req, Res>, cb: sendUnaryData<Res>) => {
      Promise.resolve()
        .then(() => fn(call.request, call))
        .then(
          (res) => cb(null, res),
          (err) => {
            logFailure(log, name, err);
            cb(toGrpcError(err) as never, null);
          },
        );
    };
  }
  const json = (o: unknown) => JSON.stringify(o);
  /** Update and UpdateStatus: the object sent replaces the stored one (its resourceVersion, if any, is a precondition). */
  const replace = (resource: string, namespace: string, objectJson: string, opts: WriteOptions) => {
    const o = parseObject(objectJson);
    return registry.update(resource, namespace || o.metadata?.namespace, o.metadata?.name ?? "", () => o, opts);
  };
  /** The unary methods, by their client names; Multiplex dispatches to the same functions. */
  const calls = {
    create: async (r: CreateRequest) => ({
      objectJson: json(await registry.create(r.resource, r.namespace || undefined, parseObject(r.objectJson), { dryRun: r.dryRun })),
    }),
    get: async (r: GetRequest) => ({ objectJson: json(await registry.get(r.ref?.resource ?? "", r.ref?.namespace || undefined, r.ref?.name ?? "")) }),
    list: async (r: ListRequest) => {
      // Resource metrics (what the HPA controller reads) are sampled from the node agents, not stored.
      if (r.resource === POD_METRICS) {
        const segs = r.namespace ? ["namespaces", r.namespace, "pods"] : ["pods"];
        const q = new URLSearchParams(r.labelSelector ? { labelSelector: r.labelSelector } : {});
        const res = (await metricsGet({ registry, connector: opts.connector, log }, segs, q)) as { items: unknown[] };
        return { itemsJson: res.items.map(json), resourceVersion: "", continueToken: "" };
      }
      const res = await registry.list(r.resource, {
        namespace: r.namespace || undefined,
        labelSelector: r.labelSelector,
        fieldSelector: r.fieldSelector,
        limit: r.limit,
        continueToken: r.continueToken,
      });
      return { itemsJson: res.items.map(json), resourceVersion: res.resourceVersion, continueToken: res.continueToken };
    },
    update: async (r: UpdateRequest) => ({ objectJson: json(await replace(r.resource, r.namespace, r.objectJson, { dryRun: r.dryRun })) }),
    updateStatus: async (r: UpdateStatusRequest) => ({ objectJson: json(await replace(r.resource, r.namespace, r.objectJson, { subresource: "status" })) }),
    delete: async (r: DeleteRequest) => {
      const res = await registry.delete(r.ref?.resource ?? "", r.ref?.namespace || undefined, r.ref?.name ?? "", {
        gracePeriodSeconds: r.gracePeriodSeconds,
        preconditionUid: r.preconditionUid,
        preconditionResourceVersion: r.preconditionResourceVersion,
        propagationPolicy: r.propagationPolicy,
      });
      return { objectJson: json(res.object), finished: res.finished };
    },
    createToken: async (r: CreateTokenRequest) => {
      if (!opts.tokens) throw new UnavailableError("this apiserver issues no service account tokens");
      const sa = await registry.get("serviceaccounts", r.namespace, r.serviceAccount);
      const req = (r.tokenRequestJson ? parseObject(r.tokenRequestJson) : { spec: {} }) as TokenRequest;
      const getPod = (name: string) =>
        registry.get("pods", r.namespace, name).then(
          (p): KObject | undefined => p,
          () => undefined,
        );
      return { tokenRequestJson: json(await requestToken(opts.tokens, sa, req, getPod)), caCertPem: opts.caCert ?? "" };
    },
    bind: async (r: BindRequest) => ({ objectJson: json(await bindPod(registry, r.namespace, r.podName, r.nodeName, r.podUid || undefined)) }),
  };
  return {
    ...podStreamHandlers(registry, opts.connector, log),
    create: unary("Create", calls.create),
    get: unary("Get", calls.get),
    list: unary("List", calls.list),
    update: unary("Update", calls.update),
    updateStatus: unary("UpdateStatus", calls.updateStatus),
    delete: unary("Delete", calls.delete),
    createToken: unary("CreateToken", calls.createToken),
    bind: unary("Bind", calls.bind),
    multiplex: multiplexHandler(calls, log, { authorization: opts.authorization, watches: opts.watches }),
    watch: (call: ServerWritableStream<WatchRequest, WatchResponse>) => {
      const r = call.request;
      let stop: (() => void) | undefined;
      let ended = false;
      const end = (err?: unknown) => {
        if (ended) return;
        ended = true;
        opts.watches?.delete(end);
        stop?.();
        if (err) {
          if (!(err instanceof ApiError)) log.warn({ err }, "watch failed");
          // grpc-js turns an "error" event into the call's status (destroy() would drop it).
          call.emit("error", toGrpcError(err));
        } else call.end();
      };
      call.on("cancelled", () => end());
      call.on("error", () => end());
      opts.watches?.add(end);
      registry
        .watch(
          r.resource,
          {
            namespace: r.namespace || undefined,
            labelSelector: r.labelSelector,
            fieldSelector: r.fieldSelector,
            resourceVersion: r.resourceVersion,
            bookmarkIntervalMs: r.allowBookmarks ? opts.bookmarkIntervalMs : 0,
          },
          (e) => {
            // Already encoded (resourceServiceDefinition passes it through): see watchFrame.
            if (!ended) call.write(watchFrame(e) as unknown as WatchResponse);
          },
          (err) => end(err),
        )
        .then(
          (s) => {
            if (ended) s();
            else stop = s;
          },
          (err) => end(err),
        );
    },
  };
}
