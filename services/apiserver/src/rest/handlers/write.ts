// The writes of a resource path: POST (create), PUT (replace) and PATCH (every patch type,
// server-side apply included). Each is one call into the registry; a PUT or PATCH is an update
// function the registry runs (again, if another writer got in between).
import { BadRequestError, type KObject } from "@skiff/api";
import { readBody } from "../http/respond.js";
import { readObjectBody } from "./body.js";
import { enforceFieldValidation, fieldValidationOf, unknownFields } from "../validation/unknown-fields.js";
import { applyPatch, parsePatchBody, patchTypeOf, recordUpdate, serverSideApply } from "../patch/index.js";
import { managerOfScope, sendObject, writeOptions, type RequestScope } from "./scope.js";
import { flag } from "./query.js";

/** POST on a collection. */
export async function create(s: RequestScope): Promise<void> {
  const { obj, format } = await readObjectBody(s.req);
  // Protobuf decoding keeps only fields of its schema: nothing unknown can remain.
  if (format !== "protobuf") enforceFieldValidation(fieldValidationOf(s.query), s.res, s.ctx.registry.resources.all, s.info, obj);
  const stored = s.info.conversion ? s.info.conversion.toStored(obj) : obj;
  if (stored.metadata) recordUpdate(undefined, stored, managerOfScope(s), { except: ["f:status"] });
  sendObject(s, 201, await s.ctx.registry.create(s.info.resource, s.namespace, stored, writeOptions(s)));
}

/** PUT of an object, or of its status subresource. */
export async function replace(s: RequestScope): Promise<void> {
  const name = s.name!;
  const status = s.subresource === "status";
  const { obj, format } = await readObjectBody(s.req);
  // A status PUT is checked too (as Kubernetes does): the whole object, status included, must fit the schema.
  if (format !== "protobuf") enforceFieldValidation(fieldValidationOf(s.query), s.res, s.ctx.registry.resources.all, s.info, obj);
  obj.metadata ??= {};
  if (obj.metadata.name && obj.metadata.name !== name)
    throw new BadRequestError(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
  obj.metadata.name = name;
  if (s.info.namespaced && obj.metadata.namespace && obj.metadata.namespace !== s.namespace)
    throw new BadRequestError(`the namespace of the object (${obj.metadata.namespace}) does not match the namespace on the URL (${s.namespace})`);
  const manager = managerOfScope(s);
  const conv = s.info.conversion;
  const written = await s.ctx.registry.update(
    s.info.resource,
    s.namespace,
    name,
    (cur) => {
      const next = conv ? conv.toStored(structuredClone(obj), cur) : structuredClone(obj);
      // The fields this write changes are recorded against the stored object it replaces
      // (status writes are not tracked: the main resource's entries own no status fields).
      if (!status) recordUpdate(cur, next, manager, { except: ["f:status"] });
      return next;
    },
    writeOptions(s),
  );
  sendObject(s, 200, written);
}

/** PATCH of an object or of its status; an apply to a missing object creates it. */
export async function patch(s: RequestScope): Promise<void> {
  const name = s.name!;
  const type = patchTypeOf(s.req.headers["content-type"]);
  const validation = fieldValidationOf(s.query);
  const all = s.ctx.registry.resources.all;
  const body = parsePatchBody(type, await readBody(s.req));
  // JSON patches name paths, not fields: their result is checked below instead.
  if (type !== "json") enforceFieldValidation(validation, s.res, all, s.info, body, { patch: true });
  const status = s.subresource === "status";
  const opts = writeOptions(s);
  const conv = s.info.conversion;
  if (type === "apply") {
    // Managed fields are tracked in the stored version's field names; another version's apply
    // configuration would name fields that do not exist there.
    if (conv)
      throw new BadRequestError(
        `server-side apply is served for ${s.info.resource} in ${conv.storage.group}/${conv.storage.version} only; send the apply configuration there (or use a merge patch)`,
      );
    const manager = s.query.get("fieldManager");
    if (!manager) throw new BadRequestError("fieldManager is required for apply requests");
    if (!body || typeof body !== "object" || Array.isArray(body)) throw new BadRequestError("an apply configuration must be an object");
    const config = body as KObject;
    const force = flag(s.query, "force");
    const r = await s.ctx.registry.upsert(
      s.info.resource,
      s.namespace,
      name,
      (cur) => {
        const next = serverSideApply(cur, config, manager, { force });
        // An apply's resourceVersion is not a precondition: it is the live object's.
        next.metadata.resourceVersion = cur.metadata.resourceVersion;
        return next;
      },
      {
        ...opts,
        create: status
          ? undefined
          : () => {
              const obj = serverSideApply(undefined, config, manager);
              obj.metadata.name ??= name;
              return obj;
            },
      },
    );
    return sendObject(s, r.created ? 201 : 200, r.object);
  }
  // A patch's resourceVersion is a precondition only when the patch sets one itself.
  const pinned = type !== "json" && !!(body as KObject)?.metadata?.resourceVersion;
  const manager = managerOfScope(s);
  let checked = false;
  const written = await s.ctx.registry.update(
    s.info.resource,
    s.namespace,
    name,
    (cur) => {
      const next = conv ? conv.toStored(applyPatch(type, conv.fromStored(cur), body) as KObject, cur) : applyPatch(type, cur, body);
      if (!status) recordUpdate(cur, next, manager, { except: ["f:status"] });
      if (type === "json" && !checked) {
        checked = true;
        // Only what the patch added counts: the stored object may hold fields written without validation.
        enforceFieldValidation(validation, s.res, all, conv ? conv.storage : s.info, next, { except: unknownFields(all, conv ? conv.storage : s.info, cur) });
      }
      if (!pinned) next.metadata.resourceVersion = cur.metadata.resourceVersion;
      return next;
    },
    opts,
  );
  sendObject(s, 200, written);
}
