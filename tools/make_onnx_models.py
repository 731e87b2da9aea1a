#!/usr/bin/env python3
"""Makes the ONNX test models (needs numpy, onnx, onnxruntime; no PyTorch).

  configs/lenet_qdq.onnx   LeNet-5 (c1 conv 1->6 5x5 pad 2, ReLU, 2x2 avgpool, c3 conv 6->16 5x5,
                           ReLU, avgpool, c5 conv 16->120 5x5, ReLU, flatten, f6 120->84, ReLU,
                           output 84->10) as a float NCHW ONNX graph, its weights the dequantized
                           parameters of configs/lenet.yaml (trained by tools/train_lenet.py on the
                           first 8,000 shared MNIST digits), then statically quantized by ONNX
                           Runtime's quantize_static: QDQ, int8 activations, per-channel int8
                           weights, calibrated on 500 of the first 8,000 digits.
  configs/onnx_qop_cnn.onnx  a small QOperator CNN made with onnx.helper: QuantizeLinear,
                           QLinearConv (per-channel int8), MaxPool, QLinearConv, a residual
                           block (QLinearConv + com.microsoft QLinearAdd), a 1x1 QLinearConv
                           and a com.microsoft QLinearConcat of it with the sum (both inputs
                           requantized), com.microsoft QLinearAveragePool,
                           QLinearGlobalAveragePool, Flatten, QGemm,
                           QLinearMatMul, DequantizeLinear; random weights, fixed seed.
  configs/onnx_qop_cnn_hw.onnx  the same without the QLinearAveragePool (an Identity instead):
                           every layer has RTL, for the Verilator regression.
  configs/onnx_qdq_add_u8.onnx, configs/onnx_qdq_add_i8.onnx  a residual block (Conv and an Add
                           of its output and the input), float with random weights, quantized
                           by quantize_static with uint8 and with int8 activations: ONNX
                           Runtime fuses the uint8 one (QLinearConv, QLinearAdd) and none of
                           the int8 one's groups, whose Add rtlgen refuses.
  configs/onnx_qdq_concat_u8.onnx  the same block with Concat(conv, x) instead of the Add, uint8
                           activations (ONNX Runtime: QLinearConv, QLinearConcat).
  configs/onnx_qdq_inception_u8.onnx  an Inception-style block: four branches (1x1; 1x1 then
                           3x3; 3x3; the input itself) joined by one Concat, uint8 activations
                           (ONNX Runtime: QLinearConvs and a QLinearConcat of four inputs).

Pixels: the network input is the float pixel / 255 quantized by the model's first
QuantizeLinear; rtlgen takes the quantized int8 values (pixel - 128 for scale 1/255, zp -128).
"""
import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from mnist_idx import load_mnist  # noqa: E402


