#!/usr/bin/env bash
# Long random regression of rtlgen_swg / rtlgen_pool / rtlgen_global_pool (not run in CI).
#
# Builds each random configuration with Verilator against the same testbenches as ctest
# (tests/rtl/test_swg.cpp, test_pool.cpp, test_global_pool.cpp) and runs it.
#
# usage: scripts/rtl_longrun_swg.sh [COUNT=60] [SEED=1] [WORKDIR=/tmp/rtlgen_longrun_swg]
#   JOBS=<n> sets the C++ build parallelism (default 2).
set -euo pipefail

COUNT=${1:-60}
SEED=${2:-1}
WORK=${3:-/tmp/rtlgen_longrun_swg}
JOBS=${JOBS:-2}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/scripts/newest_verilator.sh"

mkdir -p "$WORK"
CATCH_OBJ="$WORK/catch_main.o"
if [ ! -f "$CATCH_OBJ" ]; then
  g++ -std=c++17 -O1 -c "$ROOT/tests/rtl/catch_main.cpp" -o "$CATCH_OBJ"
fi

# One line per configuration: <name> <top> <testbench> <-G params...>
python3 - "$COUNT" "$SEED" > "$WORK/configs.txt" <<'PY'
import random, sys
count, seed = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(seed)

def divisors(n):
    return [d for d in range(1, n + 1) if n % d == 0]

def pads(size, k, s, same):
    if not same:
        return 0, 0
    out = (size + s - 1) // s
    total = max(0, (out - 1) * s + k - size)
    return total // 2, total - total // 2

lines = []
i = 0
while len(lines) < count:
    i += 1
    kind = rng.choice(['swg', 'swg', 'swg', 'pool', 'gpool'])
    if kind == 'swg':
        c = rng.choice([1, 2, 3, 4, 6, 8, 12, 16])
        kh, kw = rng.randint(1, 5), rng.randint(1, 5)
        sh, sw = rng.randint(1, 3), rng.randint(1, 3)
        h, w = rng.randint(max(1, kh - 2), 16), rng.randint(max(1, kw - 2), 16)
        mode = rng.choice(['same', 'valid', 'explicit'])
        if mode == 'explicit':
            pt, pb = rng.randint(0, kh - 1), rng.randint(0, kh - 1)
            pl, pr = rng.randint(0, kw - 1), rng.randint(0, kw - 1)
        else:
            pt, pb = pads(h, kh, sh, mode == 'same')
            pl, pr = pads(w, kw, sw, mode == 'same')
        if h + pt + pb < kh or w + pl + pr < kw or pt >= kh or pb >= kh or pl >= kw or pr >= kw:
            continue
        order = rng.choice([0, 1])
        simds = divisors(c)
        if order == 0:
            simds += [c * t for t in divisors(kh * kw) if t > 1]
        simd = rng.choice(simds)
        in_n = rng.choice(divisors(c))
        pv = rng.randint(-128, 255)
        name = f"swg{i}_{h}x{w}x{c}_k{kh}x{kw}_s{sh}x{sw}_o{order}_simd{simd}_in{in_n}"
        lines.append(f"{name} rtlgen_swg test_swg.cpp -GIFM_H={h} -GIFM_W={w} -GIFM_C={c} "
                     f"-GK_H={kh} -GK_W={kw} -GSTRIDE_H={sh} -GSTRIDE_W={sw} -GPAD_T={pt} "
                     f"-GPAD_B={pb} -GPAD_L={pl} -GPAD_R={pr} -GPAD_VALUE={pv} -GIN_N={in_n} "
                     f"-GSIMD={simd} -GORDER={order}")
    elif kind == 'pool':
        ch = rng.choice([1, 2, 4, 6, 8])
        simd = rng.choice(divisors(ch))
        kh, kw = rng.randint(1, 4), rng.randint(1, 4)
        sgn = rng.choice([0, 1])
        lo, hi = (-128, 127) if sgn else (0, 255)
        amin = rng.choice([lo, rng.randint(lo, hi)])
        amax = rng.choice([hi, rng.randint(amin, hi)])
        mode = rng.choice([0, 1])
        name = f"pool{i}_m{mode}_c{ch}_simd{simd}_k{kh}x{kw}_s{sgn}"
        lines.append(f"{name} rtlgen_pool test_pool.cpp -GMODE={mode} -GCHANNELS={ch} "
                     f"-GSIMD={simd} -GK_H={kh} -GK_W={kw} -GIN_SIGNED={sgn} "
                     f"-GACT_MIN={amin} -GACT_MAX={amax}")
    else:
        h, w = rng.randint(1, 8), rng.randint(1, 8)
        ch = rng.choice([1, 2, 3, 4, 8, 16])
        n = rng.choice(divisors(ch))
        sgn = rng.choice([0, 1])
        acc = rng.choice([32, 9 + (h * w - 1).bit_length()])
        name = f"gpool{i}_{h}x{w}x{ch}_n{n}_s{sgn}_acc{acc}"
        lines.append(f"{name} rtlgen_global_pool test_global_pool.cpp -GH={h} -GW={w} "
                     f"-GCHANNELS={ch} -GIN_N={n} -GIN_SIGNED={sgn} -GACC_BITS={acc}")
print("\n".join(lines))
PY

pass=0
fail=0
failed=()
while read -r name top tb params; do
  dir="$WORK/$name"
  mkdir -p "$dir"
  defs="-DRTLGEN_TEST_NAME=\\\"$name\\\""
  for p in $params; do
    kv=${p#-G}
    defs="$defs -DRTLGEN_P_${kv%%=*}=${kv#*=}"
  done
  echo "=== $name"
  if ! verilator --cc --exe --build -j "$JOBS" -O1 --x-assign unique --x-initial unique \
      --top "$top" --prefix "V$top" --Mdir "$dir" -o tb $params \
      "$ROOT/rtl_templates/$top.v" "$ROOT/tests/rtl/$tb" "$CATCH_OBJ" \
      -CFLAGS "-std=c++17 -O1 -g0 -I$ROOT/sim/include $defs" > "$dir/build.log" 2>&1; then
    echo "BUILD FAILED (see $dir/build.log)"
    fail=$((fail + 1)); failed+=("$name"); continue
  fi
  if "$dir/tb" > "$dir/run.log" 2>&1; then
    grep "cycles per frame" "$dir/run.log" || true
    pass=$((pass + 1))
    rm -rf "$dir"
  else
    tail -30 "$dir/run.log"
    fail=$((fail + 1)); failed+=("$name")
  fi
done < "$WORK/configs.txt"

echo "passed $pass, failed $fail"
for f in "${failed[@]}"; do echo "  FAILED: $f"; done
[ "$fail" -eq 0 ]
