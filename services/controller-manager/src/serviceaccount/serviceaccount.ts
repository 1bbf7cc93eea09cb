// The ServiceAccounts controller: every active namespace has a `default` ServiceAccount, which
// pods use when they name none; deleting it brings it back.
import { isAlreadyExists, type Namespace, type ServiceAccount } from "@skiff/api";
import type { ControllerContext } from "../controller.js";
import { QueueController } from "../common/base.js";

/** The account every namespace gets. */
export const DEFAULT_ACCOUNT = "default";

export class ServiceAccountsController extends QueueController {
  constructor(ctx: ControllerContext) {
    super(ctx, { workers: 2, name: "serviceaccounts" });
  }

  protected async setup(): Promise<void> {
    const nss = this.ctx.informers.get<Namespace>("namespaces");
    const sas = this.ctx.informers.get<ServiceAccount>("serviceaccounts");
    nss.addHandlers({ onAdd: (n) => this.queue.add(n.metadata.name!), onUpdate: (_o, n) => this.queue.add(n.metadata.name!) });
    sas.addHandlers({
      onDelete: (sa) => {
        if (sa.metadata.name === DEFAULT_ACCOUNT) this.queue.add(sa.metadata.namespace!);
      },
    });
    await Promise.all([nss.waitForSync(), sas.waitForSync()]);
  }

  /** Creates the namespace's default account when it is missing. */
  async reconcile(namespace: string): Promise<void> {
    const ns = this.ctx.informers.get<Namespace>("namespaces").get(namespace);
    if (!ns || ns.metadata.deletionTimestamp) return;
    if (this.ctx.informers.get<ServiceAccount>("serviceaccounts").get(`${namespace}/${DEFAULT_ACCOUNT}`)) return;
    try {
      await this.ctx.client.create("serviceaccounts", {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name: DEFAULT_ACCOUNT, namespace },
      } as ServiceAccount);
      this.ctx.log.info({ namespace }, "created the default service account");
    } catch (err) {
      if (!isAlreadyExists(err)) throw err; // the cache was behind: it exists
    }
  }
}
