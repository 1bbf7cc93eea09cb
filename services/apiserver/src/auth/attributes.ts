// What a gRPC call of ResourceService asks to do, in Kubernetes' authorization terms (verb,
// resource, subresource, namespace, name, selector), read from its method and first message.
import type { KObject } from "@skiff/api";

/** The attributes an authorizer decides on. */
export interface RequestAttributes {
  verb: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  fieldSelector?: string;
  /** The object sent (create/update), when there is one. */
  object?: KObject;
}

type Msg = Record<string, unknown> & { ref?: { resource?: string; namespace?: string; name?: string } };

function parse(json: unknown): KObject | undefined {
  try {
    const o = JSON.parse(String(json ?? ""));
    return o && typeof o === "object" ? (o as KObject) : undefined;
  } catch {
    return undefined; // the handler answers BadRequest for it
  }
}

/** The attributes of a call of `method` (e.g. "Create") with request `m`. */
export function attributesOf(method: string, m: Msg | undefined): RequestAttributes {
  const s = (v: unknown) => (typeof v === "string" && v ? v : undefined);
  const req = m ?? {};
  const ref = req.ref ?? {};
  switch (method) {
    case "Create":
    case "Update":
    case "UpdateStatus": {
      const object = parse(req.objectJson);
      return {
        verb: method === "Create" ? "create" : "update",
        subresource: method === "UpdateStatus" ? "status" : undefined,
        resource: String(req.resource ?? ""),
        namespace: s(req.namespace) ?? object?.metadata?.namespace,
        name: object?.metadata?.name,
        object,
      };
    }
    case "Get":
    case "Delete":
      return { verb: method.toLowerCase(), resource: ref.resource ?? "", namespace: s(ref.namespace), name: s(ref.name) };
    case "List":
    case "Watch":
      return { verb: method.toLowerCase(), resource: String(req.resource ?? ""), namespace: s(req.namespace), fieldSelector: s(req.fieldSelector) };
    case "Bind":
      return { verb: "create", resource: "pods", subresource: "binding", namespace: s(req.namespace), name: s(req.podName) };
    case "PodLogs":
      return { verb: "get", resource: "pods", subresource: "log", namespace: s(req.namespace), name: s(req.name) };
    case "PodExec":
      return { verb: "create", resource: "pods", subresource: "exec" };
    case "CreateToken":
      return {
        verb: "create",
        resource: "serviceaccounts",
        subresource: "token",
        namespace: s(req.namespace),
        name: s(req.serviceAccount),
        object: parse(req.tokenRequestJson),
      };
    default:
      return { verb: method, resource: "" };
  }
}
