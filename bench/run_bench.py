#!/usr/bin/env python3
"""rtlgen performance benchmark: analytic model vs Verilator vs Yosys, per network and budget.

For every (network, multiplier budget B or device D):
  rtlgen fold NET --max-multipliers B -o work/<net>_<B>.yaml     (folding + analytic model)
  (a budget that is a device name folds with --device D [--fill F]: the fastest folding that
  fits it; "D:F" gives that budget its own fill, e.g. xc7z020:0.9)
  rtlgen generate work/<net>_<B>.yaml -o work/<net>_<B>           (timed: generation time)
  rtlgen sim work/<net>_<B>.yaml -o work/<net>_<B> --random N --perf-frames M
  rtlgen synth work/<net>_<B> --xilinx-only                       (only with --synth; cached)
and writes results/bench.csv (appended: one row per run, timestamp + commit), results/latest.csv,
results/latest.md, results/cycles.svg, results/utilisation.svg, results/dsp_per_mult.svg,
results/rom_per_bram.svg and results/device.svg. See bench/README.md.

Standard library only. Exit status: 0 = every simulation bit-exact and every step succeeded,
1 = a simulation reported mismatches or a step failed (the results are still written).
"""

import argparse
import csv
import datetime
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH_DIR)

# Thresholds for the warning lines.
MIN_UTILISATION = 0.85      # at budgets >= UTIL_MIN_BUDGET
UTIL_MIN_BUDGET = 64
MAX_CYCLE_ERROR = 0.03      # analytic cycles per frame vs Verilator
MAX_DSP_PER_MULT = 1.15     # DSP48E1 per MAC multiplier (issue 22's aim)
MIN_ROM_PER_BRAM = 0.7      # weight bits per block-RAM bit where weights need block RAM
DEFAULT_FILL = 0.8          # rtlgen fold --device's default fill

COLUMNS = [
    "timestamp", "commit", "network", "budget", "multipliers", "macs_per_frame",
    "bottleneck", "ideal_pooled_cycles", "ideal_layer_cycles", "analytic_cycles",
    "measured_cycles", "cycle_error_pct", "utilisation", "fps_at_clock", "clock_mhz",
    "latency_measured", "latency_estimated", "latency_error_pct",
    "generation_s", "sim_wall_s", "sim_frames", "sim_mismatches", "verilator_fps",
    "est_lut", "est_ff", "est_dsp", "est_bram36",
    "yosys_lut", "yosys_ff", "yosys_dsp", "yosys_ramb36", "yosys_ramb18", "yosys_bram36",
    "lut_error_pct", "ff_error_pct", "dsp_error_pct", "bram36_error_pct", "synth_s",
    "device", "rom_bits", "est_dsp_per_mult", "yosys_dsp_per_mult", "est_rom_per_bram",
    "yosys_rom_per_bram",
    "fill", "est_lutram", "est_srl", "yosys_lutram", "yosys_srl", "yosys_lut_sites",
    "device_lut", "device_ff", "device_dsp", "device_bram36", "fits_device",
]

# Networks the bench knows: key -> (path relative to the repository, default budgets, random
# frames, perf frames). The zoo networks are written by tools/build_zoo.py + rtlgen import.
ZOO = ["resnet8", "dscnn_kws", "fc_autoencoder", "mobilenet96"]
MLPERF = ["mlperf_resnet8", "mlperf_dscnn", "mlperf_vww", "mlperf_ad"]
GROUPS = {"zoo": ZOO, "mlperf": MLPERF}


def network_path(key, args):
    if key == "lenet":
        return args.lenet
    if key == "mobilenet":
        return args.mobilenet
    if key in ZOO + MLPERF:
        return os.path.join(ROOT, "configs", "zoo", key, key + ".yaml")
    return None


def split_budget(budget, default_fill):
    """'64' -> (64, None); 'xc7z020' -> ('xc7z020', default_fill); 'xc7z020:0.9' -> (.., 0.9)."""
    b = str(budget).strip()
    if b.isdigit():
        return int(b), None
    name, _, fill = b.partition(":")
    return name, (float(fill) if fill else default_fill)


def budget_key(budget):
    """Sort key of a budget cell: numbers first (by value), then device names."""
    b = str(budget).split("@")[0]
    return (0, int(b), "") if b.isdigit() else (1, 0, b)


def ratio(num, den, digits=3):
    try:
        return round(float(num) / float(den), digits) if float(den) else ""
    except (TypeError, ValueError):
        return ""


def log(msg):
    print(msg, flush=True)


def git_commit():
    """Commit hash read from .git (no git process): HEAD -> ref -> loose or packed ref."""
    git = os.path.join(ROOT, ".git")
    try:
        if os.path.isfile(git):  # worktree: "gitdir: PATH"
            with open(git) as f:
                git = os.path.join(ROOT, f.read().split(":", 1)[1].strip())
        with open(os.path.join(git, "HEAD")) as f:
            head = f.read().strip()
        if not head.startswith("ref:"):
            return head[:12]
        ref = head[4:].strip()
        for base in (git, os.path.join(git, "..")):
            p = os.path.join(base, ref)
            if os.path.exists(p):
                with open(p) as f:
                    return f.read().strip()[:12]
        common = os.path.join(git, "commondir")
        dirs = [git]
        if os.path.exists(common):
            with open(common) as f:
                dirs.append(os.path.normpath(os.path.join(git, f.read().strip())))
        for d in dirs:
            p = os.path.join(d, ref)
            if os.path.exists(p):
                with open(p) as f:
                    return f.read().strip()[:12]
            packed = os.path.join(d, "packed-refs")
            if os.path.exists(packed):
                with open(packed) as f:
                    for line in f:
                        parts = line.split()
                        if len(parts) == 2 and parts[1] == ref:
                            return parts[0][:12]
    except OSError:
        pass
    return "unknown"


def run(cmd, logfile, cwd=ROOT):
    """Runs cmd (list), tee-less: output to logfile. Returns (exit code, wall seconds, text)."""
    t0 = time.monotonic()
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    secs = time.monotonic() - t0
    with open(logfile, "w") as f:
        f.write("$ " + " ".join(cmd) + "\n" + p.stdout)
    return p.returncode, secs, p.stdout


VERILOG_TOKENS = re.compile(r'"(?:\\.|[^"\\\n])*"|//[^\n]*|/\*.*?\*/', re.S)


