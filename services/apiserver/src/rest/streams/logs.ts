// GET pods/<name>/log: the container's log from the node connector, streamed as text/plain.
import type { IncomingMessage, ServerResponse } from "node:http";
import { BadRequestError, type Pod } from "@skiff/api";
import type { NodeConnector, LogOptions } from "../../nodes/connector.js";
import { chooseContainer } from "../../nodes/containers.js";
import { flag, intParam } from "../handlers/query.js";

/** Log options from the query. */
export function logOptions(pod: Pod, q: URLSearchParams): LogOptions {
  const tailLines = intParam(q, "tailLines");
  if (tailLines !== undefined && tailLines < 0) throw new BadRequestError("tailLines: must be greater than or equal to 0");
  // Kubernetes' PodLogOptions validation: both bounds must be positive, and one "since" at most.
  const sinceSeconds = intParam(q, "sinceSeconds");
  if (sinceSeconds !== undefined && sinceSeconds < 1) throw new BadRequestError("sinceSeconds: Invalid value: must be greater than 0");
  const limitBytes = intParam(q, "limitBytes");
  if (limitBytes !== undefined && limitBytes < 1) throw new BadRequestError("limitBytes: Invalid value: must be greater than 0");
  if (sinceSeconds !== undefined && q.get("sinceTime") !== null) throw new BadRequestError("at most one of `sinceTime` or `sinceSeconds` may be specified");
  return {
    container: chooseContainer(pod, q.get("container")),
    follow: flag(q, "follow"),
    previous: flag(q, "previous"),
    tailLines,
    sinceSeconds,
    timestamps: flag(q, "timestamps"),
    limitBytes,
  };
}

/** Streams a pod's log to the response until it ends or the client leaves. */
export async function serveLogs(
  connector: NodeConnector,
  req: IncomingMessage,
  res: ServerResponse,
  pod: Pod | { metadata: object },
  q: URLSearchParams,
): Promise<void> {
  const p = pod as Pod;
  const opts = logOptions(p, q);
  if (!p.spec.nodeName) throw new BadRequestError(`pod ${p.metadata.name} does not have a host assigned`);
  const stream = await connector.logs(p, opts);
  res.writeHead(200, { "Content-Type": "text/plain", "Transfer-Encoding": "chunked", "Cache-Control": "no-cache, private" });
  res.flushHeaders();
  const done = () => stream.destroy();
  req.on("close", done);
  stream.on("error", () => res.destroy());
  stream.pipe(res);
}
