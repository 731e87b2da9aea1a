#!/usr/bin/env bash
# The packaging of a generated design works in the tools it targets:
#   fusesoc: OUT/<top>.core, `fusesoc run --target sim` (Icarus) prints PASS and exits 0, and
#            `--target lint` (Verilator -Wall) is clean;
#   cocotb:  OUT/tb/cocotb/run_cocotb.py (Icarus) passes, and fails naming frame 0 beat 0 when
#            the low byte of the first expected beat is flipped.
# usage: fusesoc_cocotb.sh fusesoc|cocotb RTLGEN NET.yaml OUTDIR [rtlgen generate options...]
# (FuseSoC and cocotb come from PyPI: bash scripts/bootstrap.sh --test.)
set -uo pipefail
mode=$1 rtlgen=$2 net=$3 out=$4
shift 4
fail() { echo "FAIL: $*"; exit 1; }
"$rtlgen" generate "$net" -o "$out" "$@" >/dev/null || fail "rtlgen generate"
out=$(cd "$out" && pwd)
top=$(sed -n 's/^name: rtlgen:nn:\([A-Za-z0-9_]*\):.*/\1/p' "$out"/*.core)
[[ -n $top ]] || fail "no FuseSoC core with a name rtlgen:nn:<top> in $out"
work="$out.$mode"
rm -rf "$work"
mkdir -p "$work"
cd "$out" || exit 1
case $mode in
  fusesoc)
    command -v fusesoc >/dev/null || fail "fusesoc not found (bash scripts/bootstrap.sh --test)"
    start=$(date +%s)
    fusesoc --cores-root . run --build-root "$work/build" --target sim "rtlgen:nn:$top" \
      >"$work/sim.log" 2>&1
    rc=$?
    grep -E '^(PASS|FAIL|INFO: [0-9])' "$work/sim.log"
    echo "fusesoc run --target sim: exit $rc, $(( $(date +%s) - start )) s"
    [[ $rc -eq 0 ]] && grep -q '^PASS:' "$work/sim.log" || { tail -30 "$work/sim.log"; fail "fusesoc sim"; }
    fusesoc --cores-root . run --build-root "$work/build" --target lint "rtlgen:nn:$top" \
      >"$work/lint.log" 2>&1 || { tail -30 "$work/lint.log"; fail "fusesoc lint (Verilator -Wall)"; }
    ! grep -q '%Warning' "$work/lint.log" || { grep '%Warning' "$work/lint.log" | head; fail "lint warnings"; }
    echo "fusesoc run --target lint: clean"
    ;;
  cocotb)
    python3 -c "import cocotb_tools.runner" 2>/dev/null ||
      fail "cocotb >= 2.0 not installed (bash scripts/bootstrap.sh --test)"
    start=$(date +%s)
    python3 tb/cocotb/run_cocotb.py >"$work/pass.log" 2>&1
    rc=$?
    tail -1 "$work/pass.log"
    echo "cocotb run: exit $rc, $(( $(date +%s) - start )) s"
    [[ $rc -eq 0 ]] && grep -q '^PASS: cocotb' "$work/pass.log" || { tail -40 "$work/pass.log"; fail "cocotb run"; }
    # One flipped byte: the low byte of the first expected beat, XOR 0x01.
    first=$(head -1 tb/expected.hex)
    flipped=$(printf '%s%02x' "${first:0:${#first}-2}" $(( 16#${first: -2} ^ 0x01 )))
    { echo "$flipped"; tail -n +2 tb/expected.hex; } >"$work/expected_flipped.hex"
    echo "flipped expected beat 0: $first -> $flipped"
    python3 tb/cocotb/run_cocotb.py --expected "$work/expected_flipped.hex" >"$work/flipped.log" 2>&1
    rc=$?
    grep -o 'FAIL: frame 0 beat 0 expected [0-9a-f]* got [0-9a-f]*' "$work/flipped.log" | head -1
    [[ $rc -ne 0 ]] && grep -q 'FAIL: frame 0 beat 0 expected' "$work/flipped.log" ||
      { tail -40 "$work/flipped.log"; fail "the flipped byte was not detected (exit $rc)"; }
    echo "flipped byte detected: OK"
    ;;
  *) fail "unknown mode '$mode' (fusesoc or cocotb)" ;;
esac
echo "PASS"
