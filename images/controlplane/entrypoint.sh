#!/bin/sh
# Entrypoint of skiff/controlplane: the first argument chooses the process.
#   apiserver | scheduler | controller-manager | node-agent [FLAGS…]  → node /app/services/<name>/dist/main.js
#   skiff [ARGS…]                                                     → the CLI
# SKIFF_NODE_TOKEN_FILE (docker-compose.yml): the apiserver ↔ node-agent secret is read from this
# file, which the first container to start creates with a random token (one per cluster).
set -e
what="${1:-apiserver}"
[ $# -gt 0 ] && shift
if [ -n "${SKIFF_NODE_TOKEN_FILE:-}" ] && [ -z "${SKIFF_NODE_TOKEN:-}" ]; then
  f="$SKIFF_NODE_TOKEN_FILE"
  if [ ! -s "$f" ]; then
    mkdir -p "$(dirname "$f")"
    tmp="$f.$$"
    node -e 'process.stdout.write(require("crypto").randomBytes(24).toString("hex"))' >"$tmp"
    # ln is atomic and fails when the file exists: the first writer wins, everyone reads its token.
    ln "$tmp" "$f" 2>/dev/null || true
    rm -f "$tmp"
  fi
  SKIFF_NODE_TOKEN="$(cat "$f")"
  export SKIFF_NODE_TOKEN
fi
case "$what" in
  apiserver|scheduler|controller-manager|node-agent)
    main="/app/services/$what/dist/main.js"
    [ -f "$main" ] || { echo "skiff: $what is not in this image" >&2; exit 2; }
    # The node flags every launcher gives a component (packages/client/src/launch.ts).
    export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
    # shellcheck disable=SC2046
    exec node $(node /app/packages/client/dist/launch.js "$what") "$main" "$@" ;;
  skiff|cli) exec node /app/packages/cli/dist/main.js "$@" ;;
  sh|bash) exec "$what" "$@" ;;
  *) echo "usage: apiserver|scheduler|controller-manager|node-agent|skiff [ARGS…]" >&2; exit 2 ;;
esac
