#!/usr/bin/env python3
"""Runs `rtlgen sim` on a network and checks its sim_report.json against the RTL acceptance
criteria: every layer bit-exact on every frame, measured steady-state cycles per frame within
--max-ratio of the ideal (max over layers of MACs / multipliers), the generator's estimate within
--max-estimate-error of the measurement, and (with labels) hardware accuracy == golden accuracy.

    sim_check.py --rtlgen build/gen/rtlgen --net configs/lenet.yaml --out build/e2e/lenet \
        [--max-ratio 1.10] [--max-estimate-error 0.05] [--fold-budget N] \
        -- <extra rtlgen sim arguments>
"""
import argparse
import json
import os
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rtlgen", required=True)
    ap.add_argument("--net", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--frames", type=int, default=0, help="expected number of frames (0 = any)")
    ap.add_argument("--max-ratio", type=float, default=1.10)
    ap.add_argument("--max-estimate-error", type=float, default=0.05)
    ap.add_argument("--max-multipliers", type=int, default=0)
    ap.add_argument("--max-cycles", type=float, default=0)
    ap.add_argument("--min-measured-frames", type=int, default=0,
                    help="the steady-state measurement must have used at least this many frames")
    ap.add_argument("--expect-latency-dominated", action="store_true",
                    help="the report must flag the run's frames/s as latency-dominated (few frames)")
    ap.add_argument("--expect-stall-free-prefix", action="store_true",
                    help="the steady state must come from the first frames of the checked run "
                         "(no separate measurement run), the other frames with stalls")
    ap.add_argument("--same-cycles-as", default="",
                    help="another run's sim_report.json: cycles per frame, per layer too, and "
                         "latency must be identical (timing does not depend on the data)")
    ap.add_argument("--expect-simulator", default="",
                    help="the report's simulator must name this (e.g. 'profile-guided build')")
    ap.add_argument("--fold-budget", type=int, default=0,
                    help="first fold the network to this many multipliers (rtlgen fold -o)")
    ap.add_argument("sim_args", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    extra = [x for x in a.sim_args if x != "--"]
    report = a.out.rstrip("/") + "_sim_report.json"
    net = a.net
    if a.fold_budget:
        net = a.out.rstrip("/") + "_folded.yaml"
        fold = [a.rtlgen, "fold", a.net, "--max-multipliers", str(a.fold_budget), "-o", net]
        print("+", " ".join(fold), flush=True)
        if subprocess.run(fold).returncode != 0:
            print("FAIL: rtlgen fold failed")
            return 1
    cmd = [a.rtlgen, "sim", net, "-o", a.out, "--report", report] + extra
    print("+", " ".join(cmd), flush=True)
    rc = subprocess.run(cmd).returncode
    if not os.path.exists(report):
        print(f"FAIL: rtlgen sim exited {rc} without a report")
        return 1
    r = json.load(open(report))
    failures = []
    if rc != 0:
        failures.append(f"rtlgen sim exit status {rc}")
    if r["mismatches"] != 0:
        bad = [f'{l["name"]}: {l["mismatches"]} ({l["first"]})' for l in r["layers"] if l["mismatches"]]
        failures.append(f'{r["mismatches"]} mismatches: ' + "; ".join(bad))
    if a.expect_simulator and a.expect_simulator not in r["simulator"]:
        failures.append(f'simulator "{r["simulator"]}" does not name "{a.expect_simulator}"')
    if a.frames and r["frames"] != a.frames:
        failures.append(f'{r["frames"]} frames simulated, expected {a.frames}')
    if r["cycles_per_frame"] <= 0:
        # too few stall-free frames for the spacing of output frames: no steady-state figure
        failures.append(f'no steady-state cycles per frame measured (cycles_per_frame '
                        f'{r["cycles_per_frame"]})')
    ratio = r["cycles_per_frame"] / r["ideal_cycles_per_frame"]
    if ratio > a.max_ratio:
        failures.append(f'cycles/frame {r["cycles_per_frame"]:.1f} is {ratio:.3f} x ideal '
                        f'{r["ideal_cycles_per_frame"]} (limit {a.max_ratio})')
    est_err = abs(r["estimated_cycles_per_frame"] - r["cycles_per_frame"]) / max(
        r["cycles_per_frame"], 1e-9)
    if est_err > a.max_estimate_error:
        failures.append(f'estimate {r["estimated_cycles_per_frame"]} is {100 * est_err:.1f}% off '
                        f'the measured {r["cycles_per_frame"]:.1f}')
    measured = r.get("measurement_phase", {}).get("frames", 0)
    if a.min_measured_frames and measured < a.min_measured_frames:
        failures.append(f'cycles/frame measured on {measured} stall-free frames '
                        f'(at least {a.min_measured_frames} needed for a steady state)')
    m = r.get("measurement_phase", {})
    if a.expect_stall_free_prefix:
        if not m.get("stall_free_prefix_of_checked_run") or m.get("input_frames_repeated"):
            failures.append(f'steady state not from a stall-free prefix of the run ({m})')
        if r.get("stall_phase", {}).get("frames") != r["frames"] - measured:
            failures.append(f'{r.get("stall_phase", {}).get("frames")} frames with stalls, expected '
                            f'{r["frames"]} - {measured}')
    if a.same_cycles_as:
        other = json.load(open(a.same_cycles_as))
        mine = [r["cycles_per_frame"], r["latency_cycles"]] + [
            l["cycles_per_frame"] for l in r["layers"]]
        theirs = [other["cycles_per_frame"], other["latency_cycles"]] + [
            l["cycles_per_frame"] for l in other["layers"]]
        if mine != theirs:
            failures.append(f'cycles per frame, latency, per layer {mine} differ from '
                            f'{a.same_cycles_as}: {theirs}')
    if r.get("checked_run", {}).get("frames") != r["frames"]:
        failures.append(f'checked_run covers {r.get("checked_run", {}).get("frames")} frames, '
                        f'expected every one of the {r["frames"]}')
    if a.expect_latency_dominated and not r.get("checked_run", {}).get("latency_dominated"):
        failures.append('frames/s of so few frames is not flagged as latency-dominated '
                        f'(checked_run: {r.get("checked_run")})')
    if not r.get("simulator", "").startswith("Verilator"):
        failures.append(f'sim_report.json does not record the simulator: {r.get("simulator")!r}')
    if a.max_multipliers and r["multipliers"] > a.max_multipliers:
        failures.append(f'{r["multipliers"]} multipliers > {a.max_multipliers}')
    if a.max_cycles and r["cycles_per_frame"] > a.max_cycles:
        failures.append(f'{r["cycles_per_frame"]} cycles/frame > {a.max_cycles}')
    if "hw_accuracy" in r and r["hw_accuracy"] != r["golden_accuracy"]:
        failures.append(f'hardware accuracy {r["hw_accuracy"]} != golden {r["golden_accuracy"]}')
    if r.get("class_output", "none") not in ("none", "bit-exact"):
        failures.append(f'class output (m_axis_tuser) differs from the golden argmax on '
                        f'{r["class_output_mismatches"]} frames')
    if r["argmax_agree_with_golden"] != r["frames"]:
        failures.append(f'argmax agrees on {r["argmax_agree_with_golden"]} of {r["frames"]} frames')
    print(f'frames {r["frames"]}, mismatches {r["mismatches"]}, cycles/frame '
          f'{r["cycles_per_frame"]:.1f}, ideal {r["ideal_cycles_per_frame"]} (ratio {ratio:.3f}), '
          f'estimate {r["estimated_cycles_per_frame"]} ({100 * est_err:.2f}% off), latency '
          f'{r["latency_cycles"]}, multipliers {r["multipliers"]}, '
          f'{r["sim_frames_per_second"]:.1f} frames/s simulated ({r.get("simulator")})')
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
