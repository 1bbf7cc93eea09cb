#!/bin/sh
# Entrypoint of skiff/controlplane: the first argument chooses the process.
#   apiserver | scheduler | controller-manager | node-agent [FLAGS…]  → node /app/services/<name>/dist/main.js
#   skiff [ARGS…]                                                     → the CLI
# SKIFF_LEADER_ELECT=1 adds `--leader-elect --nats $SKIFF_NATS` to the scheduler and the
# controller-manager when their build knows the flag (leader election is another issue's work:
# the same image and compose file pick it up once it is merged).
set -e
what="${1:-apiserver}"
[ $# -gt 0 ] && shift
case "$what" in
  apiserver|scheduler|controller-manager|node-agent)
    main="/app/services/$what/dist/main.js"
    [ -f "$main" ] || { echo "skiff: $what is not in this image" >&2; exit 2; }
    if [ "${SKIFF_LEADER_ELECT:-0}" = 1 ] && [ "$what" != apiserver ] && grep -rqs -- '"leader-elect"' "/app/services/$what/dist/"; then
      set -- --leader-elect --nats "${SKIFF_NATS:-nats://127.0.0.1:4222}" "$@"
    fi
    exec node "$main" "$@" ;;
  skiff|cli) exec node /app/packages/cli/dist/main.js "$@" ;;
  sh|bash) exec "$what" "$@" ;;
  *) echo "usage: apiserver|scheduler|controller-manager|node-agent|skiff [ARGS…]" >&2; exit 2 ;;
esac
