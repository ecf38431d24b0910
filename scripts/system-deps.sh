#!/usr/bin/env bash
# Install the system packages the tests and the demo need, only when missing:
# PostgreSQL (server binaries) and Debian's Chromium. Idempotent.
set -euo pipefail
need=()
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then need+=(postgresql); fi
if ! command -v chromium >/dev/null 2>&1; then need+=(chromium); fi
if [ "${1:-}" = "--chromium-only" ]; then
  need=(); command -v chromium >/dev/null 2>&1 || need+=(chromium)
fi
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
echo "installing system packages: ${need[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "error: need root (or sudo) to apt-get install ${need[*]}" >&2; exit 1; fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# Debian starts a cluster on install; the tests run their own on a private port.
if [ -x /usr/sbin/service ] && ls /etc/postgresql/*/main >/dev/null 2>&1; then
  $SUDO service postgresql stop >/dev/null 2>&1 || true
fi
