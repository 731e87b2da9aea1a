#!/usr/bin/env python3
"""Independent numpy reference of the first seed document's integer LeNet.

Written from the scheme (tools/seed1_export.py's docstring, docs/network-format.md), not from
rtlgen's C++: it re-quantizes the .pth itself, derives the biases itself and runs the integer
network with numpy int64 arithmetic (conv as im2col matrix products, pools through float64
np.round, which is exact here and rounds half to even).

  python3 tools/seed1_reference.py MODEL.pth (--layer NAME=S,K,ZP ... | --table NET.yaml)
      --mnist DIR [--skip 8000] [--limit N] [--golden DUMP_DIR] [--float]

--table NET.yaml takes only the integers (S, K, weight zero point) of each layer from a YAML
written by tools/seed1_export.py (for --auto choices); the codes always come from the .pth.
--golden DUMP_DIR (from `rtlgen eval NET --mnist DIR --skip .. --limit .. --dump DUMP_DIR`)
compares every layer's values digit by digit and exits 1 on any mismatch.
--float also evaluates the float model (pixels / 255) of the same .pth (float weights only).
"""
import argparse
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mnist_idx import load_mnist  # noqa: E402
from pth_io import read_state_dict  # noqa: E402

ORDER = ["c1", "s2", "c3", "s4", "c5", "f6", "output"]


def table_from_args(items):
    t = {}
    for item in items:
        name, rest = item.split("=")
        v = [None if x in ("", "-") else int(x) for x in rest.split(",")]
        t[name] = (v[0], v[1], v[2] if len(v) > 2 else None)
    return t


def table_from_yaml(path):
    """(S, K, ZP) per layer from the exporter's YAML (plain text, its own fixed layout)."""
    t, name, zp = {}, None, None
    for line in open(path):
        m = re.match(r"\s*- name: (\w+)", line)
        if m:
            name, zp = m.group(1), None
        m = re.match(r"\s*weight_zero_point: (\d+)", line)
        if m:
            zp = int(m.group(1))
        m = re.match(r"\s*requant: \{multiplier: (-?\d+), shift: (\d+)", line)
        if m:
            t[name] = (int(m.group(1)), int(m.group(2)), zp)
    return t


def integer_params(sd, table):
    """{layer: (W int64 centred codes, B int64, S, K)} by the document's procedure."""
    out = {}
    for name in ("c1", "c3", "c5", "f6", "output"):
        w, bias = sd[name + ".weight"], sd[name + ".bias"].astype(np.float32)
        s, k, zp = table[name]
        if w.dtype.kind == "f":
            w = w.astype(np.float32)
            scale = (w.max() - w.min()) / np.float32(255)
            own_zp = int(min(max(float(np.float32(0) - w.min() / scale), 0.0), 255.0))
            zp = own_zp if zp is None else zp
            codes = np.round(np.clip(np.float32(zp) + w / scale, 0, 255)).astype(np.int64)
        else:
            codes = w.astype(np.int64)
        b = np.round(np.float32(bias * np.float32(256)) / np.float32(s / 2.0 ** k))
        out[name] = (codes - zp, b.astype(np.int64), s, k)
    return out


def conv(x, w, b, pad):
    """x [N, H, W, C] int64, w [O, C, KH, KW] (PyTorch layout) -> acc [N, OH, OW, O]."""
    if pad:
        x = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    o, c, kh, kw = w.shape
    n, h, wd, _ = x.shape
    oh, ow = h - kh + 1, wd - kw + 1
    win = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(1, 2))  # N,OH,OW,C,KH,KW
    cols = win.reshape(n * oh * ow, c * kh * kw)
    return (cols @ w.reshape(o, -1).T).reshape(n, oh, ow, o) + b


