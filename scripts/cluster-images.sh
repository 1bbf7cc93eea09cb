#!/usr/bin/env bash
# Builds the images of the container topologies (docker compose, `skiff up --nodes N`, the
# topology tests), each only when missing or when its definition changed:
#   skiff/base:bookworm   only where no registry is reachable: Debian minbase (debootstrap from
#                         the Debian mirror apt uses) + the host's Node.js binary and npm
#   skiff/nats:latest     Debian's nats-server
#   skiff/controlplane:latest  apiserver, scheduler, controller-manager, CLI (images/controlplane)
#   skiff/node:latest     dockerd + node agent (+ proxy, dns) (images/node)
#   skiff/registry:latest the cluster registry: Debian's docker-registry (images/registry)
# Run by scripts/images.sh (and so by scripts/setup.sh). Env:
#   SKIFF_SKIP_CLUSTER_IMAGES=1  skip all of this
#   SKIFF_REBUILD_IMAGES=1       rebuild even when present
#   SKIFF_BASE_IMAGE=IMG         base of controlplane/node (default: node:22-bookworm-slim if it is
#                                present in the engine or SKIFF_REGISTRY=1, else skiff/base:bookworm)
#   SKIFF_DEBIAN_MIRROR=URL      mirror for debootstrap (default: the one in apt's sources)
set -euo pipefail

log() { echo "[cluster-images] $*" >&2; }
die() { echo "[cluster-images] ERROR: $*" >&2; exit 1; }
[[ "${SKIFF_SKIP_CLUSTER_IMAGES:-0}" == 1 ]] && { log "SKIFF_SKIP_CLUSTER_IMAGES=1: skipping"; exit 0; }

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BASE_LOCAL="skiff/base:bookworm"
# SKIFF_IMAGE_TAG (default latest) tags the topology images, so that two checkouts on one engine
# can test their own code side by side.
TAG="${SKIFF_IMAGE_TAG:-latest}"
NATS_IMAGE="skiff/nats:$TAG"
CP_IMAGE="skiff/controlplane:$TAG"
NODE_IMAGE="skiff/node:$TAG"
REGISTRY_IMAGE="skiff/registry:$TAG"
PRELOAD=(skiff/pause:3.9 skiff/busybox:1.35)

label_of() { docker image inspect -f '{{ index .Config.Labels "io.skiff.image.hash" }}' "$1" 2>/dev/null || true; }
fresh() { [[ "${SKIFF_REBUILD_IMAGES:-0}" != 1 && "$(label_of "$1")" == "$2" ]]; }
hash_of() { sha256sum | cut -c1-16; }
timed() { # what cmd… : runs and logs the wall time
  local what="$1" t0=$SECONDS; shift
  "$@" || die "building $what failed"
  log "$what built in $((SECONDS - t0))s"
}
# retry N what cmd… : runs cmd up to N times (transient mirror/network failures of apt and
# debootstrap), 5 s then 15 s apart; fails with the last attempt's status.
retry() {
  local n="$1" what="$2" i rc=0; shift 2
  for ((i = 1; i <= n; i++)); do
    "$@" && return 0
    rc=$?
    ((i < n)) && { log "$what failed (attempt $i/$n, exit $rc); retrying in $((i * 10 - 5))s"; sleep $((i * 10 - 5)); }
  done
  log "$what failed $n times (exit $rc)"
  return "$rc"
}

# --- base ------------------------------------------------------------------
BASE="${SKIFF_BASE_IMAGE:-}"
if [[ -z "$BASE" ]]; then
  if [[ "${SKIFF_REGISTRY:-0}" == 1 ]] || docker image inspect node:22-bookworm-slim >/dev/null 2>&1; then
    BASE=node:22-bookworm-slim
  else
    BASE="$BASE_LOCAL"
  fi
fi
NATS_BASE="debian:bookworm-slim"
[[ "$BASE" == "$BASE_LOCAL" ]] && NATS_BASE="$BASE_LOCAL"

