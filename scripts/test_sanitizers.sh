#!/usr/bin/env bash
# The sanitizer and fuzzing part of scripts/test.sh (see README, "Fuzzing and sanitizers"):
#   1. builds build-asan/ (or $RTLGEN_ASAN_DIR) with clang: -fsanitize=address,undefined
#      -fno-sanitize-recover=all and libFuzzer coverage (-DRTLGEN_FUZZ=ON): the rtlgen CLI, the
#      Catch2 unit tests and the fuzz targets (not the Verilator tests);
#   2. runs every unit test, the CLI bad-input cases (tests/e2e/bad_inputs.sh,
#      hostile_pipeline.sh) and RTLGEN_RANDOM_NETWORKS (default 5) random valid networks through
#      generate + Verilator lint + Icarus (tests/fuzz/random_networks.py) under them;
#   3. runs each fuzz target for RTLGEN_FUZZ_SECONDS (default 30) on its committed seed corpus
#      (tests/fuzz/corpus/<target>/, crash reproducers included), two targets at a time.
# Any sanitizer report, crash, leak, timeout or escaped exception fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${RTLGEN_FUZZ_SECONDS:-30}
dir=${RTLGEN_ASAN_DIR:-build-asan}  # build directory (relative to the source tree or absolute)
jobs=$(nproc 2>/dev/null || echo 2)
t0=$SECONDS
CXX=${RTLGEN_FUZZ_CXX:-clang++} cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" -DRTLGEN_FUZZ=ON \
  -DRTLGEN_RTL_TESTS=OFF -DRTLGEN_FUZZ_SECONDS="$secs" >/dev/null
cmake --build "$dir" -j "$jobs" --target rtlgen rtlgen_tests fuzz_tflite fuzz_onnx fuzz_yaml fuzz_npy \
  fuzz_image fuzz_cli
t1=$SECONDS
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# The unit tests in two processes, one per core: the device-folding cases (tests/
# test_fold_device.cpp, about half of the time) beside all the others, then the CLI cases.
echo "== unit tests under AddressSanitizer + UndefinedBehaviorSanitizer (2 processes)"
unit_log="$dir/unit_tests_fold_device.log"
"$dir"/tests/rtlgen_tests -# '[#test_fold_device]' >"$unit_log" 2>&1 &
fold_pid=$!
rest_rc=0
"$dir"/tests/rtlgen_tests -# '~[#test_fold_device]' || rest_rc=$?
fold_rc=0
wait "$fold_pid" || fold_rc=$?
cat "$unit_log"
if [[ $rest_rc != 0 || $fold_rc != 0 ]]; then
  echo "unit tests failed under the sanitizers (exit status $rest_rc and $fold_rc)"
  exit 1
fi
echo "== CLI bad inputs under AddressSanitizer + UndefinedBehaviorSanitizer"
ctest --test-dir "$dir" --output-on-failure -j 2 -R '^cli_bad_inputs$|^cli_hostile_pipeline$'
echo "== random valid networks through generate, Verilator lint and Icarus under the sanitizers"
python3 tests/fuzz/random_networks.py --rtlgen "$dir/gen/rtlgen" --work "$dir/random_networks" \
  --count "${RTLGEN_RANDOM_NETWORKS:-5}" --seed 7
t2=$SECONDS
echo "== fuzz targets, ${secs} s each, 2 at a time"
ctest --test-dir "$dir" --output-on-failure -j 2 -L fuzz
t3=$SECONDS
echo "sanitizers: build $((t1 - t0)) s, unit + CLI tests $((t2 - t1)) s, fuzzing $((t3 - t2)) s," \
  "total $((t3 - t0)) s"
