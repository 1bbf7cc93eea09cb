// The container topology (`skiff up --nodes N`, the topology tests): what containers make a
// cluster, with which command lines, on which network. Pure: docker.ts and topology.ts act on it.

/** Labels every object of a container topology carries (so `down` finds all of it). */
export const topologyLabel = "io.skiff.topology";
/** Label naming a container's role. */
export const roleLabel = "io.skiff.role";

/** The roles of the containers of a topology. */
export type Role = "nats" | "apiserver" | "scheduler" | "controller-manager" | "node" | "registry";

/** What to build. */
export interface TopologyOptions {
  /** Name of the topology: prefix of every container, network and volume (1-20 of [a-z0-9-]). */
  name: string;
  /** Node containers (each with its own Docker engine). */
  nodes: number;
  /** NATS servers: 1, or 3 for a JetStream cluster with replicas 3. */
  natsServers: 1 | 3;
  apiservers: number;
  schedulers: number;
  controllerManagers: number;
  /** Internal network (no route out; tests) or a normal bridge (users). */
  internal: boolean;
  /** Host port for apiserver-1's gRPC API on 127.0.0.1 (normal bridge only); undefined = none. */
  publishApiPort?: number;
  /** Host port for apiserver-1's Kubernetes REST API (HTTPS) on 127.0.0.1 (normal bridge only); undefined = none. */
  publishHttpsPort?: number;
  /** Shared secret of apiservers and node agents (logs/exec/port-forward); one per cluster. */
  nodeToken: string;
  /** The control plane's PKI directory on this host (CA, admin token, component TLS dirs): mounted into the control-plane containers. */
  pkiDir: string;
  images: { nats: string; controlplane: string; node: string };
  /** Extra node-agent flags (e.g. --heartbeat-ms). */
  nodeAgentArgs: string[];
  /** Extra controller-manager flags (e.g. --node-monitor-grace-ms). */
  controllerManagerArgs: string[];
  /** Extra scheduler flags (e.g. --leader-elect-lease-ms). */
  schedulerArgs: string[];
  /**
   * The cluster registry (skiff/registry): `localhost:<port>` on the host (published, normal
   * bridge only) and on every node (the agent forwards it), storage in a volume; `auth`
   * (user:password) turns on htpasswd auth. Undefined: no registry.
   */
  registry?: { port: number; auth?: string; image: string };
  /** Extra environment of the node containers (e.g. SKIFF_IMAGE_GC_HIGH_THRESHOLD). */
  nodeEnv?: Record<string, string>;
}

/** Tag of the topology images: SKIFF_IMAGE_TAG (as scripts/cluster-images.sh builds them), else latest. */
const imageTag = process.env.SKIFF_IMAGE_TAG || "latest";
/** Defaults of `skiff up --nodes N`. */
export const defaultImages = { nats: `skiff/nats:${imageTag}`, controlplane: `skiff/controlplane:${imageTag}`, node: `skiff/node:${imageTag}` };
/** The cluster registry's image (images/registry). */
export const registryImage = `skiff/registry:${imageTag}`;

/** One container to run. */
export interface ContainerPlan {
  name: string;
  role: Role;
  /** 1-based index within its role. */
  index: number;
  image: string;
  /** Arguments after the image (the image's entrypoint chooses the process). */
  args: string[];
  env: Record<string, string>;
  /** Docker-in-Docker privileges and a volume for /var/lib/docker (nodes). */
  dind: boolean;
  /** host port → container port, each published on 127.0.0.1. */
  publish?: { host: number; container: number }[];
  /** Fixed address on the network (control plane): a restarted container keeps it, so the addresses in cluster.json stay true. */
  ip?: string;
  /** Host directories mounted into the container (the PKI). */
  mounts?: { host: string; container: string; readOnly?: boolean }[];
  /** Docker restart policy: the processes restart as systemd would restart them on a VM. */
  restart: "no" | "on-failure" | "unless-stopped";
  /** Named volumes (labelled with the topology, so `down` removes them). */
  volumes?: { name: string; target: string }[];
}

/** The whole plan: network, then containers in start order. */
export interface TopologyPlan {
  network: string;
  nats: ContainerPlan[];
  apiservers: ContainerPlan[];
  /** Schedulers and controller-managers. */
  controllers: ContainerPlan[];
  nodes: ContainerPlan[];
  /** The cluster registry, when asked for (started before the nodes). */
  registry: ContainerPlan[];
  natsUrls: string[];
  /** host:port of each apiserver on the cluster network (container names resolve there). */
  apiserverAddresses: string[];
}