def verilog_without_comments(text):
    """Verilog source without its comments and blank lines (strings kept)."""
    text = VERILOG_TOKENS.sub(lambda m: m.group(0) if m.group(0).startswith('"') else " ", text)
    return "\n".join(l.rstrip() for l in text.split("\n") if l.strip())


def tree_hash(out_dir):
    """Hash of the generated RTL and memory files (the synthesis cache key). Comments of the
    Verilog files do not count: the banner names the command and paths, and a template comment
    changes no synthesis result."""
    h = hashlib.sha256()
    for sub in ("rtl", "mem"):
        d = os.path.join(out_dir, sub)
        for name in sorted(os.listdir(d)):
            h.update(f"{sub}/{name}\0".encode())
            with open(os.path.join(d, name), "rb") as f:
                data = f.read()
            if name.endswith((".v", ".sv", ".vh")):
                data = verilog_without_comments(data.decode("utf-8", "replace")).encode()
            h.update(data)
    return h.hexdigest()[:24]


def pct_err(estimate, actual):
    if estimate in (None, "") or actual in (None, "") or float(actual) == 0:
        return ""
    return round(100.0 * (float(estimate) - float(actual)) / float(actual), 2)


def fmt_num(v, digits=0):
    if v in (None, ""):
        return ""
    if isinstance(v, str):
        return v
    if digits == 0:
        return str(int(round(v)))
    return f"{v:.{digits}f}"


