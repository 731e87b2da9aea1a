#!/usr/bin/env python3
"""Probe TFLite's CONCATENATION with inputs quantized otherwise than its output (needs numpy,
flatbuffers and ai-edge-litert; no TensorFlow: single-op models are written with the schema's
object API).

  1. int8: a model whose input scale differs from the output's; TFLite's kernel is expected to
     refuse it in Prepare (its int8 kernel requires equal quantization).
  2. uint8: two inputs of all 256 values, random scale / zero-point sets (a third of them with
     input scale = output scale x k/2, so that odd values are exact ties), run with the reference
     kernels (BUILTIN_REF) and the default ones; every output value compared with candidate
     rules in Python:
       ref_f32      float32 steps: inv = 1 / out_scale, scale = in_scale * inv,
                    bias = -in_zp * scale, v = q * scale + bias (two roundings),
                    round half away from zero, + out_zp, saturate
       ref_f32_fma  the same with q * scale + bias fused (one rounding)
       double       (q - in_zp) * in_scale / out_scale in double, half away
Prints per kernel set the mismatches of each candidate; exit 0 iff ref_f32 matches every value
and int8 is refused. Result (ai-edge-litert 2.3.0, 150 sets, 76,800 values per kernel set):
ref_f32 0 mismatches for both, ref_f32_fma 302 and double 905 for both (docs/network-format.md).

  python3 tools/probe_tflite_concat.py [--trials 150] [--seed 1]
"""
import argparse
import math
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import flatbuffers
import numpy as np
from ai_edge_litert import schema_py_generated as S
from ai_edge_litert.interpreter import Interpreter, OpResolverType

f32 = np.float32


def concat_model(ttype, ins, out, hw):
    """One CONCATENATION (axis 3) of len(ins) inputs of shape (1, *hw, 1); ins/out: (scale, zp)."""
    m = S.ModelT()
    m.version = 3
    oc = S.OperatorCodeT()
    oc.builtinCode = oc.deprecatedBuiltinCode = S.BuiltinOperator.CONCATENATION
    oc.version = 1
    m.operatorCodes = [oc]
    m.buffers = [S.BufferT() for _ in range(len(ins) + 2)]
    sg = S.SubGraphT()
    sg.tensors = []
    for i, (scale, zp) in enumerate(list(ins) + [out]):
        t = S.TensorT()
        t.name = f"in{i}" if i < len(ins) else "out"
        t.shape = [1, hw[0], hw[1], 1 if i < len(ins) else len(ins)]
        t.type, t.buffer = ttype, i + 1
        q = S.QuantizationParametersT()
        q.scale, q.zeroPoint = [float(f32(scale))], [int(zp)]
        t.quantization = q
        sg.tensors.append(t)
    op = S.OperatorT()
    op.opcodeIndex, op.inputs, op.outputs = 0, list(range(len(ins))), [len(ins)]
    op.builtinOptionsType = S.BuiltinOptions.ConcatenationOptions
    o = S.ConcatenationOptionsT()
    o.axis, o.fusedActivationFunction = 3, 0
    op.builtinOptions = o
    sg.operators, sg.inputs, sg.outputs = [op], list(range(len(ins))), [len(ins)]
    m.subgraphs = [sg]
    b = flatbuffers.Builder(1024)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def run(buf, arrays, ref):
    it = Interpreter(model_content=buf, experimental_op_resolver_type=(
        OpResolverType.BUILTIN_REF if ref else OpResolverType.AUTO))
    it.allocate_tensors()
    for d, a in zip(it.get_input_details(), arrays):
        it.set_tensor(d["index"], a)
    it.invoke()
    return it.get_tensor(it.get_output_details()[0]["index"])


def half_away(v):
    return int(math.floor(abs(v) + 0.5)) * (1 if v >= 0 else -1)


def ref_f32(q, s, z, so, zo, fma=False):
    inv = f32(f32(1.0) / f32(so))
    sc = f32(f32(s) * inv)
    bias = f32(-f32(z) * sc)
    v = float(f32(float(q) * float(sc) + float(bias))) if fma else f32(f32(f32(q) * sc) + bias)
    return min(max(half_away(float(v)) + zo, 0), 255)


def double_rule(q, s, z, so, zo):
    return min(max(half_away((q - z) * float(f32(s)) / float(f32(so))) + zo, 0), 255)


CANDIDATES = {
    "ref_f32": lambda *a: ref_f32(*a),
    "ref_f32_fma": lambda *a: ref_f32(*a, fma=True),
    "double": double_rule,
}


def sweep(trials, seed, ref):
    rng = np.random.default_rng(seed)
    bad = {n: 0 for n in CANDIDATES}
    first = {n: None for n in CANDIDATES}
    total = 0
    vals = np.arange(256, dtype=np.uint8).reshape(1, 16, 16, 1)
    for t in range(trials):
        so = float(f32(np.exp(rng.uniform(-6, 1))))
        zo = int(rng.integers(0, 256))
        ins = []
        for _ in range(2):
            ratio = int(rng.integers(1, 9)) / 2 if t % 3 == 0 else np.exp(rng.uniform(-4, 4))
            ins.append((float(f32(so * ratio)), int(rng.integers(0, 256))))
        got = run(concat_model(S.TensorType.UINT8, ins, (so, zo), (16, 16)), [vals, vals],
                  ref).reshape(256, 2)
        for k, (s, z) in enumerate(ins):
            for q in range(256):
                total += 1
                for n, rule in CANDIDATES.items():
                    c = rule(q, s, z, so, zo)
                    if c != int(got[q, k]):
                        bad[n] += 1
                        first[n] = first[n] or (q, s, z, so, zo, int(got[q, k]), c)
    return total, bad, first


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trials", type=int, default=150)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    ok = True
    try:
        run(concat_model(S.TensorType.INT8, [(0.05, -3), (0.1, 7)], (0.07, 5), (2, 3)),
            [np.zeros((1, 2, 3, 1), np.int8)] * 2, True)
        print("int8 with differing quantization: RUNS (expected a refusal)")
        ok = False
    except Exception as e:  # the interpreter's Prepare error
        print("int8 with differing quantization: refused:", str(e).splitlines()[0][:160])
    for ref in (True, False):
        total, bad, first = sweep(a.trials, a.seed, ref)
        print(f"uint8, {'reference' if ref else 'default'} kernels: {total} values;",
              ", ".join(f"{n} {bad[n]} mismatches" for n in CANDIDATES))
        for n in CANDIDATES:
            if first[n]:
                print(f"  {n} first mismatch (q, in_scale, in_zp, out_scale, out_zp, tflite, rule):",
                      first[n])
        ok = ok and bad["ref_f32"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
