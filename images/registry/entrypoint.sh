#!/bin/sh
# Writes the registry's configuration (storage, listen address, optional htpasswd auth from
# SKIFF_REGISTRY_AUTH=user:password) and runs Debian's docker-registry with it.
set -eu
conf=/etc/docker/registry/skiff.yml
mkdir -p /etc/docker/registry /var/lib/docker-registry
cat >"$conf" <<YAML
version: 0.1
log:
  level: info
  fields: { service: registry }
storage:
  filesystem: { rootdirectory: /var/lib/docker-registry }
  delete: { enabled: true }
http:
  addr: ${SKIFF_REGISTRY_ADDR:-:5000}
  headers: { X-Content-Type-Options: [nosniff] }
YAML
if [ -n "${SKIFF_REGISTRY_AUTH:-}" ]; then
  user="${SKIFF_REGISTRY_AUTH%%:*}" pass="${SKIFF_REGISTRY_AUTH#*:}"
  htpasswd -Bbn "$user" "$pass" >/etc/docker/registry/htpasswd
  printf 'auth:\n  htpasswd: { realm: skiff-registry, path: /etc/docker/registry/htpasswd }\n' >>"$conf"
  echo "[skiff-registry] htpasswd auth on (user $user)" >&2
fi
exec docker-registry serve "$conf"
