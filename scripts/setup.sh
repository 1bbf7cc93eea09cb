#!/usr/bin/env bash
# Prepares a machine to build and test Skiff; idempotent and quick when
# everything is already there. Run by `npm test` (pretest) and `npm run setup`.
#   1. installs docker.io, nats-server, busybox-static (Debian/apt) if missing (and, for the
#      container topologies, docker-compose, docker-registry and apache2-utils)
#   2. starts dockerd if the Docker engine is not reachable
#   3. npm ci if node_modules is missing; npm run build (tsc -b, incremental)
#   4. builds the local images (scripts/images.sh; with the container-topology images the first
#      run takes about 3-4 minutes here, later runs only rebuild what changed)
# Env: SKIFF_SKIP_SETUP=1 does nothing; SKIFF_SKIP_BUILD=1 skips `npm run build`.
set -euo pipefail

log() { echo "[setup] $*" >&2; }
die() { echo "[setup] ERROR: $*" >&2; exit 1; }

if [[ "${SKIFF_SKIP_SETUP:-0}" == 1 ]]; then
  log "SKIFF_SKIP_SETUP=1: skipping"
  exit 0
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

SUDO=()
if [[ "$(id -u)" != 0 ]] && command -v sudo >/dev/null 2>&1; then SUDO=(sudo); fi
as_root() {
  if [[ "$(id -u)" == 0 || ${#SUDO[@]} -gt 0 ]]; then "${SUDO[@]}" "$@"
  else die "need root (or sudo) to run: $*"; fi
}

# --- 1. system packages ---------------------------------------------------
static_busybox() { # a statically linked busybox (busybox-static) is present
  if command -v dpkg-query >/dev/null 2>&1; then
    dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed'
  else
    command -v busybox >/dev/null 2>&1
  fi
}
missing=()
for c in dockerd docker nats-server; do
  command -v "$c" >/dev/null 2>&1 || missing+=("$c")
done
static_busybox || missing+=(busybox-static)
# debootstrap builds skiff/base:bookworm for the container topology (scripts/cluster-images.sh).
[[ "${SKIFF_SKIP_CLUSTER_IMAGES:-0}" == 1 ]] || command -v debootstrap >/dev/null 2>&1 || PATH="$PATH:/usr/sbin" command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
if ((${#missing[@]})); then
  command -v apt-get >/dev/null 2>&1 ||
    die "missing ${missing[*]} and no apt-get: install docker, nats-server and a static busybox yourself"
  log "installing packages (missing: ${missing[*]})"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    docker.io nats-server busybox-static iproute2 iptables ca-certificates debootstrap >&2
  hash -r
  for c in dockerd docker nats-server busybox; do
    command -v "$c" >/dev/null 2>&1 || die "$c still missing after apt-get install"
  done
fi

# Debian's chromium: the dashboard's browser tests and benchmark drive it with puppeteer-core
# (no browser download). SKIFF_SKIP_CHROMIUM=1 skips it.
if [[ "${SKIFF_SKIP_CHROMIUM:-0}" != 1 ]] && command -v apt-get >/dev/null 2>&1 &&
   ! command -v chromium >/dev/null 2>&1; then
  log "installing chromium (dashboard browser tests)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >&2 ||
    log "could not install chromium: the dashboard browser tests will fail until it is installed"
fi

# Debian's docker-compose (v1.29; the compose topology's test) and docker-registry (the cluster
# registry of `skiff controlplane --registry`): only with the container-topology images.
if [[ "${SKIFF_SKIP_CLUSTER_IMAGES:-0}" != 1 ]] && command -v apt-get >/dev/null 2>&1 &&
   ! { command -v docker-compose >/dev/null 2>&1 && command -v docker-registry >/dev/null 2>&1; }; then
  log "installing docker-compose and docker-registry"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose docker-registry apache2-utils >&2 ||
    log "warning: could not install docker-compose/docker-registry (the compose test and controlplane --registry need them)"
  hash -r
fi

# Debian's kubectl 1.20 (kubernetes-client) for the old-kubectl test, extracted into .tools/ beside
# the installed kubectl (scripts/kubectl-old.sh; the test fetches it itself when missing).
if command -v apt-get >/dev/null 2>&1 && command -v dpkg-deb >/dev/null 2>&1; then
  bash "$ROOT/scripts/kubectl-old.sh" >/dev/null || log "warning: could not fetch Debian's kubernetes-client (the old-kubectl test needs it)"
fi

# --- 2. Docker engine -----------------------------------------------------
docker_ok() { docker info >/dev/null 2>&1; }
pid_alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }

if ! docker_ok; then
  if [[ -S /var/run/docker.sock && "$(id -u)" != 0 && ${#SUDO[@]} -gt 0 ]] && sudo docker info >/dev/null 2>&1; then
    die "dockerd runs but $(id -un) may not use it: add yourself to the docker group (sudo usermod -aG docker $(id -un)) and log in again"
  fi
  DOCKERD_LOG=/var/log/skiff-dockerd.log
  if ! { [[ -w /var/log ]] || [[ ${#SUDO[@]} -gt 0 ]]; }; then
    DOCKERD_LOG="${TMPDIR:-/tmp}/skiff-dockerd.log"
  fi
  start_dockerd() { # -> pid
    # setsid + nohup: dockerd must outlive this script and npm's process group.
    # With no system containerd, dockerd starts and manages its own.
    local detach=""
    command -v setsid >/dev/null 2>&1 && detach=setsid
    as_root sh -c '$1 nohup dockerd >>"$2" 2>&1 </dev/null & echo $!' sh "$detach" "$DOCKERD_LOG"
  }
  wait_docker() { # pid -> 0 once the engine answers; 1 on timeout or if pid died
    local i
    for ((i = 0; i < 120; i++)); do
      docker_ok && return 0
      [[ -z "${1:-}" ]] || [[ -d "/proc/$1" ]] || { sleep 1; docker_ok; return; }
      sleep 0.5
    done
    return 1
  }
  existing="$(cat /var/run/docker.pid 2>/dev/null || true)"
  if pid_alive "$existing"; then
    log "dockerd (pid $existing) is running but not answering yet; waiting"
    pid="$existing"
  else
    log "starting dockerd (log: $DOCKERD_LOG)"
    pid="$(start_dockerd)"
  fi
  if ! wait_docker "$pid" && [[ ! -d "/proc/$pid" ]] &&
    tail -n 20 "$DOCKERD_LOG" 2>/dev/null | grep -qiE 'iptables|nf_tables|nftables' &&
    command -v iptables-legacy >/dev/null 2>&1 && command -v update-alternatives >/dev/null 2>&1; then
    # Kernels without nf_tables (some nested/CI environments): use iptables-legacy.
    log "dockerd failed on iptables; switching to iptables-legacy and retrying"
    as_root update-alternatives --set iptables /usr/sbin/iptables-legacy >/dev/null || true
    as_root update-alternatives --set ip6tables /usr/sbin/ip6tables-legacy >/dev/null || true
    pid="$(start_dockerd)"
    wait_docker "$pid" || true
  fi
  if ! docker_ok; then
    { tail -n 30 "$DOCKERD_LOG" 2>/dev/null || as_root tail -n 30 "$DOCKERD_LOG" || true; } >&2
    die "Docker engine not reachable 60 s after starting dockerd (see $DOCKERD_LOG)"
  fi
  log "dockerd is up"
fi
# Check the engine's runtime (containerd + runc) really runs containers: done
# by scripts/images.sh when it builds, cheaply here otherwise.
docker info --format '{{.ContainerdCommit.ID}}' 2>/dev/null | grep -q . ||
  log "warning: docker info reports no containerd"

# --- 3. dependencies and build --------------------------------------------
cd "$ROOT"
if [[ ! -d node_modules ]]; then
  log "node_modules missing: npm ci"
  npm ci >&2
fi
if [[ "${SKIFF_SKIP_BUILD:-0}" == 1 ]]; then
  log "SKIFF_SKIP_BUILD=1: skipping npm run build"
else
  # Why a stamp: even with nothing to do, `tsc -b` loads the compiler and checks every project
  # (seconds here, tens of seconds on a busy machine) — too much for a warm `./skiff up`.
  stamp="$ROOT/node_modules/.skiff-build-stamp"
  built() {
    [[ -f "$stamp" ]] || return 1
    local d
    for d in packages/* services/*; do [[ ! -f "$d/tsconfig.json" || -d "$d/dist" ]] || return 1; done
    [[ -z "$(find packages services tsconfig*.json package-lock.json -newer "$stamp" -not -path '*/node_modules/*' -not -path '*/dist/*' \( -name '*.ts' -o -name '*.tsx' -o -name '*.css' -o -name '*.html' -o -name '*.json' \) -print -quit 2>/dev/null)" ]]
  }
  if built; then
    log "build up to date (no source changed since the last build)"
  else
    log "npm run build"
    touch "$stamp.new" # before the build: a file changed during it is built again next time
    npm run --silent build >&2
    mv "$stamp.new" "$stamp"
  fi
fi

# --- 4. local images ------------------------------------------------------
bash "$ROOT/scripts/images.sh"
log "ready"
