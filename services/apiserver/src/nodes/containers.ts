// What both fronts (REST and gRPC) need to reach a pod's containers through its node.
import { BadRequestError, type Pod } from "@skiff/api";

/** The message of the 503 answered when no node connector is configured. */
export const noConnectorMessage =
  "the apiserver cannot reach node agents (no node connector is configured): logs, exec, attach and port-forward are unavailable";

/** Picks the container a request names, or the only one; BadRequest otherwise (kubectl's wording). */
export function chooseContainer(pod: Pod, container: string | null | undefined): string {
  const names = [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? [])].map((c) => c.name);
  if (container) {
    if (!names.includes(container)) throw new BadRequestError(`container ${container} is not valid for pod ${pod.metadata.name}`);
    return container;
  }
  const main = (pod.spec.containers ?? []).map((c) => c.name);
  if (main.length === 1) return main[0];
  throw new BadRequestError(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${main.join(" ")}]`);
}
