#!/usr/bin/env bash
# Proves the deadlock bound of the skip-FIFO sizing rule is tight: skip FIFOs sized for deadlock
# freedom alone (rtlgen --skip-fifo-bound-only: the generated depth minus its latency slack)
# pass the Verilator regression (random stalls and backpressure), and every skip FIFO one entry
# shallower (--skip-fifo-adjust -1) deadlocks, which the harness detects by a cycle timeout
# (exit status 2, "deadlock" in its message). The generated depths themselves run in sim_zoo_*.
# usage: skip_fifo_tight.sh RTLGEN NET.yaml OUTDIR [frames]
set -uo pipefail
rtlgen=$1 net=$2 out=$3 frames=${4:-2}
mkdir -p "$out"
echo "+ $rtlgen sim $net -o $out/generated --random $frames"
"$rtlgen" sim "$net" -o "$out/generated" --random "$frames" --perf-frames "$frames" \
  >"$out.generated.log" 2>&1
rc=$?
tail -3 "$out.generated.log"
if [[ $rc -ne 0 ]]; then
  echo "FAIL: the generated skip-FIFO depths did not pass (exit $rc)"; exit 1
fi
grep -h "skip FIFO for" "$out"/generated/rtl/*_top.v
echo "+ $rtlgen sim $net -o $out/exact --random $frames --skip-fifo-bound-only"
"$rtlgen" sim "$net" -o "$out/exact" --random "$frames" --perf-frames 2 --skip-fifo-bound-only \
  >"$out.exact.log" 2>&1
rc=$?
tail -3 "$out.exact.log"
if [[ $rc -ne 0 ]]; then
  echo "FAIL: skip FIFOs at the deadlock bound did not pass (exit $rc)"; exit 1
fi
grep -h "skip FIFO for" "$out"/exact/rtl/*_top.v
echo "+ $rtlgen sim $net -o $out/short --random $frames --skip-fifo-bound-only --skip-fifo-adjust -1"
"$rtlgen" sim "$net" -o "$out/short" --random "$frames" --perf-frames 2 --skip-fifo-bound-only \
  --skip-fifo-adjust -1 \
  >"$out.short.log" 2>&1
rc=$?
tail -3 "$out.short.log"
if [[ $rc -eq 2 ]] && grep -qi "deadlock" "$out.short.log"; then
  echo "PASS: generated depths run; the deadlock bound runs; one entry less deadlocks"
  exit 0
fi
echo "FAIL: skip FIFOs one entry shallower did not deadlock (exit $rc): the sizing is not tight"
exit 1
