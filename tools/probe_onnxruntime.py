#!/usr/bin/env python3
"""Probe ONNX Runtime's (CPU provider) integer kernels and confirm the arithmetic rtlgen's golden
model reproduces (docs/onnx-runtime-arithmetic.md). Each op is run on single-node models built
with onnx.helper; every output element is compared with candidate formulas evaluated in numpy
float32 (IEEE, like the kernels). Inputs are aimed at rounding ties: biases chosen so that
acc * scale lands within a few float32 ulps of k + 0.5, accumulators above 2^24, scale ratios
near 1 for the pools. Prints, per op, the mismatch count of every candidate; the chosen one must
have 0. Exit 0 and "ALL RULES CONFIRMED" when they do.

QLinearAdd: every (a, b) pair for random scales (ratios 2^-9..2^7) and zero points.
QLinearConcat and DQ -> Concat -> Q (with and without graph optimizations): every input value
for 10 x trials scale sets (ratios 2^-6..2^6, a third with ties).
QDQ Add (DQ -> Add -> Q): every (a, b) pair; uint8 is fused into QLinearAdd, int8 runs unfused.

    python3 tools/probe_onnxruntime.py [--trials 30]      # a few minutes
"""
import argparse
import sys

import numpy as np
import onnxruntime as ort
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh

f32 = np.float32


def session(nodes, inputs, inits, out_type=T.INT8):
    g = h.make_graph(nodes, "probe", inputs, [h.make_tensor_value_info("y", out_type, None)], inits)
    m = h.make_model(g, opset_imports=[h.make_opsetid("", 13), h.make_opsetid("com.microsoft", 1)])
    m.ir_version = 8
    return ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])


def requant_candidates(acc, xs, ws, ys, yz):
    """acc: [C, N] int64 accumulators incl. bias; ws: [C] float32."""
    S_mul_div = ((f32(xs) * ws).astype(f32) / f32(ys)).astype(f32)
    S_div_first = (f32(xs) * (ws / f32(ys)).astype(f32)).astype(f32)
    S_double = np.float64(xs) * ws.astype(np.float64) / np.float64(ys)
    clip = lambda v: np.clip(v + yz, -128, 127)
    return {
        "CHOSEN round_half_even(f32(acc+bias) * f32((xs*ws)/ys)) + zp": clip(np.rint((acc.astype(f32) * S_mul_div[:, None]).astype(f32))),
        "scale formed xs*(ws/ys)": clip(np.rint((acc.astype(f32) * S_div_first[:, None]).astype(f32))),
        "exact product acc*scale (no float32 rounding of the product)": clip(np.rint(acc.astype(np.float64) * S_mul_div[:, None].astype(np.float64))),
        "scale in double": clip(np.rint(acc * S_double[:, None])),
        "round half away from zero": clip(np.trunc((acc.astype(f32) * S_mul_div[:, None]).astype(f32) + np.copysign(f32(0.5), acc).astype(f32))),
    }


