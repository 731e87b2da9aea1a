#!/usr/bin/env python3
"""Compare every intermediate tensor of rtlgen's golden model with TFLite's reference kernels.

For each input:
  1. the oracle (tools/tflite_oracle.py, BUILTIN_REF kernels) computes every operator output;
  2. `RTLGEN run MODEL --input X.npy --dump DIR` writes DIR/manifest.json
       {"layers": [{"name": ..., "source": "<tflite output tensor name>", "file": "<name>.npy",
                    "shape": [h, w, c], "dtype": "int8"}, ...]}
  3. tensors are matched by source == TFLite tensor name and compared after flattening both
     in NHWC order (rtlgen's [1,1,N] vs TFLite's [1,N] etc. are equal if flat data is equal).

Every oracle tensor needs an rtlgen counterpart, except the outputs of QUANTIZE / DEQUANTIZE
operators at the graph edges (reading a graph input or writing a graph output), which are
listed as skipped. Per tensor the report says OK or the first mismatch (flat index, NHWC
coordinate, expected, got). The last line is "N passed, M failed".

Exit status: 0 all passed; 1 any mismatch / missing tensor / rtlgen failure; 2 usage or
setup error (missing model, missing rtlgen binary, bad input).

Inputs (X.npy handed to both sides is HWC in the model input dtype, e.g. int8):
  --inputs N --seed S      N random inputs (tflite_oracle.random_input(model, S + i))
  --input A.npy [B.npy..]  given arrays (HWC or NHWC, uint8 or int8; uint8 is shifted by -128
                           for an int8 model, see tflite_oracle.prepare_input)
  --idx FILE --count K [--skip S]  K images of an IDX file from image S (e.g. tests/data/mnist100-images-
                           idx3-ubyte), uint8 pixels -> pixel - 128 for an int8 input
  --image FILE             a .npy (already preprocessed, used as is) or an image file
                           (.bmp/.png/...; loaded with pillow, converted to L or RGB to match the
                           model's channels, resized with nearest neighbour
                           src = floor(dst * in / out) per axis, then uint8 -> model dtype).
                           The preprocessed array is what rtlgen receives, so both sides see
                           identical data whatever rtlgen's own image loader does.

Example (the ctest entry point):
  python3 tools/tflite_compare.py --model configs/lenet.tflite --rtlgen build/gen/rtlgen \\
      --inputs 20 --seed 1
"""
import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tflite_oracle as oracle  # noqa: E402

EDGE_OPS = ("QUANTIZE", "DEQUANTIZE")


def nearest_resize(img, out_h, out_w):
    """Nearest neighbour: dst (y, x) takes src (floor(y*H/out_h), floor(x*W/out_w))."""
    h, w = img.shape[:2]
    ys = (np.arange(out_h) * h) // out_h
    xs = (np.arange(out_w) * w) // out_w
    return img[ys][:, xs]


def load_image(path, spec):
    """Image file or .npy -> HWC array for the model (see module doc)."""
    if path.endswith(".npy"):
        return np.load(path)
    from PIL import Image
    shape = spec["shape"]
    h, w, c = shape[-3], shape[-2], shape[-1]
    im = Image.open(path)
    im = im.convert("L" if c == 1 else "RGB")
    a = np.asarray(im, dtype=np.uint8)
    if a.ndim == 2:
        a = a[..., None]
    if a.shape[-1] != c:
        raise ValueError(f"{path}: {a.shape[-1]} channels, model wants {c}")
    return nearest_resize(a, h, w)