build_base() { # debootstrap + host node → skiff/base:bookworm
  command -v debootstrap >/dev/null || die "debootstrap missing (apt-get install debootstrap)"
  local node npmdir mirror work
  node="$(readlink -f "$(command -v node)")"
  npmdir="$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)"
  mirror="${SKIFF_DEBIAN_MIRROR:-$(grep -rhE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null | grep -oE 'https?://[^ ]+/debian/?' | grep -v security | head -n1)}"
  mirror="${mirror:-http://deb.debian.org/debian}"
  work="$(mktemp -d "${TMPDIR:-/tmp}/skiff-base.XXXXXX")"
  log "debootstrap bookworm (minbase) from $mirror"
  # A failed attempt leaves a half-made root filesystem: start each one from an empty dir.
  retry 3 debootstrap sh -c 'rm -rf "$1/rootfs" && debootstrap --variant=minbase --include=libstdc++6,ca-certificates bookworm "$1/rootfs" "$2" >"$1/debootstrap.log" 2>&1' sh "$work" "$mirror" ||
    { tail -n 20 "$work/debootstrap.log" >&2; die "debootstrap from $mirror failed (set SKIFF_DEBIAN_MIRROR to another Debian mirror, or SKIFF_SKIP_CLUSTER_IMAGES=1 to skip the container-topology images)"; }
  rm -rf "$work"/rootfs/var/cache/apt/archives/*.deb "$work"/rootfs/var/lib/apt/lists/*
  # The same suites as node:*-bookworm-slim (updates and security), for apt-get in Dockerfiles.
  printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb %s-security bookworm-security main\n' \
    "$mirror" "$mirror" "${mirror%/debian*}/debian" >"$work/rootfs/etc/apt/sources.list"
  # The only Node.js available offline is the host's: copy it (and its npm) in.
  install -m 755 "$node" "$work/rootfs/usr/local/bin/node"
  mkdir -p "$work/rootfs/usr/local/lib/node_modules"
  cp -a "$npmdir" "$work/rootfs/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$work/rootfs/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$work/rootfs/usr/local/bin/npx"
  chroot "$work/rootfs" /usr/local/bin/node -e 'process.exit(0)' || die "the host's node does not run in the bookworm root filesystem"
  tar --numeric-owner -C "$work/rootfs" -cf - . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' --change "LABEL io.skiff.image=true" --change "LABEL io.skiff.image.hash=$BASE_HASH" \
    - "$BASE_LOCAL" >/dev/null
  rm -rf "$work"
}
if [[ "$BASE" == "$BASE_LOCAL" ]]; then
  BASE_HASH="$( { sed -n '/^build_base()/,/^}/p' "${BASH_SOURCE[0]}"; node --version; } | hash_of)"
  if fresh "$BASE_LOCAL" "$BASE_HASH"; then log "$BASE_LOCAL present"
  else timed "$BASE_LOCAL" build_base; fi
fi

# --- nats --------------------------------------------------------------------
NATS_HASH="$( { cat images/nats/Dockerfile; echo "$NATS_BASE"; label_of "$NATS_BASE"; } | hash_of)"
if fresh "$NATS_IMAGE" "$NATS_HASH"; then log "$NATS_IMAGE present"
else timed "$NATS_IMAGE" retry 3 "docker build $NATS_IMAGE" docker build -q --build-arg "BASE=$NATS_BASE" --label "io.skiff.image.hash=$NATS_HASH" -t "$NATS_IMAGE" images/nats >/dev/null; fi

# --- registry ----------------------------------------------------------------
REGISTRY_HASH="$( { cat images/registry/Dockerfile images/registry/entrypoint.sh; echo "$NATS_BASE"; label_of "$NATS_BASE"; } | hash_of)"
if fresh "$REGISTRY_IMAGE" "$REGISTRY_HASH"; then log "$REGISTRY_IMAGE present"
else timed "$REGISTRY_IMAGE" retry 3 "docker build $REGISTRY_IMAGE" docker build -q --build-arg "BASE=$NATS_BASE" --label "io.skiff.image.hash=$REGISTRY_HASH" -t "$REGISTRY_IMAGE" images/registry >/dev/null; fi

# --- controlplane and node -------------------------------------------------
# Their hash covers every source file, so a changed checkout rebuilds them (Docker's layer
# cache keeps npm ci when the lock did not change).
SRC_HASH="$( {
  echo "$BASE"; label_of "$BASE"
  for i in "${PRELOAD[@]}"; do docker image inspect -f '{{.Id}}' "$i" 2>/dev/null || echo "missing $i"; done
  find package.json package-lock.json tsconfig.base.json tsconfig.json .dockerignore images/Dockerfile images/controlplane images/node \
    packages services -type f -not -path '*/node_modules/*' -not -path '*/dist/*' -not -name '*.tsbuildinfo' -print0 |
    sort -z | xargs -0 sha256sum
} | hash_of)"
if fresh "$CP_IMAGE" "$SRC_HASH" && fresh "$NODE_IMAGE" "$SRC_HASH"; then
  log "$CP_IMAGE and $NODE_IMAGE present"
  exit 0
fi

# npm ci in the build stage links only the workspaces whose package.json was copied in first:
# a workspace missing there would be absent from the image (a process failing at its first import).
for ws in $(node -e 'for (const w of require("./package.json").workspaces) console.log(w)'); do
  grep -qF "COPY $ws/package.json $ws/" images/Dockerfile || die "images/Dockerfile does not copy $ws/package.json before npm ci: add \"COPY $ws/package.json $ws/\""
done
mkdir -p images/build/npm-cache images/build/preload
# Offline npm: the host's npm cache goes into the build context (hard links when possible).
if [[ "$BASE" == "$BASE_LOCAL" ]]; then
  cache="$(npm config get cache 2>/dev/null || echo "$HOME/.npm")"
  if [[ -d "$cache/_cacache" && ! -d images/build/npm-cache/_cacache ]]; then
    cp -al "$cache/_cacache" images/build/npm-cache/ 2>/dev/null || cp -a "$cache/_cacache" images/build/npm-cache/
  fi
fi
for i in "${PRELOAD[@]}"; do docker image inspect "$i" >/dev/null 2>&1 || die "$i missing (scripts/images.sh builds it)"; done
docker save "${PRELOAD[@]}" -o images/build/preload/skiff-images.tar

for spec in "controlplane:$CP_IMAGE" "node:$NODE_IMAGE"; do
  dir="${spec%%:*}" img="${spec#*:}"
  fresh "$img" "$SRC_HASH" && { log "$img present"; continue; }
  log "building $img (base $BASE)"
  timed "$img" retry 3 "docker build $img" docker build -q --build-arg "BASE=$BASE" --label "io.skiff.image.hash=$SRC_HASH" -f images/Dockerfile --target "$dir" -t "$img" . >/dev/null
done
docker image prune -f --filter label=io.skiff.image=true --filter dangling=true >/dev/null 2>&1 || true
log "done"