def pool(x):
    n, h, w, c = x.shape
    s = x.reshape(n, h // 2, 2, w // 2, 2, c).sum(axis=(2, 4))
    return np.round(s / 4.0).astype(np.int64)  # exact in float64; half to even


def run_integer(params, pixels):
    """pixels [N, 28, 28] uint8 -> {layer: int64 array [N, H, W, C]}."""
    out = {}
    x = pixels.astype(np.int64)[..., None]
    for name, pad, relu, pool_name in (("c1", 2, True, "s2"), ("c3", 0, True, "s4"),
                                       ("c5", 0, False, None)):
        w, b, s, k = params[name]
        y = (conv(x, w, b, pad) * s) >> k  # numpy >> on int64 is arithmetic: floor
        if relu:
            y = np.maximum(y, 0)
        out[name] = y
        x = y
        if pool_name:
            x = out[pool_name] = pool(y)
    v = x.reshape(x.shape[0], -1)
    for name in ("f6", "output"):
        w, b, s, k = params[name]
        v = ((v @ w.T + b) * s) >> k
        out[name] = v[:, None, None, :]
    return out


def run_float(sd, pixels):
    x = pixels.astype(np.float32)[..., None] / 255
    for name, pad in (("c1", 2), ("c3", 0), ("c5", 0)):
        x = conv(x, sd[name + ".weight"].astype(np.float32), sd[name + ".bias"], pad)
        if name != "c5":
            x = np.maximum(x, 0)
            n, h, w, c = x.shape
            x = x.reshape(n, h // 2, 2, w // 2, 2, c).mean(axis=(2, 4))
    v = x.reshape(x.shape[0], -1)
    for name in ("f6", "output"):
        v = v @ sd[name + ".weight"].T + sd[name + ".bias"]
    return v


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pth")
    ap.add_argument("--layer", action="append", default=[])
    ap.add_argument("--table", help="take (S, K, ZP) from this exporter YAML")
    ap.add_argument("--mnist", required=True)
    ap.add_argument("--skip", type=int, default=8000)
    ap.add_argument("--limit", type=int, default=2000)
    ap.add_argument("--golden", help="rtlgen eval --dump directory to compare with")
    ap.add_argument("--float", action="store_true", help="also the float model's accuracy")
    args = ap.parse_args()
    sd = read_state_dict(args.pth)
    table = table_from_yaml(args.table) if args.table else {}
    table.update(table_from_args(args.layer))
    images, labels = load_mnist(args.mnist)
    px = images[args.skip:args.skip + args.limit]
    lab = labels[args.skip:args.skip + args.limit].astype(np.int64)
    params = integer_params(sd, table)
    ref = run_integer(params, px)
    for name in ("c1", "c3", "c5", "f6", "output"):
        print(f"{name:7} S {params[name][2]:4} K {params[name][3]:3}  values on these digits: "
              f"{int(ref[name].min())}..{int(ref[name].max())}")
    pred = ref["output"].reshape(len(px), -1).argmax(1)  # first index of the maximum
    print(f"reference accuracy: {100 * (pred == lab).mean():.2f}% ({len(px)} digits)")
    if args.float:
        fpred = run_float(sd, px).argmax(1)
        print(f"float accuracy: {100 * (fpred == lab).mean():.2f}% ({len(px)} digits)")
    if args.golden:
        bad = 0
        glabels = np.load(os.path.join(args.golden, "labels.npy"))
        if not np.array_equal(glabels, lab):
            print("golden dump holds other digits (labels differ): check --skip/--limit")
            return 1
        for name in ORDER:
            g = np.load(os.path.join(args.golden, name + ".npy")).astype(np.int64)
            r = ref[name]
            if g.shape != r.shape:
                print(f"{name}: golden shape {g.shape} vs reference {r.shape}")
                bad += 1
                continue
            mism = int((g != r).sum())
            bad += mism
            print(f"{name:7} golden vs reference: {mism} mismatching values of {g.size}")
        print("PASS" if bad == 0 else "FAIL")
        return 0 if bad == 0 else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
