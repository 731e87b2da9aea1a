#!/usr/bin/env bash
# The open-flow regression guard: a small generated design through `rtlgen pnr` (Yosys
# synth_ecp5, nextpnr-ecp5, ecppack) on an LFE5U-85F speed 6 with a fixed seed. nextpnr with a
# fixed seed and the same inputs is deterministic, so the Fmax floor is a regression check of the
# generated RTL and the flow, not a timing of this machine.
# usage: pnr_guard.sh RTLGEN NET.yaml OUTDIR FMAX_FLOOR_MHZ
set -euo pipefail
rtlgen=$1 net=$2 out=$3 floor=$4
"$rtlgen" generate "$net" -o "$out" >/dev/null
"$rtlgen" pnr "$out" --device ulx3s-85f --seed 1
top=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['top'])" "$out/report.json")
# The generated wrapper is clean Verilog too.
(cd "$out" && verilator --lint-only -Wall -f filelist.f pnr/src/rtlgen_pnr_wrapper.v \
  --top-module rtlgen_pnr_wrapper)
python3 - "$out" "$floor" "$top" <<'PY'
import json, os, sys
out, floor, top = sys.argv[1], float(sys.argv[2]), sys.argv[3]
r = json.load(open(os.path.join(out, "pnr_report.json")))
errors = []
def check(ok, what):
    if not ok: errors.append(what)
fmax = r["fmax_mhz"]
check(fmax >= floor, f"Fmax {fmax:.2f} MHz below the floor {floor} MHz")
check(r["device"]["part"] == "LFE5U-85F-6BG381C", f"device {r['device']}")
bit = os.path.join(out, r["files"]["bitstream"])
check(os.path.getsize(bit) > 100000, f"bitstream {bit} missing or short")
util = {u["resource"]: u for u in r["utilisation"]}
check(util["MULT18X18D"]["used"] == r["synthesis_cells"].get("MULT18X18D", 0) > 0,
      "MULT18X18D placed != synthesised")
check(util["MULT18X18D"]["used"] > 0 and util["TRELLIS_COMB"]["used"] > 0 and
      util["TRELLIS_FF"]["used"] > 0, "utilisation empty")
paths = [p for p in r["critical_paths"] if p["from"].startswith("posedge") and p["to"].startswith("posedge")]
check(len(paths) == 1, "no register-to-register critical path")
if paths:
    p = paths[0]
    check(abs(1000.0 / p["delay_ns"] - fmax) / fmax < 0.02, "critical path delay != 1/Fmax")
    named = [i for i in p["instances"] if i["template"].startswith("rtlgen_")]
    check(len(named) > 0, f"critical path not named by template: {p['instances']}")
rep = json.load(open(os.path.join(out, "report.json")))
check(rep["clock"]["measured"] and abs(rep["clock"]["mhz"] - fmax) < 1e-9, "report.json clock")
check(f"throughput at the measured clock, {fmax:.1f} MHz" in open(os.path.join(out, "report.txt")).read(),
      "report.txt not at the measured clock")
check(f"Measured clock: {fmax:.1f} MHz" in open(os.path.join(out, "README.md")).read(),
      "README.md not at the measured clock")
check(not os.path.exists(os.path.join(out, "pnr.partial")), "pnr.partial left behind")
if errors:
    print("pnr_guard: FAIL\n  " + "\n  ".join(errors)); sys.exit(1)
print(f"pnr_guard: {top} Fmax {fmax:.2f} MHz >= {floor} MHz, bitstream {os.path.getsize(bit)} bytes, "
      f"critical path {paths[0]['delay_ns']:.2f} ns, flow {r['seconds']['total']:.0f} s")
PY
