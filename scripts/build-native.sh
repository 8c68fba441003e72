#!/usr/bin/env bash
# Builds the native addons (run by `npm install` / `npm ci` through the package's install script).
# native/media: the media engine's hot path (UDP send, SRTP's AES-CM and HMAC-SHA1 through node's
# own OpenSSL). Without it the pure-JS engine runs (same bytes, more CPU), so a failed build warns.
# native/pocketsphinx: an N-API addon over libpocketsphinx for the offline STT engine. When the
# libraries are missing it prints the fix and skips: the rest of ringagent works without it, and
# the pocketsphinx provider reports the same fix when it is configured.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
args=(rebuild --loglevel=error)
# Build against the installed Node's own headers (no download) when they are present.
[ -f /usr/include/node/node_api.h ] && args+=(--nodedir=/usr)
gyp() {
  if command -v node-gyp >/dev/null 2>&1; then
    node-gyp "${args[@]}"
  else
    node "$(dirname "$(dirname "$(command -v npm)")")/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js" "${args[@]}"
  fi
}

if ! (cd "$root/native/media" && gyp); then
  echo "ringagent: the native media addon did not build; the pure-JS media engine will be used (more CPU per call)" >&2
fi

cd "$root/native/pocketsphinx"
if ! pkg-config --exists pocketsphinx sphinxbase 2>/dev/null; then
  echo "ringagent: skipping the pocketsphinx addon: libpocketsphinx-dev is missing (apt-get install libpocketsphinx-dev libsphinxbase-dev, then npm rebuild)" >&2
  exit 0
fi
gyp
