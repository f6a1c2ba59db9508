#!/usr/bin/env bash
# Installs valkey-server, valkey-tools and valkey-sentinel from Debian's bookworm-backports suite,
# on the mirror that the machine's apt sources already use. Does nothing when all are present.
set -euo pipefail
if command -v valkey-server >/dev/null 2>&1 && command -v valkey-cli >/dev/null 2>&1 \
  && command -v valkey-sentinel >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "valkey-server, valkey-cli or valkey-sentinel is missing; run as root: sudo bash scripts/install-valkey.sh" >&2
  exit 1
fi
src=/etc/apt/sources.list.d/debian.sources
uri=""
if [ -f "$src" ]; then
  uri=$(awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }' "$src")
fi
if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
  uri=$(awk '/^deb / && $0 !~ /security/ { print $2; exit }' /etc/apt/sources.list)
fi
if [ -z "$uri" ]; then
  echo "cannot find the Debian mirror in $src; add bookworm-backports to apt's sources by hand" >&2
  exit 1
fi
list=/etc/apt/sources.list.d/bookworm-backports.list
if ! grep -qs bookworm-backports /etc/apt/sources.list.d/* /etc/apt/sources.list; then
  echo "deb $uri bookworm-backports main" > "$list"
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq -t bookworm-backports valkey-server valkey-tools valkey-sentinel >/dev/null
# The Debian package starts a system service on 6379; our tests start their own servers.
if command -v systemctl >/dev/null 2>&1; then
  systemctl disable --now valkey-server valkey-sentinel >/dev/null 2>&1 || true
fi
valkey-server --version
