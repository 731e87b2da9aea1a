#!/usr/bin/env python3
"""Train LeNet-5 on MNIST (8,000 digits) and export a full-integer int8 .tflite.

Architecture (exactly):
  input 28x28x1 (float pixel/255)
  CONV 5x5x6  SAME  + ReLU  -> AVERAGE_POOL 2x2
  CONV 5x5x16 VALID + ReLU  -> AVERAGE_POOL 2x2
  CONV 5x5x120 VALID + ReLU (1x1x120) -> flatten (RESHAPE)
  DENSE 84 + ReLU -> DENSE 10 (logits; the model ends in logits, no SOFTMAX)

Quantization: post-training full-integer, per-channel int8 weights, int8 activations,
`inference_input_type=tf.int8`, `inference_output_type=tf.int8`. The float model takes
pixel/255 and the representative data covers [0, 1] exactly, so the int8 input tensor has
scale 1/255 and zero point -128:   q_in = pixel - 128   (exactly, for uint8 pixel 0..255).

Data: first 8,000 digits train (random +/-2 pixel shifts), last 2,000 evaluate.
Prints float accuracy and int8 accuracy (int8 measured with the TFLite BUILTIN_REF
reference kernels). Also writes 100 held-out digits as uncompressed IDX for tests.

Usage:
  python3 tools/train_lenet.py --mnist /work/shared/data/mnist --out configs/lenet.tflite
"""
import argparse
import hashlib
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_DETERMINISTIC_OPS", "1")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # oneDNN may reorder float sums

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mnist_idx import load_mnist, write_idx  # noqa: E402
import tflite_int8  # noqa: E402

N_TRAIN = 8000
N_EVAL = 2000


def shift_augment(x, rng, max_shift=2):
    """Random integer translation in [-max_shift, max_shift] for each image, zero fill.
    x: [N,28,28] uint8."""
    n, h, w = x.shape
    p = max_shift
    padded = np.zeros((n, h + 2 * p, w + 2 * p), dtype=x.dtype)
    padded[:, p:p + h, p:p + w] = x
    dy = rng.integers(-p, p + 1, size=n)
    dx = rng.integers(-p, p + 1, size=n)
    out = np.empty_like(x)
    for i in range(n):
        oy, ox = p - dy[i], p - dx[i]
        out[i] = padded[i, oy:oy + h, ox:ox + w]
    return out


def build_model(tf, batch_size=None):
    """batch_size=1 for export: static shapes make Flatten a single RESHAPE
    (a None batch adds SHAPE/STRIDED_SLICE/PACK ops to the graph)."""
    L = tf.keras.layers
    inp = tf.keras.Input(shape=(28, 28, 1), batch_size=batch_size, name="pixels")
    x = L.Conv2D(6, 5, padding="same", activation="relu", name="c1")(inp)
    x = L.AveragePooling2D(2, name="s2")(x)
    x = L.Conv2D(16, 5, padding="valid", activation="relu", name="c3")(x)
    x = L.AveragePooling2D(2, name="s4")(x)
    x = L.Conv2D(120, 5, padding="valid", activation="relu", name="c5")(x)
    x = L.Flatten(name="flatten")(x)
    x = L.Dense(84, activation="relu", name="f6")(x)
    out = L.Dense(10, name="logits")(x)
    return tf.keras.Model(inp, out, name="lenet5")


def quantize_input(pixels_u8, scale, zp):
    """Map uint8 pixels to the int8 input tensor using the tensor's own quantization.
    For scale 1/255, zp -128 this is exactly pixel - 128."""
    f = pixels_u8.astype(np.float32) / np.float32(255.0)
    q = np.round(f / np.float32(scale)) + zp
    return np.clip(q, -128, 127).astype(np.int8)


