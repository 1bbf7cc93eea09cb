#!/bin/bash
# Entrypoint of skiff/node: starts this node's own Docker engine, loads the preloaded images
# into it, then runs the node agent (arguments are passed to it), which starts the node's proxy
# and DNS itself (--proxy=spawn). When the agent or the engine ends, the node stops.
# Env: SKIFF_APISERVER, SKIFF_NATS, SKIFF_TOKEN (join token), SKIFF_NODE_TOKEN (apiserver ↔ agent
#      secret), SKIFF_NODE_NAME (default: the host name), SKIFF_CLUSTER_NAME, SKIFF_CLUSTER_CIDR,
#      SKIFF_NODE_IP (default: this container's address on eth0, its cluster network),
#      SKIFF_CGROUP_PARENT (default /skiff-<node>: every inner
#      engine needs its own, or the engines would share cgroups on the host).
# `skiff-node machine [--no-engine]` plays a VM of deploy/README.md instead: its Docker engine
# (unless --no-engine) and nothing else; the guide's own commands (`skiff pki init`, `skiff
# controlplane`, `skiff node --join`) are then run in it with `docker exec` (the VM-guide test).
set -uo pipefail
log() { echo "[skiff-node] $*" >&2; }

node_name="${SKIFF_NODE_NAME:-$(hostname | tr 'A-Z' 'a-z')}"
export SKIFF_NODE_NAME="$node_name"
cgroup_parent="${SKIFF_CGROUP_PARENT:-/skiff-$node_name}"
mkdir -p /var/log/skiff /run/skiff

# SKIFF_NODE_TOKEN_FILE (docker-compose.yml): the apiserver ↔ agent secret, created by the first
# container of the cluster to start (see images/controlplane/entrypoint.sh).
if [[ -n "${SKIFF_NODE_TOKEN_FILE:-}" && -z "${SKIFF_NODE_TOKEN:-}" ]]; then
  if [[ ! -s "$SKIFF_NODE_TOKEN_FILE" ]]; then
    mkdir -p "$(dirname "$SKIFF_NODE_TOKEN_FILE")"
    node -e 'process.stdout.write(require("crypto").randomBytes(24).toString("hex"))' >"$SKIFF_NODE_TOKEN_FILE.$$"
    ln "$SKIFF_NODE_TOKEN_FILE.$$" "$SKIFF_NODE_TOKEN_FILE" 2>/dev/null || true
    rm -f "$SKIFF_NODE_TOKEN_FILE.$$"
  fi
  SKIFF_NODE_TOKEN="$(cat "$SKIFF_NODE_TOKEN_FILE")"
  export SKIFF_NODE_TOKEN
fi

# The node IP is this container's address on the cluster network (eth0 when it has one network).
if [[ -z "${SKIFF_NODE_IP:-}" ]]; then
  SKIFF_NODE_IP="$(ip -o -4 addr show dev eth0 2>/dev/null | awk '{split($4, a, "/"); print a[1]; exit}')"
  [[ -n "$SKIFF_NODE_IP" ]] && export SKIFF_NODE_IP
fi

machine=0
if [[ "${1:-}" == machine ]]; then
  machine=1
  shift
  if [[ "${1:-}" == --no-engine ]]; then
    log "machine $(hostname) up (no Docker engine)"
    trap 'exit 0' TERM INT
    sleep infinity &
    wait $!
    exit 0
  fi
fi

# A container restart leaves pid files behind; dockerd refuses to start over them. The agent's
# run dir (proxy/dns state files) is stale too: those processes died with the container.
rm -f /var/run/docker.pid /var/run/docker/containerd/containerd.pid
rm -rf /run/skiff/*
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

if ((machine)); then
  # A VM: the engine runs until the machine stops; skiff's own processes are started by hand.
  trap 'kill -TERM "$dockerd_pid" 2>/dev/null; wait "$dockerd_pid"; exit 0' TERM INT
  log "machine $(hostname) up: run skiff commands with docker exec"
  wait "$dockerd_pid"
  exit $?
fi

stop_all() {
  trap - TERM INT
  # The agent first (pods keep running; a restarted agent adopts them), the engine last.
  kill -TERM "$agent_pid" 2>/dev/null; wait "$agent_pid" 2>/dev/null
  kill -TERM "$dockerd_pid" 2>/dev/null; wait "$dockerd_pid" 2>/dev/null
}
trap 'stop_all; exit 0' TERM INT

# This engine is the node's own: the agent collects unused images as the kubelet does (85 % high,
# 80 % low by default); on a shared engine (./skiff up) it leaves them alone.
export SKIFF_IMAGE_GC_HIGH_THRESHOLD="${SKIFF_IMAGE_GC_HIGH_THRESHOLD:-85}"

log "starting node-agent for node $node_name (node IP ${SKIFF_NODE_IP:-auto})"
# The node flags every launcher gives a component (packages/client/src/launch.ts).
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
# shellcheck disable=SC2046
node $(node /app/packages/client/dist/launch.js node-agent) /app/services/node-agent/dist/main.js "$@" &
agent_pid=$!

wait -n "$agent_pid" "$dockerd_pid"
rc=$?
log "a node process ended (exit $rc); stopping the node"
stop_all
exit "$rc"
