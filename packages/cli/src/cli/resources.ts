// Resource names as the user types them (pods, po, pod/web, Pod) resolved through the
// shared ResourceRegistry, and the `pod/web` / `pod "web"` names kubectl prints.
import type { KObject, ResourceInfo, ResourceRegistry } from "@skiff/api";
import { CliError } from "./errors.js";

/** Finds a resource by any of its names, or fails as kubectl does for an unknown type. */
export function resolveResource(registry: ResourceRegistry, name: string): ResourceInfo {
  // "deployments.apps" names the group too; the registry knows each name once.
  const info = registry.find(name) ?? registry.find(name.split(".")[0]);
  if (!info) throw new CliError(`the server doesn't have a resource type "${name}"`);
  return info;
}

/** The resource of an object read from a manifest (by kind and apiVersion). */
export function resourceForObject(registry: ResourceRegistry, obj: KObject, source?: string): ResourceInfo {
  const info = registry.byKind(obj.kind ?? "", obj.apiVersion) ?? registry.byKind(obj.kind ?? "");
  if (!info) {
    throw new CliError(
      `resource mapping not found for name: "${obj.metadata?.name ?? ""}" namespace: "${obj.metadata?.namespace ?? ""}"` +
        `${source ? ` from "${source}"` : ""}: no matches for kind "${obj.kind}" in version "${obj.apiVersion}"\nensure CRDs are installed first`,
    );
  }
  return info;
}

/** "pod" or "deployment.apps": the type part of `pod/web`. */
export function typeName(info: ResourceInfo): string {
  return info.group ? `${info.singular}.${info.group}` : info.singular;
}

/** `pod/web`, as `-o name` and apply print it. */
export function objectRef(info: ResourceInfo, name: string): string {
  return `${typeName(info)}/${name}`;
}

/** `(KIND, NAMES)` from positionals: `pods a b`, `pod/a pod/b`, or `pods,nodes` (get only). */
export function splitTypeAndNames(positionals: string[], registry: ResourceRegistry): { info: ResourceInfo; names: string[] }[] {
  if (positionals.length === 0) {
    throw new CliError(`you must specify the type of resource, one of: ${registry.all.map((r) => r.resource).join(", ")}`);
  }
  if (positionals[0].includes("/")) {
    // TYPE/NAME form: every argument must use it (kubectl rejects mixing).
    const groups = new Map<ResourceInfo, string[]>();
    for (const p of positionals) {
      const i = p.indexOf("/");
      if (i < 0)
        throw new CliError(
          `there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'skiff get resource/<resource_name>' instead of 'skiff get resource resource/<resource_name>'`,
        );
      const info = resolveResource(registry, p.slice(0, i));
      groups.set(info, [...(groups.get(info) ?? []), p.slice(i + 1)]);
    }
    return [...groups].map(([info, names]) => ({ info, names }));
  }
  const [types, ...names] = positionals;
  const infos = types
    .split(",")
    .filter(Boolean)
    .map((t) => resolveResource(registry, t));
  if (infos.length > 1 && names.length) throw new CliError("arguments in resource/name form must have a single resource and name");
  return infos.map((info) => ({ info, names }));
}

/**
 * Sets the namespace a manifest object goes to: its own, else -n, else "default"; cluster-scoped
 * objects get none. A manifest namespace that contradicts -n is an error, as in kubectl.
 */
export function placeInNamespace(info: ResourceInfo, obj: KObject, flagNamespace: string | undefined): string {
  if (!info.namespaced) {
    delete obj.metadata.namespace;
    return "";
  }
  const own = obj.metadata.namespace;
  if (own && flagNamespace && own !== flagNamespace) {
    throw new CliError(
      `the namespace from the provided object "${own}" does not match the namespace "${flagNamespace}". You must pass '--namespace=${own}' to perform this operation.`,
    );
  }
  obj.metadata.namespace = own || flagNamespace || "default";
  return obj.metadata.namespace;
}