def bench_one(args, rtlgen, net_key, net_path, budget, fill, frames, perf_frames, stamp, commit):
    """One (network, budget) row. budget: a multiplier count, or a device name folded at `fill`
    (None: rtlgen's default fill)."""
    work = os.path.abspath(args.work)
    tag = f"{net_key}_{budget}" + (f"_fill{fill:g}" if fill is not None else "")
    yaml = os.path.join(work, tag + ".yaml")
    out = os.path.join(work, tag)
    logs = os.path.join(work, "logs")
    os.makedirs(logs, exist_ok=True)
    row = {c: "" for c in COLUMNS}
    row.update(timestamp=stamp, commit=commit, network=net_key,
               budget=budget if fill is None else f"{budget}@{fill:g}", clock_mhz=args.clock_mhz)
    failures = []

    if str(budget).isdigit():
        how = ["--max-multipliers", str(budget)]
    else:
        how = ["--device", str(budget)] + (["--fill", f"{fill:g}"] if fill is not None else [])
    rc, secs, text = run([rtlgen, "fold", net_path] + how + ["-o", yaml],
                         os.path.join(logs, tag + ".fold.log"))
    if rc != 0:
        failures.append(f"{tag}: rtlgen fold failed (exit {rc}), see {logs}/{tag}.fold.log")
        return row, failures
    log(f"[{tag}] fold: {secs:.1f} s")

    rc, secs, text = run([rtlgen, "generate", yaml, "-o", out], os.path.join(logs, tag + ".generate.log"))
    if rc != 0:
        failures.append(f"{tag}: rtlgen generate failed (exit {rc}), see {logs}/{tag}.generate.log")
        return row, failures
    row["generation_s"] = round(secs, 3)
    with open(os.path.join(out, "report.json")) as f:
        rep = json.load(f)
    tot = rep["totals"]
    row["multipliers"] = tot["multipliers"]
    row["macs_per_frame"] = tot["macs_per_frame"]
    row["bottleneck"] = tot.get("bottleneck", "")
    row["analytic_cycles"] = tot["est_cycles_per_frame"]
    row["ideal_layer_cycles"] = tot["ideal_cycles_per_frame"]
    if tot["multipliers"]:
        row["ideal_pooled_cycles"] = round(tot["macs_per_frame"] / tot["multipliers"], 1)
    est = tot.get("estimate")
    if est:
        row["est_lut"] = est.get("lut", "")
        row["est_ff"] = est.get("ff", "")
        row["est_dsp"] = est.get("dsp", "")
        row["est_bram36"] = est.get("bram36", "")
        row["latency_estimated"] = est.get("latency_cycles", "")
    row["device"] = rep.get("device", {}).get("name", "")
    if row["device"]:
        row["fill"] = fill if fill is not None else DEFAULT_FILL
        avail = {u["resource"]: u["available"] for u in rep["device"].get("use", [])}
        row["device_lut"] = avail.get("LUT", "")
        row["device_ff"] = avail.get("FF", "")
        row["device_dsp"] = avail.get("DSP48E1", avail.get("DSP48E2", ""))
        row["device_bram36"] = avail.get("RAMB36", "")
    if est:
        row["est_lutram"] = est.get("lutram", "")
        row["est_srl"] = est.get("srl", "")
    row["rom_bits"] = tot.get("rom_bits", "")
    # DSP per MAC multiplier and weight bits per block-RAM bit (36,864 per BRAM36)
    row["est_dsp_per_mult"] = ratio(row["est_dsp"], row["multipliers"])
    row["est_rom_per_bram"] = ratio(row["rom_bits"], float(row["est_bram36"] or 0) * 36864)
    log(f"[{tag}] generate: {secs:.2f} s, {tot['multipliers']} multipliers, analytic "
        f"{tot['est_cycles_per_frame']} cycles/frame (bottleneck {row['bottleneck']})")

    cache_root = os.path.abspath(args.cache or work)
    if not args.no_sim:
        sim_report = os.path.join(work, tag + ".sim_report.json")
        if os.path.exists(sim_report):
            os.remove(sim_report)
        # --sim-cache: a Verilator result of the same RTL, memories, YAML and frame counts
        h = hashlib.sha256(f"{tree_hash(out)} {frames} {perf_frames}\0".encode())
        with open(yaml, "rb") as f:
            h.update(f.read())
        sim_cached = os.path.join(cache_root, "sim_cache", h.hexdigest()[:24] + ".json")
        if args.sim_cache and os.path.exists(sim_cached):
            shutil.copyfile(sim_cached, sim_report)
            rc, secs = 0, json.load(open(sim_cached)).get("bench_sim_wall_s", 0.0)
            log(f"[{tag}] sim: cached ({os.path.relpath(sim_cached, ROOT)})")
        else:
            rc, secs, text = run([rtlgen, "sim", yaml, "-o", out, "--random", str(frames),
                                  "--perf-frames", str(perf_frames), "--report", sim_report],
                                 os.path.join(logs, tag + ".sim.log"))
            if rc == 0 and os.path.exists(sim_report):
                with open(sim_report) as f:
                    sim = json.load(f)
                sim["bench_sim_wall_s"] = round(secs, 1)
                os.makedirs(os.path.dirname(sim_cached), exist_ok=True)
                with open(sim_cached, "w") as f:
                    json.dump(sim, f, indent=1)
        row["sim_wall_s"] = round(secs, 1)
        if not os.path.exists(sim_report):
            failures.append(f"{tag}: rtlgen sim failed (exit {rc}) without a report, see "
                            f"{logs}/{tag}.sim.log")
        else:
            with open(sim_report) as f:
                sim = json.load(f)
            meas = float(sim["cycles_per_frame"])
            row["sim_frames"] = sim["frames"]
            row["sim_mismatches"] = sim["mismatches"]
            row["measured_cycles"] = meas
            row["latency_measured"] = sim["latency_cycles"]
            row["verilator_fps"] = round(sim["sim_frames_per_second"], 3)
            row["cycle_error_pct"] = pct_err(row["analytic_cycles"], meas)
            row["latency_error_pct"] = pct_err(row["latency_estimated"], sim["latency_cycles"])
            if meas > 0 and tot["multipliers"]:
                row["utilisation"] = round(tot["macs_per_frame"] / (tot["multipliers"] * meas), 4)
                row["fps_at_clock"] = round(args.clock_mhz * 1e6 / meas, 1)
            if sim["mismatches"] or rc != 0:
                bad = [l["name"] for l in sim.get("layers", []) if l.get("mismatches")]
                failures.append(f"{tag}: SIMULATION MISMATCHES: {sim['mismatches']} (layers: "
                                f"{', '.join(bad) or 'class output'}); exit {rc}; see "
                                f"{logs}/{tag}.sim.log")
            log(f"[{tag}] sim: {secs:.0f} s wall, {sim['frames']} frames, mismatches "
                f"{sim['mismatches']}, measured {meas:.1f} cycles/frame, latency "
                f"{sim['latency_cycles']}, {sim['sim_frames_per_second']:.2f} frames/s simulated")

    if (args.synth or args.cached_synth_only) and \
            (not args.synth_networks or net_key in args.synth_networks.split(",")):
        key = tree_hash(out)
        cache_dir = os.path.join(cache_root, "synth_cache")
        os.makedirs(cache_dir, exist_ok=True)
        cached = os.path.join(cache_dir, key + ".json")
        if not os.path.exists(cached) and args.cached_synth_only:
            log(f"[{tag}] synth: not in the cache, skipped (--cached-synth-only)")
        elif not os.path.exists(cached):
            log(f"[{tag}] synth (Yosys synth_xilinx; slow) ...")
            rc, secs, text = run(["nice", "-n", str(args.nice), rtlgen, "synth", out, "--xilinx-only"],
                                 os.path.join(logs, tag + ".synth.log"))
            report = os.path.join(out, "synth_report.json")
            if rc != 0 or not os.path.exists(report):
                failures.append(f"{tag}: rtlgen synth failed (exit {rc}), see {logs}/{tag}.synth.log")
            else:
                shutil.copyfile(report, cached)
                log(f"[{tag}] synth: {secs:.0f} s")
        else:
            log(f"[{tag}] synth: cached ({os.path.relpath(cached, ROOT)}, same RTL and memories)")
        if os.path.exists(cached):
            with open(cached) as f:
                syn = json.load(f)["xilinx"]
            t = syn["total"]
            row.update(yosys_lut=t["lut"], yosys_ff=t["ff"], yosys_dsp=t["dsp48e1"],
                       yosys_ramb36=t["ramb36e1"], yosys_ramb18=t["ramb18e1"],
                       yosys_bram36=t["bram36_equivalent"], synth_s=round(syn["seconds"], 1),
                       yosys_lutram=t.get("lutram", ""), yosys_srl=t.get("srl", ""))
            # LUT sites: logic LUTs + 4 per LUT RAM cell (RAM32M / RAM64M) + 1 per SRL
            row["yosys_lut_sites"] = t["lut"] + 4 * t.get("lutram", 0) + t.get("srl", 0)
            if row["device_lut"] != "":
                used = [(row["yosys_lut_sites"], row["device_lut"]), (t["ff"], row["device_ff"]),
                        (t["dsp48e1"], row["device_dsp"]),
                        (t["bram36_equivalent"], row["device_bram36"])]
                row["fits_device"] = "yes" if all(a != "" and u <= a for u, a in used) else "no"
            for k, y in (("lut", "yosys_lut"), ("ff", "yosys_ff"), ("dsp", "yosys_dsp"),
                         ("bram36", "yosys_bram36")):
                row[k + "_error_pct"] = pct_err(row["est_" + k], row[y])
            row["yosys_dsp_per_mult"] = ratio(row["yosys_dsp"], row["multipliers"])
            row["yosys_rom_per_bram"] = ratio(row["rom_bits"], float(row["yosys_bram36"]) * 36864)
    return row, failures


def warnings_for(row):
    w = []
    tag = f"{row['network']}@{row['budget']}"
    if row["utilisation"] != "" and budget_key(row["budget"]) >= (0, UTIL_MIN_BUDGET, "") and \
            float(row["utilisation"]) < MIN_UTILISATION:
        w.append(f"WARNING: {tag}: utilisation U = {float(row['utilisation']):.3f} < "
                 f"{MIN_UTILISATION} (multipliers {row['multipliers']}, measured "
                 f"{row['measured_cycles']} cycles/frame, bottleneck {row['bottleneck']})")
    if row["cycle_error_pct"] != "" and abs(float(row["cycle_error_pct"])) > 100 * MAX_CYCLE_ERROR:
        w.append(f"WARNING: {tag}: analytic cycles/frame {row['analytic_cycles']} vs measured "
                 f"{row['measured_cycles']}: error {row['cycle_error_pct']}% > "
                 f"{100 * MAX_CYCLE_ERROR:.0f}%")
    return w


# ---------------------------------------------------------------------------------------------
# Markdown table
# ---------------------------------------------------------------------------------------------