def build_lenet(params, yaml_scales):
    """Float LeNet from the int8 parameters (weights and biases dequantized exactly)."""
    inits, nodes = [], []
    prev = "pixels"
    in_scale = np.float32(1 / 255.0)
    layer_in_scale = {}
    specs = [("conv1", 2), ("pool",), ("conv2", 0), ("pool",), ("conv3", 0), ("flatten",),
             ("fc1",), ("fc2",)]
    pool_i = 0
    for spec in specs:
        kind = spec[0]
        if kind == "pool":
            pool_i += 1
            out = f"pool{pool_i}_out"
            nodes.append(h.make_node("AveragePool", [prev], [out], name=f"pool{pool_i}",
                                     kernel_shape=[2, 2], strides=[2, 2]))
            prev = out
            continue
        if kind == "flatten":
            nodes.append(h.make_node("Flatten", [prev], ["flat"], name="flatten", axis=1))
            prev = "flat"
            continue
        name = kind
        q = np.load(os.path.join(params, f"{name}_weights.npy")).astype(np.float32)
        s = np.load(os.path.join(params, f"{name}_weight_scales.npy")).astype(np.float32)
        b = np.load(os.path.join(params, f"{name}_bias.npy")).astype(np.float32)
        s_in = yaml_scales[name]
        if name.startswith("conv"):
            wf = (q * s.reshape(-1, 1, 1, 1)).transpose(0, 3, 1, 2).astype(np.float32)
            bf = (b * s * s_in).astype(np.float32)
            inits += [nh.from_array(wf, f"{name}.weight"), nh.from_array(bf, f"{name}.bias")]
            nodes.append(h.make_node("Conv", [prev, f"{name}.weight", f"{name}.bias"],
                                     [f"{name}_conv"], name=name, kernel_shape=[5, 5],
                                     pads=[2, 2, 2, 2] if name == "conv1" else [0, 0, 0, 0]))
        else:
            wf = (q * s.reshape(-1, 1)).astype(np.float32)  # [O, I]: Gemm transB=1 (torch Linear)
            bf = (b * s * s_in).astype(np.float32)
            inits += [nh.from_array(wf, f"{name}.weight"), nh.from_array(bf, f"{name}.bias")]
            nodes.append(h.make_node("Gemm", [prev, f"{name}.weight", f"{name}.bias"],
                                     [f"{name}_conv"], name=name, transB=1))
        if name != "fc2":
            nodes.append(h.make_node("Relu", [f"{name}_conv"], [f"{name}_relu"], name=f"{name}_relu"))
            prev = f"{name}_relu"
        else:
            prev = f"{name}_conv"
    g = h.make_graph(nodes, "lenet", [h.make_tensor_value_info("pixels", T.FLOAT, [1, 1, 28, 28])],
                     [h.make_tensor_value_info(prev, T.FLOAT, [1, 10])], inits)
    m = h.make_model(g, opset_imports=[h.make_opsetid("", 13)], producer_name="rtlgen")
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m


def quantize_lenet(float_path, out_path, images):
    from onnxruntime.quantization import (CalibrationDataReader, QuantFormat, QuantType,
                                          quantize_static)

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.it = iter([{"pixels": (im.astype(np.float32) / 255.0).reshape(1, 1, 28, 28)}
                            for im in images])

        def get_next(self):
            return next(self.it, None)

    quantize_static(float_path, out_path, Reader(), quant_format=QuantFormat.QDQ,
                    activation_type=QuantType.QInt8, weight_type=QuantType.QInt8,
                    per_channel=True)


