#!/usr/bin/env python3
"""Writes configs/lenet.yaml (fast folding) and configs/lenet_small.yaml (<= 32 multipliers)
from configs/lenet.tflite: `rtlgen import` does the conversion, this script only adds the
per-layer `hw:` folding hints, so both files share configs/lenet_params/.

    python3 tools/make_lenet_configs.py [--rtlgen build/gen/rtlgen]
"""
import argparse
import os
import shutil
import subprocess
import tempfile

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

# (PE, SIMD) per weighted layer, in network order: conv c1, conv c3, conv c5, fc f6, fc output.
FOLDINGS = {
    # 712 multipliers; every stage <= 784 cycles per frame (c1 is input-bound at 1 pixel/cycle)
    "lenet.yaml": [(6, 25), (16, 30), (4, 16), (2, 8), (2, 1)],
    # 30 multipliers; bottleneck c1 at 784 * 6 * 5 = 23,520 cycles per frame
    "lenet_small.yaml": [(1, 5), (2, 6), (1, 8), (1, 4), (1, 1)],
}


def add_folding(text, folding):
    out, i = [], 0
    # `rtlgen import` writes the folding it chose for its default budget: replaced by ours.
    lines = [line for line in text.splitlines() if not line.startswith("    hw:")]
    for line in lines:
        out.append(line)
        if line.strip() in ("op: conv2d", "op: fully_connected", "op: depthwise_conv2d"):
            pe, simd = folding[i]
            i += 1
            out.append(f"    hw: {{pe: {pe}, simd: {simd}}}")
    assert i == len(folding), f"expected {len(folding)} weighted layers, found {i}"
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rtlgen", default=os.path.join(ROOT, "build", "gen", "rtlgen"))
    args = ap.parse_args()
    configs = os.path.join(ROOT, "configs")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "import")
        subprocess.run([args.rtlgen, "import", "configs/lenet.tflite", "-o", out], check=True, cwd=ROOT)
        params = os.path.join(configs, "lenet_params")
        shutil.rmtree(params, ignore_errors=True)
        shutil.copytree(os.path.join(out, "lenet_params"), params)
        text = open(os.path.join(out, "lenet.yaml")).read()
    for name, folding in FOLDINGS.items():
        with open(os.path.join(configs, name), "w") as f:
            f.write(add_folding(text, folding))
        print(f"wrote configs/{name}")


if __name__ == "__main__":
    main()