MD_COLUMNS = [
    ("network", "network", None), ("budget", "budget", None), ("multipliers", "mults", None),
    ("measured_cycles", "cycles/frame (Verilator)", 0), ("ideal_pooled_cycles", "ideal (MACs/mults)", 0),
    ("ideal_layer_cycles", "ideal (max layer)", 0), ("analytic_cycles", "analytic", 0),
    ("cycle_error_pct", "analytic err %", 2), ("utilisation", "U", 3),
    ("fps_at_clock", "frames/s @clk", 0), ("latency_measured", "latency (sim)", 0),
    ("latency_estimated", "latency (est)", 0), ("latency_error_pct", "latency err %", 1),
    ("yosys_lut", "LUT", 0), ("est_lut", "LUT est", 0), ("lut_error_pct", "LUT err %", 1),
    ("yosys_ff", "FF", 0), ("est_ff", "FF est", 0), ("ff_error_pct", "FF err %", 1),
    ("yosys_dsp", "DSP", 0), ("est_dsp", "DSP est", 0), ("dsp_error_pct", "DSP err %", 1),
    ("yosys_bram36", "BRAM36", 1), ("est_bram36", "BRAM36 est", 1),
    ("bram36_error_pct", "BRAM err %", 1), ("generation_s", "gen s", 2),
    ("verilator_fps", "Verilator frames/s", 2), ("sim_mismatches", "mismatches", None),
    ("bottleneck", "bottleneck", None), ("device", "device", None), ("fill", "fill", 2),
    ("yosys_lutram", "LUT RAM cells", 0), ("yosys_srl", "SRL", 0),
    ("yosys_lut_sites", "LUT sites", 0), ("fits_device", "fits", None),
    ("yosys_dsp_per_mult", "DSP/mult", 2), ("est_dsp_per_mult", "DSP/mult est", 2),
    ("yosys_rom_per_bram", "ROM/BRAM bits", 2), ("est_rom_per_bram", "ROM/BRAM est", 2),
]


def md_cell(v, digits):
    if v in (None, ""):
        return "-"
    if digits is None:
        return str(v)
    try:
        x = float(v)
    except ValueError:
        return str(v)
    if digits == 0:
        return f"{int(round(x)):,}"
    return f"{x:,.{digits}f}"


def of_device(used, avail, digits=0):
    """'38,239 (72%)': a count and its share of the device."""
    if used in (None, ""):
        return "-"
    cell = md_cell(used, digits)
    try:
        return f"{cell} ({100.0 * float(used) / float(avail):.0f}%)" if float(avail) else cell
    except (TypeError, ValueError):
        return cell


def err_cell(est, meas, digits=0):
    """'32,644 (+2.0%)': the model's figure and its error against Yosys."""
    if est in (None, ""):
        return "-"
    e = pct_err(est, meas)
    return md_cell(est, digits) + (f" ({e:+.1f}%)" if e != "" else "")


def device_table(rows, clock):
    """The device rows (fold --device): Yosys against the device and the model, Verilator."""
    rows = [r for r in rows if r.get("device")]
    if not rows:
        return []
    head = ["network", "fold", "mults", "cycles/frame (Verilator)", "mismatches",
            f"frames/s at {clock:g} MHz (assumed)", "LUT", "LUT RAM cells", "SRL",
            "LUT sites", "FF", "DSP48E1", "BRAM36 (RAMB36 + RAMB18)", "fits", "DSP/mult",
            "ROM bits / BRAM bits", "model LUT", "model FF", "model DSP", "model BRAM36"]
    lines = ["## Folded to a device (`fold --device`): Yosys synth_xilinx, Verilator, model", "",
             "LUT sites = LUT + 4 x LUT RAM cells + SRL. Frames/s at an assumed clock (no place "
             "and route). Model figures: report.json, error against Yosys in brackets.", "",
             "| " + " | ".join(head) + " |", "|" + "|".join(" --- " for _ in head) + "|"]
    for r in rows:
        fold = f"--device {r['device']} --fill {float(r['fill']):g}" if r.get("fill") != "" \
            else f"--device {r['device']}"
        bram = "-"
        if r.get("yosys_bram36", "") != "":
            bram = (of_device(r["yosys_bram36"], r.get("device_bram36"), 1) +
                    f" ({md_cell(r['yosys_ramb36'], 0)} + {md_cell(r['yosys_ramb18'], 0)})")
        cells = [r["network"], f"`{fold}`", md_cell(r["multipliers"], 0),
                 md_cell(r["measured_cycles"], 0), md_cell(r["sim_mismatches"], None),
                 md_cell(r["fps_at_clock"], 0), md_cell(r.get("yosys_lut"), 0),
                 md_cell(r.get("yosys_lutram"), 0), md_cell(r.get("yosys_srl"), 0),
                 of_device(r.get("yosys_lut_sites"), r.get("device_lut")),
                 of_device(r.get("yosys_ff"), r.get("device_ff")),
                 of_device(r.get("yosys_dsp"), r.get("device_dsp")), bram,
                 r.get("fits_device") or "-",
                 md_cell(r.get("yosys_dsp_per_mult") or r.get("est_dsp_per_mult"), 2),
                 md_cell(r.get("yosys_rom_per_bram") or r.get("est_rom_per_bram"), 2),
                 err_cell(r["est_lut"], r.get("yosys_lut")), err_cell(r["est_ff"], r.get("yosys_ff")),
                 err_cell(r["est_dsp"], r.get("yosys_dsp")),
                 err_cell(r["est_bram36"], r.get("yosys_bram36"), 1)]
        lines.append("| " + " | ".join(cells) + " |")
    return lines + [""]


def write_markdown(rows, path, stamp, commit, clock):
    lines = [f"# rtlgen benchmark ({stamp}, commit {commit}, clock {clock:g} MHz assumed)", ""]
    lines += device_table(rows, clock)
    lines += ["## Every row", "",
              "| " + " | ".join(h for _, h, _ in MD_COLUMNS) + " |",
              "|" + "|".join(" --- " for _ in MD_COLUMNS) + "|"]
    for r in rows:
        lines.append("| " + " | ".join(md_cell(r.get(k, ""), d) for k, _, d in MD_COLUMNS) + " |")
    lines += ["", "Columns: see bench/README.md. Errors are (estimate - measured) / measured. "
              "DSP/mult and ROM bits / BRAM bits: Yosys where synthesised, else the model.", ""]
    with open(path, "w") as f:
        f.write("\n".join(lines))