/** Port the registry container listens on inside the network. */
export const registryPort = 5000;
/** gRPC port of the apiservers inside the network. */
export const apiGrpcPort = 6444;
/** Port of the apiservers' Kubernetes REST API (HTTPS) inside the network. */
export const apiHttpsPort = 6443;
/** Where control-plane containers find the PKI (the components' default --pki-dir / --tls-dir). */
export const containerPkiDir = "/var/lib/skiff/pki";
/** Where NATS containers find their configuration and certificate. */
export const containerNatsDir = "/etc/skiff/nats";

/** What each NATS server's configuration holds (written by topology.ts). */
export function natsConfigs(
  o: TopologyOptions,
  plan: TopologyPlan,
): {
  file: string;
  options: {
    serverName: string;
    host: string;
    port: number;
    storeDir: string;
    tlsDir: string;
    nodes: string[];
    cluster?: { name: string; port: number; routes: string[] };
  };
}[] {
  return plan.nats.map((p) => ({
    file: `n${p.index}.conf`,
    options: {
      serverName: `n${p.index}`,
      host: "0.0.0.0",
      port: 4222,
      storeDir: "/data",
      tlsDir: containerNatsDir,
      nodes: plan.nodes.map((n) => n.name),
      cluster: o.natsServers > 1 ? { name: o.name, port: 6222, routes: plan.nats.filter((x) => x !== p).map((x) => `nats://${x.name}:6222`) } : undefined,
    },
  }));
}

/** Pod addresses of every topology (each node container gets a /24 of it). */
export const clusterCidr = "10.244.0.0/16";

/** Checks the options a user gave; returns problems (empty when fine). */
export function validateOptions(o: TopologyOptions): string[] {
  const errs: string[] = [];
  if (!/^[a-z0-9]([a-z0-9-]{0,18}[a-z0-9])?$/.test(o.name)) errs.push(`--name: 1-20 characters of [a-z0-9-], got ${JSON.stringify(o.name)}`);
  if (!Number.isInteger(o.nodes) || o.nodes < 1 || o.nodes > 20) errs.push(`--nodes: a number from 1 to 20, got ${o.nodes}`);
  if (o.natsServers !== 1 && o.natsServers !== 3) errs.push("--nats-servers: 1 or 3");
  for (const [flag, n] of [
    ["--apiservers", o.apiservers],
    ["--schedulers", o.schedulers],
    ["--controller-managers", o.controllerManagers],
  ] as const) {
    if (!Number.isInteger(n) || n < 1 || n > 5) errs.push(`${flag}: a number from 1 to 5, got ${n}`);
  }
  if ((o.publishApiPort !== undefined || o.publishHttpsPort !== undefined) && o.internal) errs.push("an internal network cannot publish ports");
  if (o.publishApiPort !== undefined && o.publishApiPort === o.publishHttpsPort) errs.push("--api-port and --https-port must differ");
  if (o.registry && !(Number.isInteger(o.registry.port) && o.registry.port > 0 && o.registry.port < 65536))
    errs.push(`--registry-port: a port number, got ${o.registry.port}`);
  if (o.registry?.auth !== undefined && !/^[^:\s]+:\S+$/.test(o.registry.auth)) errs.push("--registry-auth: USER:PASSWORD");
  if (!/^[A-Za-z0-9._-]{16,}$/.test(o.nodeToken)) errs.push("node token: at least 16 characters of [A-Za-z0-9._-]");
  return errs;
}

/**
 * The fixed address of a control-plane container in a /16../24 IPv4 subnet: NATS at .10+,
 * apiservers .20+, schedulers .30+, controller-managers .40+ (nodes take dynamic ones).
 */
export function fixedIp(subnet: string | undefined, role: Role, index: number): string | undefined {
  if (!subnet || role === "node") return undefined;
  const base = { nats: 10, apiserver: 20, scheduler: 30, "controller-manager": 40, registry: 50 }[role];
  const [addr] = subnet.split("/");
  const p = addr.split(".").map(Number);
  return `${p[0]}.${p[1]}.${p[2]}.${base + index - 1}`;
}

/**
 * The LoadBalancer pool of a topology: the third quarter of its network's lower half, at most
 * 256 addresses (x.y.z.64-x.y.z.127 of a /24). Docker hands out no address there (dynamic ones
 * come from the upper half, fixed ones are .10-.49) and the host reaches it over the bridge: the
 * node agents make pool addresses local, so the nodes answer ARP for them (MetalLB's L2 mode,
 * with every node serving every address).
 */
