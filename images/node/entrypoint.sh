#!/bin/bash
# Entrypoint of skiff/node: starts this node's own Docker engine, loads the preloaded images
# into it, then runs the node agent (arguments are passed to it) and every other per-node
# service the image has (services/proxy, services/dns). When any of them ends, the node stops.
# Env: SKIFF_APISERVER, SKIFF_NATS, SKIFF_TOKEN, SKIFF_NODE_NAME (default: the host name),
#      SKIFF_CLUSTER_NAME, SKIFF_CGROUP_PARENT (default /skiff-<node>: every inner engine
#      needs its own, or the engines would share cgroups on the host).
set -uo pipefail
log() { echo "[skiff-node] $*" >&2; }

node_name="${SKIFF_NODE_NAME:-$(hostname | tr 'A-Z' 'a-z')}"
export SKIFF_NODE_NAME="$node_name"
cgroup_parent="${SKIFF_CGROUP_PARENT:-/skiff-$node_name}"
mkdir -p /var/log/skiff

# A container restart leaves pid files behind; dockerd refuses to start over them.
rm -f /var/run/docker.pid /var/run/docker/containerd/containerd.pid
# --bip: the engine's default bridge must not overlap the cluster network (Docker's default
# pools start at 172.17.0.0/16, as the host's own docker0 does).
dockerd --host=unix:///var/run/docker.sock --cgroup-parent="$cgroup_parent" \
  --bip="${SKIFF_DOCKER_BIP:-10.255.255.1/24}" >/var/log/skiff/dockerd.log 2>&1 &
dockerd_pid=$!
for ((i = 0; i < 120; i++)); do
  docker info >/dev/null 2>&1 && break
  kill -0 "$dockerd_pid" 2>/dev/null || { log "dockerd exited:"; tail -n 30 /var/log/skiff/dockerd.log >&2; exit 1; }
  sleep 0.5
done
docker info >/dev/null 2>&1 || { log "dockerd not answering after 60s"; tail -n 30 /var/log/skiff/dockerd.log >&2; exit 1; }
log "docker engine up (cgroup parent $cgroup_parent)"

shopt -s nullglob
for tar in /var/lib/skiff/preload/*.tar; do
  docker load -i "$tar" >/dev/null && log "loaded $(basename "$tar")" || log "warning: could not load $tar"
done

pids=()
stop_all() {
  trap - TERM INT
  # The agent first (pods keep running; a restarted agent adopts them), the engine last.
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  kill -TERM "$dockerd_pid" 2>/dev/null; wait "$dockerd_pid" 2>/dev/null
}
trap 'stop_all; exit 0' TERM INT

# The proxy and DNS arrive from other work: start them whenever this build has them.
for svc in /app/services/*/dist/main.js; do
  name="$(basename "$(dirname "$(dirname "$svc")")")"
  case "$name" in apiserver|scheduler|controller-manager|node-agent) continue ;; esac
  log "starting $name"
  node "$svc" &
  pids+=($!)
done
log "starting node-agent for node $node_name"
node /app/services/node-agent/dist/main.js "$@" &
pids+=($!)

wait -n "${pids[@]}" "$dockerd_pid"
rc=$?
log "a node process ended (exit $rc); stopping the node"
stop_all
exit "$rc"
