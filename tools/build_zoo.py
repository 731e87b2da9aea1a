#!/usr/bin/env python3
"""Build the test-model zoo with the TFLite converter -> configs/zoo/<name>.tflite.

Five small int8 networks (full-integer quantization, per-channel int8 weights, int8 input and
output, batch 1), chosen to look like the MLPerf Tiny / keyword-spotting / visual-wake-word
classics while staying small enough for fast hardware simulation, and to exercise non-square
geometry (H != W inputs, non-square kernels and pooling windows, stride (2, 1), SAME padding
that is asymmetric on one axis only):

  resnet8         32x24x3 image -> 10 classes. Stem conv 3x3 (8), three residual blocks
                  (8 identity; 16 stride 2 with a VALID 1x1 stride-2 projection; 32 stride 2
                  with a 1x1 projection), ADD with fused RELU, MEAN, FC 10, SOFTMAX.
  dscnn_kws       49x10x1 "MFCC" -> 12 keywords. Conv 10x4 stride (2, 1) SAME, four
                  depthwise-separable blocks (3x3; 3x3 stride 2; 4x3; 3x3 VALID), AVERAGE_POOL_2D
                  11x3 (the whole map), FC 12 (Flatten folds away), SOFTMAX.
  fc_autoencoder  640 -> 128 -> 128 -> 8 -> 128 -> 128 -> 640 FULLY_CONNECTED (RELU inside,
                  linear bottleneck and output), trained as an autoencoder; input [1, 1, 1, 640].
  mobilenet96     96x96x3 -> 10 classes. MobileNet v1 style, width 0.25 (8..128 channels):
                  conv 3x3 stride 2, six depthwise-separable blocks with RELU6, one stride-2
                  depthwise behind an explicit ZeroPadding2D((1, 1), (0, 1)) (PAD + VALID,
                  asymmetric on W only), MEAN, FC 10, SOFTMAX.
  fire_inception  24x20x3 image -> 10 classes. Conv 3x3 stride 2 (16), a SqueezeNet fire module
                  (squeeze 1x1 8, expand 1x1 16 and 3x3 16, CONCATENATION of two), MAX_POOL 2x2,
                  an Inception-style block (1x1 16; 1x1 8 -> 3x3 16; 1x1 8 -> 3x3 8 -> 3x3 8,
                  CONCATENATION of three), MEAN, FC 10, SOFTMAX.

and the MLPerf Tiny reference architectures at their published sizes (`--models mlperf_resnet8,
mlperf_dscnn,mlperf_vww,mlperf_ad`; not built by default):

  mlperf_resnet8  32x32x3 CIFAR-10 -> 10. Stem 3x3 16, residual stages of 16, 32 (stride 2,
                  1x1 projection), 64 (stride 2, 1x1 projection), AVERAGE_POOL_2D 8x8, FC 10.
  mlperf_dscnn    49x10x1 -> 12 keywords. Conv 10x4 stride 2 SAME 64, four DW 3x3 + PW 64
                  blocks, AVERAGE_POOL_2D 25x5, FC 12.
  mlperf_vww      96x96x3 -> 2. MobileNet v1 width 0.25: conv 3x3 stride 2 8, 13 depthwise-
                  separable blocks up to 256 channels, AVERAGE_POOL_2D 3x3, FC 2.
  mlperf_ad       640-128-128-128-128-8-128-128-128-128-640 FULLY_CONNECTED (BN folded, RELU).

Weights: seeded Glorot init, then a few epochs of training on seeded random data (a simple
learnable target) so that BatchNorm statistics (momentum 0.9, folded by the converter) and
activation ranges are realistic. Calibration: 64 seeded random inputs in [-1, 1] (the same
distribution as the training data), so the int8 input has scale ~2/255 and zero point ~0 and
tools/tflite_oracle.random_input (uniform over -128..127) exercises the calibrated range.

Determinism: fixed seeds, tf.config.experimental.enable_op_determinism(), one TF thread.
Re-running with the same versions (tensorflow-cpu 2.21.0) gives the same bytes.

Usage: python3 tools/build_zoo.py [--out-dir configs/zoo] [--models resnet8,dscnn_kws,...]
"""
import argparse
import contextlib
import hashlib
import io
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_DETERMINISTIC_OPS", "1")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")
os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, ".."))
sys.path.insert(0, HERE)
import tflite_int8  # noqa: E402


