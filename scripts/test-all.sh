#!/usr/bin/env bash
# Quickstart: set up (system packages for the real-peer test bed, npm ci) and run every check:
# format+lint, typecheck, layer boundaries, unit and integration tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
npm run validate