# ---------------------------------------------------------------------------------------------
# SVG plots (hand-written, no dependencies)
# ---------------------------------------------------------------------------------------------

PALETTE = {"lenet": "#1f77b4", "mobilenet": "#d62728"}
EXTRA = ["#2ca02c", "#9467bd", "#8c564b", "#ff7f0e", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
         "#393b79", "#637939"]


def colour(net, nets):
    return PALETTE.get(net, EXTRA[nets.index(net) % len(EXTRA)])


def esc(s):
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def log_ticks(lo, hi):
    """Decade ticks plus 2 and 5 in between when the range is short."""
    ticks = []
    e0, e1 = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    span = e1 - e0
    mults = (1, 2, 5) if span <= 4 else (1,)
    for e in range(e0, e1 + 1):
        for m in mults:
            v = m * 10 ** e
            if lo <= v <= hi:
                ticks.append(v)
    return ticks


def tick_label(v):
    if v >= 1e6:
        return f"{v / 1e6:g}M"
    if v >= 1e3:
        return f"{v / 1e3:g}k"
    return f"{v:g}"


class Chart:
    def __init__(self, w, h, x0, y0, pw, ph):
        self.w, self.h, self.x0, self.y0, self.pw, self.ph = w, h, x0, y0, pw, ph
        self.parts = []

    def add(self, s):
        self.parts.append(s)

    def text(self, x, y, s, size=12, anchor="middle", weight="normal", rotate=None, fill="#222"):
        tr = f' transform="rotate({rotate} {x:.1f} {y:.1f})"' if rotate is not None else ""
        self.add(f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
                 f'font-weight="{weight}" fill="{fill}"{tr}>{esc(s)}</text>')

    def svg(self):
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.w}" height="{self.h}" '
                f'viewBox="0 0 {self.w} {self.h}" font-family="Helvetica, Arial, sans-serif">\n'
                f'<rect width="100%" height="100%" fill="white"/>\n' + "\n".join(self.parts) +
                "\n</svg>\n")


def axis_range_log(values, pad=1.35):
    vals = [v for v in values if v and v > 0]
    lo, hi = min(vals) / pad, max(vals) * pad
    return lo, hi


