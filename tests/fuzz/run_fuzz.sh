#!/usr/bin/env bash
# Runs one libFuzzer target for a fixed time on its committed seed corpus (which includes every
# crash found so far, as a regression) and fails on any crash, sanitizer report, leak, timeout
# or out-of-memory.
#   usage: run_fuzz.sh FUZZER SEED_CORPUS WORK_DIR SECONDS [more libFuzzer options]
# New inputs go to WORK_DIR/corpus (the seed corpus is only read), reproducers of failures to
# WORK_DIR/artifacts/. tests/fuzz/<target>.dict is used when it exists.
set -euo pipefail
fuzzer=$1 seeds=$2 work=$3 secs=$4
shift 4
# Absolute: fuzz_cli runs rtlgen in its own scratch directory (it changes the working directory).
fuzzer=$(realpath "$fuzzer") seeds=$(realpath "$seeds") work=$(realpath -m "$work")
here=$(cd "$(dirname "$0")" && pwd)
name=$(basename "$fuzzer")
mkdir -p "$work/corpus" "$work/artifacts"
args=(-max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 -malloc_limit_mb=1024
      -print_final_stats=1 -artifact_prefix="$work/artifacts/")
[[ -f $here/${name#fuzz_}.dict ]] && args+=(-dict="$here/${name#fuzz_}.dict")
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
log=$work/fuzz.log
set +e
"$fuzzer" "${args[@]}" "$@" "$work/corpus" "$seeds" >"$log" 2>&1
rc=$?
set -e
# The first and last lines say what ran and what it found; the whole log on failure.
grep -E "^INFO: seed corpus|INITED|DONE|^stat::" "$log" || true
if ((rc != 0)); then
  cat "$log"
  echo "run_fuzz: $name FAILED (exit $rc); reproducer(s): $(ls "$work/artifacts" | tr '\n' ' ')"
  exit 1
fi
echo "run_fuzz: $name ran ${secs}s without a failure ($(ls "$work/corpus" | wc -l) new corpus files)"
