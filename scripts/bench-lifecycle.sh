#!/usr/bin/env bash
# npm run bench:lifecycle — how long the cluster's lifecycle commands take, as a user runs them:
#   warm `./skiff up` (setup already done) and `./skiff down` of the single-host cluster (ROUNDS×),
#   the single-host images built from nothing (busybox + pause under scratch names, then removed),
#   a fresh checkout's first `./skiff up` (git clone, npm ci from npm's cache, build; apt packages
#   and the shared busybox/pause images already present — see the README),
#   warm `./skiff up --nodes 3` (the default container topology, --internal) and its `down`.
# Writes bench-results/lifecycle.json. Env: ROUNDS (2), LIFECYCLE_NODES=0 skips the topology,
# LIFECYCLE_FRESH=0 skips the fresh checkout, LIFECYCLE_WARM=0 the warm rounds, LIFECYCLE_IMAGES=0
# the image build; SKIFF_IMAGE_TAG picks the topology images.
# The single-host cluster is named "skiff" like every `./skiff up`: it refuses to run while another
# one is up on this machine.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
ROUNDS="${ROUNDS:-2}"
log() { echo "[bench:lifecycle] $*" >&2; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

if pgrep -f -- '--cluster-name skiff( |$)' >/dev/null 2>&1; then
  log "another single-host Skiff cluster (cluster name skiff) runs on this machine: not measuring beside it"; exit 1
fi
log "setup (so that every measurement below is warm): scripts/setup.sh"
if [[ "${LIFECYCLE_NODES:-1}" == 0 ]]; then SKIFF_SKIP_CLUSTER_IMAGES=1 bash scripts/setup.sh >/dev/null; else bash scripts/setup.sh >/dev/null; fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/skiff-lifecycle.XXXXXX")"
results="$WORK/results.txt"
: >"$results"
cleanup() {
  SKIFF_HOME="$WORK/home" "$ROOT/skiff" down >/dev/null 2>&1 || true
  [[ -d "$WORK/fresh" ]] && { SKIFF_HOME="$WORK/fresh-home" "$WORK/fresh/skiff" down >/dev/null 2>&1 || true; }
  docker rmi -f skiff-bench/busybox:lifecycle skiff-bench/pause:lifecycle >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
record() { echo "$1 $2" >>"$results"; log "$1: $2 s"; }

# --- single host, warm -------------------------------------------------------
for ((r = 1; r <= ${LIFECYCLE_WARM:-1} * ROUNDS; r++)); do
  np="$(free_port)" ap="$(free_port)" hp="$(free_port)"
  t0="$(now)"
  SKIFF_HOME="$WORK/home" SKIFF_DNS_UPSTREAM=none "$ROOT/skiff" up --nats-port "$np" --api-port "$ap" --https-port "$hp" >"$WORK/up.log" 2>&1 || { cat "$WORK/up.log" >&2; exit 1; }
  record warm_up_s "$(secs "$t0" "$(now)")"
  t0="$(now)"
  SKIFF_HOME="$WORK/home" "$ROOT/skiff" down >"$WORK/down.log" 2>&1 || { cat "$WORK/down.log" >&2; exit 1; }
  record down_s "$(secs "$t0" "$(now)")"
done

# --- the single host's images from nothing (scratch names; the shared ones stay) --------------
if [[ "${LIFECYCLE_IMAGES:-1}" != 0 ]]; then
# A copy of scripts/images.sh that names them otherwise (editing the script itself would change
# the hash every image carries, and rebuild everyone's).
mkdir -p "$WORK/scratch/scripts"
ln -s "$ROOT/images" "$WORK/scratch/images"
sed -e 's#^BUSYBOX_IMAGE=.*#BUSYBOX_IMAGE="skiff-bench/busybox:lifecycle"#' -e 's#^PAUSE_IMAGE=.*#PAUSE_IMAGE="skiff-bench/pause:lifecycle"#' \
  scripts/images.sh >"$WORK/scratch/scripts/images.sh"
printf '#!/usr/bin/env bash\nexit 0\n' >"$WORK/scratch/scripts/cluster-images.sh"
t0="$(now)"
# Its own checks may fail on a loaded machine (the pause image must stop within 2 s): the images
# are built by then, so the time still counts.
bash "$WORK/scratch/scripts/images.sh" >/dev/null 2>"$WORK/images.log" || { log "images.sh failed after building:"; tail -n 2 "$WORK/images.log" >&2; }
record single_host_images_s "$(secs "$t0" "$(now)")"
fi

# --- a fresh checkout's first ./skiff up -----------------------------------------------------
if [[ "${LIFECYCLE_FRESH:-1}" != 0 ]]; then
  git clone -q --no-hardlinks "$ROOT" "$WORK/fresh"
  # The working tree as it is (uncommitted changes included), without its build output.
  (git ls-files -m -o --exclude-standard -z | xargs -0 -r -I{} cp --parents {} "$WORK/fresh/") 2>/dev/null || true
  t0="$(now)"
  # A port taken meanwhile by another program (a shared machine): pick others and try again.
  for try in 1 2 3; do
    np="$(free_port)" ap="$(free_port)" hp="$(free_port)"
    if SKIFF_HOME="$WORK/fresh-home" SKIFF_DNS_UPSTREAM=none "$WORK/fresh/skiff" up --nats-port "$np" --api-port "$ap" --https-port "$hp" >"$WORK/fresh-up.log" 2>&1; then break; fi
    grep -q "already in use" "$WORK/fresh-up.log" && [[ $try -lt 3 ]] || { tail -n 30 "$WORK/fresh-up.log" >&2; exit 1; }
  done
  record fresh_checkout_up_s "$(secs "$t0" "$(now)")"
  t0="$(now)"
  SKIFF_HOME="$WORK/fresh-home" "$WORK/fresh/skiff" down >/dev/null 2>&1
  record fresh_checkout_down_s "$(secs "$t0" "$(now)")"
fi

# --- the container topology, warm ------------------------------------------------------------
if [[ "${LIFECYCLE_NODES:-1}" != 0 ]]; then
  name="bench-lc-$$"
  t0="$(now)"
  SKIFF_HOME="$WORK/topo-home" "$ROOT/skiff" up --nodes 3 --name "$name" --internal >"$WORK/topo-up.log" 2>&1 || { tail -n 30 "$WORK/topo-up.log" >&2; SKIFF_HOME="$WORK/topo-home" "$ROOT/skiff" down --name "$name" >/dev/null 2>&1; exit 1; }
  record up_nodes3_s "$(secs "$t0" "$(now)")"
  t0="$(now)"
  SKIFF_HOME="$WORK/topo-home" "$ROOT/skiff" down --name "$name" >/dev/null 2>&1
  record down_nodes3_s "$(secs "$t0" "$(now)")"
fi

mkdir -p bench-results
node - "$results" "$ROUNDS" <<'JS'
const fs = require("fs"), os = require("os");
const [file, rounds] = process.argv.slice(2);
const figures = {};
for (const line of fs.readFileSync(file, "utf8").trim().split("\n")) {
  const [k, v] = line.split(" ");
  (figures[k] ??= []).push(Number(v));
}
const best = Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, Math.min(...v)]));
const goals = { warm_up_s: 5, down_s: 3, up_nodes3_s: 30, fresh_checkout_up_s: 120 };
const out = {
  name: "lifecycle", date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, node: process.version, loadavg: os.loadavg() },
  parameters: { rounds: Number(rounds) }, figures: best, runs: figures, goals,
  floor: "none: absolute wall times against the goals (kind creates a cluster in 12-17 s)",
};
fs.writeFileSync("bench-results/lifecycle.json", JSON.stringify(out, null, 2) + "\n");
console.log("\nlifecycle (best of the runs, seconds; load average " + os.loadavg().map((x) => x.toFixed(1)).join(" ") + ")");
for (const [k, v] of Object.entries(best)) console.log(`${k.padEnd(24)} ${v.toFixed(2).padStart(8)}${goals[k] ? `   goal <= ${goals[k]}` : ""}   runs: ${figures[k].join(", ")}`);
JS
