#!/usr/bin/env bash
# Builds Skiff's local images, without any registry, only when missing (or when
# their definition in images/ or this script changed):
#   skiff/busybox:1.35  root filesystem from Debian's busybox-static
#   skiff/pause:3.9     the pod sandbox (same root filesystem + /pause)
# and then the container-topology images (scripts/cluster-images.sh: skiff/base, skiff/nats,
# skiff/controlplane, skiff/node; SKIFF_SKIP_CLUSTER_IMAGES=1 skips them).
# Needs only coreutils, tar, docker and a statically linked busybox.
# Env: SKIFF_REBUILD_IMAGES=1 rebuilds even if present; SKIFF_BUSYBOX=/path/to/busybox.
set -euo pipefail

log() { echo "[images] $*" >&2; }
die() { echo "[images] ERROR: $*" >&2; exit 1; }

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IMAGES_DIR="$ROOT/images"
BUSYBOX_IMAGE="skiff/busybox:1.35"
PAUSE_IMAGE="skiff/pause:3.9"
IMAGE_PATH_ENV="PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

command -v docker >/dev/null 2>&1 || die "docker not found (run scripts/setup.sh)"

# Debian's busybox-static installs /bin/busybox; prefer it over anything on PATH.
BUSYBOX="${SKIFF_BUSYBOX:-}"
if [[ -z "$BUSYBOX" ]]; then
  for c in /bin/busybox /usr/bin/busybox "$(command -v busybox 2>/dev/null || true)"; do
    if [[ -n "$c" && -x "$c" ]]; then BUSYBOX="$c"; break; fi
  done
fi
[[ -n "$BUSYBOX" && -x "$BUSYBOX" ]] || die "busybox not found (apt-get install busybox-static)"
BUSYBOX="$(readlink -f "$BUSYBOX")"

