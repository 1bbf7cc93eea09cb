// The OpenAPI documents: /openapi/v2 (JSON) and /openapi/v3 with one document per
// group/version. Paths declare the query parameters kubectl looks for (fieldValidation on
// PATCH makes kubectl validate server-side instead of with a client-side v2 schema).
import { createHash } from "node:crypto";
import type { ResourceInfo } from "@skiff/api";
import { definitionName, definitions, resolveRefs, type Schema } from "./schemas.js";
import { kubeVersion } from "../discovery/discovery.js";

const param = (name: string, type: string, description: string): Schema => ({ name, in: "query", description, schema: { type }, uniqueItems: true });
const common = [
  param("dryRun", "string", "When present, indicates that modifications should not be persisted."),
  param("fieldManager", "string", "fieldManager is a name associated with the actor or entity that is making these changes."),
  param("fieldValidation", "string", "fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields."),
  param("pretty", "string", "If 'true', then the output is pretty printed."),
];
const listParams = ["labelSelector", "fieldSelector", "limit", "continue", "resourceVersion", "watch", "allowWatchBookmarks", "timeoutSeconds"].map((n) =>
  param(n, n === "limit" || n === "timeoutSeconds" ? "integer" : n === "watch" || n === "allowWatchBookmarks" ? "boolean" : "string", n),
);

function gvk(r: ResourceInfo, action: string) {
  return { "x-kubernetes-group-version-kind": { group: r.group, version: r.version, kind: r.kind }, "x-kubernetes-action": action };
}

function op(r: ResourceInfo, action: string, opId: string, ref: string, extra: Schema = {}): Schema {
  return {
    operationId: opId,
    tags: [r.group || "core"],
    ...gvk(r, action),
    ...extra,
    responses: { "200": { description: "OK", content: { "application/json": { schema: { $ref: ref } } } }, "401": { description: "Unauthorized" } },
  };
}

/** Paths of one resource (collection and item), for v3 (content) style documents. */
function pathsOf(r: ResourceInfo, refPrefix: string): Record<string, Schema> {
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  const coll = r.namespaced ? `${base}/namespaces/{namespace}/${r.resource}` : `${base}/${r.resource}`;
  const ref = refPrefix + definitionName(r);
  const nsParam = r.namespaced ? [{ name: "namespace", in: "path", required: true, schema: { type: "string" } }] : [];
  const body = { requestBody: { content: { "application/json": { schema: { $ref: ref } } } } };
  // Reviews are only created (answered, never stored).
  if (r.virtual) return { [coll]: { parameters: [...nsParam, ...common], post: op(r, "post", `create${r.kind}`, ref, body) } };
  const patchBody = {
    requestBody: {
      content: Object.fromEntries(
        ["application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml"].map((t) => [
          t,
          { schema: { type: "object" } },
        ]),
      ),
    },
  };
  return {
    [coll]: {
      parameters: [...nsParam, ...common],
      get: op(r, "list", `list${r.kind}`, ref, { parameters: listParams }),
      post: op(r, "post", `create${r.kind}`, ref, body),
      delete: op(r, "deletecollection", `deleteCollection${r.kind}`, ref),
    },
    [`${coll}/{name}`]: {
      parameters: [{ name: "name", in: "path", required: true, schema: { type: "string" } }, ...nsParam, ...common],
      get: op(r, "get", `read${r.kind}`, ref),
      put: op(r, "put", `replace${r.kind}`, ref, body),
      delete: op(r, "delete", `delete${r.kind}`, ref),
      patch: op(r, "patch", `patch${r.kind}`, ref, {
        ...patchBody,
        parameters: [param("fieldValidation", "string", "fieldValidation"), param("force", "boolean", 'Force is going to "force" Apply requests.')],
      }),
    },
  };
}

/** GET /openapi/v3/<api/v1|apis/g/v>: the document of one group/version; undefined if unknown. */
export function openApiV3(resources: ResourceInfo[], gvPath: string): Schema | undefined {
  const rs = resources.filter((r) => (r.group ? `apis/${r.group}/${r.version}` : `api/${r.version}`) === gvPath);
  if (!rs.length) return undefined;
  const doc = {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: kubeVersion.gitVersion },
    paths: Object.assign({}, ...rs.map((r) => pathsOf(r, "#/components/schemas/"))),
    components: { schemas: definitions(resources) },
  };
  return resolveRefs(doc, "#/components/schemas/");
}

/** GET /openapi/v3: where each group/version's document is. */
export function openApiV3Root(resources: ResourceInfo[]): Schema {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const r of resources) {
    const p = r.group ? `apis/${r.group}/${r.version}` : `api/${r.version}`;
    if (paths[p]) continue;
    const hash = createHash("sha512")
      .update(JSON.stringify(openApiV3(resources, p)))
      .digest("hex")
      .slice(0, 32)
      .toUpperCase();
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hash}` };
  }
  return { paths };
}

/** GET /openapi/v2 (JSON). */
export function openApiV2(resources: ResourceInfo[]): Schema {
  const paths: Record<string, Schema> = {};
  for (const r of resources) {
    for (const [p, item] of Object.entries(pathsOf(r, "#/definitions/"))) {
      // v2 puts the schema directly in responses; reshape the v3-style operations.
      const v2: Schema = {};
      for (const [m, o] of Object.entries(item)) {
        if (m === "parameters") continue;
        const { responses: _r, requestBody: _b, ...rest } = o as Schema;
        v2[m] = {
          ...rest,
          produces: ["application/json"],
          responses: { "200": { description: "OK", schema: { $ref: `#/definitions/${definitionName(r)}` } } },
        };
      }
      paths[p] = v2;
    }
  }
  return resolveRefs(
    { swagger: "2.0", info: { title: "Kubernetes", version: kubeVersion.gitVersion }, paths, definitions: definitions(resources) },
    "#/definitions/",
  );
}