def probe_qlinearconv_and_gemm(rng, trials, results):
    for trial in range(trials):
        cout, npix = 1024, 256
        xs, ys = f32(rng.uniform(0.001, 0.1)), f32(rng.uniform(0.001, 0.5))
        ws = rng.uniform(0.0001, 0.01, size=cout).astype(f32)
        S = (xs * ws).astype(f32) / ys
        k = rng.integers(-200, 200, size=cout)
        B = np.round((k + 0.5) / S.astype(np.float64)).astype(np.int64)  # aim at ties
        if trial % 3 == 0:  # accumulators beyond 2^24 (float32 conversion rounds)
            B = rng.integers(2**24, 2**27, size=cout) * rng.choice([-1, 1], size=cout)
            ws = (ws * 1e-5).astype(f32)
        B = np.clip(B, -2**31 + 300, 2**31 - 300).astype(np.int32)
        yz = int(rng.integers(-10, 10))
        X = np.arange(-128, 128, dtype=np.int8)
        common = [nh.from_array(np.array(xs, f32), "xs"), nh.from_array(np.array(0, np.int8), "xz"),
                  nh.from_array(ws, "ws"), nh.from_array(np.zeros(cout, np.int8), "wz"),
                  nh.from_array(np.array(ys, f32), "ys"), nh.from_array(np.array(yz, np.int8), "yz"),
                  nh.from_array(B, "B")]
        acc = X.astype(np.int64)[None, :] + B[:, None].astype(np.int64)  # weights 1, x zp 0
        if trial % 2 == 0:
            W = np.ones((cout, 1, 1, 1), np.int8)
            s = session([h.make_node("QLinearConv", ["x", "xs", "xz", "W", "ws", "wz", "ys", "yz", "B"], ["y"])],
                        [h.make_tensor_value_info("x", T.INT8, [1, 1, 16, 16])], common + [nh.from_array(W, "W")])
            y = s.run(None, {"x": X.reshape(1, 1, 16, 16)})[0][0].reshape(cout, npix)
            op = "QLinearConv"
        else:  # QGemm: rows = the 256 x values (one input element each), columns = channels
            W = np.ones((cout, 1), np.int8)
            s = session([h.make_node("QGemm", ["x", "xs", "xz", "W", "ws", "wz", "B", "ys", "yz"], ["y"],
                                     domain="com.microsoft", transB=1)],
                        [h.make_tensor_value_info("x", T.INT8, [npix, 1])], common + [nh.from_array(W, "W")])
            y = s.run(None, {"x": X.reshape(npix, 1)})[0].T
            op = "QGemm"
        for name, v in requant_candidates(acc, xs, ws, ys, yz).items():
            key = (op, name)
            results[key] = results.get(key, 0) + int((v != y).sum())
        results[(op, "elements")] = results.get((op, "elements"), 0) + y.size


