#!/usr/bin/env python3
"""Writes the parameters of configs/tiny.yaml (a hand-written example network) as .npy files.

The weights are seeded random int8 values with per-channel scales chosen so that activations use
a good part of their range; the network is not trained. Re-running gives identical files.
    python3 tools/make_tiny_params.py [--out configs/tiny_params]
"""
import argparse
import os

import numpy as np


def conv_params(rng, name, shape, out_dir, per_channel_axis=0):
    w = rng.integers(-127, 128, size=shape, dtype=np.int64).astype(np.int8)
    n = shape[per_channel_axis]
    scales = (0.004 + 0.004 * rng.random(n)).astype(np.float32)
    bias = rng.integers(-2000, 2000, size=n).astype(np.int32)
    np.save(os.path.join(out_dir, f"{name}_weights.npy"), w)
    np.save(os.path.join(out_dir, f"{name}_scales.npy"), scales)
    np.save(os.path.join(out_dir, f"{name}_bias.npy"), bias)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "configs", "tiny_params"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng = np.random.default_rng(20261122)
    conv_params(rng, "conv1", (4, 3, 3, 1), args.out)
    conv_params(rng, "dw1", (1, 3, 3, 8), args.out, per_channel_axis=3)
    conv_params(rng, "pw1", (8, 1, 1, 8), args.out)
    conv_params(rng, "fc", (10, 8), args.out)
    print(f"wrote parameters to {os.path.normpath(args.out)}")


if __name__ == "__main__":
    main()
