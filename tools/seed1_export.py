#!/usr/bin/env python3
"""Export a LeNet-5 in the first seed document's integer scheme to rtlgen (YAML + .npy).

  python3 tools/seed1_export.py MODEL.pth --layer c1=S,K,ZP --layer c3=... -o DIR [--auto]

MODEL.pth: a PyTorch state dict (read without torch, tools/pth_io.py) with the document's
layer names c1, c3, c5 (Conv2d), f6, output (Linear), each NAME.weight and NAME.bias. Weights
are either float (quantized here by the document's procedure) or already-quantized uint8
codes held in integer tensors (int32 as the document stores them); biases are float32.

The scheme (docs/network-format.md, "The integer scale-shift scheme"):
  input  raw pixels 0..255, no zero point
  weights per layer: scale = (max - min) / 255, zp = int(clamp(0 - min / scale, 0, 255)),
         code = round_half_even(clamp(zp + w / scale, 0, 255)) (float32); W = code - zp
  conv/linear: B = round_half_even(float32(bias * 256) / float32(S / 2^K)),
         acc = B + sum(x * W), y = (acc * S) >> K (arithmetic shift: floor), no clamp
  c1, c3: ReLU; s2, s4: 2x2 average pool, round_half_even(sum / 4); c5, f6: no ReLU
--layer NAME=S,K,ZP gives the integers of one layer (ZP: the weights' zero point; with float
weights it may be omitted, then the procedure's own zero point is used, and a given one
replaces it). --auto chooses (S, K) for layers without --layer from the float weights' scale:
K = the shift that puts S = round_half_even(scale * 2^K) in 128..255, i.e. S / 2^K equals the
weight scale to 8 significant bits (relative error < 2^-8), where the document's hand-picked
pairs have 2 to 5 (c5's 3 >> 11 is 25% off). Needs float weights.

Writes DIR/NAME.yaml (NAME = --name, default the .pth file's stem) and DIR/NAME_params/:
<layer>_weights.npy (uint8 codes, OHWI / [O, I]) and <layer>_bias.npy (float32; rtlgen derives
B with the formula above: bias_float + bias_gain 256). Output widths are `bits: auto`
(rtlgen's interval analysis). --save-codes PTH also writes the codes as the document stores
them (uint8 codes in int32 tensors). The network takes uint8 pixels as they are, so `rtlgen eval
--mnist` and `rtlgen sim --inputs IDX` apply directly.
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pth_io import PthError, read_state_dict, write_state_dict  # noqa: E402

# name, kind, kernel, padding, relu
LAYERS = [("c1", "conv", 5, 2, True), ("c3", "conv", 5, 0, True), ("c5", "conv", 5, 0, False),
          ("f6", "fc", 0, 0, False), ("output", "fc", 0, 0, False)]
POOLS = {"c1": "s2", "c3": "s4"}


class ExportError(Exception):
    pass


def quantize_tensor(w):
    """The document's per-layer uint8 quantization, float32 arithmetic: (codes, zp, scale)."""
    w = w.astype(np.float32)
    lo, hi = np.float32(w.min()), np.float32(w.max())
    scale = np.float32((hi - lo) / np.float32(255))
    zp = int(np.clip(np.float32(0) - lo / scale, 0, 255))
    return zp, scale


def codes_with_zp(w, zp, scale):
    q = np.clip(np.float32(zp) + w.astype(np.float32) / scale, 0, 255)
    return np.round(q).astype(np.uint8)  # np.round: half to even


def auto_scale_shift(scale):
    """(S, K) with S = round_half_even(scale * 2^K) in 128..255."""
    k = 0
    while k < 62 and np.round(np.float64(scale) * 2.0 ** k) < 128:
        k += 1
    s = int(np.round(np.float64(scale) * 2.0 ** k))
    if s > 255:
        k, s = k - 1, int(np.round(np.float64(scale) * 2.0 ** (k - 1)))
    return s, k


def parse_layer_args(items):
    table = {}
    for item in items:
        name, _, rest = item.partition("=")
        parts = rest.split(",")
        if name not in [l[0] for l in LAYERS] or len(parts) not in (2, 3):
            raise ExportError(f"--layer {item}: expected NAME=S,K,ZP with NAME one of "
                              f"{', '.join(l[0] for l in LAYERS)}")
        try:
            s, k = int(parts[0]), int(parts[1])
            zp = None if len(parts) == 2 or parts[2] in ("", "-") else int(parts[2])
        except ValueError:
            raise ExportError(f"--layer {item}: S, K and ZP must be integers")
        if s == 0 or abs(s) >= 2 ** 31 or not 0 <= k <= 62 or (zp is not None and not 0 <= zp <= 255):
            raise ExportError(f"--layer {item}: need 0 < |S| < 2^31, 0 <= K <= 62, 0 <= ZP <= 255")
        table[name] = (s, k, zp)
    return table


