#!/usr/bin/env bash
# Quickstart: set up and start the agent on its embedded, offline default (the local line on
# 127.0.0.1:5060). Extra arguments go to `ringagent start` (e.g. --config ringagent.yaml).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh runtime
npm run build --silent
exec node --max-semi-space-size=4 bin/ringagent.js start "$@"
