#!/usr/bin/env bash
# npm run bench:proxy — installs what the comparison needs when missing (Debian's iperf3, the
# floor, and haproxy, the anchor), builds, then runs test/bench/proxy.bench.test.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v iperf3 >/dev/null || missing+=(iperf3)
command -v haproxy >/dev/null || missing+=(haproxy)
if [ ${#missing[@]} -gt 0 ]; then
  echo "[bench:proxy] installing ${missing[*]} (Debian packages)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The packages may start their own daemons; the benchmark runs its own on loopback.
  systemctl disable --now haproxy 2>/dev/null || service haproxy stop 2>/dev/null || true
fi
npx tsc -b
exec npx vitest run --config vitest.bench.config.ts test/bench/proxy.bench.test.ts