def collect_inputs(args, it):
    """List of (label, HWC array in the model input dtype)."""
    spec = oracle.model_input_spec(it)
    out = []
    if args.input:
        for p in args.input:
            out.append((p, np.load(p)))
    if args.image:
        for p in args.image:
            out.append((p, load_image(p, spec)))
    if args.idx:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from mnist_idx import read_idx
        imgs = read_idx(args.idx)
        n = min(args.skip + args.count, len(imgs))
        for i in range(args.skip, n):
            out.append((f"{os.path.basename(args.idx)}[{i}]", imgs[i]))
    if args.inputs:
        for i in range(args.inputs):
            out.append((f"random seed {args.seed + i}", oracle.random_input(it, args.seed + i)))
    res = []
    for label, a in out:
        x = oracle.prepare_input(it, a)          # NHWC, model dtype (validates shape)
        if x.ndim == 4 and x.shape[0] == 1:
            x = x[0]                             # HWC for rtlgen
        res.append((label, x))
    return res


def edge_skips(it):
    """Tensor indices of QUANTIZE/DEQUANTIZE outputs that touch a graph input or output."""
    gin, gout = oracle.graph_io(it)
    skip = {}
    for idx, name, ins, outs in oracle.op_names(it):
        if name in EDGE_OPS and (any(i in gin for i in ins) or any(o in gout for o in outs)):
            for o in outs:
                skip[o] = name
    return skip


def run_rtlgen(rtlgen_cmd, model, x_path, dump_dir, timeout):
    cmd = rtlgen_cmd + ["run", model, "--input", x_path, "--dump", dump_dir]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError as e:
        return None, f"cannot execute {cmd[0]}: {e}"
    except subprocess.TimeoutExpired:
        return None, f"timeout after {timeout}s: {shlex.join(cmd)}"
    if p.returncode != 0:
        return None, (f"rtlgen exited {p.returncode}: {shlex.join(cmd)}\n"
                      f"--- stdout\n{p.stdout[-2000:]}\n--- stderr\n{p.stderr[-2000:]}")
    mpath = os.path.join(dump_dir, "manifest.json")
    try:
        with open(mpath) as f:
            man = json.load(f)
        layers = man["layers"]
    except (OSError, ValueError, KeyError) as e:
        return None, f"bad or missing {mpath}: {e}"
    by_source = {}
    for L in layers:
        src = L.get("source")
        if src is None:
            continue
        if src in by_source:
            return None, f"{mpath}: two layers claim source {src!r}"
        by_source[src] = L
    return by_source, None


def unravel(i, shape):
    try:
        return tuple(int(v) for v in np.unravel_index(i, shape))
    except ValueError:
        return (i,)


