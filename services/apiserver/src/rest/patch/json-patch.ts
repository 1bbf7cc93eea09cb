// JSON patch (RFC 6902): add, remove, replace, move, copy and test operations on JSON pointers.
import { BadRequestError, ApiError } from "@skiff/api";

interface Op {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

function parsePointer(p: string): string[] {
  if (p === "") return [];
  if (!p.startsWith("/")) throw new BadRequestError(`invalid JSON pointer ${JSON.stringify(p)}`);
  return p
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

type Container = Record<string, unknown> | unknown[];

function walk(doc: unknown, tokens: string[], path: string): Container {
  let cur: unknown = doc;
  for (const t of tokens) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (cur && typeof cur === "object") cur = (cur as Record<string, unknown>)[t];
    else cur = undefined;
    if (cur === undefined || cur === null || typeof cur !== "object") throw new ApiError("Invalid", `jsonpatch: path ${path} does not exist`);
  }
  return cur as Container;
}

function index(arr: unknown[], t: string, path: string, forAdd: boolean): number {
  if (forAdd && t === "-") return arr.length;
  if (!/^\d+$/.test(t)) throw new ApiError("Invalid", `jsonpatch: invalid array index in ${path}`);
  const i = Number(t);
  if (i > arr.length || (!forAdd && i >= arr.length)) throw new ApiError("Invalid", `jsonpatch: index out of range in ${path}`);
  return i;
}

function get(doc: unknown, path: string): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return doc;
  const parent = walk(doc, tokens.slice(0, -1), path);
  const last = tokens[tokens.length - 1];
  const v = Array.isArray(parent) ? parent[index(parent, last, path, false)] : parent[last];
  if (v === undefined) throw new ApiError("Invalid", `jsonpatch: path ${path} does not exist`);
  return v;
}

function remove(doc: unknown, path: string): unknown {
  const tokens = parsePointer(path);
  const parent = walk(doc, tokens.slice(0, -1), path);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) return parent.splice(index(parent, last, path, false), 1)[0];
  if (!(last in parent)) throw new ApiError("Invalid", `jsonpatch: unable to remove nonexistent key ${JSON.stringify(last)} at ${path}`);
  const v = parent[last];
  delete parent[last];
  return v;
}

function add(doc: unknown, path: string, value: unknown, replace: boolean): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return value;
  const parent = walk(doc, tokens.slice(0, -1), path);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) {
    const i = index(parent, last, path, !replace);
    parent.splice(i, replace ? 1 : 0, value);
  } else {
    if (replace && !(last in parent)) throw new ApiError("Invalid", `jsonpatch: replace of missing key at ${path}`);
    parent[last] = value;
  }
  return doc;
}

/** Applies a JSON patch document (an array of operations), returning a new document. */
export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new BadRequestError("a JSON patch must be an array of operations");
  let doc = structuredClone(target);
  for (const raw of ops as Op[]) {
    if (!raw || typeof raw.op !== "string" || typeof raw.path !== "string") throw new BadRequestError("each JSON patch operation needs op and path");
    const v = () => structuredClone(raw.value);
    switch (raw.op) {
      case "add":
        doc = add(doc, raw.path, v(), false);
        break;
      case "replace":
        doc = add(doc, raw.path, v(), true);
        break;
      case "remove":
        remove(doc, raw.path);
        break;
      case "move": {
        const x = remove(doc, raw.from ?? "");
        doc = add(doc, raw.path, x, false);
        break;
      }
      case "copy":
        doc = add(doc, raw.path, structuredClone(get(doc, raw.from ?? "")), false);
        break;
      case "test":
        if (JSON.stringify(get(doc, raw.path)) !== JSON.stringify(raw.value)) throw new ApiError("Invalid", `jsonpatch: test failed at ${raw.path}`);
        break;
      default:
        throw new BadRequestError(`unknown JSON patch operation ${JSON.stringify(raw.op)}`);
    }
  }
  return doc;
}
