#!/usr/bin/env python3
"""TFLite reference-kernel oracle: run a .tflite with the BUILTIN_REF kernels and dump
every operator output tensor.

Library:
    load_interpreter(model)            -> Interpreter (BUILTIN_REF, all tensors preserved)
    model_input_spec(model)            -> dict(shape, dtype, scale, zero_point, name)
    prepare_input(model, array)        -> NHWC array in the model's input dtype
    random_input(model, seed)          -> random HWC array (model input dtype, full range)
    run_oracle(model, array)           -> list of records (one per operator output)
    dump(model, array, out_dir)        -> writes <out_dir>/*.npy + manifest.json, returns records

`model` may be a path, the model bytes, or an Interpreter made by load_interpreter.

Input conventions (prepare_input):
  * HWC (rank 3) or NHWC (rank 4, N == 1) arrays; a rank-2 HW array is accepted for
    one-channel models.
  * dtype equal to the model input dtype: used as-is (raw quantized values).
  * uint8 data for an int8 input: x - 128 (the standard uint8 -> int8 shift; for
    configs/lenet.tflite, whose input is scale 1/255 zp -128, this is exactly pixel - 128).
  * int8 data for a uint8 input: x + 128.

manifest.json:
  {"model": ..., "input": {...},
   "tensors": [{"op_index": i, "op": "CONV_2D", "tensor": "<tflite tensor name>",
                "tensor_index": t, "file": "...npy", "shape": [...], "dtype": "int8",
                "scale": s, "zero_point": z}, ...]}
Shapes are the TFLite tensor shapes (NHWC, batch included).

CLI:
    python3 tools/tflite_oracle.py MODEL (--input X.npy | --random-seed S) --out DIR
"""
import argparse
import json
import os
import re
import sys

import numpy as np

__all__ = ["load_interpreter", "model_input_spec", "prepare_input", "random_input",
           "run_oracle", "dump", "op_names"]


def _interp_cls():
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    return Interpreter, OpResolverType


def load_interpreter(model):
    """Interpreter with the reference kernels and every intermediate tensor preserved."""
    Interpreter, OpResolverType = _interp_cls()
    if isinstance(model, Interpreter):
        return model
    kw = dict(experimental_op_resolver_type=OpResolverType.BUILTIN_REF,
              experimental_preserve_all_tensors=True)
    if isinstance(model, (bytes, bytearray)):
        it = Interpreter(model_content=bytes(model), **kw)
    else:
        it = Interpreter(model_path=str(model), **kw)
    it.allocate_tensors()
    return it


def _builtin_names():
    try:
        from ai_edge_litert import schema_py_generated as S
    except ImportError:  # pragma: no cover
        return {}
    return {v: k for k, v in vars(S.BuiltinOperator).items() if not k.startswith("_")}


def op_names(it):
    """[(op_index, op_name, input tensor indices, output tensor indices)] in execution order."""
    try:
        details = it._get_ops_details()
        return [(d["index"], d["op_name"], [int(i) for i in d["inputs"]],
                 [int(o) for o in d["outputs"]]) for d in details]
    except AttributeError:  # pragma: no cover - fall back to the private node API
        raise RuntimeError("this ai-edge-litert has no _get_ops_details(); cannot list ops")


def _tensor_details(it):
    return {d["index"]: d for d in it.get_tensor_details()}


def model_input_spec(model, index=0):
    it = load_interpreter(model)
    d = it.get_input_details()[index]
    s, z = d["quantization"]
    return dict(name=d["name"], index=int(d["index"]), shape=[int(v) for v in d["shape"]],
                dtype=np.dtype(d["dtype"]).name, scale=float(s), zero_point=int(z))


def prepare_input(model, array, index=0):
    """Convert an HWC/NHWC/HW array to the model input (NHWC, model dtype); see module doc."""
    spec = model_input_spec(model, index)
    shape = spec["shape"]
    want = np.dtype(spec["dtype"])
    a = np.asarray(array)
    if a.ndim == len(shape) - 1:
        a = a[None]
    if a.ndim == len(shape) - 2 and shape[-1] == 1:
        a = a[None, ..., None]
    if list(a.shape) != shape:
        raise ValueError(f"input shape {list(np.asarray(array).shape)} does not fit model input {shape} "
                         "(give HWC or NHWC with N=1)")
    if a.dtype == want:
        return a
    if a.dtype == np.uint8 and want == np.int8:
        return (a.astype(np.int16) - 128).astype(np.int8)
    if a.dtype == np.int8 and want == np.uint8:
        return (a.astype(np.int16) + 128).astype(np.uint8)
    if np.issubdtype(a.dtype, np.integer):
        info = np.iinfo(want)
        if a.min() < info.min or a.max() > info.max:
            raise ValueError(f"input values {a.min()}..{a.max()} out of range for {want}")
        return a.astype(want)
    raise ValueError(f"input dtype {a.dtype} not supported for a {want} model input")