def plot_cycles(rows, path, title):
    rows = [r for r in rows if r["multipliers"] not in ("", 0)]
    if not rows:
        return
    nets = sorted({r["network"] for r in rows})
    c = Chart(820, 540, 90, 60, 560, 400)
    xs = [float(r["multipliers"]) for r in rows]
    ys = []
    for r in rows:
        for k in ("measured_cycles", "ideal_pooled_cycles", "analytic_cycles"):
            if r[k] != "":
                ys.append(float(r[k]))
    xlo, xhi = axis_range_log(xs, 1.5)
    ylo, yhi = axis_range_log(ys, 1.6)
    lx = lambda v: c.x0 + c.pw * (math.log10(v) - math.log10(xlo)) / (math.log10(xhi) - math.log10(xlo))
    ly = lambda v: c.y0 + c.ph * (1 - (math.log10(v) - math.log10(ylo)) / (math.log10(yhi) - math.log10(ylo)))
    c.text(c.x0 + c.pw / 2, 30, title, size=16, weight="bold")
    for t in log_ticks(xlo, xhi):
        x = lx(t)
        c.add(f'<line x1="{x:.1f}" y1="{c.y0}" x2="{x:.1f}" y2="{c.y0 + c.ph}" stroke="#e5e5e5"/>')
        c.text(x, c.y0 + c.ph + 18, tick_label(t), size=11)
    for t in log_ticks(ylo, yhi):
        y = ly(t)
        c.add(f'<line x1="{c.x0}" y1="{y:.1f}" x2="{c.x0 + c.pw}" y2="{y:.1f}" stroke="#e5e5e5"/>')
        c.text(c.x0 - 8, y + 4, tick_label(t), size=11, anchor="end")
    c.add(f'<rect x="{c.x0}" y="{c.y0}" width="{c.pw}" height="{c.ph}" fill="none" stroke="#444"/>')
    c.text(c.x0 + c.pw / 2, c.y0 + c.ph + 42, "multipliers instantiated (log scale)", size=13)
    c.text(24, c.y0 + c.ph / 2, "cycles per frame (log scale)", size=13, rotate=-90)
    for net in nets:
        col = colour(net, nets)
        # Budgets that fold to the same design (same multipliers) are one point.
        pts, seen = [], set()
        for r in sorted((r for r in rows if r["network"] == net),
                        key=lambda r: (float(r["multipliers"]), budget_key(r["budget"]))):
            if float(r["multipliers"]) not in seen:
                seen.add(float(r["multipliers"]))
                pts.append((float(r["multipliers"]), r))
        ideal = [(lx(m), ly(float(r["ideal_pooled_cycles"]))) for m, r in pts if r["ideal_pooled_cycles"] != ""]
        if len(ideal) > 1:
            c.add('<polyline fill="none" stroke="%s" stroke-width="1.5" stroke-dasharray="6 4" '
                  'points="%s"/>' % (col, " ".join(f"{x:.1f},{y:.1f}" for x, y in ideal)))
        meas = [(lx(m), ly(float(r["measured_cycles"]))) for m, r in pts if r["measured_cycles"] != ""]
        if len(meas) > 1:
            c.add('<polyline fill="none" stroke="%s" stroke-width="2.2" points="%s"/>'
                  % (col, " ".join(f"{x:.1f},{y:.1f}" for x, y in meas)))
        for x, y in meas:
            c.add(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{col}"/>')
        for x, y in ideal:
            c.add(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="white" stroke="{col}" stroke-width="1.5"/>')
        for m, r in pts:
            if r["analytic_cycles"] == "":
                continue
            x, y = lx(m), ly(float(r["analytic_cycles"]))
            c.add(f'<path d="M{x - 6:.1f},{y - 6:.1f} L{x + 6:.1f},{y + 6:.1f} M{x - 6:.1f},'
                  f'{y + 6:.1f} L{x + 6:.1f},{y - 6:.1f}" stroke="{col}" stroke-width="1.6"/>')
            c.text(x + 8, y - 8, f"B={r['budget']}", size=10, anchor="start", fill="#555")
    # legend
    lx0, ly0 = c.x0 + c.pw + 20, c.y0 + 10
    yy = ly0
    for net in nets:
        col = colour(net, nets)
        c.text(lx0, yy + 4, net, size=13, anchor="start", weight="bold", fill=col)
        yy += 20
        c.add(f'<line x1="{lx0}" y1="{yy}" x2="{lx0 + 26}" y2="{yy}" stroke="{col}" stroke-width="2.2"/>'
              f'<circle cx="{lx0 + 13}" cy="{yy}" r="4.5" fill="{col}"/>')
        c.text(lx0 + 34, yy + 4, "measured (Verilator)", size=11, anchor="start")
        yy += 20
        c.add(f'<line x1="{lx0}" y1="{yy}" x2="{lx0 + 26}" y2="{yy}" stroke="{col}" stroke-width="1.5" '
              f'stroke-dasharray="6 4"/><circle cx="{lx0 + 13}" cy="{yy}" r="3" fill="white" '
              f'stroke="{col}" stroke-width="1.5"/>')
        c.text(lx0 + 34, yy + 4, "ideal: MACs / mults", size=11, anchor="start")
        yy += 20
        x = lx0 + 13
        c.add(f'<path d="M{x - 6},{yy - 6} L{x + 6},{yy + 6} M{x - 6},{yy + 6} L{x + 6},{yy - 6}" '
              f'stroke="{col}" stroke-width="1.6"/>')
        c.text(lx0 + 34, yy + 4, "analytic estimate", size=11, anchor="start")
        yy += 32
    with open(path, "w") as f:
        f.write(c.svg())


def plot_bars(rows, path, title, key, ylabel, ref, ref_label, ymax=None):
    """Bars of one column per budget, grouped by network, with a reference line (a target)."""
    rows = [r for r in rows if r.get(key, "") not in ("", None)]
    if not rows:
        return
    nets = sorted({r["network"] for r in rows})
    groups = [(net, sorted(((r["budget"], r) for r in rows if r["network"] == net),
                            key=lambda p: budget_key(p[0]))) for net in nets]
    nbars = sum(len(g) for _, g in groups)
    gap = 30
    # wide enough for ~50 px per bar (the zoo and MLPerf networks: a dozen groups)
    pw = max(560, gap * (len(groups) + 1) + 50 * nbars)
    c = Chart(pw + 260, 440, 90, 60, pw, 300)
    bw = (c.pw - gap * (len(groups) + 1)) / max(nbars, 1)
    bw = min(bw, 60)
    if ymax is None:
        ymax = max(1.1 * ref, 1.1 * max(float(r[key]) for r in rows))
    step = 0.2 if ymax <= 1.5 else 0.5 if ymax <= 4 else 1.0
    ly = lambda v: c.y0 + c.ph * (1 - v / ymax)
    c.text(c.x0 + c.pw / 2, 30, title, size=16, weight="bold")
    t = 0.0
    while t <= ymax + 1e-9:
        y = ly(t)
        c.add(f'<line x1="{c.x0}" y1="{y:.1f}" x2="{c.x0 + c.pw}" y2="{y:.1f}" stroke="#e5e5e5"/>')
        c.text(c.x0 - 8, y + 4, f"{t:.1f}", size=11, anchor="end")
        t += step
    y = ly(ref)
    c.add(f'<line x1="{c.x0}" y1="{y:.1f}" x2="{c.x0 + c.pw}" y2="{y:.1f}" stroke="#999" '
          f'stroke-dasharray="4 3"/>')
    c.text(c.x0 + c.pw + 4, y + 4, ref_label, size=10, anchor="start", fill="#777")
    c.add(f'<rect x="{c.x0}" y="{c.y0}" width="{c.pw}" height="{c.ph}" fill="none" stroke="#444"/>')
    c.text(24, c.y0 + c.ph / 2, ylabel, size=13, rotate=-90)
    x = c.x0 + gap
    for net, g in groups:
        col = colour(net, nets)
        gx0 = x
        for budget, r in g:
            u = float(r[key])
            y = ly(min(u, ymax))
            c.add(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bw * 0.8:.1f}" height="{ly(0) - y:.1f}" '
                  f'fill="{col}" opacity="0.85"/>')
            c.text(x + bw * 0.4, y - 5, f"{u:.2f}", size=10)
            c.text(x + bw * 0.4, c.y0 + c.ph + 16, f"{budget}", size=10)
            c.text(x + bw * 0.4, c.y0 + c.ph + 29, f"({r['multipliers']})", size=9, fill="#777")
            x += bw
        c.text((gx0 + x) / 2, c.y0 + c.ph + 50, net, size=13, weight="bold", fill=col)
        x += gap
    c.text(c.x0 + c.pw / 2, c.y0 + c.ph + 72,
           "multiplier budget or device (multipliers instantiated)", size=12)
    with open(path, "w") as f:
        f.write(c.svg())


def plot_device(rows, path, title):
    """Per device row: LUT sites, FF, DSP and BRAM36 as a share of the device (Yosys where the
    run synthesised, else the model: hatched), with the 100% line."""
    rows = [r for r in rows if r.get("device") and r.get("device_lut") not in ("", None)]
    if not rows:
        return
    res = [("LUT sites", "yosys_lut_sites", None, "device_lut", "#1f77b4"),
           ("FF", "yosys_ff", "est_ff", "device_ff", "#2ca02c"),
           ("DSP", "yosys_dsp", "est_dsp", "device_dsp", "#d62728"),
           ("BRAM36", "yosys_bram36", "est_bram36", "device_bram36", "#9467bd")]

    def share(r, ykey, ekey, dkey):
        if ykey == "yosys_lut_sites" and r.get(ykey) in ("", None):
            # the model's LUT sites: LUT + 4 x LUT RAM cells + SRL
            try:
                used = float(r["est_lut"]) + 4 * float(r.get("est_lutram") or 0) + \
                    float(r.get("est_srl") or 0)
            except (TypeError, ValueError):
                return None, False
            return 100.0 * used / float(r[dkey]), False
        if r.get(ykey) not in ("", None):
            return 100.0 * float(r[ykey]) / float(r[dkey]), True
        if ekey and r.get(ekey) not in ("", None):
            return 100.0 * float(r[ekey]) / float(r[dkey]), False
        return None, False

    c = Chart(880, 440, 80, 60, 640, 300)
    ymax = 120.0
    ly = lambda v: c.y0 + c.ph * (1 - min(v, ymax) / ymax)
    c.text(c.x0 + c.pw / 2, 30, title, size=16, weight="bold")
    c.add('<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
          'patternTransform="rotate(45)"><rect width="6" height="6" fill="white"/>'
          '<line x1="0" y1="0" x2="0" y2="6" stroke="#555" stroke-width="2"/></pattern></defs>')
    for t in range(0, 121, 20):
        y = ly(t)
        c.add(f'<line x1="{c.x0}" y1="{y:.1f}" x2="{c.x0 + c.pw}" y2="{y:.1f}" stroke="#e5e5e5"/>')
        c.text(c.x0 - 8, y + 4, f"{t}%", size=11, anchor="end")
    y = ly(100)
    c.add(f'<line x1="{c.x0}" y1="{y:.1f}" x2="{c.x0 + c.pw}" y2="{y:.1f}" stroke="#999" '
          f'stroke-dasharray="4 3"/>')
    c.add(f'<rect x="{c.x0}" y="{c.y0}" width="{c.pw}" height="{c.ph}" fill="none" stroke="#444"/>')
    c.text(24, c.y0 + c.ph / 2, "share of the device", size=13, rotate=-90)
    gw = c.pw / len(rows)
    bw = min(gw * 0.8 / len(res), 22)
    for i, r in enumerate(rows):
        x = c.x0 + i * gw + (gw - bw * len(res)) / 2
        for name, ykey, ekey, dkey, col in res:
            v, measured = share(r, ykey, ekey, dkey)
            if v is not None:
                yy = ly(v)
                fill = col if measured else "url(#hatch)"
                c.add(f'<rect x="{x:.1f}" y="{yy:.1f}" width="{bw * 0.9:.1f}" '
                      f'height="{ly(0) - yy:.1f}" fill="{fill}" stroke="{col}" opacity="0.9"/>')
                c.text(x + bw * 0.45, yy - 4, f"{v:.0f}", size=9)
            x += bw
        cx = c.x0 + (i + 0.5) * gw
        c.text(cx, c.y0 + c.ph + 16, r["network"], size=10)
        c.text(cx, c.y0 + c.ph + 29, f"{r['budget']} ({r['multipliers']})", size=9, fill="#777")
    lx0 = c.x0 + c.pw + 14
    for k, (name, _, _, _, col) in enumerate(res):
        yy = c.y0 + 10 + 20 * k
        c.add(f'<rect x="{lx0}" y="{yy - 9}" width="12" height="12" fill="{col}"/>')
        c.text(lx0 + 18, yy + 1, name, size=11, anchor="start")
    yy = c.y0 + 10 + 20 * len(res)
    c.add(f'<rect x="{lx0}" y="{yy - 9}" width="12" height="12" fill="url(#hatch)" stroke="#555"/>')
    c.text(lx0 + 18, yy + 1, "model (no Yosys)", size=11, anchor="start")
    with open(path, "w") as f:
        f.write(c.svg())


def efficiency(row):
    """DSP48E1 per multiplier and weight bits per block-RAM bit of a row: Yosys's counts when the
    run synthesised, else the resource model's."""
    dsp = row.get("yosys_dsp") or row.get("est_dsp") or ""
    bram = row.get("yosys_bram36") or row.get("est_bram36") or ""
    return dict(row, dsp_per_mult=ratio(dsp, row.get("multipliers", "")),
                rom_per_bram=ratio(row.get("rom_bits", ""), float(bram or 0) * 36864))


def plot_all(rows, results, suffix=""):
    """cycles.svg, utilisation.svg, and the DSP / memory efficiency plots (Yosys where measured,
    else the resource model)."""
    plot_cycles(rows, os.path.join(results, "cycles.svg"), f"Cycles per frame vs multipliers{suffix}")
    plot_bars(rows, os.path.join(results, "utilisation.svg"),
              f"Multiplier utilisation per budget{suffix}", "utilisation",
              "U = MACs / (mults x cycles)", MIN_UTILISATION, f"U = {MIN_UTILISATION}", 1.1)
    eff = [efficiency(r) for r in rows]
    plot_bars(eff, os.path.join(results, "dsp_per_mult.svg"),
              f"DSP48E1 per MAC multiplier (Yosys, else model){suffix}", "dsp_per_mult",
              "DSP48E1 / multipliers", MAX_DSP_PER_MULT, f"{MAX_DSP_PER_MULT}")
    plot_device(rows, os.path.join(results, "device.svg"),
                f"Device use of the fold --device rows (Yosys, else model){suffix}")
    plot_bars(eff, os.path.join(results, "rom_per_bram.svg"),
              f"Weight bits per block-RAM bit (Yosys, else model){suffix}", "rom_per_bram",
              "ROM bits / (BRAM36 x 36,864)", MIN_ROM_PER_BRAM, f"{MIN_ROM_PER_BRAM}", 1.1)


# ---------------------------------------------------------------------------------------------

def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def append_history(path, rows):
    """Appends rows to the history CSV; a history written with fewer columns is rewritten once
    with today's (its rows keep their values, new columns empty)."""
    if os.path.exists(path):
        with open(path, newline="") as f:
            raw = list(csv.reader(f))
        header = raw[0] if raw else []
        if header != COLUMNS:
            # Columns are only ever appended, so a row longer than an older header holds the
            # columns of its own run in COLUMNS' order.
            names = COLUMNS if header == COLUMNS[:len(header)] else header
            extra = [c for c in header if c not in COLUMNS]
            with open(path, "w", newline="") as f:
                wr = csv.DictWriter(f, fieldnames=COLUMNS + extra)
                wr.writeheader()
                wr.writerows(dict(zip(names, r)) for r in raw[1:])
    new = not os.path.exists(path)
    with open(path, "a", newline="") as f:
        with open(path, newline="") as g:
            fields = COLUMNS if new else next(csv.reader(g))
        wr = csv.DictWriter(f, fieldnames=fields)
        if new:
            wr.writeheader()
        wr.writerows(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rtlgen", default=os.path.join(ROOT, "build/gen/rtlgen"))
    ap.add_argument("--networks", default="lenet,mobilenet",
                    help="comma list: lenet, mobilenet, " + ", ".join(ZOO + MLPERF) +
                    "; 'zoo' and 'mlperf' name the groups")
    ap.add_argument("--lenet", default=os.path.join(ROOT, "configs/lenet.yaml"))
    ap.add_argument("--mobilenet",
                    default=os.path.join(ROOT, "..", "shared/models/mobilenet_v1_0.25_128_quant.tflite"))
    ap.add_argument("--lenet-budgets", default="64,256,512,1024,xc7z020",
                    help="comma list of multiplier budgets and/or device names (fold --device; "
                    "DEVICE:FILL for a fill of its own)")
    ap.add_argument("--mobilenet-budgets", default="64,256,512,xc7z020")
    ap.add_argument("--zoo-budgets", default="xc7z020",
                    help="budgets of the zoo and MLPerf Tiny networks")
    ap.add_argument("--budgets", action="append", default=[], metavar="NET=LIST",
                    help="budgets of one network, e.g. mlperf_vww=xc7z020:1.0 (repeatable)")
    ap.add_argument("--fill", type=float, default=None,
                    help=f"fold --device --fill for device budgets without one (rtlgen's default "
                    f"{DEFAULT_FILL})")
    ap.add_argument("--lenet-frames", type=int, default=8, help="random frames (rtlgen sim --random)")
    ap.add_argument("--mobilenet-frames", type=int, default=3)
    ap.add_argument("--zoo-frames", type=int, default=2)
    ap.add_argument("--lenet-perf-frames", type=int, default=8, help="rtlgen sim --perf-frames")
    ap.add_argument("--mobilenet-perf-frames", type=int, default=3)
    ap.add_argument("--zoo-perf-frames", type=int, default=2)
    ap.add_argument("--synth", action="store_true", help="also run rtlgen synth --xilinx-only (slow)")
    ap.add_argument("--cached-synth-only", action="store_true",
                    help="Yosys counts from the cache only: rows without one stay empty")
    ap.add_argument("--synth-networks", default="",
                    help="with --synth: only these networks (comma list; default all)")
    ap.add_argument("--no-sim", action="store_true", help="skip the Verilator runs")
    ap.add_argument("--nice", type=int, default=10, help="niceness of the Yosys runs")
    ap.add_argument("--clock-mhz", type=float, default=150.0,
                    help="the clock of fps_at_clock: an assumption, not a measured Fmax")
    ap.add_argument("--work", default=os.path.join(BENCH_DIR, "work"))
    ap.add_argument("--cache", default="",
                    help="directory of synth_cache/ and sim_cache/ (default: the work directory); "
                    "runs in different work directories can share it")
    ap.add_argument("--sim-cache", action="store_true",
                    help="reuse a Verilator result of the same RTL, memories, YAML and frame "
                    "counts (e.g. after a resource-model change)")
    ap.add_argument("--results", default=os.path.join(BENCH_DIR, "results"))
    ap.add_argument("--plot-only", action="store_true", help="redraw the plots from latest.csv")
    args = ap.parse_args()

    os.makedirs(args.results, exist_ok=True)
    latest_csv = os.path.join(args.results, "latest.csv")
    if args.plot_only:
        plot_all(read_csv(latest_csv), args.results)
        return 0

    rtlgen = os.path.abspath(args.rtlgen)
    if not os.access(rtlgen, os.X_OK):
        log(f"error: {rtlgen} not found; build it: cmake --build build -j1 --target rtlgen")
        return 2
    os.makedirs(args.work, exist_ok=True)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    commit = git_commit()
    log(f"rtlgen bench {stamp}, commit {commit}, rtlgen {rtlgen}")

    own = {}
    for spec in args.budgets:
        net, _, lst = spec.partition("=")
        own[net.strip()] = lst
    nets = []
    for n in [n.strip() for n in args.networks.split(",") if n.strip()]:
        nets += GROUPS.get(n, [n])
    plan = []
    for net in nets:
        path = network_path(net, args)
        if path is None:
            log(f"error: unknown network '{net}' (lenet, mobilenet, zoo, mlperf, "
                f"{', '.join(ZOO + MLPERF)})")
            return 2
        if net == "lenet":
            budgets, frames, perf = args.lenet_budgets, args.lenet_frames, args.lenet_perf_frames
        elif net == "mobilenet":
            budgets, frames = args.mobilenet_budgets, args.mobilenet_frames
            perf = args.mobilenet_perf_frames
        else:
            budgets, frames, perf = args.zoo_budgets, args.zoo_frames, args.zoo_perf_frames
        budgets = own.get(net, budgets)
        if not os.path.exists(path):
            log(f"SKIPPING {net}: {path} not found" + (
                " (the seed model lives in ../shared/models/)" if net == "mobilenet" else ""))
            continue
        for b in [x for x in budgets.split(",") if x.strip()]:
            budget, fill = split_budget(b, args.fill)
            plan.append((net, os.path.abspath(path), budget, fill, frames, perf))

    rows, failures, warnings = [], [], []
    t_all = time.monotonic()
    for net, path, b, fill, frames, perf in plan:
        row, fail = bench_one(args, rtlgen, net, path, b, fill, frames, perf, stamp, commit)
        rows.append(row)
        failures += fail
        for f in fail:
            log("FAIL: " + f)
        for w in warnings_for(row):
            warnings.append(w)
            log(w)
        # Results so far (a long --synth run shows progress, and survives an interruption).
        with open(latest_csv, "w", newline="") as f:
            wr = csv.DictWriter(f, fieldnames=COLUMNS)
            wr.writeheader()
            wr.writerows(rows)

    append_history(os.path.join(args.results, "bench.csv"), rows)
    write_markdown(rows, os.path.join(args.results, "latest.md"), stamp, commit, args.clock_mhz)
    plot_all(rows, args.results, f" ({commit})")
    log(f"\nwrote {args.results}/bench.csv (+{len(rows)} rows), latest.csv, latest.md, cycles.svg, "
        f"utilisation.svg, dsp_per_mult.svg, rom_per_bram.svg, device.svg in {time.monotonic() - t_all:.0f} s")
    with open(os.path.join(args.results, "latest.md")) as f:
        log(f.read())
    for w in warnings:
        log(w)
    if failures:
        for f in failures:
            log("FAIL: " + f)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
