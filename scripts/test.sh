#!/usr/bin/env bash
# Builds everything and runs every test (unit, golden model, TFLite comparisons, RTL) via ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh -DRTLGEN_BUILD_TESTS=ON "$@"
ctest --test-dir build --output-on-failure -j "$(nproc 2>/dev/null || echo 2)"