def int8_accuracy(tflite_bytes, images, labels, verbose=True):
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    it = Interpreter(model_content=tflite_bytes,
                     experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    ind = it.get_input_details()[0]
    outd = it.get_output_details()[0]
    s, zp = ind["quantization"]
    q = quantize_input(images, s, zp)
    direct = (images.astype(np.int16) - 128).astype(np.int8)
    if s == np.float32(1.0 / 255.0) and zp == -128:
        assert np.array_equal(q, direct), "input quantization is not pixel-128"
    correct = 0
    for i in range(len(images)):
        it.set_tensor(ind["index"], q[i].reshape(1, 28, 28, 1))
        it.invoke()
        o = it.get_tensor(outd["index"])[0]
        correct += int(np.argmax(o) == labels[i])
    return correct / len(images)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mnist", default="/work/shared/data/mnist", help="directory with MNIST IDX files")
    ap.add_argument("--out", default="configs/lenet.tflite")
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--rep-samples", type=int, default=500, help="representative dataset size")
    ap.add_argument("--test-data-dir", default="tests/data",
                    help="where to write mnist100-{images-idx3,labels-idx1}-ubyte ('' to skip)")
    ap.add_argument("--no-int8-eval", action="store_true")
    args = ap.parse_args()

    import tensorflow as tf
    tf.keras.utils.set_random_seed(args.seed)
    tf.config.experimental.enable_op_determinism()
    try:
        tf.config.threading.set_inter_op_parallelism_threads(1)
        tf.config.threading.set_intra_op_parallelism_threads(2)
    except RuntimeError:
        pass

    images, labels = load_mnist(args.mnist)
    if len(images) < N_TRAIN + N_EVAL:
        sys.exit(f"need >= {N_TRAIN + N_EVAL} digits, got {len(images)}")
    xtr, ytr = images[:N_TRAIN], labels[:N_TRAIN]
    xev, yev = images[N_TRAIN:N_TRAIN + N_EVAL], labels[N_TRAIN:N_TRAIN + N_EVAL]

    model = build_model(tf)
    model.compile(optimizer=tf.keras.optimizers.Adam(1e-3),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    rng = np.random.default_rng(args.seed)
    xev_f = (xev.astype(np.float32) / 255.0)[..., None]
    t0 = time.time()
    for ep in range(args.epochs):
        # cosine decay from 2e-3 to ~5e-5
        lr = 5e-5 + 0.5 * (2e-3 - 5e-5) * (1 + np.cos(np.pi * ep / args.epochs))
        model.optimizer.learning_rate.assign(lr)
        xa = shift_augment(xtr, rng)
        perm = rng.permutation(N_TRAIN)
        xa_f = (xa[perm].astype(np.float32) / 255.0)[..., None]
        h = model.fit(xa_f, ytr[perm], batch_size=args.batch, epochs=1, shuffle=False, verbose=0)
        _, acc = model.evaluate(xev_f, yev, verbose=0)
        print(f"epoch {ep + 1}/{args.epochs}: loss {h.history['loss'][0]:.4f} "
              f"train acc {h.history['accuracy'][0]:.4f} eval acc {acc:.4f} ({time.time() - t0:.0f}s)",
              flush=True)
    logits = model.predict(xev_f, batch_size=500, verbose=0)
    float_acc = float(np.mean(np.argmax(logits, axis=1) == yev))

    # Representative dataset: un-augmented training digits, plus one synthetic all-range
    # sample guaranteeing the input calibration range is exactly [0, 1].
    rep_idx = np.random.default_rng(args.seed + 1).choice(N_TRAIN, size=args.rep_samples, replace=False)
    rep = (xtr[np.sort(rep_idx)].astype(np.float32) / 255.0)[..., None]
    rep[0, 0, 0, 0] = 0.0
    rep[0, 14, 14, 0] = 1.0

    export = build_model(tf, batch_size=1)
    export.set_weights(model.get_weights())
    tfl = tflite_int8.convert_int8(tf, export, tflite_int8.one_at_a_time(rep))

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "wb") as f:
        f.write(tfl)
    print(f"wrote {args.out}: {len(tfl)} bytes, sha256 {hashlib.sha256(tfl).hexdigest()}")

    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    it = Interpreter(model_content=tfl, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    ind, outd = it.get_input_details()[0], it.get_output_details()[0]
    s_in, zp_in = ind["quantization"]
    s_out, zp_out = outd["quantization"]
    print(f"input  tensor '{ind['name']}' {ind['dtype'].__name__} shape {[int(v) for v in ind['shape']]} "
          f"scale {s_in!r} (1/scale = {1.0 / s_in:.6f}) zero_point {zp_in}")
    print(f"output tensor '{outd['name']}' {outd['dtype'].__name__} shape {[int(v) for v in outd['shape']]} "
          f"scale {s_out!r} zero_point {zp_out}")
    if not (np.float32(s_in) == np.float32(1.0 / 255.0) and zp_in == -128):
        print("WARNING: input quantization is not (1/255, -128); q != pixel-128", file=sys.stderr)
    ops = [d["op_name"] for d in it._get_ops_details()]
    print("ops:", " ".join(ops))

    print(f"float accuracy (2,000 held-out): {float_acc * 100:.2f}%")
    if not args.no_int8_eval:
        q_acc = int8_accuracy(tfl, xev, yev)
        print(f"int8 accuracy  (2,000 held-out, BUILTIN_REF): {q_acc * 100:.2f}%")
        if q_acc < 0.975 or q_acc < float_acc - 0.005:
            print("WARNING: int8 accuracy below target", file=sys.stderr)

    if args.test_data_dir:
        os.makedirs(args.test_data_dir, exist_ok=True)
        ip = os.path.join(args.test_data_dir, "mnist100-images-idx3-ubyte")
        lp = os.path.join(args.test_data_dir, "mnist100-labels-idx1-ubyte")
        write_idx(ip, xev[:100])
        write_idx(lp, yev[:100])
        print(f"wrote {ip} and {lp} (held-out digits {N_TRAIN}..{N_TRAIN + 99})")


if __name__ == "__main__":
    main()
