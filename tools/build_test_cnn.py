#!/usr/bin/env python3
"""Build a small int8 test CNN that exercises many TFLite ops -> configs/testnet_int8.tflite.

Graph (input 17x15x3, batch 1; per-channel int8 weights, int8 activations, int8 in/out):
  CONV_2D 3x3 stride 2 SAME on the odd 17x15 input (+BatchNorm folded, RELU6 fused)  -> 9x8x8
  (RELU6 appears as a fused activation of CONV_2D and MAX_POOL_2D)
  DEPTHWISE_CONV_2D 3x3 SAME, depth_multiplier 1, RELU                                 -> 9x8x8
  CONV_2D 1x1 (no activation)                                                          -> 9x8x8
  ADD (residual with the first conv)                                                   -> 9x8x8
  MAX_POOL_2D 3x3 stride 2 SAME (clipped windows), RELU6 fused                          -> 5x4x8
  DEPTHWISE_CONV_2D 3x3 stride 2 SAME, depth_multiplier 2 (even width 4 -> pad 0/1)   -> 3x2x16
  AVERAGE_POOL_2D 2x2 stride 1 SAME (clipped windows at the bottom/right)              -> 3x2x16
  MEAN over H,W (GlobalAveragePooling2D, keep_dims false)                             -> 16
  [--standalone-relu6 only: RELU6 after MEAN, a standalone op since MEAN has no fused
   activation; it rescales (in/out quantization differ). rtlgen rejects it today.]
  FULLY_CONNECTED 12 + RELU -> FULLY_CONNECTED 5 -> SOFTMAX

Weights: seeded random init, trained a few steps on seeded random data so that weight and
activation ranges look realistic. Calibration with random inputs in [-1, 1].

Usage: python3 tools/build_test_cnn.py [--out configs/testnet_int8.tflite] [--seed 3]
"""
import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_DETERMINISTIC_OPS", "1")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tflite_int8  # noqa: E402

H, W, C = 17, 15, 3


def build(tf, batch_size=None, standalone_relu6=False):
    L = tf.keras.layers
    inp = tf.keras.Input(shape=(H, W, C), batch_size=batch_size, name="image")
    a = L.Conv2D(8, 3, strides=2, padding="same", use_bias=False, name="conv_s2")(inp)
    a = L.BatchNormalization(name="bn")(a)
    a = L.ReLU(max_value=6.0, name="relu6_a")(a)                       # fused into CONV_2D
    b = L.DepthwiseConv2D(3, padding="same", depth_multiplier=1, activation="relu", name="dw1")(a)
    b = L.Conv2D(8, 1, name="pw1")(b)
    x = L.Add(name="residual")([a, b])
    x = L.MaxPooling2D(3, strides=2, padding="same", name="maxpool")(x)
    x = L.ReLU(max_value=6.0, name="relu6_b")(x)                       # fused into MAX_POOL_2D
    x = L.DepthwiseConv2D(3, strides=2, padding="same", depth_multiplier=2, name="dw2_dm2")(x)
    x = L.AveragePooling2D(2, strides=1, padding="same", name="avgpool")(x)
    x = L.GlobalAveragePooling2D(name="gap")(x)                        # MEAN
    if standalone_relu6:
        x = L.ReLU(max_value=6.0, name="relu6_c")(x)                   # standalone RELU6
    x = L.Dense(12, activation="relu", name="fc1")(x)
    x = L.Dense(5, name="fc2")(x)
    out = L.Softmax(name="softmax")(x)
    return tf.keras.Model(inp, out, name="testnet")


def describe(tfl):
    """Op list with the interesting options, from the flatbuffer."""
    from ai_edge_litert import schema_py_generated as S
    names = {v: k for k, v in vars(S.BuiltinOperator).items() if not k.startswith("_")}
    m = S.ModelT.InitFromObj(S.Model.GetRootAs(tfl, 0))
    sg = m.subgraphs[0]
    lines = []
    for i, op in enumerate(sg.operators):
        oc = m.operatorCodes[op.opcodeIndex]
        name = names.get(max(oc.builtinCode, oc.deprecatedBuiltinCode), "?")
        t_in = sg.tensors[op.inputs[0]]
        t_out = sg.tensors[op.outputs[0]]
        opt = op.builtinOptions
        o = ""
        if opt is not None:
            d = {k: v for k, v in vars(opt).items() if v not in (None, [])}
            o = " " + ", ".join(f"{k}={v}" for k, v in d.items())
        lines.append(f"{i:2d} {name:18s} {[int(v) for v in t_in.shape]} -> "
                     f"{[int(v) for v in t_out.shape]}{o}")
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="configs/testnet_int8.tflite")
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--standalone-relu6", action="store_true",
                    help="add a standalone RELU6 op after MEAN (not supported by rtlgen yet)")
    args = ap.parse_args()

    import tensorflow as tf
    tf.keras.utils.set_random_seed(args.seed)
    tf.config.experimental.enable_op_determinism()

    rng = np.random.default_rng(args.seed)
    n = 512
    x = rng.uniform(-1, 1, size=(n, H, W, C)).astype(np.float32)
    # a learnable-ish target: class from the sign pattern of channel means
    m = x.mean(axis=(1, 2))
    y = ((m[:, 0] > 0).astype(int) + 2 * (m[:, 1] > 0) + (m[:, 2] > 0)) % 5

    model = build(tf, standalone_relu6=args.standalone_relu6)
    model.compile(optimizer=tf.keras.optimizers.Adam(3e-3),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(), metrics=["accuracy"])
    batch = 32
    epochs = max(1, args.steps * batch // n)
    model.fit(x, y, batch_size=batch, epochs=epochs, shuffle=False, verbose=0)

    export = build(tf, batch_size=1, standalone_relu6=args.standalone_relu6)
    export.set_weights(model.get_weights())
    rep_x = rng.uniform(-1, 1, size=(64, H, W, C)).astype(np.float32)

    tfl = tflite_int8.convert_int8(tf, export, tflite_int8.one_at_a_time(rep_x))
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "wb") as f:
        f.write(tfl)
    print(f"wrote {args.out}: {len(tfl)} bytes")
    for line in describe(tfl):
        print(line)

    import tflite_oracle as oracle
    spec = oracle.model_input_spec(args.out)
    print(f"input {spec['shape']} {spec['dtype']} scale {spec['scale']!r} zp {spec['zero_point']}")
    recs = oracle.run_oracle(args.out, oracle.random_input(args.out, 0))
    print("softmax output for random input 0:", recs[-1]["data"].ravel().tolist())


if __name__ == "__main__":
    main()
