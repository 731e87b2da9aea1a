#!/usr/bin/env bash
# Generates a design with its self-checking testbench and runs it in Icarus Verilog.
# usage: icarus_tb.sh RTLGEN NET.yaml OUTDIR pass|corrupt [rtlgen generate options...]
#   pass:    the testbench must print PASS (exit 0 from tb/run_icarus.sh)
#   corrupt: one byte of tb/expected.hex is flipped first; the testbench must print FAIL
set -uo pipefail
rtlgen=$1 net=$2 out=$3 mode=$4
shift 4
"$rtlgen" generate "$net" -o "$out" "$@" >/dev/null || { echo "rtlgen generate failed"; exit 1; }
cd "$out" || exit 1
if [[ $mode == corrupt ]]; then
  # Flip the low byte of an early beat (line 8: the second frame for LeNet, so the run stays
  # short) of the expected stream (XOR 0x5a).
  n=$(wc -l < tb/expected.hex)
  line=$(( n < 8 ? n : 8 ))
  old=$(sed -n "${line}p" tb/expected.hex)
  low=$(( 16#${old: -2} ^ 0x5a ))
  new=$(printf '%s%02x' "${old:0:${#old}-2}" "$low")
  sed -i "${line}s/.*/$new/" tb/expected.hex
  echo "corrupted expected.hex line $line: $old -> $new"
fi
start=$(date +%s)
sh tb/run_icarus.sh
rc=$?
echo "icarus run: $(( $(date +%s) - start )) s, exit $rc"
if [[ $mode == corrupt ]]; then
  if [[ $rc -ne 0 ]] && grep -q '^FAIL: frame' tb/sim.log; then
    echo "corruption detected: OK"
    exit 0
  fi
  echo "ERROR: the corrupted expected output was not detected"
  exit 1
fi
exit $rc
