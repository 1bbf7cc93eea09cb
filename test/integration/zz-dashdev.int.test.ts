// TEMPORARY dev harness (not committed): keeps a cluster up for manual browser checks.
import { existsSync, writeFileSync } from "node:fs";
import { it } from "vitest";
import { TestCluster } from "../harness/cluster.js";

it("keeps a cluster up", async () => {
  const cluster = new TestCluster({ nodes: 1 });
  await cluster.start();
  const kc = await cluster.kubeconfigPath();
  writeFileSync("/tmp/dashdev.json", JSON.stringify({ api: `https://${cluster.httpsAddress}`, kubeconfig: kc, tls: cluster.tlsDir("admin") }));
  writeFileSync("/tmp/dashdev.keep", "");
  while (existsSync("/tmp/dashdev.keep")) await new Promise((r) => setTimeout(r, 1000));
  await cluster.stop();
}, 3_600_000);