# Hash of everything that defines the images; stored as a label so a changed
# definition rebuilds, and an unchanged one is a no-op.
def_hash() {
  {
    cat "${BASH_SOURCE[0]}"
    "$BUSYBOX" 2>&1 | head -n 1 || true
    (cd "$IMAGES_DIR" && shopt -s globstar nullglob && for f in busybox/** pause/**; do
      [[ -f "$f" ]] || continue; echo "== $f $(stat -c %a "$f")"; cat "$f"; done)
  } | sha256sum | cut -c1-16
}
HASH="$(def_hash)"

image_ok() { # image -> 0 if present with the current definition hash
  local h
  h="$(docker image inspect -f '{{ index .Config.Labels "io.skiff.image.hash" }}' "$1" 2>/dev/null)" || return 1
  [[ "${SKIFF_REBUILD_IMAGES:-0}" != 1 && "$h" == "$HASH" ]]
}

if image_ok "$BUSYBOX_IMAGE" && image_ok "$PAUSE_IMAGE"; then
  log "$BUSYBOX_IMAGE and $PAUSE_IMAGE present"
  exec bash "$ROOT/scripts/cluster-images.sh"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/skiff-images.XXXXXX")"
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT

make_rootfs() { # dir
  local r="$1" p d
  mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,etc,root,home,var/www,var/run,run,proc,sys,dev,tmp}
  chmod 1777 "$r/tmp"
  chmod 700 "$r/root"
  cp "$BUSYBOX" "$r/bin/busybox"
  chmod 755 "$r/bin/busybox"
  # One symlink per applet, in its usual place (--list-full), else all in /bin.
  if "$BUSYBOX" --list-full >"$WORK/applets" 2>/dev/null && [[ -s "$WORK/applets" ]]; then :; else
    "$BUSYBOX" --list | while read -r p; do echo "bin/$p"; done >"$WORK/applets"
  fi
  while read -r p; do
    [[ -z "$p" || "$p" == "bin/busybox" ]] && continue
    # images/busybox/rootfs may replace an applet (e.g. usr/bin/wget).
    [[ -e "$IMAGES_DIR/busybox/rootfs/$p" ]] && continue
    d="$(dirname "$p")"
    mkdir -p "$r/$d"
    [[ -e "$r/$p" || -L "$r/$p" ]] || ln -s /bin/busybox "$r/$p"
  done <"$WORK/applets"
  [[ -e "$r/bin/sh" ]] || ln -s /bin/busybox "$r/bin/sh"
  : >"$r/etc/hosts"
  : >"$r/etc/resolv.conf"
  echo localhost >"$r/etc/hostname"
  # Static files (passwd, group, nsswitch.conf, ...) from images/busybox/rootfs.
  if [[ -d "$IMAGES_DIR/busybox/rootfs" ]]; then
    tar -C "$IMAGES_DIR/busybox/rootfs" -cf - . | tar -C "$r" -xf - --no-same-owner
  fi
  chmod 644 "$r/etc/passwd" "$r/etc/group"
}

import_rootfs() { # dir image cmd-json
  local r="$1" img="$2" cmd="$3"
  tar --numeric-owner --owner=0 --group=0 -C "$r" -cf - . |
    docker import \
      --change "CMD $cmd" \
      --change "ENV $IMAGE_PATH_ENV" \
      --change "LABEL io.skiff.image=true" \
      --change "LABEL io.skiff.image.hash=$HASH" \
      - "$img" >/dev/null
}

# Debian's busybox < 1.36.1-5 is built without FEATURE_WGET_TIMEOUT, and then
# `wget -T N` segfaults (getopt32 stores the number through a NULL pointer; the
# shell runs applets directly, so a /usr/bin/wget wrapper alone cannot help).
# Fix the copy in the image: drop the '+' (numeric) flag from wget's option
# string "^cqSO:o:P:Y:U:T:+t:n::\0<complementary>\0" so -T becomes a string
# option with a NULL destination, which getopt32 ignores. Only done when -T
# crashes, and checked afterwards.
wget_T_status() { # busybox-binary -> exit status of `wget -T 1` (quietly)
  ( "$1" wget -q -T 1 -O /dev/null http://127.0.0.1:1/ >/dev/null 2>&1; echo $? ) 2>/dev/null
}
fix_wget_timeout() { # busybox-binary
  local bb="$1" rc off line i nul1=-1 nul2=-1
  local -a b
  rc="$(wget_T_status "$bb")"
  (( rc >= 128 )) || return 0
  line="$("$BUSYBOX" strings -t d "$bb" | "$BUSYBOX" grep -F '^cqSO:o:P:Y:U:T:+t:' || true)"
  [[ -n "$line" && "$line" != *$'\n'* ]] || { log "warning: wget -T crashes and cannot be patched"; return 0; }
  read -r off _ <<<"$line"
  read -r -a b < <(dd if="$bb" bs=1 skip="$off" count=256 2>/dev/null | od -An -v -tu1 | tr '\n' ' ') || true
  for ((i = 1; i < ${#b[@]}; i++)); do
    if ((b[i] == 0)); then
      if ((nul1 < 0)); then nul1=$i; else nul2=$i; break; fi
    fi
  done
  ((nul1 == 22 && nul2 > nul1 && b[16] == 43)) || { log "warning: unexpected wget option string; not patched"; return 0; }
  dd if="$bb" of="$bb" bs=1 skip=$((off + 17)) seek=$((off + 16)) count=$((nul2 - 16)) conv=notrunc 2>/dev/null
  printf '\0' | dd of="$bb" bs=1 seek=$((off + nul2)) conv=notrunc 2>/dev/null
  rc="$(wget_T_status "$bb")"
  (( rc < 128 )) || die "patching busybox wget -T failed"
  log "patched busybox wget -T (Debian build lacks FEATURE_WGET_TIMEOUT)"
}

ROOTFS="$WORK/rootfs"
make_rootfs "$ROOTFS"
fix_wget_timeout "$ROOTFS/bin/busybox"

if ! image_ok "$BUSYBOX_IMAGE"; then
  log "building $BUSYBOX_IMAGE from $BUSYBOX"
  import_rootfs "$ROOTFS" "$BUSYBOX_IMAGE" '["sh"]'
  out="$(docker run --rm --network none "$BUSYBOX_IMAGE" sh -c '
    set -e
    for a in httpd nc wget sh sleep dd yes env; do command -v $a >/dev/null || { echo "missing applet $a"; exit 1; }; done
    yes | head -n 3 >/dev/null
    dd if=/dev/zero of=/tmp/x bs=1k count=4 2>/dev/null
    sleep 0
    echo hello >/var/www/index.html
    httpd -p 127.0.0.1:8080 -h /var/www
    sleep 0.2
    [ "$(wget -q -O- http://127.0.0.1:8080/)" = hello ]
    [ "$(wget -q -T 2 -O- --header "X-A: b" http://127.0.0.1:8080/)" = hello ]
    [ "$(/usr/bin/wget -q -T 2 -O- http://127.0.0.1:8080/)" = hello ]
    wget -q --spider http://127.0.0.1:8080/
    rc=0; wget -q -T 1 -O /dev/null http://127.0.0.1:1/ 2>/dev/null || rc=$?; [ "$rc" = 1 ]
    printf "GET / HTTP/1.0\r\n\r\n" | nc -w 2 127.0.0.1 8080 | grep -q hello
    echo ok' 2>&1)" || true
  if [[ "$out" != "ok" ]]; then
    docker rmi -f "$BUSYBOX_IMAGE" >/dev/null 2>&1 || true
    die "$BUSYBOX_IMAGE does not work (is $BUSYBOX statically linked? install busybox-static): $out"
  fi
fi

if ! image_ok "$PAUSE_IMAGE"; then
  log "building $PAUSE_IMAGE"
  install -m 755 "$IMAGES_DIR/pause/pause" "$ROOTFS/pause"
  import_rootfs "$ROOTFS" "$PAUSE_IMAGE" '["/pause"]'
  # Verify: keeps running, and stops (exit 0) promptly on SIGTERM as PID 1.
  name="skiff-pause-check-$$"
  docker run -d --name "$name" --network none "$PAUSE_IMAGE" >/dev/null
  sleep 0.3
  running="$(docker inspect -f '{{.State.Running}}' "$name" 2>/dev/null || echo false)"
  t0="$(date +%s%N)"
  docker stop -t 10 "$name" >/dev/null
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  code="$(docker inspect -f '{{.State.ExitCode}}' "$name")"
  docker rm -f "$name" >/dev/null 2>&1 || true
  if [[ "$running" != true || "$code" != 0 || "$ms" -ge 2000 ]]; then
    docker rmi -f "$PAUSE_IMAGE" >/dev/null 2>&1 || true
    die "$PAUSE_IMAGE check failed: running=$running exit=$code stop=${ms}ms"
  fi
  log "$PAUSE_IMAGE stops in ${ms}ms"
fi

log "done"
exec bash "$ROOT/scripts/cluster-images.sh"