# ---------------------------------------------------------------------------------------------
# Models. Each builder takes (tf, batch_size) so the training model (batch None) and the export
# model (batch 1: no dynamic shapes, Flatten becomes a static RESHAPE) share the weights.
# ---------------------------------------------------------------------------------------------

def _bn(L, name):
    return L.BatchNormalization(momentum=0.9, name=name)


def _conv_bn(L, x, filters, kernel, strides, padding, act, name):
    x = L.Conv2D(filters, kernel, strides=strides, padding=padding, use_bias=False, name=name)(x)
    x = _bn(L, name + "_bn")(x)
    if act == "relu":
        x = L.ReLU(name=name + "_relu")(x)
    elif act == "relu6":
        x = L.ReLU(max_value=6.0, name=name + "_relu6")(x)
    return x


def _dw_bn(L, x, kernel, strides, padding, act, name):
    x = L.DepthwiseConv2D(kernel, strides=strides, padding=padding, use_bias=False, name=name)(x)
    x = _bn(L, name + "_bn")(x)
    if act == "relu":
        x = L.ReLU(name=name + "_relu")(x)
    elif act == "relu6":
        x = L.ReLU(max_value=6.0, name=name + "_relu6")(x)
    return x


def _residual_block(L, x, filters, stride, name, proj_padding):
    """ResNet v1 basic block: 3x3 (stride) + RELU, 3x3, shortcut (identity, or a 1x1 strided
    projection with `proj_padding` where the shape changes), ADD, RELU (fused into the ADD)."""
    y = _conv_bn(L, x, filters, 3, stride, "same", "relu", name + "_a")
    y = _conv_bn(L, y, filters, 3, 1, "same", None, name + "_b")
    if stride != 1 or x.shape[-1] != filters:
        x = _conv_bn(L, x, filters, 1, stride, proj_padding, None, name + "_proj")
    z = L.Add(name=name + "_add")([x, y])
    return L.ReLU(name=name + "_out")(z)


def build_resnet8(tf, batch_size=None):
    L = tf.keras.layers
    inp = tf.keras.Input(shape=(32, 24, 3), batch_size=batch_size, name="image")
    x = _conv_bn(L, inp, 8, 3, 1, "same", "relu", "stem")                        # 32x24x8

    # strided 1x1 projections VALID (Keras default), as in the ResNet v1 shortcut
    x = _residual_block(L, x, 8, 1, "res1", "valid")                             # 32x24x8
    x = _residual_block(L, x, 16, 2, "res2", "valid")                            # 16x12x16
    x = _residual_block(L, x, 32, 2, "res3", "valid")                            # 8x6x32
    x = L.GlobalAveragePooling2D(name="gap")(x)                                  # MEAN
    x = L.Dense(10, name="fc")(x)
    out = L.Softmax(name="softmax")(x)
    return tf.keras.Model(inp, out, name="resnet8")


