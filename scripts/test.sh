#!/usr/bin/env bash
# Sets up whatever is missing, then runs every test: type-check, unit tests,
# and the end-to-end tests that load real BPF programs in network namespaces.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
echo "==> type-check" >&2
pnpm run --silent typecheck
echo "==> tests" >&2
pnpm exec jest --ci --runInBand