def build_qop_cnn(seed=21, avgpool=True):
    """Small QOperator CNN on a 12x12x3 uint8... int8 input, with the com.microsoft ops."""
    rng = np.random.default_rng(seed)
    inits, nodes = [], []

    def c(name, arr):
        inits.append(nh.from_array(arr, name))
        return name

    def scal(name, v):
        return c(name, np.array(v, dtype=np.float32))

    def zp(name, v):
        return c(name, np.array(v, dtype=np.int8))

    x_s, x_z = 1 / 255.0, -128
    nodes.append(h.make_node("QuantizeLinear", ["x", scal("x_s", x_s), zp("x_z", x_z)], ["xq"],
                             name="quant_in"))
    # QLinearConv 3->8 3x3 pad 1, per-channel weights
    w1 = rng.integers(-127, 128, size=(8, 3, 3, 3)).astype(np.int8)
    w1s = rng.uniform(0.002, 0.01, size=8).astype(np.float32)
    b1 = rng.integers(-3000, 3000, size=8).astype(np.int32)
    nodes.append(h.make_node("QLinearConv", ["xq", "x_s", "x_z", c("w1", w1), c("w1_s", w1s),
                                             c("w1_z", np.zeros(8, np.int8)), scal("y1_s", 0.02),
                                             zp("y1_z", -5), c("b1", b1)], ["y1"],
                             name="conv_a", pads=[1, 1, 1, 1]))
    nodes.append(h.make_node("MaxPool", ["y1"], ["p1"], name="maxpool", kernel_shape=[2, 2],
                             strides=[2, 2]))
    w2 = rng.integers(-127, 128, size=(12, 8, 3, 3)).astype(np.int8)
    nodes.append(h.make_node("QLinearConv", ["p1", "y1_s", "y1_z", c("w2", w2),
                                             scal("w2_s", 0.004), zp("w2_z", 0),
                                             scal("y2_s", 0.05), zp("y2_z", 3),
                                             c("b2", rng.integers(-2000, 2000, size=12).astype(np.int32))],
                             ["y2"], name="conv_b", pads=[1, 1, 1, 1]))
    # residual block: conv_c 12->12 3x3, then com.microsoft QLinearAdd(conv_c, conv_b)
    w2c = rng.integers(-127, 128, size=(12, 12, 3, 3)).astype(np.int8)
    nodes.append(h.make_node("QLinearConv", ["y2", "y2_s", "y2_z", c("w2c", w2c),
                                             scal("w2c_s", 0.003), zp("w2c_z", 0),
                                             scal("y2c_s", 0.06), zp("y2c_z", -9),
                                             c("b2c", rng.integers(-2000, 2000, size=12).astype(np.int32))],
                             ["y2c"], name="conv_c", pads=[1, 1, 1, 1]))
    nodes.append(h.make_node("QLinearAdd", ["y2c", "y2c_s", "y2c_z", "y2", "y2_s", "y2_z",
                                            scal("y2r_s", 0.07), zp("y2r_z", 1)], ["y2r"],
                             name="residual_add", domain="com.microsoft"))
    # concatenation: conv_d 12->8 1x1 on the sum, then com.microsoft QLinearConcat(sum, conv_d)
    # into a third quantization, so that both inputs are requantized
    w2d = rng.integers(-127, 128, size=(8, 12, 1, 1)).astype(np.int8)
    nodes.append(h.make_node("QLinearConv", ["y2r", "y2r_s", "y2r_z", c("w2d", w2d),
                                             scal("w2d_s", 0.005), zp("w2d_z", 0),
                                             scal("y2d_s", 0.05), zp("y2d_z", -3),
                                             c("b2d", rng.integers(-1000, 1000, size=8).astype(np.int32))],
                             ["y2d"], name="conv_d"))
    nodes.append(h.make_node("QLinearConcat", [scal("y2k_s", 0.08), zp("y2k_z", 2),
                                               "y2r", "y2r_s", "y2r_z", "y2d", "y2d_s", "y2d_z"],
                             ["y2k"], name="concat", domain="com.microsoft", axis=1))
    if avgpool:
        nodes.append(h.make_node("QLinearAveragePool", ["y2k", "y2k_s", "y2k_z", scal("y3_s", 0.037),
                                                        zp("y3_z", -7)], ["y3"], name="avgpool",
                                 domain="com.microsoft", kernel_shape=[2, 2], strides=[2, 2]))
    else:  # no float average pool: every layer has RTL (rtlgen_requant_float)
        nodes.append(h.make_node("Identity", ["y2k"], ["y3"], name="no_avgpool"))
        inits.append(nh.from_array(np.array(0.08, dtype=np.float32), "y3_s"))
        inits.append(nh.from_array(np.array(2, dtype=np.int8), "y3_z"))
    nodes.append(h.make_node("QLinearGlobalAveragePool", ["y3", "y3_s", "y3_z", scal("y4_s", 0.021),
                                                          zp("y4_z", 2)], ["y4"], name="gap",
                             domain="com.microsoft", channels_last=0))
    nodes.append(h.make_node("Flatten", ["y4"], ["f4"], name="flatten", axis=1))
    w5 = rng.integers(-127, 128, size=(16, 20)).astype(np.int8)
    nodes.append(h.make_node("QGemm", ["f4", "y4_s", "y4_z", c("w5", w5),
                                       c("w5_s", rng.uniform(0.003, 0.02, size=16).astype(np.float32)),
                                       c("w5_z", np.zeros(16, np.int8)),
                                       c("b5", rng.integers(-500, 500, size=16).astype(np.int32)),
                                       scal("y5_s", 0.03), zp("y5_z", -1)], ["y5"],
                             name="gemm", domain="com.microsoft", transB=1))
    w6 = rng.integers(-127, 128, size=(16, 10)).astype(np.int8)
    nodes.append(h.make_node("QLinearMatMul", ["y5", "y5_s", "y5_z", c("w6", w6),
                                               scal("w6_s", 0.006), zp("w6_z", 0),
                                               scal("y6_s", 0.08), zp("y6_z", 4)], ["y6"],
                             name="matmul"))
    nodes.append(h.make_node("DequantizeLinear", ["y6", "y6_s", "y6_z"], ["logits"],
                             name="dequant_out"))
    g = h.make_graph(nodes, "qop_cnn", [h.make_tensor_value_info("x", T.FLOAT, [1, 3, 12, 12])],
                     [h.make_tensor_value_info("logits", T.FLOAT, [1, 10])], inits)
    m = h.make_model(g, opset_imports=[h.make_opsetid("", 13), h.make_opsetid("com.microsoft", 1)],
                     producer_name="rtlgen")
    m.ir_version = 8
    return m