def build_dscnn_kws(tf, batch_size=None):
    L = tf.keras.layers
    inp = tf.keras.Input(shape=(49, 10, 1), batch_size=batch_size, name="mfcc")
    # 10x4 kernel, stride (2, 1), SAME on 49x10: pads H 4/5 and W 1/2          -> 25x10x32
    x = _conv_bn(L, inp, 32, (10, 4), (2, 1), "same", "relu", "conv1")
    # DS block 1: 3x3 SAME stride 1 (symmetric)                                 -> 25x10x32
    x = _dw_bn(L, x, 3, 1, "same", "relu", "ds1_dw")
    x = _conv_bn(L, x, 32, 1, 1, "same", "relu", "ds1_pw")
    # DS block 2: 3x3 stride 2 SAME on 25x10: pads H 1/1 (symmetric), W 0/1    -> 13x5x64
    x = _dw_bn(L, x, 3, 2, "same", "relu", "ds2_dw")
    x = _conv_bn(L, x, 64, 1, 1, "same", "relu", "ds2_pw")
    # DS block 3: 4x3 kernel SAME on 13x5: pads H 1/2, W 1/1 (symmetric)       -> 13x5x64
    x = _dw_bn(L, x, (4, 3), 1, "same", "relu", "ds3_dw")
    x = _conv_bn(L, x, 64, 1, 1, "same", "relu", "ds3_pw")
    # DS block 4: 3x3 VALID on 13x5 (TF's depthwise conv cannot stride (2, 1))   -> 11x3x64
    x = _dw_bn(L, x, 3, 1, "valid", "relu", "ds4_dw")
    x = _conv_bn(L, x, 64, 1, 1, "same", "relu", "ds4_pw")
    x = L.AveragePooling2D((11, 3), name="avgpool")(x)                           # 1x1x64
    x = L.Flatten(name="flatten")(x)                     # folded: FC reads [1, 1, 1, 64]
    x = L.Dense(12, name="fc")(x)
    out = L.Softmax(name="softmax")(x)
    return tf.keras.Model(inp, out, name="dscnn_kws")


def build_fc_autoencoder(tf, batch_size=None):
    L = tf.keras.layers
    # Rank-4 input [1, 1, 1, 640]: `rtlgen run` accepts .npy inputs of shape HWC or NHWC only,
    # and tflite_compare hands a rank-2 model input over as [1, 640] (see tools/README.md).
    inp = tf.keras.Input(shape=(1, 1, 640), batch_size=batch_size, name="frames")
    x = inp
    for i, (n, act) in enumerate([(128, "relu"), (128, "relu"), (8, None),
                                  (128, "relu"), (128, "relu")]):
        x = L.Dense(n, activation=act, name=f"fc{i + 1}")(x)
    out = L.Dense(640, name="fc6")(x)
    return tf.keras.Model(inp, out, name="fc_autoencoder")


def build_mobilenet96(tf, batch_size=None):
    L = tf.keras.layers
    inp = tf.keras.Input(shape=(96, 96, 3), batch_size=batch_size, name="image")
    x = _conv_bn(L, inp, 8, 3, 2, "same", "relu6", "conv1")                      # 48x48x8 (pads 0/1)

    def ds(x, filters, stride, name, explicit_pad=False):
        if explicit_pad:
            # An explicit PAD + VALID (as keras.applications.MobileNet does). MobileNet's
            # ((0, 1), (0, 1)) equals SAME and the converter folds it into the depthwise conv,
            # so pad H 1/1 and W 0/1 (asymmetric on one axis only): the PAD op stays.
            x = L.ZeroPadding2D(((1, 1), (0, 1)), name=name + "_pad")(x)
            x = _dw_bn(L, x, 3, stride, "valid", "relu6", name + "_dw")
        else:
            x = _dw_bn(L, x, 3, stride, "same", "relu6", name + "_dw")
        return _conv_bn(L, x, filters, 1, 1, "same", "relu6", name + "_pw")

    x = ds(x, 16, 1, "b1")                                                       # 48x48x16
    x = ds(x, 32, 2, "b2", explicit_pad=True)                                    # 24x24x32
    x = ds(x, 32, 1, "b3")                                                       # 24x24x32
    x = ds(x, 64, 2, "b4")                                                       # 12x12x64
    x = ds(x, 64, 1, "b5")                                                       # 12x12x64
    x = ds(x, 128, 2, "b6")                                                      # 6x6x128
    x = L.GlobalAveragePooling2D(name="gap")(x)                                  # MEAN
    x = L.Dense(10, name="fc")(x)
    out = L.Softmax(name="softmax")(x)
    return tf.keras.Model(inp, out, name="mobilenet96")