export function loadBalancerPool(subnet: string): string {
  const [addr, bits] = subnet.split("/");
  const base = addr
    .split(".")
    .map(Number)
    .reduce((a, b) => a * 256 + b, 0);
  const size = 2 ** (32 - Number(bits));
  const first = base + size / 4,
    last = Math.min(first + 255, base + size / 2 - 1);
  const ip = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
  return `${ip(first)}-${ip(last)}`;
}

/** Builds the plan for a topology (`subnet`: the network's, for fixed control-plane addresses). */
export function planTopology(o: TopologyOptions, subnet?: string): TopologyPlan {
  const c = (role: Role, index: number) => `${o.name}-${role}-${index}`;
  const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  const natsNames = range(o.natsServers).map((i) => c("nats", i));
  const natsUrls = natsNames.map((n) => `nats://${n}:4222`);
  // Each server's configuration (TLS for clients and routes, a user per identity) is written by
  // topology.ts into the PKI's nats/ directory (natsConfigs below says what goes into each).
  const nats: ContainerPlan[] = range(o.natsServers).map((i) => ({
    name: c("nats", i),
    role: "nats",
    index: i,
    image: o.images.nats,
    env: {},
    dind: false,
    restart: "unless-stopped",
    args: ["-c", `${containerNatsDir}/n${i}.conf`],
    mounts: [{ host: `${o.pkiDir}/nats`, container: containerNatsDir, readOnly: true }],
  }));
  const apiserverAddresses = range(o.apiservers).map((i) => `${c("apiserver", i)}:${apiGrpcPort}`);
  const common = { SKIFF_NATS: natsUrls.join(","), SKIFF_APISERVER: apiserverAddresses.join(",") };
  const apiservers: ContainerPlan[] = range(o.apiservers).map((i) => {
    const ip = fixedIp(subnet, "apiserver", i);
    const publish =
      i === 1
        ? [
            ...(o.publishApiPort !== undefined ? [{ host: o.publishApiPort, container: apiGrpcPort }] : []),
            ...(o.publishHttpsPort !== undefined ? [{ host: o.publishHttpsPort, container: apiHttpsPort }] : []),
          ]
        : [];
    return {
      name: c("apiserver", i),
      role: "apiserver",
      index: i,
      image: o.images.controlplane,
      env: { ...common, SKIFF_NODE_TOKEN: o.nodeToken },
      dind: false,
      restart: "unless-stopped",
      args: [
        "apiserver",
        "--nats",
        common.SKIFF_NATS,
        "--replicas",
        String(o.natsServers),
        "--grpc-address",
        `0.0.0.0:${apiGrpcPort}`,
        "--https-address",
        `0.0.0.0:${apiHttpsPort}`,
        // kubectl on the host reaches the published port (127.0.0.1, always in the certificate) or
        // the container's address (in it too: the apiserver adds its own addresses); the names
        // cover clients inside the network.
        "--tls-san",
        [c("apiserver", i), "localhost", ...(ip ? [ip] : [])].join(","),
        ...(ip ? ["--advertise-address", ip] : []),
        ...(subnet ? ["--load-balancer-ip-range", loadBalancerPool(subnet)] : []),
        "--pki-dir",
        containerPkiDir,
      ],
      // The CA key lives on the control plane's disk only: here, the host's PKI directory.
      mounts: [{ host: o.pkiDir, container: containerPkiDir }],
      publish: publish.length ? publish : undefined,
    };
  });
  // Two of each by default: active/standby on a NATS KV lease (leader election is on by default; --nats says where).
  const controllers: ContainerPlan[] = [
    ...range(o.schedulers).map(
      (i): ContainerPlan => ({
        name: c("scheduler", i),
        role: "scheduler",
        index: i,
        image: o.images.controlplane,
        env: common,
        dind: false,
        restart: "unless-stopped",
        mounts: [{ host: `${o.pkiDir}/scheduler`, container: `${containerPkiDir}/scheduler`, readOnly: true }],
        args: [
          "scheduler",
          "--apiserver",
          common.SKIFF_APISERVER,
          "--tls-dir",
          `${containerPkiDir}/scheduler`,
          "--nats",
          common.SKIFF_NATS,
          "--leader-elect",
          "true",
          ...o.schedulerArgs,
        ],
      }),
    ),
    ...range(o.controllerManagers).map(
      (i): ContainerPlan => ({
        name: c("controller-manager", i),
        role: "controller-manager",
        index: i,
        image: o.images.controlplane,
        env: common,
        dind: false,
        restart: "unless-stopped",
        mounts: [{ host: `${o.pkiDir}/controller-manager`, container: `${containerPkiDir}/controller-manager`, readOnly: true }],
        args: [
          "controller-manager",
          "--apiserver",
          common.SKIFF_APISERVER,
          "--tls-dir",
          `${containerPkiDir}/controller-manager`,
          "--nats",
          common.SKIFF_NATS,
          "--leader-elect",
          "true",
          "--cluster-cidr",
          clusterCidr,
          ...o.controllerManagerArgs,
        ],
      }),
    ),
  ];
  // The node IP is the node container's address on the cluster network (the entrypoint reads
  // it from eth0): other nodes route this node's podCIDR via it (host-gw).
  const registry: ContainerPlan[] = o.registry
    ? [
        {
          name: c("registry", 1),
          role: "registry",
          index: 1,
          image: o.registry.image,
          dind: false,
          restart: "unless-stopped",
          args: [],
          env: o.registry.auth ? { SKIFF_REGISTRY_AUTH: o.registry.auth } : {},
          publish: o.internal ? undefined : [{ host: o.registry.port, container: registryPort }],
          volumes: [{ name: `${c("registry", 1)}-data`, target: "/var/lib/docker-registry" }],
        },
      ]
    : [];
  // Each node agent forwards 127.0.0.1:<port> to the registry: `localhost:<port>/app:1` names the same image on the host and on every node.
  const registryEnv: Record<string, string> = o.registry
    ? { SKIFF_LOCAL_REGISTRY: `${c("registry", 1)}:${registryPort}`, SKIFF_LOCAL_REGISTRY_PORT: String(o.registry.port) }
    : {};
  const nodes: ContainerPlan[] = range(o.nodes).map((i) => ({
    name: c("node", i),
    role: "node",
    index: i,
    image: o.images.node,
    dind: true,
    restart: "no",
    env: {
      ...common,
      SKIFF_NODE_NAME: c("node", i),
      SKIFF_CLUSTER_NAME: o.name,
      SKIFF_CGROUP_PARENT: `/skiff-${c("node", i)}`,
      SKIFF_CLUSTER_CIDR: clusterCidr,
      SKIFF_NODE_TOKEN: o.nodeToken,
      ...registryEnv,
      ...o.nodeEnv,
    },
    // An internal topology (tests) never forwards DNS off the box: no upstream resolvers.
    args: [...(o.internal ? ["--pod-network-internal", "--dns-upstream", "none"] : []), ...o.nodeAgentArgs],
  }));
  for (const p of [...nats, ...apiservers, ...controllers, ...registry]) p.ip = fixedIp(subnet, p.role, p.index);
  return { network: `${o.name}-net`, nats, apiservers, controllers, nodes, registry, natsUrls, apiserverAddresses };
}

