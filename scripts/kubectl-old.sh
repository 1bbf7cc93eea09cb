#!/usr/bin/env bash
# Debian bookworm's own kubectl (package kubernetes-client, v1.20) for the old-kubectl test:
# downloaded with apt-get and extracted with dpkg-deb -x into .tools/kubectl-1.20/ of this
# checkout, beside (never over) the installed kubectl. Prints the binary's path.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/.tools/kubectl-1.20"
BIN="$DEST/usr/bin/kubectl"
if [[ -x "$BIN" ]]; then echo "$BIN"; exit 0; fi
command -v apt-get >/dev/null 2>&1 || { echo "kubectl-old: no apt-get to fetch Debian's kubernetes-client" >&2; exit 1; }
as_root() { if [[ $EUID -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
chmod 777 "$tmp" # apt-get download runs as _apt where it can
( cd "$tmp" && { apt-get download kubernetes-client >&2 2>/dev/null || { as_root apt-get update -qq >&2 && apt-get download kubernetes-client >&2; }; } )
mkdir -p "$DEST"
dpkg-deb -x "$tmp"/kubernetes-client_*.deb "$DEST"
[[ -x "$BIN" ]] || { echo "kubectl-old: $BIN missing after extracting the package" >&2; exit 1; }
echo "$BIN"