def build_fire_inception(tf, batch_size=None):
    """Channel concatenation as SqueezeNet and Inception use it. The int8 converter gives every
    CONCATENATION input the output's scale and zero point (TFLite's int8 kernel requires it), so
    the producing convolutions requantize straight to the joined quantization."""
    L = tf.keras.layers
    inp = tf.keras.Input(shape=(24, 20, 3), batch_size=batch_size, name="image")
    x = _conv_bn(L, inp, 16, 3, 2, "same", "relu", "stem")                       # 12x10x16
    # fire module: squeeze, then two expands of the squeezed map side by side
    s = _conv_bn(L, x, 8, 1, 1, "same", "relu", "fire_squeeze")                  # 12x10x8
    e1 = _conv_bn(L, s, 16, 1, 1, "same", "relu", "fire_e1")
    e3 = _conv_bn(L, s, 16, 3, 1, "same", "relu", "fire_e3")
    x = L.Concatenate(name="fire_cat")([e1, e3])                                 # 12x10x32
    x = L.MaxPooling2D(2, name="pool")(x)                                        # 6x5x32
    # Inception-style block: three branches of different depth
    a = _conv_bn(L, x, 16, 1, 1, "same", "relu", "inc_a")
    b = _conv_bn(L, x, 8, 1, 1, "same", "relu", "inc_b1")
    b = _conv_bn(L, b, 16, 3, 1, "same", "relu", "inc_b3")
    c = _conv_bn(L, x, 8, 1, 1, "same", "relu", "inc_c1")
    c = _conv_bn(L, c, 8, 3, 1, "same", "relu", "inc_c3a")
    c = _conv_bn(L, c, 8, 3, 1, "same", "relu", "inc_c3b")
    x = L.Concatenate(name="inc_cat")([a, b, c])                                 # 6x5x40
    x = L.GlobalAveragePooling2D(name="gap")(x)                                  # MEAN
    x = L.Dense(10, name="fc")(x)
    out = L.Softmax(name="softmax")(x)
    return tf.keras.Model(inp, out, name="fire_inception")


# ---------------------------------------------------------------------------------------------
# The MLPerf Tiny reference architectures at their published sizes (mlcommons/tiny, v1.x
# reference models): the layer shapes and activations of the reference Keras code, written here
# from the published description. Briefly trained on random data like the small models above;
# the weights are not the reference's trained weights.
# ---------------------------------------------------------------------------------------------

def _pool_fc_softmax(L, x, pool, classes):
    """The classifier head of the MLPerf Tiny models: whole-map average pool, FC, softmax."""
    x = L.AveragePooling2D(pool, name="avgpool")(x)                              # 1x1xC
    x = L.Flatten(name="flatten")(x)
    x = L.Dense(classes, name="fc")(x)
    return L.Softmax(name="softmax")(x)


def build_mlperf_resnet8(tf, batch_size=None):
    """Image classification, CIFAR-10 32x32x3: stem 3x3 16; three residual stages of 16, 32, 64
    filters (stages 2 and 3 stride 2 with a 1x1 stride-2 projection shortcut); 8x8 average pool;
    FC 10."""
    L = tf.keras.layers
    inp = tf.keras.Input(shape=(32, 32, 3), batch_size=batch_size, name="image")
    x = _conv_bn(L, inp, 16, 3, 1, "same", "relu", "stem")                       # 32x32x16
    x = _residual_block(L, x, 16, 1, "s1", "same")                               # 32x32x16
    x = _residual_block(L, x, 32, 2, "s2", "same")                               # 16x16x32
    x = _residual_block(L, x, 64, 2, "s3", "same")                               # 8x8x64
    out = _pool_fc_softmax(L, x, 8, 10)
    return tf.keras.Model(inp, out, name="mlperf_resnet8")


def build_mlperf_dscnn(tf, batch_size=None):
    """Keyword spotting, 49x10x1 MFCC: conv 10x4 stride 2 SAME 64; four depthwise-separable
    blocks (DW 3x3 SAME + PW 1x1 64, BN + RELU each); 25x5 average pool; FC 12."""
    L = tf.keras.layers
    inp = tf.keras.Input(shape=(49, 10, 1), batch_size=batch_size, name="mfcc")
    x = _conv_bn(L, inp, 64, (10, 4), 2, "same", "relu", "conv1")                # 25x5x64
    for i in range(1, 5):
        x = _dw_bn(L, x, 3, 1, "same", "relu", f"ds{i}_dw")
        x = _conv_bn(L, x, 64, 1, 1, "same", "relu", f"ds{i}_pw")                # 25x5x64
    out = _pool_fc_softmax(L, x, (25, 5), 12)
    return tf.keras.Model(inp, out, name="mlperf_dscnn")