def quantize_block(graph, rng, signed, out_path):
    """quantize_static of a float block on a (1, 4, 8, 8) input "x": QDQ, per-channel int8
    weights, int8 or uint8 activations, calibrated on 16 random inputs from `rng`."""
    import tempfile
    from onnxruntime.quantization import (CalibrationDataReader, QuantFormat, QuantType,
                                          quantize_static)
    m = h.make_model(graph, opset_imports=[h.make_opsetid("", 13)], producer_name="rtlgen")
    m.ir_version = 8
    calib = [{"x": rng.random((1, 4, 8, 8), dtype=np.float32)} for _ in range(16)]

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.it = iter(calib)

        def get_next(self):
            return next(self.it, None)

    with tempfile.TemporaryDirectory() as tmp:
        fpath = os.path.join(tmp, "float.onnx")
        onnx.save(m, fpath)
        quantize_static(fpath, out_path, Reader(), quant_format=QuantFormat.QDQ,
                        activation_type=QuantType.QInt8 if signed else QuantType.QUInt8,
                        weight_type=QuantType.QInt8, per_channel=True)


def build_qdq_join(signed, out_path, join="Add", seed=22):
    """A residual block on a 8x8x4 input, x -> Conv 4->4 3x3 pad 1 -> Add(conv, x) (or
    Concat(conv, x) along the channels), float (random weights), then quantize_static (QDQ,
    per-channel int8 weights, calibrated on 16 random inputs) with int8 or uint8 activations."""
    rng = np.random.default_rng(seed)
    w = (rng.standard_normal((4, 4, 3, 3)) * 0.2).astype(np.float32)
    b = (rng.standard_normal(4) * 0.1).astype(np.float32)
    nodes = [h.make_node("Conv", ["x", "w", "b"], ["y"], name="conv", pads=[1, 1, 1, 1]),
             h.make_node(join, ["y", "x"], ["out"], name="residual_" + join.lower(),
                         **({"axis": 1} if join == "Concat" else {}))]
    oc = 8 if join == "Concat" else 4
    g = h.make_graph(nodes, "qdq_join", [h.make_tensor_value_info("x", T.FLOAT, [1, 4, 8, 8])],
                     [h.make_tensor_value_info("out", T.FLOAT, [1, oc, 8, 8])],
                     [nh.from_array(w, "w"), nh.from_array(b, "b")])
    quantize_block(g, rng, signed, out_path)


