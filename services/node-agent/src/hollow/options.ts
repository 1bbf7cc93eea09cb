// hollow-nodes options: one table of flags, environment variables, defaults and checks (as the
// real agent's), so the scale tool validates and documents its flags like every other process.
import { bool, checks, defineOptions, list, num, str, type OptionsOf } from "@skiff/flags";

const positive = { check: checks.positive };

const rows = {
  apiservers: list("apiserver", "host:port of the apiservers' gRPC API, tried in order", ["127.0.0.1:6444"], {
    env: "SKIFF_APISERVER",
    check: checks.hostPorts,
  }),
  /** One identity for the whole fleet: a test tool playing many nodes needs a system:masters certificate. */
  tlsDir: str("tls-dir", "ca.crt, tls.crt, tls.key of the fleet's one identity (system:masters)", "", { env: "SKIFF_TLS_DIR", emptyIsUnset: true }),
  natsServers: list("nats", "NATS servers the heartbeats go to", ["nats://127.0.0.1:4222"], { env: "SKIFF_NATS" }),
  count: num("count", "How many nodes", 10, positive),
  prefix: str("prefix", "Node names are <prefix><i>", "hollow-"),
  heartbeatMs: num("heartbeat-ms", "Heartbeat interval (half the controller-manager's 10 s node-monitor grace)", 5_000, positive),
  statusMs: num("status-ms", "Node status check interval", 60_000, positive),
  cpus: num("cpus", "Fake machine size: CPUs", 4, positive),
  memoryGiB: num("memory-gib", "Fake machine size: memory in GiB", 16, positive),
  maxPods: num("max-pods", "Fake machine size: pods", 110, positive),
  workers: num("workers", "Pod workers per node", 2, positive),
  events: bool("events", "Record the agents' Events (Pulled, Created, Started…) through the API (off keeps 1,000 nodes light)", false),
  resyncMs: num("resync-ms", "Each node's full pod resync period", 60_000, positive),
};

/** Everything a fleet of hollow nodes is configured with. */
export type HollowOptions = OptionsOf<typeof rows>;

export const hollowOptions = defineOptions(rows);

/** Fills defaults and checks; throws with every problem listed. */
export const compileHollowOptions = (given: Partial<HollowOptions>) => hollowOptions.compile(given);