def build_mlperf_vww(tf, batch_size=None):
    """Visual wake words, MobileNet v1 width 0.25 on 96x96x3: conv 3x3 stride 2 8; 13
    depthwise-separable blocks 16, 32/2, 32, 64/2, 64, 128/2, 5 x 128, 256/2, 256 (BN + RELU
    each); 3x3 average pool; FC 2."""
    L = tf.keras.layers
    inp = tf.keras.Input(shape=(96, 96, 3), batch_size=batch_size, name="image")
    x = _conv_bn(L, inp, 8, 3, 2, "same", "relu", "conv1")                       # 48x48x8
    blocks = [(16, 1), (32, 2), (32, 1), (64, 2), (64, 1), (128, 2)] + [(128, 1)] * 5 + \
        [(256, 2), (256, 1)]
    for i, (filters, stride) in enumerate(blocks, 1):
        x = _dw_bn(L, x, 3, stride, "same", "relu", f"b{i}_dw")
        x = _conv_bn(L, x, filters, 1, 1, "same", "relu", f"b{i}_pw")
    out = _pool_fc_softmax(L, x, 3, 2)
    return tf.keras.Model(inp, out, name="mlperf_vww")


def build_mlperf_ad(tf, batch_size=None):
    """Anomaly detection, FC autoencoder 640-128-128-128-128-8-128-128-128-128-640 (BN + RELU
    after every hidden FC, linear output). Rank-4 input as in fc_autoencoder."""
    L = tf.keras.layers
    inp = tf.keras.Input(shape=(1, 1, 640), batch_size=batch_size, name="frames")
    x = inp
    for i, n in enumerate([128, 128, 128, 128, 8, 128, 128, 128, 128], 1):
        x = L.Dense(n, name=f"fc{i}")(x)
        x = _bn(L, f"fc{i}_bn")(x)
        x = L.ReLU(name=f"fc{i}_relu")(x)
    out = L.Dense(640, name="fc10")(x)
    return tf.keras.Model(inp, out, name="mlperf_ad")


def _class_target(x, classes):
    """A learnable-ish label: the argmax of fixed random projections of coarse features."""
    rng = np.random.default_rng(99)
    flat = x.reshape(len(x), -1)
    proj = rng.standard_normal((flat.shape[1], classes)).astype(np.float32)
    return np.argmax(flat @ proj, axis=1)


# name -> (builder, input shape without batch, task, seed, training samples, epochs)
MODELS = {
    "resnet8": (build_resnet8, (32, 24, 3), "classify", 11, 512, 3),
    "dscnn_kws": (build_dscnn_kws, (49, 10, 1), "classify", 12, 512, 3),
    "fc_autoencoder": (build_fc_autoencoder, (1, 1, 640), "autoencode", 13, 1024, 5),
    "mobilenet96": (build_mobilenet96, (96, 96, 3), "classify", 14, 256, 2),
    "fire_inception": (build_fire_inception, (24, 20, 3), "classify", 15, 512, 3),
    "mlperf_resnet8": (build_mlperf_resnet8, (32, 32, 3), "classify", 21, 512, 2),
    "mlperf_dscnn": (build_mlperf_dscnn, (49, 10, 1), "classify", 22, 512, 2),
    "mlperf_vww": (build_mlperf_vww, (96, 96, 3), "classify", 23, 256, 2),
    "mlperf_ad": (build_mlperf_ad, (1, 1, 640), "autoencode", 24, 1024, 5),
}
SMALL_MODELS = ["resnet8", "dscnn_kws", "fc_autoencoder", "mobilenet96", "fire_inception"]


