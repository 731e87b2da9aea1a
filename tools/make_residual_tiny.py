#!/usr/bin/env python3
"""Writes configs/residual_tiny.yaml and its parameters: one residual block (two 3x3 SAME convs
and an identity skip ADD on the network input) on a non-square 10x8x4 int8 input. Small enough
that its Verilator model builds in seconds; the skip-FIFO sizing proof runs on it in CI
(tests/e2e/skip_fifo_tight.sh). Seeded, untrained; re-running gives identical files.
    python3 tools/make_residual_tiny.py
"""
import os

import numpy as np

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

YAML = """# One residual block: the skip-FIFO sizing proof (tests/e2e/skip_fifo_tight.sh).
# Generated with its parameters by tools/make_residual_tiny.py (seeded, untrained).
network: residual_tiny
params: residual_tiny_params
input:
  name: input
  shape: [10, 8, 4]
  dtype: int8
  scale: 0.02
  zero_point: -3
layers:
  - name: conv_a
    op: conv2d
    kernel: [3, 3]
    padding: same
    activation: relu
    weights: conv_a_weights.npy
    bias: conv_a_bias.npy
    weight_scales: conv_a_scales.npy
    output: {dtype: int8, scale: 0.03, zero_point: -128}
    hw: {pe: 2, simd: 4}
  - name: conv_b
    op: conv2d
    kernel: [3, 3]
    padding: same
    weights: conv_b_weights.npy
    bias: conv_b_bias.npy
    weight_scales: conv_b_scales.npy
    output: {dtype: int8, scale: 0.04, zero_point: 5}
    hw: {pe: 4, simd: 4}
  - name: join
    op: add
    inputs: [input, conv_b]
    activation: relu
    output: {dtype: int8, scale: 0.05, zero_point: -128}
"""


def conv(rng, out_dir, name, shape):
    np.save(os.path.join(out_dir, f"{name}_weights.npy"),
            rng.integers(-127, 128, size=shape).astype(np.int8))
    np.save(os.path.join(out_dir, f"{name}_scales.npy"),
            (0.002 + 0.002 * rng.random(shape[0])).astype(np.float32))
    np.save(os.path.join(out_dir, f"{name}_bias.npy"),
            rng.integers(-500, 500, size=shape[0]).astype(np.int32))


def main():
    out_dir = os.path.join(ROOT, "configs", "residual_tiny_params")
    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.default_rng(9)
    conv(rng, out_dir, "conv_a", (4, 3, 3, 4))
    conv(rng, out_dir, "conv_b", (4, 3, 3, 4))
    with open(os.path.join(ROOT, "configs", "residual_tiny.yaml"), "w") as f:
        f.write(YAML)
    print("wrote configs/residual_tiny.yaml and configs/residual_tiny_params/")


if __name__ == "__main__":
    main()
