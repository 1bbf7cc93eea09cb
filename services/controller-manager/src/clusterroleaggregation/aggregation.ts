// The ClusterRole aggregation controller: an aggregated ClusterRole's rules are written as the
// union of the rules of the ClusterRoles its selectors match (so `kubectl get clusterrole view
// -o yaml` shows what view grants); any ClusterRole change re-checks every aggregated one.
import { isNotFound, labelSelectorFromStruct, matchesLabels, type ClusterRole, type PolicyRule } from "@skiff/api";
import type { ControllerContext } from "../controller.js";
import { QueueController } from "../common/base.js";

/** The rules an aggregated role gathers: the matched roles' rules, without repeats, in name order. */
export function aggregatedRules(role: ClusterRole, all: ClusterRole[]): PolicyRule[] {
  const selectors = (role.aggregationRule?.clusterRoleSelectors ?? []).map((s) => labelSelectorFromStruct(s));
  const out: PolicyRule[] = [];
  const seen = new Set<string>();
  const others = all
    .filter((r) => r.metadata.name !== role.metadata.name && selectors.some((s) => matchesLabels(s, r.metadata.labels)))
    .sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
  for (const r of others) {
    for (const rule of r.rules ?? []) {
      const k = JSON.stringify(rule);
      if (!seen.has(k)) {
        seen.add(k);
        out.push(rule);
      }
    }
  }
  return out;
}

export class ClusterRoleAggregationController extends QueueController {
  constructor(ctx: ControllerContext) {
    super(ctx, { workers: 1, name: "clusterrole-aggregation" });
  }

  protected async setup(): Promise<void> {
    const roles = this.ctx.informers.get<ClusterRole>("clusterroles");
    const all = () => {
      for (const r of roles.list()) if (r.aggregationRule?.clusterRoleSelectors?.length) this.queue.add(r.metadata.name!);
    };
    roles.addHandlers({ onAdd: all, onUpdate: all, onDelete: all });
    await roles.waitForSync();
  }

  async reconcile(name: string): Promise<void> {
    const roles = this.ctx.informers.get<ClusterRole>("clusterroles");
    const role = roles.get(name);
    if (!role?.aggregationRule?.clusterRoleSelectors?.length) return;
    const rules = aggregatedRules(role, roles.list());
    if (JSON.stringify(rules) === JSON.stringify(role.rules ?? [])) return;
    try {
      await this.ctx.client.update("clusterroles", { ...role, rules });
    } catch (err) {
      if (!isNotFound(err)) throw err; // a conflict retries with the fresher cache
    }
  }
}
