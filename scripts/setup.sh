#!/usr/bin/env bash
# Installs what ringagent needs on Debian/Ubuntu: system packages (when root with apt, otherwise it
# prints the one command that would) and the npm dependencies from the lockfile.
#   scripts/setup.sh runtime   packages the agent itself needs (offline speech engines)
#   scripts/setup.sh test      plus the real-peer test bed (Kamailio, baresip, SIPp, sox)
set -euo pipefail
mode=${1:-runtime}
cd "$(dirname "$0")/.."

runtime_pkgs=(flite pocketsphinx pocketsphinx-en-us libpocketsphinx-dev libsphinxbase-dev openssl)
test_pkgs=(baresip-core sip-tester kamailio kamailio-tls-modules kamailio-utils-modules sox libsox-fmt-all postgresql)
pkgs=("${runtime_pkgs[@]}")
[ "$mode" = "test" ] && pkgs+=("${test_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "setup: installing system packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing system packages: ${missing[*]}" >&2
    echo "setup: install them with:  sudo sh -c '$cmd'" >&2
    exit 1
  fi
fi

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "setup: Node.js >= 20 is required (found $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
