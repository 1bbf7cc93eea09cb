import { writeFileSync, existsSync } from "node:fs";
import { it } from "vitest";
import { TestCluster } from "../harness/cluster.js";
it("dev cluster", async () => {
  const c = new TestCluster({ nodes: 1 });
  await c.start();
  const kc = await c.kubeconfigPath();
  writeFileSync("/tmp/streams-dev.json", JSON.stringify({ kc, dir: c.dir, api: c.apiAddress, https: c.httpsAddress }));
  while (!existsSync("/tmp/streams-dev.stop")) await new Promise((r) => setTimeout(r, 1000));
  await c.stop();
}, 3_600_000);
