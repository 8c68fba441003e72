#!/usr/bin/env bash
# Builds the native addons (run by `npm install` / `npm ci` through the package's install script).
# native/pocketsphinx: an N-API addon over libpocketsphinx for the offline STT engine. When the
# libraries are missing it prints the fix and skips: the rest of ringagent works without it, and
# the pocketsphinx provider reports the same fix when it is configured.
set -euo pipefail
cd "$(dirname "$0")/../native/pocketsphinx"
if ! pkg-config --exists pocketsphinx sphinxbase 2>/dev/null; then
  echo "ringagent: skipping the pocketsphinx addon: libpocketsphinx-dev is missing (apt-get install libpocketsphinx-dev libsphinxbase-dev, then npm rebuild)" >&2
  exit 0
fi
args=(rebuild --loglevel=error)
# Build against the installed Node's own headers (no download) when they are present.
[ -f /usr/include/node/node_api.h ] && args+=(--nodedir=/usr)
if command -v node-gyp >/dev/null 2>&1; then
  node-gyp "${args[@]}"
else
  node "$(dirname "$(dirname "$(command -v npm)")")/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js" "${args[@]}"
fi
