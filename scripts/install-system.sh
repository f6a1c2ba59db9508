#!/usr/bin/env bash
# Installs what the test suites need from Debian, each only when missing:
#   valkey-server, valkey-tools, valkey-sentinel  (bookworm-backports, via install-valkey.sh)
#   curl        the demo test runs the README's curl lines;
#   chromium    the dashboard's browser test (driven by playwright-core);
#   prometheus  promtool checks the alert rules in deploy/;
#   systemd     systemd-analyze verifies the unit in deploy/.
# As root it installs them; as another user it names what is missing and how to install it.
set -euo pipefail
cd "$(dirname "$0")/.."
valkey=0
for tool in valkey-server valkey-cli valkey-sentinel; do command -v "$tool" >/dev/null 2>&1 || valkey=1; done
missing=()
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
[ "$valkey" = 0 ] && [ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  [ "$valkey" = 1 ] && echo "Valkey is missing: install it with \`sudo bash scripts/install-valkey.sh\` (Debian bookworm-backports)" >&2
  [ ${#missing[@]} -gt 0 ] && echo "missing Debian packages: install them with \`sudo apt-get install ${missing[*]}\`" >&2
  exit 1
fi
[ "$valkey" = 1 ] && bash scripts/install-valkey.sh
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The prometheus package starts a server where systemd runs; the tests need only promtool.
  if command -v systemctl >/dev/null 2>&1; then systemctl disable --now prometheus >/dev/null 2>&1 || true; fi
fi