def build_qdq_inception(out_path, seed=23):
    """An Inception-style block on a 8x8x4 input: four branches joined by one Concat along the
    channels, x -> [Conv 1x1 4->4, Relu], [Conv 1x1 4->4, Relu, Conv 3x3 4->8 pad 1, Relu],
    [Conv 3x3 4->4 pad 1, Relu], [x itself]; float (random weights), then quantize_static (QDQ,
    uint8 activations, per-channel int8 weights, calibrated on 16 random inputs). ONNX Runtime
    fuses it into QLinearConvs and one QLinearConcat of four inputs, each with its own
    quantization."""
    rng = np.random.default_rng(seed)
    inits, nodes = [], []

    def conv(name, x, cin, cout, k):
        w = (rng.standard_normal((cout, cin, k, k)) * (0.6 / k)).astype(np.float32)
        b = (rng.standard_normal(cout) * 0.1).astype(np.float32)
        inits.extend([nh.from_array(w, name + "_w"), nh.from_array(b, name + "_b")])
        nodes.append(h.make_node("Conv", [x, name + "_w", name + "_b"], [name + "_c"], name=name,
                                 pads=[k // 2] * 4))
        nodes.append(h.make_node("Relu", [name + "_c"], [name], name=name + "_relu"))
        return name

    b1 = conv("b1_1x1", "x", 4, 4, 1)
    b2 = conv("b2_3x3", conv("b2_1x1", "x", 4, 4, 1), 4, 8, 3)
    b3 = conv("b3_3x3", "x", 4, 4, 3)
    nodes.append(h.make_node("Concat", [b1, b2, b3, "x"], ["out"], name="join", axis=1))
    g = h.make_graph(nodes, "qdq_inception",
                     [h.make_tensor_value_info("x", T.FLOAT, [1, 4, 8, 8])],
                     [h.make_tensor_value_info("out", T.FLOAT, [1, 20, 8, 8])], inits)
    quantize_block(g, rng, False, out_path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mnist", default=os.path.join(ROOT, "..", "shared", "data", "mnist"))
    ap.add_argument("--out", default=os.path.join(ROOT, "configs"))
    ap.add_argument("--float-out", help="also keep the float LeNet here (for its accuracy)")
    ap.add_argument("--qop-only", action="store_true",
                    help="only the small models (no MNIST, lenet_qdq.onnx untouched)")
    a = ap.parse_args()
    if a.qop_only:
        save_qop_models(a.out)
        return
    images, _ = load_mnist(a.mnist)
    # Input scale of each weighted layer of configs/lenet.yaml (to dequantize its int32 bias).
    scales = {"conv1": 0.00392156886, "conv2": 0.0139740072, "conv3": 0.0384207666,
              "fc1": 0.0561523847, "fc2": 0.0775113925}
    scales = {k: np.float32(v) for k, v in scales.items()}
    fm = build_lenet(os.path.join(ROOT, "configs", "lenet_params"), scales)
    fpath = os.path.join(a.out, "lenet_float.onnx")
    onnx.save(fm, fpath)
    quantize_lenet(fpath, os.path.join(a.out, "lenet_qdq.onnx"), images[:8000:16])
    if a.float_out:
        os.replace(fpath, a.float_out)
    else:
        os.remove(fpath)
    save_qop_models(a.out)
    print("wrote", os.path.join(a.out, "lenet_qdq.onnx"))


def save_qop_models(out):
    onnx.save(build_qop_cnn(), os.path.join(out, "onnx_qop_cnn.onnx"))
    onnx.save(build_qop_cnn(avgpool=False), os.path.join(out, "onnx_qop_cnn_hw.onnx"))
    build_qdq_join(True, os.path.join(out, "onnx_qdq_add_i8.onnx"))
    build_qdq_join(False, os.path.join(out, "onnx_qdq_add_u8.onnx"))
    build_qdq_join(False, os.path.join(out, "onnx_qdq_concat_u8.onnx"), join="Concat")
    build_qdq_inception(os.path.join(out, "onnx_qdq_inception_u8.onnx"))
    print("wrote", os.path.join(out, "onnx_qop_cnn.onnx"), os.path.join(out, "onnx_qop_cnn_hw.onnx"),
          os.path.join(out, "onnx_qdq_add_i8.onnx"), os.path.join(out, "onnx_qdq_add_u8.onnx"),
          os.path.join(out, "onnx_qdq_concat_u8.onnx"), os.path.join(out, "onnx_qdq_inception_u8.onnx"))


if __name__ == "__main__":
    main()
