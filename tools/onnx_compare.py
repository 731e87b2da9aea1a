#!/usr/bin/env python3
"""Compare every integer tensor of rtlgen's golden model with ONNX Runtime (CPU provider).

The oracle is ONNX Runtime with its default graph optimizations: for a QDQ model it fuses the
DequantizeLinear -> op -> QuantizeLinear groups into its integer kernels (QLinearConv, QGemm,
QLinearMatMul, com.microsoft QLinearAveragePool, ...), which is the integer meaning rtlgen
implements (docs/onnx-runtime-arithmetic.md). Every integer tensor a layer of rtlgen reproduces
(the output of each QuantizeLinear and QLinear* node, matched by `source` in rtlgen's dump
manifest) is added as a graph output, so the comparison covers every layer.

For each input:
  1. ONNX Runtime runs the float input (pixel / 255 for MNIST) and returns every integer tensor,
     including the quantized network input, which is what rtlgen receives (HWC);
  2. `RTLGEN run MODEL --input X.npy --dump DIR` writes every layer's output;
  3. each layer is compared with its ONNX tensor in NHWC order, byte by byte.

Prints per tensor the mismatching bytes over all inputs, the fused operator types ONNX Runtime
ran, accuracies with --mnist (rtlgen golden, ONNX Runtime, and --float-model if given), and ends
with "N passed, M failed" (one test per tensor). Exit 0 when every byte matches.

  python3 tools/onnx_compare.py --model configs/lenet_qdq.onnx --rtlgen build/gen/rtlgen \\
      --mnist ../shared/data/mnist --skip 8000 --count 2000
  python3 tools/onnx_compare.py --model configs/onnx_qop_cnn.onnx --rtlgen build/gen/rtlgen --random 20
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mnist_idx import load_mnist  # noqa: E402

INT_TYPES = {onnx.TensorProto.INT8: "int8", onnx.TensorProto.UINT8: "uint8"}


def integer_tensors(model):
    """Names and element types of every int8/uint8 tensor a node produces (in node order: the
    type comes from the output zero point, or from the input for order-only ops)."""
    zp_input = {"QuantizeLinear": 2, "QLinearConv": 7, "QLinearMatMul": 7, "QGemm": 8,
                "QLinearAveragePool": 4, "QLinearGlobalAveragePool": 4, "QLinearAdd": 7,
                "QLinearConcat": 1}
    inits = {t.name: t.data_type for t in model.graph.initializer}
    for n in model.graph.node:
        if n.op_type == "Constant":
            for at in n.attribute:
                if at.name == "value":
                    inits[n.output[0]] = at.t.data_type
    types = {i.name: i.type.tensor_type.elem_type for i in model.graph.input}
    out = {}
    for n in model.graph.node:
        if not n.output:
            continue
        t = None
        if n.op_type in zp_input and len(n.input) > zp_input[n.op_type]:
            t = inits.get(n.input[zp_input[n.op_type]])
        elif n.op_type in ("MaxPool", "Flatten", "Reshape", "Identity"):
            t = types.get(n.input[0])
        if t is not None:
            types[n.output[0]] = t
        if t in INT_TYPES:
            out[n.output[0]] = t
    return out


def u8s8_kernels_saturate():
    """Whether ONNX Runtime's uint8 x int8 kernels on this CPU lose the exact sum. On x86 without
    VNNI (AVX2, AVX-512F/BW) MLAS adds pairs of u8 x s8 products in int16 with saturation
    (vpmaddubsw), so 255 * 127 + 255 * 127 becomes 32,767: ONNX Runtime's result then depends on
    the CPU and is not the operator's integer meaning. Probed with one QLinearConv whose two pairs
    of products each overflow int16."""
    from onnx import TensorProto, helper, numpy_helper
    c = 4
    inits = [numpy_helper.from_array(np.array(1.0, np.float32), "xs"),
             numpy_helper.from_array(np.array(0, np.uint8), "xz"),
             numpy_helper.from_array(np.full((1, c, 1, 1), 127, np.int8), "w"),
             numpy_helper.from_array(np.array(1.0, np.float32), "ws"),
             numpy_helper.from_array(np.array(0, np.int8), "wz"),
             numpy_helper.from_array(np.array(1000.0, np.float32), "ys"),
             numpy_helper.from_array(np.array(0, np.uint8), "yz")]
    node = helper.make_node("QLinearConv", ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz"], ["y"])
    graph = helper.make_graph(
        [node], "u8s8_probe", [helper.make_tensor_value_info("x", TensorProto.UINT8, [1, c, 1, 1])],
        [helper.make_tensor_value_info("y", TensorProto.UINT8, [1, 1, 1, 1])], inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    s = ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
    y = int(s.run(None, {"x": np.full((1, c, 1, 1), 255, np.uint8)})[0].ravel()[0])
    return y != round(c * 255 * 127 / 1000.0)  # exact: 130; saturating pairs: 66


def int8_weights_as_uint8(model):
    """The model with its int8 weight initializers re-encoded as uint8: w + 128 with zero point
    + 128, the same integers w - zero point, so every product and sum is unchanged. Weights of
    QLinearConv / QLinearMatMul / QGemm (input 3, zero point 5) whose activation is uint8, and
    DequantizeLinear of an int8 initializer (a QDQ graph's weights, fused by ONNX Runtime with
    its activations run as uint8). ONNX Runtime computes uint8 x uint8 exactly on every CPU."""
    from onnx import TensorProto, numpy_helper
    inits = {t.name: t for t in model.graph.initializer}

    def shifted(name):
        new = name + "_as_uint8"
        if new not in inits:
            w = numpy_helper.to_array(inits[name]).astype(np.int16) + 128
            inits[new] = numpy_helper.from_array(w.astype(np.uint8), new)
            model.graph.initializer.append(inits[new])
        return new

    def is_int8(name):
        return name in inits and inits[name].data_type == TensorProto.INT8

    changed = 0
    replaced = set()
    for n in model.graph.node:
        if n.op_type in ("QLinearConv", "QLinearMatMul", "QGemm") and len(n.input) > 5:
            x_zp = inits.get(n.input[2])
            if x_zp is not None and x_zp.data_type == TensorProto.UINT8 and is_int8(n.input[3]) \
                    and is_int8(n.input[5]):
                replaced.update((n.input[3], n.input[5]))
                n.input[3], n.input[5] = shifted(n.input[3]), shifted(n.input[5])
                changed += 1
        elif n.op_type == "DequantizeLinear" and is_int8(n.input[0]):
            if len(n.input) > 2 and n.input[2]:
                if not is_int8(n.input[2]):
                    continue
                zp = shifted(n.input[2])
            else:  # no zero point: 0, so 128 in the scale's shape (per tensor or per axis)
                scale = numpy_helper.to_array(inits[n.input[1]])
                zp = n.output[0] + "_zero_point_as_uint8"
                inits[zp] = numpy_helper.from_array(np.full(scale.shape, 128, np.uint8), zp)
                model.graph.initializer.append(inits[zp])
                while len(n.input) < 3:
                    n.input.append("")
            replaced.update((n.input[0], n.input[2]))
            n.input[0], n.input[2] = shifted(n.input[0]), zp
            changed += 1
    used = {i for n in model.graph.node for i in n.input}
    unused = [t for t in model.graph.initializer if t.name in replaced and t.name not in used]
    for t in unused:  # the int8 originals nothing reads any more
        model.graph.initializer.remove(t)
    return changed


def fused_oracle(model_path):
    """ONNX Runtime's own fused graph of the model (what its default optimizations run), with
    every integer tensor of it made a graph output and run with no further optimization.
    Returns (session over the fused graph, its integer output names in node order, the fused
    operator types, a default-optimization session of the original model)."""
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    opts.intra_op_num_threads = 1
    with tempfile.TemporaryDirectory() as tmp:
        opts.optimized_model_filepath = os.path.join(tmp, "fused.onnx")
        ort.InferenceSession(model_path, opts, providers=["CPUExecutionProvider"])
        fused = onnx.load(opts.optimized_model_filepath)
    ints = integer_tensors(fused)
    in_name = fused.graph.input[0].name
    layer_tensors = [n.output[0] for n in fused.graph.node
                     if n.output and n.output[0] in ints
                     and not (n.op_type == "QuantizeLinear" and n.input[0] == in_name)]
    present = {o.name for o in fused.graph.output}
    for name in ints:
        if name not in present:
            fused.graph.output.append(onnx.helper.make_tensor_value_info(name, ints[name], None))
    run_opts = ort.SessionOptions()
    run_opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    run_opts.intra_op_num_threads = 1
    s = ort.InferenceSession(fused.SerializeToString(), run_opts, providers=["CPUExecutionProvider"])
    ops = [(n.domain + "." if n.domain else "") + n.op_type for n in fused.graph.node]
    default = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    return s, layer_tensors, ops, default


def sess_input_dtype(model_path):
    """dtype of the integer tensor the model's input is quantized into (QuantizeLinear's zp)."""
    m = onnx.load(model_path)
    ints = integer_tensors(m)
    in_name = m.graph.input[0].name
    for n in m.graph.node:
        if n.op_type == "QuantizeLinear" and n.input[0] == in_name:
            return "int8" if ints.get(n.output[0]) == onnx.TensorProto.INT8 else "uint8"
    return "int8"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--rtlgen", required=True)
    ap.add_argument("--mnist", help="MNIST IDX directory (pixels / 255 as the float input)")
    ap.add_argument("--skip", type=int, default=8000)
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--random", type=int, default=0, help="N random inputs in [0, 1) instead")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--float-model", help="float ONNX model for the float accuracy")
    a = ap.parse_args(argv)

    oracle_model = a.model
    tmp_oracle = tempfile.TemporaryDirectory()
    if u8s8_kernels_saturate():
        m = onnx.load(a.model)
        n = int8_weights_as_uint8(m)
        if n:
            oracle_model = os.path.join(tmp_oracle.name, "weights_as_uint8.onnx")
            onnx.save(m, oracle_model)
            print(f"ONNX Runtime's uint8 x int8 kernels saturate pairs of products in int16 on this "
                  f"CPU (x86 without VNNI): the oracle runs the int8 weights of {n} nodes "
                  f"re-encoded as uint8 (w + 128, zero point + 128; the same integers), which it "
                  f"computes exactly")
    sess, layer_tensors, fused_ops, default = fused_oracle(oracle_model)
    in_name = sess.get_inputs()[0].name
    in_shape = [d if isinstance(d, int) else 1 for d in sess.get_inputs()[0].shape]
    out_names = [o.name for o in sess.get_outputs()]
    print("ONNX Runtime", ort.__version__, "fused graph:", " -> ".join(fused_ops))
    fused_model = None
    if a.random:
        rng = np.random.default_rng(a.seed)
        xs = [rng.random(in_shape, dtype=np.float32) for _ in range(a.random)]
        labels = None
    else:
        if not a.mnist:
            ap.error("--mnist or --random")
        images, lab = load_mnist(a.mnist)
        images = images[a.skip:a.skip + a.count]
        labels = lab[a.skip:a.skip + a.count]
        xs = [(im.astype(np.float32) / 255.0).reshape(in_shape) for im in images]
    fsess = None
    if a.float_model:
        fsess = ort.InferenceSession(a.float_model, providers=["CPUExecutionProvider"])

    mism, total = {}, {}
    layer_problems = []
    final_diff = 0
    correct = {"golden": 0, "onnxruntime": 0, "float": 0}
    with tempfile.TemporaryDirectory() as tmp:
        for i, x in enumerate(xs):
            res = dict(zip(out_names, sess.run(None, {in_name: x})))
            # The fused graph run here must be exactly what the default session computes.
            ref_out = default.run(None, {in_name: x})[0]
            final_diff += int((res[out_names[0]] != ref_out).sum())
            q_in = next(o for o in out_names if o not in layer_tensors and res[o].ndim == 4
                        and res[o].dtype in (np.int8, np.uint8))  # the quantized input
            xin = res[q_in][0].transpose(1, 2, 0)  # CHW -> HWC
            if xin.dtype == np.uint8 and sess_input_dtype(a.model) == "int8":
                xin = (xin.astype(np.int16) - 128).astype(np.int8)  # ORT's s8 -> u8 conversion
            xp = os.path.join(tmp, "x.npy")
            np.save(xp, xin)
            dump = os.path.join(tmp, f"dump{i}")
            p = subprocess.run([a.rtlgen, "run", a.model, "--input", xp, "--dump", dump],
                               capture_output=True, text=True)
            if p.returncode != 0:
                print(p.stdout + p.stderr)
                print("0 passed, 1 failed")
                return 1
            man = json.load(open(os.path.join(dump, "manifest.json")))
            if len(man["layers"]) != len(layer_tensors):
                print(f"rtlgen has {len(man['layers'])} layers, ONNX Runtime's fused graph "
                      f"{len(layer_tensors)} integer tensors: {layer_tensors}")
                print("0 passed, 1 failed")
                return 1
            last = None
            # Matched by name (branches may run in another order), unless ONNX Runtime renamed
            # the tensors: an int8 QDQ graph runs as uint8, its tensors named
            # qdq_s8_to_u8_quant_token_N. Then in node order: such graphs are chains.
            by_name = all(layer["source"] in layer_tensors for layer in man["layers"])
            if not by_name and any(not t.startswith("qdq_s8_to_u8_") for t in layer_tensors):
                missing = [l["name"] for l in man["layers"] if l["source"] not in layer_tensors]
                print(f"rtlgen layers {missing}: their sources are not integer tensors of ONNX "
                      f"Runtime's fused graph: {layer_tensors}")
                print("0 passed, 1 failed")
                return 1
            for layer, in_order in zip(man["layers"], layer_tensors):
                onnx_name = layer["source"] if by_name else in_order
                got = np.load(os.path.join(dump, layer["file"])).reshape(-1).astype(np.int64)
                ref = res[onnx_name]
                if ref.ndim == 4:
                    ref = ref.transpose(0, 2, 3, 1)
                ref = ref.reshape(-1).astype(np.int64)
                if res[onnx_name].dtype == np.uint8 and layer["dtype"] == "int8":
                    ref = ref - 128  # ORT ran the int8 QDQ graph as uint8 (zero points + 128)
                key = f'{layer["name"]} ({layer["source"]})'
                total[key] = total.get(key, 0) + ref.size
                n_bad = int((ref != got).sum()) if ref.size == got.size else ref.size
                mism[key] = mism.get(key, 0) + n_bad
                last = (got, ref)
            if labels is not None and last is not None:
                correct["golden"] += int(np.argmax(last[0]) == labels[i])
                correct["onnxruntime"] += int(np.argmax(ref_out) == labels[i])
                if fsess is not None:
                    fo = fsess.run(None, {fsess.get_inputs()[0].name: x})[0]
                    correct["float"] += int(np.argmax(fo) == labels[i])
            shutil.rmtree(dump)
    print(f"fused graph vs default session: {final_diff} output values differ")
    passed = failed = 0
    for key in total:
        status = "OK" if mism[key] == 0 else "MISMATCH"
        print(f"{key}: {mism[key]} of {total[key]} bytes differ over {len(xs)} inputs  {status}")
        passed += mism[key] == 0
        failed += mism[key] != 0
    failed += final_diff != 0
    if labels is not None:
        n = len(xs)
        line = (f"accuracy on {n} digits (from {a.skip}): rtlgen golden {100 * correct['golden'] / n:.2f}%, "
                f"ONNX Runtime {100 * correct['onnxruntime'] / n:.2f}%")
        if fsess is not None:
            line += f", float model {100 * correct['float'] / n:.2f}%"
        print(line)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