def train_and_convert(tf, name):
    builder, shape, task, seed, n, epochs = MODELS[name]
    tf.keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, size=(n,) + shape).astype(np.float32)
    model = builder(tf)
    if task == "classify":
        classes = model.output_shape[-1]
        y = _class_target(x, classes)
        model.compile(optimizer=tf.keras.optimizers.Adam(2e-3),
                      loss=tf.keras.losses.SparseCategoricalCrossentropy())
    else:
        # a low-dimensional signal plus noise, so an 8-wide bottleneck has something to learn
        d = int(np.prod(shape))
        basis = rng.standard_normal((8, d)).astype(np.float32) / np.sqrt(8)
        sig = (rng.standard_normal((n, 8)).astype(np.float32) @ basis).reshape(x.shape)
        x = np.clip(sig + 0.1 * x, -1, 1).astype(np.float32)
        y = x
        model.compile(optimizer=tf.keras.optimizers.Adam(2e-3), loss="mse")
    hist = model.fit(x, y, batch_size=32, epochs=epochs, shuffle=False, verbose=0)
    loss = hist.history["loss"]

    export = builder(tf, batch_size=1)
    export.set_weights(model.get_weights())
    if task == "classify":
        rep_x = rng.uniform(-1, 1, size=(64,) + shape).astype(np.float32)
    else:
        rep_x = x[:64]

    with contextlib.redirect_stdout(io.StringIO()):  # the export's signature listing
        tfl = tflite_int8.convert_int8(tf, export, tflite_int8.one_at_a_time(rep_x))
    return tfl, loss, rep_x


def check_ranges(path, rep_x):
    """Per operator output: scale / zero point and how many int8 codes the calibration-like
    inputs actually use (a degenerate scale would use only a handful)."""
    import tflite_oracle as oracle
    spec = oracle.model_input_spec(path)
    s, z = spec["scale"], spec["zero_point"]
    lines, worst = [], None
    used = {}
    for i in range(min(8, len(rep_x))):
        q = np.clip(np.round(rep_x[i] / s) + z, -128, 127).astype(np.int8)
        for r in oracle.run_oracle(path, q):
            used.setdefault((r["op_index"], r["op"], r["tensor"], r["scale"], r["zero_point"]),
                            set()).update(np.unique(r["data"]).tolist())
    for (k, op, t, sc, zp), vals in used.items():
        lo, hi = min(vals), max(vals)
        lines.append(f"  op {k:2d} {op:18s} scale {sc:.6g} zp {zp:4d}: {len(vals):3d} codes "
                     f"used, range [{lo}, {hi}]")
        if op != "SOFTMAX" and (worst is None or len(vals) < worst[0]):
            worst = (len(vals), t)
    return lines, worst


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out-dir", default=os.path.join(ROOT, "configs", "zoo"))
    ap.add_argument("--models", default=",".join(SMALL_MODELS),
                    help="comma-separated subset of " + ", ".join(MODELS) + " (default: the five small ones)")
    ap.add_argument("--no-check", action="store_true", help="skip the calibration range report")
    args = ap.parse_args()
    names = [m for m in args.models.split(",") if m]
    for m in names:
        if m not in MODELS:
            ap.error(f"unknown model {m!r} (have {', '.join(MODELS)})")

    import tensorflow as tf
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.experimental.enable_op_determinism()
    from build_test_cnn import describe

    os.makedirs(args.out_dir, exist_ok=True)
    for name in names:
        tfl, loss, rep_x = train_and_convert(tf, name)
        path = os.path.join(args.out_dir, name + ".tflite")
        with open(path, "wb") as f:
            f.write(tfl)
        print(f"== {name}: wrote {path} ({len(tfl)} bytes, sha256 {hashlib.sha256(tfl).hexdigest()})")
        print(f"   training loss {loss[0]:.4f} -> {loss[-1]:.4f}")
        for line in describe(tfl):
            print("  " + line)
        if not args.no_check:
            lines, worst = check_ranges(path, rep_x)
            for line in lines:
                print(line)
            if worst is not None:
                print(f"   fewest int8 codes used by a non-softmax tensor: {worst[0]} ({worst[1]})")


if __name__ == "__main__":
    main()
