#!/usr/bin/env bash
# Long random regression of the RTL templates (not run in CI): verilates N random parameter
# configurations per module with the same testbenches as tests/rtl and runs them.
#   scripts/rtl_longrun.sh [-n configs_per_module] [-m "mvu requant"] [-s seed] [-j jobs] [-k]
#   -k keeps the per-configuration build directories (default: only failing ones are kept)
# Each configuration builds in $WORK (default /tmp/rtlgen-longrun) with verilator --build.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$root/scripts/newest_verilator.sh"
n=50; modules="mvu requant"; seed=${RTLGEN_SEED:-$RANDOM}; jobs=2; keep=0
while getopts "n:m:s:j:k" opt; do
  case $opt in
    n) n=$OPTARG ;; m) modules=$OPTARG ;; s) seed=$OPTARG ;; j) jobs=$OPTARG ;; k) keep=1 ;;
    *) sed -n '2,6p' "$0"; exit 2 ;;
  esac
done
work=${WORK:-/tmp/rtlgen-longrun}
mkdir -p "$work"
RANDOM=$seed
echo "rtl_longrun: seed $seed, $n configurations per module ($modules), work dir $work"

# rnd LO HI: uniform integer in [LO, HI]
rnd() { echo $(( $1 + RANDOM % ($2 - $1 + 1) )); }

catch_main=$(mktemp "$work/catch_main.XXXX.o")
g++ -std=c++17 -O1 -c "$root/tests/rtl/catch_main.cpp" -o "$catch_main"

# run_config NAME TOP TESTBENCH "PARAMS..." FILE_PARAM [extra sources]
run_config() {
  local name=$1 top=$2 tb=$3 params=$4 file_param=$5; shift 5
  local dir="$work/$name"
  rm -rf "$dir"; mkdir -p "$dir"
  local gargs=() dargs=()
  for p in $params; do
    gargs+=("-G$p"); dargs+=("-CFLAGS" "-DRTLGEN_P_$p")
  done
  local mem="$dir/$file_param.mem"
  gargs+=("-G$file_param=\"$mem\"")
  dargs+=("-CFLAGS" "-DRTLGEN_P_$file_param=\\\"$mem\\\"" "-CFLAGS" "-DRTLGEN_TEST_NAME=\\\"$name\\\"")
  if ! verilator --cc --exe --build -j "$jobs" -O1 --x-assign unique --x-initial unique \
      --top-module "$top" --prefix "V$top" -Mdir "$dir/obj" "${gargs[@]}" \
      -CFLAGS "-std=c++17 -O1 -I$root/sim/include -I$root/gen/include" "${dargs[@]}" \
      "$root/rtl_templates/$top.v" "$root/tests/rtl/$tb" "$@" "$catch_main" \
      > "$dir/build.log" 2>&1; then
    echo "BUILD FAIL $name ($params) -> $dir/build.log"; return 1
  fi
  if ! (cd "$dir" && "./obj/V$top" > run.log 2>&1); then
    echo "FAIL $name ($params) -> $dir/run.log"; return 1
  fi
  echo "pass $name ($params)"
  [[ $keep == 1 ]] || rm -rf "$dir"
}

fails=0
for m in $modules; do
  for ((i = 0; i < n; i++)); do
    case $m in
      mvu)
        pe=$(rnd 1 8); nf=$(rnd 1 6); simd=$(rnd 1 32); sf=$(rnd 1 8)
        is=$(rnd 0 1); ws=$(rnd 0 1)
        if ((is)); then izp=$(rnd -128 127); else izp=$(rnd 0 255); fi
        if ((ws)); then wzp=$(rnd -128 127); else wzp=$(rnd 0 255); fi
        if (( $(rnd 0 3) == 0 )); then wzp=0; fi
        acc=$(rnd 16 32)
        params="MW=$((simd * sf)) MH=$((pe * nf)) PE=$pe SIMD=$simd IN_SIGNED=$is IN_ZP=$izp"
        params+=" W_SIGNED=$ws W_ZP=$wzp ACC_BITS=$acc"
        run_config "mvu_$i" rtlgen_mvu test_mvu.cpp "$params" WEIGHT_FILE || fails=$((fails + 1))
        ;;
      requant)
        pe=$(rnd 1 8); ch=$((pe * $(rnd 1 8))); acc=$(rnd 8 32); os=$(rnd 0 1)
        if ((os)); then lo=-128; hi=127; else lo=0; hi=255; fi
        zp=$(rnd $lo $hi); amin=$(rnd $lo $((hi - 64))); amax=$(rnd $((amin + 64)) $hi)
        params="PE=$pe CHANNELS=$ch ACC_BITS=$acc OUT_ZP=$zp ACT_MIN=$amin ACT_MAX=$amax"
        params+=" OUT_SIGNED=$os"
        run_config "requant_$i" rtlgen_requant test_requant.cpp "$params" PARAM_FILE \
          "$root/gen/src/ir/fixed_point.cpp" || fails=$((fails + 1))
        ;;
      *) echo "unknown module $m"; exit 2 ;;
    esac
  done
done
rm -f "$catch_main"
echo "rtl_longrun: $fails failing configuration(s)"
exit $((fails > 0))