def export(pth, table, auto, out_dir, net_name, save_codes=None):
    sd = read_state_dict(pth)
    codes_sd = {}
    params = os.path.join(out_dir, net_name + "_params")
    os.makedirs(params, exist_ok=True)
    chosen = []
    yaml = [f"# Written by tools/seed1_export.py from {os.path.basename(pth)}: the first seed",
            "# document's integer scheme (docs/network-format.md). Widths: bits auto (interval analysis).",
            f"network: {net_name}", f"params: {net_name}_params",
            "input: {name: input, shape: [28, 28, 1], dtype: uint8, scale: 0.00392156886, zero_point: 0}",
            "layers:"]
    for name, kind, k, pad, relu in LAYERS:
        for part in ("weight", "bias"):
            if f"{name}.{part}" not in sd:
                raise ExportError(f"{pth}: no tensor '{name}.{part}' (the document's layer names: "
                                  f"{', '.join(l[0] for l in LAYERS)})")
        w, b = sd[f"{name}.weight"], sd[f"{name}.bias"]
        want_rank = 4 if kind == "conv" else 2
        if w.ndim != want_rank or b.ndim != 1 or b.shape[0] != w.shape[0]:
            raise ExportError(f"{pth}: {name}.weight {list(w.shape)} / {name}.bias {list(b.shape)}: "
                              f"expected a rank-{want_rank} weight and one bias per output")
        if b.dtype.kind != "f":
            raise ExportError(f"{pth}: {name}.bias must be float, got {b.dtype}")
        s_k_zp = table.get(name)
        if w.dtype.kind == "f":
            zp_doc, scale = quantize_tensor(w)
            zp = zp_doc if s_k_zp is None or s_k_zp[2] is None else s_k_zp[2]
            if zp != zp_doc:
                print(f"{name}: zero point {zp} from --layer (the procedure gives {zp_doc})",
                      file=sys.stderr)
            codes = codes_with_zp(w, zp, scale)
            if s_k_zp is None:
                if not auto:
                    raise ExportError(f"no --layer {name}=S,K,ZP (or give --auto)")
                s, shift = auto_scale_shift(scale)
            else:
                s, shift = s_k_zp[0], s_k_zp[1]
            how = f"float weights, scale {float(scale):.6g}"
        else:
            if s_k_zp is None or s_k_zp[2] is None:
                raise ExportError(f"{name}.weight holds integer codes: give --layer {name}=S,K,ZP "
                                  f"(the codes carry no scale for --auto, nor their zero point)")
            if w.min() < 0 or w.max() > 255:
                raise ExportError(f"{name}.weight: integer codes must lie in 0..255, got "
                                  f"{w.min()}..{w.max()}")
            s, shift, zp = s_k_zp
            codes = w.astype(np.uint8)
            how = f"uint8 codes in {w.dtype} tensors"
        codes_sd[f"{name}.weight"] = codes.astype(np.int32)  # the document's storage
        codes_sd[f"{name}.bias"] = b.astype(np.float32)
        if kind == "conv":
            codes = np.ascontiguousarray(codes.transpose(0, 2, 3, 1))  # OIHW -> OHWI
        np.save(os.path.join(params, f"{name}_weights.npy"), codes)
        np.save(os.path.join(params, f"{name}_bias.npy"), b.astype("<f4"))
        chosen.append((name, s, shift, zp, how))
        yaml.append(f"  - name: {name}")
        if kind == "conv":
            yaml += [f"    op: conv2d", f"    kernel: [{k}, {k}]",
                     f"    padding: {'same' if pad else 'valid'}"]
        else:
            yaml.append("    op: fully_connected")
        yaml += [f"    activation: {'relu' if relu else 'none'}",
                 f"    weights: {name}_weights.npy",
                 f"    weight_zero_point: {zp}",
                 f"    bias_float: {name}_bias.npy",
                 f"    bias_gain: 256",
                 f"    requant: {{multiplier: {s}, shift: {shift}, rounding: floor}}",
                 f"    output: {{dtype: {'uint' if relu else 'int'}, bits: auto}}"]
        if name in POOLS:
            yaml += [f"  - name: {POOLS[name]}", "    op: average_pool2d", "    pool: [2, 2]",
                     "    stride: [2, 2]", "    rounding: half_even"]
    if save_codes:
        write_state_dict(save_codes, codes_sd)
    path = os.path.join(out_dir, net_name + ".yaml")
    with open(path, "w") as f:
        f.write("\n".join(yaml) + "\n")
    return path, chosen


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pth", help="PyTorch state-dict .pth")
    ap.add_argument("--layer", action="append", default=[], metavar="NAME=S,K,ZP")
    ap.add_argument("--auto", action="store_true", help="choose (S, K) for layers not given")
    ap.add_argument("-o", "--out", required=True, help="output directory")
    ap.add_argument("--name", help="network name (default: the .pth file's stem)")
    ap.add_argument("--save-codes", metavar="PTH",
                    help="also write the quantized state dict as the document stores it: uint8 "
                         "codes in int32 tensors, float32 biases (a test fixture)")
    args = ap.parse_args()
    name = args.name or os.path.splitext(os.path.basename(args.pth))[0]
    try:
        path, chosen = export(args.pth, parse_layer_args(args.layer), args.auto, args.out, name,
                              args.save_codes)
    except (ExportError, PthError) as e:
        print(f"seed1_export: {e}", file=sys.stderr)
        return 1
    for layer, s, k, zp, how in chosen:
        print(f"{layer:7} S {s:4} K {k:3} ZP {zp:3}  ({how})")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