def probe_pools(rng, trials, results):
    for trial in range(trials):
        C, H = 64, 16
        xs = f32(rng.uniform(0.001, 0.2))
        ys = f32(xs * rng.choice([1.0, 1.0, rng.uniform(0.5, 2)]))
        xz, yz = int(rng.integers(-128, 128)), int(rng.integers(-128, 128))
        X = rng.integers(-128, 128, size=(1, C, H, H)).astype(np.int8)
        inits = [nh.from_array(np.array(xs, f32), "xs"), nh.from_array(np.array(xz, np.int8), "xz"),
                 nh.from_array(np.array(ys, f32), "ys"), nh.from_array(np.array(yz, np.int8), "yz")]
        inp = [h.make_tensor_value_info("x", T.INT8, [1, C, H, H])]
        # QLinearAveragePool 2x2 / 2
        s = session([h.make_node("QLinearAveragePool", ["x", "xs", "xz", "ys", "yz"], ["y"],
                                 domain="com.microsoft", kernel_shape=[2, 2], strides=[2, 2])], inp, inits)
        y = s.run(None, {"x": X})[0].reshape(-1).astype(np.int64)
        win = X[0].reshape(C, H // 2, 2, H // 2, 2).transpose(0, 1, 3, 2, 4).reshape(-1, 4).astype(np.int64)
        d = (xs * (win - xz).astype(f32)).astype(f32)
        acc = np.zeros(win.shape[0], f32)
        for i in range(4):
            acc = (acc + d[:, i]).astype(f32)
        avg = (acc / f32(4)).astype(f32)
        isum = (win - xz).sum(1)
        cands = {
            "CHOSEN float: sum(xs*f32(x-zp)) in window order, /N, round_half_even(avg/ys + f32(zp))":
                np.clip(np.rint(((avg / ys).astype(f32) + f32(yz)).astype(f32)), -128, 127),
            "integer sum * f32(xs/ys/N), round_half_even": np.clip(np.rint((isum.astype(f32) * f32(f32(xs / ys) / f32(4))).astype(f32)) + yz, -128, 127),
            "float avg, zero point added after rounding": np.clip(np.rint((avg / ys).astype(f32)) + yz, -128, 127),
            "float avg, zero point + 128 (uint8 domain) in the float add": np.clip(np.rint(((avg / ys).astype(f32) + f32(yz + 128)).astype(f32)) - 128, -128, 127),
        }
        for name, v in cands.items():
            results[("QLinearAveragePool int8", name)] = results.get(("QLinearAveragePool int8", name), 0) + int((v != y).sum())
        results[("QLinearAveragePool int8", "elements")] = results.get(("QLinearAveragePool int8", "elements"), 0) + y.size
        # QLinearGlobalAveragePool
        s = session([h.make_node("QLinearGlobalAveragePool", ["x", "xs", "xz", "ys", "yz"], ["y"],
                                 domain="com.microsoft", channels_last=0)], inp, inits)
        y = s.run(None, {"x": X})[0].reshape(-1).astype(np.int64)
        N = H * H
        isum = X[0].reshape(C, N).astype(np.int64).sum(1) - xz * N
        cands = {
            "CHOSEN round_half_even(f32(sum - zp*N) * f32(xs / f32(N) / ys)) + zp":
                np.clip(np.rint((isum.astype(f32) * f32(f32(xs / f32(N)) / ys)).astype(f32)) + yz, -128, 127),
            "float mean of dequantized values": np.clip(np.rint(((xs * (X[0].reshape(C, N).astype(f32) - f32(xz))).astype(f32).mean(1, dtype=f32) / ys).astype(f32)) + yz, -128, 127),
        }
        for name, v in cands.items():
            results[("QLinearGlobalAveragePool", name)] = results.get(("QLinearGlobalAveragePool", name), 0) + int((v != y).sum())
        results[("QLinearGlobalAveragePool", "elements")] = results.get(("QLinearGlobalAveragePool", "elements"), 0) + y.size


def fma32(x, y, z):
    """float32 fused multiply-add: the double product of two float32 values is exact, and the
    double sum here is too (operands within 2^29 of each other), so one rounding to float32."""
    return (np.float64(x) * np.float64(y) + np.float64(z)).astype(f32)


def qladd_candidates(a, b, sa, za, sb, zb, sc, zc, lo, hi):
    """a, b: int64 arrays of every input pair."""
    ra, rb = f32(f32(sa) / f32(sc)), f32(f32(sb) / f32(sc))
    fixed_fma = f32(f32(zc) - fma32(ra, f32(za), f32(rb * f32(zb))))
    fixed_plain = f32(f32(zc) - f32(f32(ra * f32(za)) + f32(rb * f32(zb))))
    va = (f32(sa) * (a - za).astype(f32)).astype(f32)
    vb = (f32(sb) * (b - zb).astype(f32)).astype(f32)
    # MLAS AVX2 integer kernel: 22-bit multipliers of the larger ratio's exponent, >> Shift
    ge = int(np.array([max(ra, rb)], f32).view(np.uint32)[0] >> 23) - 127
    shift = 21 - ge
    ma, mb = int(np.rint(f32(ra * f32(2.0 ** shift)))), int(np.rint(f32(rb * f32(2.0 ** shift))))
    acc = ma * (a - za) + mb * (b - zb)
    mask = (1 << shift) - 1
    integer = (acc >> shift) + (((acc & mask) - (acc < 0)) > (mask >> 1)) + zc
    clip = lambda v: np.clip(v, lo, hi)
    return {
        "CHOSEN rne(fma(a, ra, fma(b, rb, F))), F = f32(zc - fma(ra, za, f32(rb*zb)))":
            clip(np.rint(fma32(a.astype(f32), ra, fma32(b.astype(f32), rb, fixed_fma)))),
        "fma(b, rb, fma(a, ra, F)) (other operand order)":
            clip(np.rint(fma32(b.astype(f32), rb, fma32(a.astype(f32), ra, fixed_fma)))),
        "SSE2 kernel (F + a*ra) + b*rb, no fma":
            clip(np.rint(((fixed_plain + (a.astype(f32) * ra).astype(f32)).astype(f32) + (b.astype(f32) * rb).astype(f32)).astype(f32))),
        "dequantize, add, / sc, + zc (MLAS raw helper)":
            clip(np.rint(((va + vb).astype(f32) / f32(sc)).astype(f32) + f32(zc))),
        "AVX2 integer kernel (22-bit multipliers, round half away)": clip(integer),
    }


def probe_qlinearadd(rng, trials, results):
    for trial in range(trials):
        signed = trial % 2 == 0
        lo, hi = (-128, 127) if signed else (0, 255)
        dt, tt = (np.int8, T.INT8) if signed else (np.uint8, T.UINT8)
        sc = float(f32(np.exp(rng.uniform(np.log(1e-3), 0.0))))
        sa = float(f32(sc * np.exp(rng.uniform(np.log(2.0 ** -9), np.log(2.0 ** 7)))))
        sb = sa if trial % 5 == 0 else float(f32(sc * np.exp(rng.uniform(np.log(2.0 ** -9), np.log(2.0 ** 7)))))
        za, zb, zc = (int(v) for v in rng.integers(lo, hi + 1, size=3))
        A, B = np.meshgrid(np.arange(lo, hi + 1), np.arange(lo, hi + 1))
        a, b = A.reshape(-1), B.reshape(-1)
        inits = [nh.from_array(np.array(v, f32), n) for n, v in (("sa", sa), ("sb", sb), ("sc", sc))]
        inits += [nh.from_array(np.array(v, dt), n) for n, v in (("za", za), ("zb", zb), ("zc", zc))]
        s = session([h.make_node("QLinearAdd", ["a", "sa", "za", "b", "sb", "zb", "sc", "zc"], ["y"],
                                 domain="com.microsoft")],
                    [h.make_tensor_value_info("a", tt, [a.size]), h.make_tensor_value_info("b", tt, [a.size])],
                    inits, out_type=tt)
        y = s.run(None, {"a": a.astype(dt), "b": b.astype(dt)})[0].astype(np.int64)
        op = "QLinearAdd " + ("int8" if signed else "uint8")
        for name, v in qladd_candidates(a, b, sa, za, sb, zb, sc, zc, lo, hi).items():
            results[(op, name)] = results.get((op, name), 0) + int((v != y).sum())
        results[(op, "elements")] = results.get((op, "elements"), 0) + y.size


def concat_candidates(q, xs, xz, ys, yz, lo, hi):
    """q: every value of the input type; the output of each candidate rule."""
    d = ((q - xz).astype(f32) * f32(xs)).astype(f32)  # dequantized in float32
    v = (d / f32(ys)).astype(f32)
    clip = lambda t: np.clip(t, lo, hi)
    return {
        "CHOSEN sat(rne(f32(f32(q - zp) * s) / s_out) + zp_out)": clip(np.rint(v) + yz),
        "the same, half away from zero": clip(np.trunc(v + np.copysign(f32(0.5), v)) + yz),
        "times f32(1 / s_out) instead of the division":
            clip(np.rint((d * (f32(1) / f32(ys))).astype(f32)) + yz),
        "f32(q - zp) * f32(s / s_out) (one ratio)":
            clip(np.rint(((q - xz).astype(f32) * f32(f32(xs) / f32(ys))).astype(f32)) + yz),
    }


def probe_concat(rng, trials, results):
    """com.microsoft QLinearConcat of two inputs, and DQ -> Concat -> Q (default optimizations
    and none), every input value; ratios 2^-6..2^6, a third of them k/2 (ties at odd q - zp)."""
    for trial in range(trials):
        signed = trial % 2 == 0
        lo, hi = (-128, 127) if signed else (0, 255)
        dt, tt = (np.int8, T.INT8) if signed else (np.uint8, T.UINT8)
        ys = float(f32(np.exp(rng.uniform(np.log(1e-3), 0.0))))
        xs = [float(f32(ys * np.exp(rng.uniform(np.log(2.0 ** -6), np.log(2.0 ** 6)))))
              for _ in range(2)]
        if trial % 3 == 0:
            xs[0] = float(f32(ys * rng.integers(1, 9) / 2))
        zs = [int(v) for v in rng.integers(lo, hi + 1, size=3)]
        q = np.arange(lo, hi + 1)
        inits = [nh.from_array(np.array(v, f32), n) for n, v in (("s0", xs[0]), ("s1", xs[1]), ("sy", ys))]
        inits += [nh.from_array(np.array(v, dt), n) for n, v in (("z0", zs[0]), ("z1", zs[1]), ("zy", zs[2]))]
        ins = [h.make_tensor_value_info(n, tt, [1, 256]) for n in ("a", "b")]
        s = session([h.make_node("QLinearConcat", ["sy", "zy", "a", "s0", "z0", "b", "s1", "z1"], ["y"],
                                 domain="com.microsoft", axis=1)], ins, inits, out_type=tt)
        outs = {"QLinearConcat": s.run(None, {"a": q.astype(dt)[None], "b": q.astype(dt)[None]})[0][0]}
        # QDQ: float inputs that quantize exactly to q (x = (q - zp) * s), DQ -> Concat -> Q
        nodes = [h.make_node("QuantizeLinear", ["xa", "s0", "z0"], ["qa"]),
                 h.make_node("QuantizeLinear", ["xb", "s1", "z1"], ["qb"]),
                 h.make_node("DequantizeLinear", ["qa", "s0", "z0"], ["da"]),
                 h.make_node("DequantizeLinear", ["qb", "s1", "z1"], ["db"]),
                 h.make_node("Concat", ["da", "db"], ["c"], axis=1),
                 h.make_node("QuantizeLinear", ["c", "sy", "zy"], ["y"])]
        fins = [h.make_tensor_value_info(n, T.FLOAT, [1, 256]) for n in ("xa", "xb")]
        feed = {"xa": ((q - zs[0]) * f32(xs[0])).astype(f32)[None],
                "xb": ((q - zs[1]) * f32(xs[1])).astype(f32)[None]}
        for level, name in ((ort.GraphOptimizationLevel.ORT_ENABLE_ALL, "QDQ Concat"),
                            (ort.GraphOptimizationLevel.ORT_DISABLE_ALL, "QDQ Concat, no optimization")):
            g = h.make_graph(nodes, "probe", fins, [h.make_tensor_value_info("y", tt, None)], inits)
            m = h.make_model(g, opset_imports=[h.make_opsetid("", 13)])
            m.ir_version = 8
            so = ort.SessionOptions()
            so.graph_optimization_level = level
            sq = ort.InferenceSession(m.SerializeToString(), so, providers=["CPUExecutionProvider"])
            outs[name] = sq.run(None, feed)[0][0]
        for op, y in outs.items():
            op = f"{op} {'int8' if signed else 'uint8'}"
            y = y.astype(np.int64)
            for k in range(2):
                for name, v in concat_candidates(q, xs[k], zs[k], ys, zs[2], lo, hi).items():
                    results[(op, name)] = results.get((op, name), 0) + int((v != y[256 * k:256 * (k + 1)]).sum())
            results[(op, "elements")] = results.get((op, "elements"), 0) + y.size


def probe_qdq_add(rng, trials, results):
    """DQ -> Add -> Q (default optimizations), every (a, b) pair: which graph ONNX Runtime runs
    (uint8: fused QLinearAdd; int8: unfused) and which rule it computes."""
    for trial in range(trials):
        signed = trial % 2 == 0
        lo, hi = (-128, 127) if signed else (0, 255)
        dt, tt = (np.int8, T.INT8) if signed else (np.uint8, T.UINT8)
        sc = float(f32(np.exp(rng.uniform(np.log(1e-3), 0.0))))
        sa, sb = (float(f32(sc * np.exp(rng.uniform(np.log(2.0 ** -5), np.log(2.0 ** 5)))))
                  for _ in range(2))
        za, zb, zc = (int(v) for v in rng.integers(lo, hi + 1, size=3))
        A, B = np.meshgrid(np.arange(lo, hi + 1), np.arange(lo, hi + 1))
        a, b = A.reshape(-1), B.reshape(-1)
        inits = [nh.from_array(np.array(v, f32), n) for n, v in (("sa", sa), ("sb", sb), ("sc", sc))]
        inits += [nh.from_array(np.array(v, dt), n) for n, v in (("za", za), ("zb", zb), ("zc", zc))]
        nodes = [h.make_node("QuantizeLinear", ["xa", "sa", "za"], ["qa"]),
                 h.make_node("QuantizeLinear", ["xb", "sb", "zb"], ["qb"]),
                 h.make_node("DequantizeLinear", ["qa", "sa", "za"], ["da"]),
                 h.make_node("DequantizeLinear", ["qb", "sb", "zb"], ["db"]),
                 h.make_node("Add", ["da", "db"], ["c"]),
                 h.make_node("QuantizeLinear", ["c", "sc", "zc"], ["y"])]
        g = h.make_graph(nodes, "probe", [h.make_tensor_value_info(n, T.FLOAT, [a.size]) for n in ("xa", "xb")],
                         [h.make_tensor_value_info("y", tt, None)], inits)
        m = h.make_model(g, opset_imports=[h.make_opsetid("", 13)])
        m.ir_version = 8
        s = ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
        y = s.run(None, {"xa": ((a - za) * f32(sa)).astype(f32), "xb": ((b - zb) * f32(sb)).astype(f32)})[0]
        y = y.astype(np.int64)
        da = ((a - za).astype(f32) * f32(sa)).astype(f32)
        db = ((b - zb).astype(f32) * f32(sb)).astype(f32)
        unfused = np.clip(np.rint(((da + db).astype(f32) / f32(sc)).astype(f32)) + zc, lo, hi)
        fused = qladd_candidates(a, b, sa, za, sb, zb, sc, zc, lo, hi)
        rule = next(v for k, v in fused.items() if k.startswith("CHOSEN"))
        op = "QDQ Add " + ("int8" if signed else "uint8")
        chosen, other = (unfused, rule) if signed else (rule, unfused)
        results[(op, "CHOSEN " + ("unfused: rne(f32(f32(da + db) / sc)) + zc" if signed
                                  else "fused: the QLinearAdd rule"))] = \
            results.get((op, "CHOSEN " + ("unfused: rne(f32(f32(da + db) / sc)) + zc" if signed
                                          else "fused: the QLinearAdd rule")), 0) + int((chosen != y).sum())
        results[(op, "the other rule")] = results.get((op, "the other rule"), 0) + int((other != y).sum())
        results[(op, "elements")] = results.get((op, "elements"), 0) + y.size


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trials", type=int, default=30)
    a = ap.parse_args()
    rng = np.random.default_rng(21)
    results = {}
    probe_qlinearconv_and_gemm(rng, a.trials, results)
    probe_pools(rng, a.trials, results)
    probe_qlinearadd(rng, a.trials, results)
    probe_concat(rng, 10 * a.trials, results)
    probe_qdq_add(rng, a.trials, results)
    ok = True
    print("onnxruntime", ort.__version__)
    # The conv and gemm probes use weights of 1, so their sums of products never reach int16 and
    # they test the requantization on any CPU. Whether this CPU's uint8 x int8 kernels saturate
    # (no VNNI) matters for whole models, where tools/onnx_compare.py re-encodes the weights.
    from onnx_compare import u8s8_kernels_saturate
    print("uint8 x int8 kernels saturate pairs of products in int16 on this CPU:",
          "yes (no VNNI; tools/onnx_compare.py re-encodes int8 weights as uint8)"
          if u8s8_kernels_saturate() else "no")
    for (op, name), n in sorted(results.items()):
        if name == "elements":
            continue
        print(f"{op:26s} {n:9d} of {results[(op, 'elements')]:9d} differ  {name}")
        if name.startswith("CHOSEN") and n != 0:
            ok = False
    print("ALL RULES CONFIRMED" if ok else "A CHOSEN RULE FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
