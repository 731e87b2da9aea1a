#!/usr/bin/env bash
# Builds everything and runs every test (unit, golden model, TFLite comparisons, RTL) via ctest,
# then the unit tests under AddressSanitizer + UndefinedBehaviorSanitizer and each fuzz target
# for 30 s (scripts/test_sanitizers.sh; RTLGEN_SKIP_SANITIZERS=1 skips that part).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh -DRTLGEN_BUILD_TESTS=ON "$@"
ctest --test-dir build --output-on-failure -j "$(nproc 2>/dev/null || echo 2)"
if [[ ${RTLGEN_SKIP_SANITIZERS:-0} != 1 ]]; then
  bash scripts/test_sanitizers.sh
fi
