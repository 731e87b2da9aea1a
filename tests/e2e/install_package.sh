#!/usr/bin/env bash
# rtlgen installs and runs without its source and build trees:
#   a copy of the sources is configured and built (rtlgen only), `cpack -G DEB` makes the Debian
#   package, the source copy and its build tree are deleted, the package is unpacked into a
#   prefix of its own (dpkg-deb -x: the same files `dpkg -i` installs, here under WORK/root/usr
#   instead of /usr, which also shows the lookup is relative to the binary), and from an
#   unrelated directory the installed rtlgen folds its example LeNet to 32 multipliers, generates
#   it and simulates 2 random frames in Verilator: bit-exact, 0 mismatches.
# usage: install_package.sh SOURCE_DIR WORK_DIR
set -euo pipefail
src=$(cd "$1" && pwd)
work=$2
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
fail() { echo "FAIL: $*"; exit 1; }

# 1. A copy of what a source release holds (no build trees, no tests).
mkdir "$work/src"
for entry in CMakeLists.txt cmake gen sim rtl_templates docs README.md configs; do
  cp -r "$src/$entry" "$work/src/"
done
# -O0: the quickest build (its largest sources compile in 2/3 of the CPU time of -O1); the few
# frames simulated here do not need the golden model's speed. Unity build (sources compiled in
# batches): 51 instead of 99 CPU s at -O0, most of a source's time being the shared headers. Every
# source is still compiled on its own by the main build; here a helper of the same name in two
# files' anonymous namespaces is a redefinition error (rename one of them).
cmake -S "$work/src" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_FLAGS_RELEASE="-O0 -DNDEBUG" -DCMAKE_UNITY_BUILD=ON -DRTLGEN_BUILD_TESTS=OFF \
  >"$work/configure.log" 2>&1 ||
  { cat "$work/configure.log"; fail "configure"; }
cmake --build "$work/build" -j 2 >"$work/build.log" 2>&1 || { tail -30 "$work/build.log"; fail "build"; }
(cd "$work/build" && cpack -G DEB >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail "cpack"; }
deb=$(ls "$work"/build/rtlgen_*.deb 2>/dev/null | head -1)
[[ -n $deb ]] || fail "cpack wrote no .deb"
mv "$deb" "$work/"
deb="$work/$(basename "$deb")"
dpkg-deb --field "$deb" Package Version Architecture Depends
dpkg-deb --contents "$deb" >"$work/contents.txt"
for f in ./usr/bin/rtlgen ./usr/share/rtlgen/rtl_templates/rtlgen_mvu.v \
         ./usr/share/rtlgen/sim/network/network_sim.cpp ./usr/share/rtlgen/sim/network/network_model.cpp \
         ./usr/share/rtlgen/sim/network/network_sim.hpp ./usr/share/rtlgen/sim/find_verilator.py \
         ./usr/lib/rtlgen/librtlgen_core.a \
         ./usr/share/rtlgen/examples/lenet.yaml ./usr/share/doc/rtlgen/docs/integration.md; do
  grep -q " $f\$" "$work/contents.txt" || fail "$f is not in the package"
done
[[ $(dpkg-deb --field "$deb" Depends) == *verilator* ]] || fail "the package does not depend on verilator"

# 2. The trees it was built from are gone.
rm -rf "$work/src" "$work/build"

# 3. Install (unpack) and run from an unrelated directory.
dpkg-deb -x "$deb" "$work/root"
rtlgen="$work/root/usr/bin/rtlgen"
mkdir "$work/elsewhere"
cd "$work/elsewhere"
"$rtlgen" --version | tee version.txt
grep -q "installed in $work/root/usr" version.txt || fail "rtlgen --version does not name the unpacked prefix"
"$rtlgen" fold "$work/root/usr/share/rtlgen/examples/lenet.yaml" --max-multipliers 32 \
  -o lenet32.yaml >fold.log || { cat fold.log; fail "fold"; }
"$rtlgen" generate lenet32.yaml -o gen_lenet32 >generate.log || { cat generate.log; fail "generate"; }
[[ -f gen_lenet32/rtl/lenet_top.v && -f gen_lenet32/rtl/rtlgen_mvu.v ]] || fail "generate wrote no RTL"
RTLGEN_SIM_OPT=-O1 RTLGEN_SIM_CACHE="$work/sim-cache" \
  "$rtlgen" sim lenet32.yaml -o gen_lenet32 --random 2 --perf-frames 2 | tee sim.log ||
  fail "rtlgen sim exited non-zero"
python3 - gen_lenet32/sim_report.json <<'PY' || fail "sim_report.json"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["frames"] == 2 and r["mismatches"] == 0, (r["frames"], r["mismatches"])
print(f"installed rtlgen: {r['frames']} frames bit-exact, {r['cycles_per_frame']} cycles/frame")
PY
echo "PASS: package $(basename "$deb") installed under $work/root, generate + sim bit-exact"