def compare_tensor(rec, layer, dump_dir):
    """Return (ok, message)."""
    exp = rec["data"]
    fpath = os.path.join(dump_dir, layer["file"])
    try:
        got = np.load(fpath)
    except (OSError, ValueError) as e:
        return False, f"cannot read {fpath}: {e}"
    notes = []
    lshape = layer.get("shape")
    if lshape is not None and list(got.shape) != list(lshape):
        notes.append(f"file shape {list(got.shape)} != manifest shape {lshape}")
    if int(np.prod(exp.shape)) != got.size:
        return False, f"size mismatch: expected {list(exp.shape)} ({exp.size}), got {list(got.shape)} ({got.size})"
    if layer.get("dtype") and layer["dtype"] != exp.dtype.name:
        notes.append(f"dtype {layer['dtype']} (oracle {exp.dtype.name})")
    e = exp.reshape(-1).astype(np.int64)
    g = got.reshape(-1).astype(np.int64)
    bad = np.nonzero(e != g)[0]
    if bad.size:
        i = int(bad[0])
        return False, (f"MISMATCH at flat index {i} (NHWC {unravel(i, exp.shape)}): expected {e[i]}, "
                       f"got {g[i]}; {bad.size}/{e.size} elements differ, max |diff| "
                       f"{int(np.abs(e - g).max())}" + (f" [{'; '.join(notes)}]" if notes else ""))
    if notes and any("dtype" in n for n in notes):
        return False, "values equal but " + "; ".join(notes)
    return True, "OK" + (f" [{'; '.join(notes)}]" if notes else "")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--rtlgen", default="build/gen/rtlgen",
                    help="rtlgen binary (may be a command line, e.g. 'python3 fake.py')")
    ap.add_argument("--inputs", type=int, default=0, help="number of random inputs")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--input", nargs="+", help=".npy input file(s)")
    ap.add_argument("--image", nargs="+", help="image file(s) or preprocessed .npy")
    ap.add_argument("--idx", help="IDX images file (uint8)")
    ap.add_argument("--count", type=int, default=10, help="images taken from --idx")
    ap.add_argument("--skip", type=int, default=0, help="skip the first N --idx images (8000: the held-out 2,000)")
    ap.add_argument("--workdir", help="keep inputs and dumps here (default: temporary, removed)")
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--quiet", action="store_true", help="only print failures and the summary")
    args = ap.parse_args(argv)

    if not os.path.isfile(args.model):
        print(f"error: model {args.model} not found", file=sys.stderr)
        return 2
    rtlgen_cmd = shlex.split(args.rtlgen)
    if not rtlgen_cmd or (shutil.which(rtlgen_cmd[0]) is None and not os.path.isfile(rtlgen_cmd[0])):
        print(f"error: rtlgen binary {rtlgen_cmd[0] if rtlgen_cmd else '?'} not found "
              "(build it, or pass --rtlgen)", file=sys.stderr)
        return 2
    if len(rtlgen_cmd) == 1:
        rtlgen_cmd = [os.path.abspath(rtlgen_cmd[0]) if os.path.isfile(rtlgen_cmd[0]) else rtlgen_cmd[0]]
    model = os.path.abspath(args.model)

    it = oracle.load_interpreter(model)
    try:
        inputs = collect_inputs(args, it)
    except (OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if not inputs:
        print("error: no inputs (use --inputs N, --input, --image or --idx)", file=sys.stderr)
        return 2
    skips = edge_skips(it)

    work = args.workdir or tempfile.mkdtemp(prefix="tflite_compare_")
    os.makedirs(work, exist_ok=True)
    passed = failed = skipped = 0
    try:
        for n, (label, x) in enumerate(inputs):
            case = os.path.join(work, f"case{n:03d}")
            os.makedirs(case, exist_ok=True)
            x_path = os.path.join(case, "input.npy")
            np.save(x_path, x)
            print(f"--- input {n}: {label} (HWC {list(x.shape)} {x.dtype.name})")
            recs = oracle.run_oracle(it, x)
            dump_dir = os.path.join(case, "rtlgen")
            if os.path.isdir(dump_dir):
                shutil.rmtree(dump_dir)
            os.makedirs(dump_dir)
            layers, err = run_rtlgen(rtlgen_cmd, model, x_path, dump_dir, args.timeout)
            if err:
                print(f"  FAIL rtlgen: {err}")
                failed += len([r for r in recs if r["tensor_index"] not in skips]) or 1
                continue
            used = set()
            for r in recs:
                tag = f"  op {r['op_index']:3d} {r['op']:17s} {r['tensor']}"
                if r["tensor_index"] in skips:
                    skipped += 1
                    if not args.quiet:
                        print(f"{tag}: skipped ({r['op']} at graph edge)")
                    continue
                L = layers.get(r["tensor"])
                if L is None:
                    failed += 1
                    print(f"{tag}: FAIL no rtlgen layer with this source")
                    continue
                used.add(r["tensor"])
                ok, msg = compare_tensor(r, L, dump_dir)
                if ok:
                    passed += 1
                    if not args.quiet:
                        print(f"{tag}: {msg}")
                else:
                    failed += 1
                    print(f"{tag}: FAIL {msg}")
            extra = sorted(set(layers) - used)
            known = {r["tensor"] for r in recs}
            for src in extra:
                if src not in known:
                    print(f"  note: rtlgen layer {layers[src].get('name')!r} has source {src!r}, "
                          "which is no operator output of the model")
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
