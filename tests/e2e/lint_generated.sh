#!/usr/bin/env bash
# Generates a network's RTL and checks it with three independent tools:
#   verilator --lint-only -Wall (clean), iverilog -g2005 (compiles), yosys synth (succeeds).
# usage: lint_generated.sh RTLGEN NET.yaml OUTDIR [coarse|full|noyosys] [FOLD_BUDGET]
# FOLD_BUDGET: first fold the network to that many multipliers (rtlgen fold -o OUTDIR.yaml).
# coarse (default): Yosys runs the coarse part of `synth` (elaboration, FSM/memory/arith passes);
# full: all of `synth` (minutes: the weight ROMs are mapped to generic logic); noyosys: skip it.
set -euo pipefail
rtlgen=$1 net=$2 out=$3 mode=${4:-coarse} budget=${5:-}
if [[ -n $budget ]]; then
  "$rtlgen" fold "$net" --max-multipliers "$budget" -o "${out%/}_folded.yaml" >/dev/null
  net=${out%/}_folded.yaml
fi
"$rtlgen" generate "$net" -o "$out" >/dev/null
cd "$out"
top=$(basename rtl/*_top.v .v)
echo "verilator --lint-only -Wall ($top)"
verilator --lint-only -Wall -f filelist.f --top-module "$top"
echo "iverilog -g2005"
iverilog -g2005 -o /dev/null -s "$top" -c filelist.f
if [[ $mode == noyosys ]]; then
  echo "lint_generated: $top clean in verilator and iverilog (yosys skipped)"
  exit 0
fi
synth="synth -top $top"
[[ $mode == full ]] || synth="synth -top $top -run begin:fine"
echo "yosys: $synth"
files=$(grep -v '^//' filelist.f | tr '\n' ' ')
(cd mem && yosys -l ../yosys.log -p "read_verilog $(for f in $files; do printf '../%s ' "$f"; done); $synth; stat" >/dev/null)
grep -E "Number of cells" yosys.log | tail -1
echo "lint_generated: $top clean in verilator, iverilog and yosys"