def random_input(model, seed, index=0):
    """Random HWC input (batch dimension dropped when it is 1), uniform over the whole range
    of the model input dtype (int8: -128..127)."""
    spec = model_input_spec(model, index)
    rng = np.random.default_rng(seed)
    dt = np.dtype(spec["dtype"])
    shape = spec["shape"]
    if len(shape) == 4 and shape[0] == 1:
        shape = shape[1:]
    if np.issubdtype(dt, np.integer):
        info = np.iinfo(dt)
        return rng.integers(info.min, info.max + 1, size=shape, dtype=np.int64).astype(dt)
    return rng.uniform(-1.0, 1.0, size=shape).astype(dt)


def run_oracle(model, array, inputs=None):
    """Run the model; return a list of records, one per operator output tensor, each
    {op_index, op, tensor, tensor_index, shape, dtype, scale, zero_point, data}.
    `inputs` optionally gives a list of arrays for multi-input models."""
    it = load_interpreter(model)
    arrays = inputs if inputs is not None else [array]
    for k, (d, a) in enumerate(zip(it.get_input_details(), arrays)):
        it.set_tensor(d["index"], prepare_input(it, a, k))
    it.invoke()
    td = _tensor_details(it)
    recs = []
    for op_index, name, _ins, outs in op_names(it):
        for t in outs:
            if t < 0:
                continue
            d = td[t]
            s, z = d["quantization"]
            data = np.array(it.get_tensor(t))
            recs.append(dict(op_index=int(op_index), op=name, tensor=d["name"], tensor_index=int(t),
                             shape=[int(v) for v in data.shape], dtype=data.dtype.name,
                             scale=float(s), zero_point=int(z), data=data))
    return recs


def graph_io(model):
    """(input tensor indices, output tensor indices) of subgraph 0."""
    it = load_interpreter(model)
    return ([int(d["index"]) for d in it.get_input_details()],
            [int(d["index"]) for d in it.get_output_details()])


def _safe(name):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")[:80] or "t"


def dump(model, array, out_dir, inputs=None):
    """Run and write every operator output as .npy plus manifest.json into out_dir."""
    it = load_interpreter(model)
    recs = run_oracle(it, array, inputs)
    os.makedirs(out_dir, exist_ok=True)
    spec = model_input_spec(it)
    x = prepare_input(it, array if inputs is None else inputs[0])
    np.save(os.path.join(out_dir, "input.npy"), x)
    entries = []
    for r in recs:
        fn = f"{r['op_index']:03d}_{r['op']}_{_safe(r['tensor'])}.npy"
        np.save(os.path.join(out_dir, fn), r["data"])
        e = {k: r[k] for k in ("op_index", "op", "tensor", "tensor_index", "shape", "dtype",
                               "scale", "zero_point")}
        e["file"] = fn
        entries.append(e)
    manifest = {"model": model if isinstance(model, str) else None,
                "input": dict(spec, file="input.npy"),
                "tensors": entries}
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    return recs


def main(argv=None):
    ap = argparse.ArgumentParser(description="Dump every operator output of a .tflite "
                                 "(BUILTIN_REF reference kernels).")
    ap.add_argument("model")
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--input", help=".npy input (HWC or NHWC; uint8/int8)")
    g.add_argument("--random-seed", type=int, help="use random_input(model, seed)")
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--save-input", help="also save the (random) HWC input to this .npy")
    args = ap.parse_args(argv)
    it = load_interpreter(args.model)
    if args.input:
        x = np.load(args.input)
    else:
        x = random_input(it, args.random_seed)
    if args.save_input:
        np.save(args.save_input, x)
    recs = dump(it, x, args.out)
    # record the model path in the manifest
    mpath = os.path.join(args.out, "manifest.json")
    with open(mpath) as f:
        man = json.load(f)
    man["model"] = os.path.abspath(args.model)
    with open(mpath, "w") as f:
        json.dump(man, f, indent=1)
    for r in recs:
        print(f"{r['op_index']:3d} {r['op']:18s} {r['tensor'][:60]:60s} {str(r['shape']):18s} "
              f"{r['dtype']:6s} s={r['scale']:.6g} zp={r['zero_point']}")
    print(f"wrote {len(recs)} tensors to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