/** `docker run` arguments for one container of a topology. */
export function dockerRunArgs(topology: string, network: string, p: ContainerPlan): string[] {
  const a = [
    "run",
    "-d",
    "--name",
    p.name,
    "--hostname",
    p.name,
    "--network",
    network,
    "--network-alias",
    p.name,
    "--label",
    `${topologyLabel}=${topology}`,
    "--label",
    `${roleLabel}=${p.role}`,
    "--label",
    `io.skiff.index=${p.index}`,
    "--restart",
    p.restart,
    "--log-opt",
    "max-size=10m",
  ];
  if (p.ip) a.push("--ip", p.ip);
  for (const [k, v] of Object.entries(p.env)) a.push("-e", `${k}=${v}`);
  for (const pub of p.publish ?? []) a.push("-p", `127.0.0.1:${pub.host}:${pub.container}`);
  for (const v of p.volumes ?? []) a.push("--mount", `type=volume,src=${v.name},dst=${v.target},volume-label=${topologyLabel}=${topology}`);
  for (const m of p.mounts ?? []) a.push("-v", `${m.host}:${m.container}${m.readOnly ? ":ro" : ""}`);
  if (p.dind) {
    // What Docker-in-Docker needs, short of --privileged (which some hosts refuse): every
    // capability but SYS_RESOURCE, no seccomp/AppArmor filter, the host's cgroup tree, and a
    // real filesystem (a volume) under the inner engine's overlay2.
    a.push(
      "--cap-add",
      "ALL",
      "--cap-drop",
      "SYS_RESOURCE",
      "--security-opt",
      "seccomp=unconfined",
      "--security-opt",
      "apparmor=unconfined",
      "-v",
      "/sys/fs/cgroup:/sys/fs/cgroup:rw",
      "--mount",
      `type=volume,src=${p.name}-docker,dst=/var/lib/docker,volume-label=${topologyLabel}=${topology}`,
    );
  }
  a.push(p.image, ...p.args);
  return a;
}
