#!/usr/bin/env bash
# npm run bench:ingress — installs what the comparison needs (Debian's nginx as the reverse
# proxy to compare with, apache2-utils for ab), builds, then runs test/bench/ingress.bench.test.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v nginx >/dev/null || missing+=(nginx)
command -v ab >/dev/null || missing+=(apache2-utils)
if [ ${#missing[@]} -gt 0 ]; then
  echo "[bench:ingress] installing ${missing[*]} (Debian packages)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The package starts a default site on :80; the benchmark runs its own nginx on loopback.
  systemctl disable --now nginx 2>/dev/null || service nginx stop 2>/dev/null || true
fi
npx tsc -b
exec npx vitest run --config vitest.bench.config.ts test/bench/ingress.bench.test.ts
