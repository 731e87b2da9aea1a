#!/usr/bin/env python3
"""Simulation speed of `rtlgen sim`: harness build time and frames per second with every layer
checked, per network. A benchmark, not a test: run it on a quiet machine (the CPU seconds are the
figure to compare when the machine is shared; wall seconds depend on the load).

    python3 bench/sim_speed.py                       # lenet, lenet_small, seed MobileNet, zoo
    python3 bench/sim_speed.py --networks lenet --frames 2000 --jobs 1,2
    python3 bench/sim_speed.py --networks lenet --mnist ../shared/data/mnist   # real digits

For each network: `rtlgen sim NET --random 1 --jobs 1` with an empty harness cache gives the
harness build time (wall and CPU of rtlgen and every child: Verilator, make, compilers); then
`rtlgen sim NET --random N --jobs J` (or N MNIST digits 8000.. for LeNet with --mnist) on the
cached harness gives frames/s with every layer checked (sim_report.json: sim_frames_per_second,
checked_run and measurement_phase CPU seconds). Appends rows to bench/results/sim_speed.csv and
prints a markdown table. Needs build/gen/rtlgen.
"""
import argparse
import csv
import datetime
import json
import os
import resource
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("RTLGEN_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))
NETWORKS = {
    "lenet": ("configs/lenet.yaml", 200),
    "lenet_small": ("configs/lenet_small.yaml", 50),
    # >= 2 x 8 frames: the steady state comes from a stall-free prefix of the checked run
    "mobilenet": (os.path.join(SHARED, "models", "mobilenet_v1_0.25_128_quant.tflite"), 24),
    "resnet8": ("configs/zoo/resnet8/resnet8.yaml", 40),
    "dscnn_kws": ("configs/zoo/dscnn_kws/dscnn_kws.yaml", 40),
    "fc_autoencoder": ("configs/zoo/fc_autoencoder/fc_autoencoder.yaml", 200),
    "mobilenet96": ("configs/zoo/mobilenet96/mobilenet96.yaml", 24),
}


def timed(cmd, env):
    """Runs cmd; returns (exit status, wall s, CPU s of it and its children, output)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return p.returncode, wall, cpu, p.stdout + p.stderr


def commit():
    try:
        head = open(os.path.join(ROOT, ".git")).read().strip()  # worktree: "gitdir: ..."
        gitdir = head.split(": ", 1)[1] if head.startswith("gitdir:") else os.path.join(ROOT, ".git")
    except IsADirectoryError:
        gitdir = os.path.join(ROOT, ".git")
    ref = open(os.path.join(gitdir, "HEAD")).read().strip()
    if ref.startswith("ref: "):
        for base in (gitdir, os.path.join(gitdir, "..", "..")):
            p = os.path.join(base, ref[5:])
            if os.path.exists(p):
                return open(p).read().strip()[:12]
        return ref[5:]
    return ref[:12]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--networks", default=",".join(NETWORKS))
    ap.add_argument("--frames", type=int, default=0, help="frames per run (default: per network)")
    ap.add_argument("--jobs", default="1,2", help="comma-separated --jobs values to measure")
    ap.add_argument("--mnist", default="", help="directory with mnist10k-images-idx3-ubyte.gz: "
                    "LeNet runs real digits 8000.. (the held-out 2,000) instead of random frames")
    ap.add_argument("--opt", default="", help="RTLGEN_SIM_OPT for the harness build (default -O2)")
    ap.add_argument("--work", default=os.path.join(ROOT, "bench", "work", "sim_speed"))
    a = ap.parse_args()
    rtlgen = os.path.join(ROOT, "build", "gen", "rtlgen")
    env = dict(os.environ)
    if a.opt:
        env["RTLGEN_SIM_OPT"] = a.opt
    rows = []
    for name in a.networks.split(","):
        net, default_frames = NETWORKS[name]
        net = os.path.join(ROOT, net) if not os.path.isabs(net) else net
        if not os.path.exists(net):
            print(f"{name}: {net} not found, skipped", flush=True)
            continue
        frames = a.frames or default_frames
        cache = os.path.join(a.work, "cache", name)
        shutil.rmtree(cache, ignore_errors=True)
        env["RTLGEN_SIM_CACHE"] = cache
        out = os.path.join(a.work, name)
        rc, build_wall, build_cpu, log = timed(
            [rtlgen, "sim", net, "-o", out, "--random", "1", "--jobs", "1",
             "--report", out + "_build.json"], env)
        if rc != 0:
            print(f"{name}: harness build / first run failed:\n{log}", flush=True)
            continue
        simulator = json.load(open(out + "_build.json"))["simulator"]
        for jobs in [int(j) for j in a.jobs.split(",")]:
            inputs = ["--random", str(frames)]
            if a.mnist and name.startswith("lenet"):
                images = os.path.join(a.mnist, "mnist10k-images-idx3-ubyte.gz")
                labels = os.path.join(a.mnist, "mnist10k-labels-idx1-ubyte.gz")
                inputs = ["--inputs", images, "--labels", labels, "--skip", "8000", "--frames", str(frames)]
            report = f"{out}_j{jobs}.json"
            rc, wall, cpu, log = timed([rtlgen, "sim", net, "-o", out, "--jobs", str(jobs),
                                        "--quiet", "--report", report] + inputs, env)
            r = json.load(open(report)) if os.path.exists(report) else {}
            if rc != 0 or r.get("mismatches", 1) != 0:
                print(f"{name}: run failed (exit {rc}):\n{log}", flush=True)
                continue
            stall = r["checked_run"]
            row = {
                "timestamp": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "commit": commit(), "network": name, "simulator": simulator,
                "multipliers": r["multipliers"], "cycles_per_frame": r["cycles_per_frame"],
                "build_wall_s": round(build_wall, 1), "build_cpu_s": round(build_cpu, 1),
                "frames": r["frames"], "jobs": jobs,
                "checked_frames_per_s": round(r["sim_frames_per_second"], 2),
                "checked_cpu_s": round(stall["cpu_seconds"], 2),
                "checked_frames_per_cpu_s": round(r["frames"] / max(stall["cpu_seconds"], 1e-9), 2),
                "checked_cycles_per_cpu_s": round(stall["cycles"] / max(stall["cpu_seconds"], 1e-9)),
                "run_wall_s": round(wall, 1), "run_cpu_s": round(cpu, 1),
                "stall_free_prefix": bool(r["measurement_phase"].get("stall_free_prefix_of_checked_run")),
                "load_1min": round(os.getloadavg()[0], 1),
            }
            rows.append(row)
            print(" ".join(f"{k}={v}" for k, v in row.items()), flush=True)
    if not rows:
        return 1
    results = os.path.join(ROOT, "bench", "results", "sim_speed.csv")
    old = list(csv.DictReader(open(results, newline=""))) if os.path.exists(results) else []
    fields = list(old[0]) if old else []
    fields += [k for k in rows[0] if k not in fields]  # a new column: earlier rows get it empty
    with open(results, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, restval="")
        w.writeheader()
        w.writerows(old + rows)
    cols = ["network", "multipliers", "cycles_per_frame", "build_wall_s", "build_cpu_s", "frames",
            "jobs", "checked_frames_per_s", "checked_frames_per_cpu_s", "checked_cycles_per_cpu_s",
            "run_wall_s", "load_1min"]
    print("| " + " | ".join(cols) + " |")
    print("|" + " --- |" * len(cols))
    for r in rows:
        print("| " + " | ".join(str(r[c]) for c in cols) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
