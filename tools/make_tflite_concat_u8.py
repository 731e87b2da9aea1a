#!/usr/bin/env python3
"""Makes configs/tflite_concat_u8.tflite: a uint8 TFLite model whose CONCATENATION joins inputs
quantized differently from its output (needs numpy, flatbuffers and ai-edge-litert's schema;
no TensorFlow: the flatbuffer is written directly with the schema's object API).

TFLite's converter gives an int8 CONCATENATION's inputs the output's quantization, and TFLite's
int8 kernel refuses anything else; uint8 models (the older quantization-aware ones, such as
MobileNet v1 quant) keep each input's own scale and zero point, and the uint8 kernel requantizes
(docs/tflite-arithmetic.md, "CONCATENATION"). The graph, on a 8x8x3 uint8 input:

  x -> CONV_2D 1x1 3->4, RELU   -> a   (scale 0.0061, zero point 0)
  x -> CONV_2D 3x3 3->2 SAME    -> b   (scale 0.019, zero point 121)
  CONCATENATION(a, b, x), axis 3 -> y  (scale 0.0213, zero point 117; 9 channels)

Weights: uint8 (zero points 131 and 119), seeded random, int32 biases at input x weight scale.

  python3 tools/make_tflite_concat_u8.py [--out configs/tflite_concat_u8.tflite]
"""
import argparse
import os

import flatbuffers
import numpy as np
from ai_edge_litert import schema_py_generated as S

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Model:
    def __init__(self):
        self.m = S.ModelT()
        self.m.version = 3
        self.m.description = "rtlgen: uint8 CONCATENATION with requantized inputs"
        self.m.operatorCodes, self.m.buffers = [], [S.BufferT()]  # buffer 0: empty by convention
        self.sg = S.SubGraphT()
        self.sg.tensors, self.sg.operators, self.sg.name = [], [], "main"
        self.m.subgraphs = [self.sg]

    def tensor(self, name, shape, ttype, scale, zp, data=None):
        t = S.TensorT()
        t.name, t.shape, t.type = name, list(shape), ttype
        t.buffer = 0
        if data is not None:
            b = S.BufferT()
            b.data = np.frombuffer(np.ascontiguousarray(data).tobytes(), dtype=np.uint8).tolist()
            self.m.buffers.append(b)
            t.buffer = len(self.m.buffers) - 1
        q = S.QuantizationParametersT()
        q.scale = [float(np.float32(scale))]
        q.zeroPoint = [int(zp)]
        t.quantization = q
        self.sg.tensors.append(t)
        return len(self.sg.tensors) - 1

    def op(self, code, inputs, outputs, opt_type, opt):
        codes = [c.builtinCode for c in self.m.operatorCodes]
        if code not in codes:
            c = S.OperatorCodeT()
            c.builtinCode = c.deprecatedBuiltinCode = code
            c.version = 1
            self.m.operatorCodes.append(c)
            codes.append(code)
        o = S.OperatorT()
        o.opcodeIndex = codes.index(code)
        o.inputs, o.outputs = list(inputs), list(outputs)
        o.builtinOptionsType, o.builtinOptions = opt_type, opt
        self.sg.operators.append(o)

    def conv(self, name, x, x_scale, cin, cout, k, relu, out_scale, out_zp, w_zp, rng):
        w = rng.integers(0, 256, size=(cout, k, k, cin)).astype(np.uint8)
        w_scale = 0.004
        bias = rng.integers(-300, 300, size=cout).astype(np.int32)
        wt = self.tensor(name + "/weights", w.shape, S.TensorType.UINT8, w_scale, w_zp, w)
        bt = self.tensor(name + "/bias", (cout,), S.TensorType.INT32, x_scale * w_scale, 0, bias)
        y = self.tensor(name, (1, 8, 8, cout), S.TensorType.UINT8, out_scale, out_zp)
        o = S.Conv2DOptionsT()
        o.padding = S.Padding.SAME
        o.strideW = o.strideH = o.dilationWFactor = o.dilationHFactor = 1
        o.fusedActivationFunction = S.ActivationFunctionType.RELU if relu else 0
        self.op(S.BuiltinOperator.CONV_2D, [x, wt, bt], [y], S.BuiltinOptions.Conv2DOptions, o)
        return y

    def bytes(self):
        b = flatbuffers.Builder(1024)
        b.Finish(self.m.Pack(b), file_identifier=b"TFL3")
        return bytes(b.Output())


def build(seed=5):
    rng = np.random.default_rng(seed)
    m = Model()
    x_scale = 1.0 / 255
    x = m.tensor("input", (1, 8, 8, 3), S.TensorType.UINT8, x_scale, 0)
    a = m.conv("branch_1x1", x, x_scale, 3, 4, 1, True, 0.0061, 0, 131, rng)
    b = m.conv("branch_3x3", x, x_scale, 3, 2, 3, False, 0.019, 121, 119, rng)
    y = m.tensor("concat", (1, 8, 8, 9), S.TensorType.UINT8, 0.0213, 117)
    o = S.ConcatenationOptionsT()
    o.axis, o.fusedActivationFunction = 3, 0
    m.op(S.BuiltinOperator.CONCATENATION, [a, b, x], [y], S.BuiltinOptions.ConcatenationOptions, o)
    m.sg.inputs, m.sg.outputs = [x], [y]
    return m.bytes()


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(ROOT, "configs", "tflite_concat_u8.tflite"))
    a = ap.parse_args()
    open(a.out, "wb").write(build())
    print("wrote", a.out)


if __name__ == "__main__":
    main()
