// Termination messages of finished containers: the terminationMessagePath file, or — policy
// FallbackToLogsOnError, failed and the file empty — the tail of the container's log.
import type { Logger } from "@skiff/log";
import { containersOf, initContainersOf, type Pod } from "@skiff/api";
import type { Runtime, RuntimeContainer } from "../runtime/runtime.js";
import type { VolumeManager } from "../volumes/volumes.js";
import type { ContainerView } from "./status.js";
import { attemptOf, isFinished } from "./kuberuntime/labels.js";

export class TerminationMessages {
  /** Log tails of finished containers by id (they never change once the container exited). */
  private readonly logTails = new Map<string, string>();

  constructor(
    private readonly runtime: Runtime,
    private readonly volumes: VolumeManager,
    private readonly log: Logger,
  ) {}

  /** The view with the termination messages of its finished instances added. */
  async withMessages(pod: Pod, view: ContainerView): Promise<ContainerView> {
    const messages: Record<string, string> = {};
    const spec = [...containersOf(pod), ...initContainersOf(pod)].find((c) => c.name === view.name);
    for (const c of [view.current, view.previous]) {
      if (!c || !isFinished(c)) continue;
      const m =
        (await this.volumes.terminationMessage(pod.metadata.uid!, view.name, attemptOf(c))) ??
        (spec?.terminationMessagePolicy === "FallbackToLogsOnError" && c.exitCode !== 0 ? await this.logTail(c) : undefined);
      if (m) messages[c.id] = m;
    }
    return { ...view, messages };
  }

  /** The kubelet's fallback message: the last 80 lines of the log, at most 2048 bytes. */
  private async logTail(c: RuntimeContainer): Promise<string | undefined> {
    const cached = this.logTails.get(c.id);
    if (cached !== undefined) return cached || undefined;
    let text = "";
    // Why retry: the engine copies a container's output to its log asynchronously, so right
    // after the exit the log may still be empty — and a finished pod's status is written once.
    for (let i = 0; i < 5; i++) {
      try {
        const chunks: Buffer[] = [];
        for await (const ch of await this.runtime.logs(c.id, { tailLines: 80 })) chunks.push(Buffer.from(ch as Buffer));
        const all = Buffer.concat(chunks);
        text = all.subarray(Math.max(0, all.length - 2048)).toString("utf8");
      } catch (err) {
        this.log.debug({ err, container: c.id }, "cannot read the log for the termination message");
        return undefined;
      }
      if (text || Date.now() - Date.parse(c.finishedAt ?? "") > 5000) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    if (this.logTails.size >= 1000) this.logTails.delete(this.logTails.keys().next().value!);
    this.logTails.set(c.id, text);
    return text || undefined;
  }
}
