#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets, tests/fuzz/corpus/<target>/, from the project's
own valid files (configs/) plus a few small images generated here (standard library only).

    python3 tests/fuzz/make_seeds.py

Seeds are named seed_* (rewritten here); the rest is kept: crash reproducers (crash_*, the
regressions) and inputs of long runs that add coverage (merged with libFuzzer's -merge=1, named
by their SHA-1). The whole committed corpus stays well under 2 MB.
"""
import gzip
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CONFIGS = os.path.join(ROOT, "configs")
CORPUS = os.path.join(HERE, "corpus")


def out(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed_" + name), "wb") as f:
        f.write(data)


def read(*parts):
    with open(os.path.join(*parts), "rb") as f:
        return f.read()


def clean(target):
    d = os.path.join(CORPUS, target)
    if os.path.isdir(d):
        for n in os.listdir(d):
            if n.startswith("seed_"):
                os.remove(os.path.join(d, n))


# ---- .tflite: the example models ----
clean("tflite")
for n in ("lenet.tflite", "testnet_int8.tflite"):
    out("tflite", n, read(CONFIGS, n))

# ---- .onnx: the QDQ LeNet and the QOperator CNN (tools/make_onnx_models.py) ----
clean("onnx")
for n in ("lenet_qdq.onnx", "onnx_qop_cnn.onnx"):
    out("onnx", n, read(CONFIGS, n))

# ---- .npy: every parameter file but the two largest, and the tiny input ----
clean("npy")
for sub in ("tiny_params", "lenet_params"):
    for n in sorted(os.listdir(os.path.join(CONFIGS, sub))):
        if n.endswith(".npy") and os.path.getsize(os.path.join(CONFIGS, sub, n)) < 8192:
            out("npy", sub + "_" + n, read(CONFIGS, sub, n))
out("npy", "tiny_input.npy", read(CONFIGS, "tiny_input.npy"))


def npy(descr, shape, payload, version=1):
    shape_text = "(" + "".join("%d, " % d for d in shape).rstrip(" ")
    shape_text = shape_text.rstrip(",") + ("," if len(shape) == 1 else "") + ")"
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape_text)
    pre = 10 if version == 1 else 12
    header += " " * ((64 - (pre + len(header) + 1) % 64) % 64) + "\n"
    h = header.encode()
    size = struct.pack("<H", len(h)) if version == 1 else struct.pack("<I", len(h))
    return b"\x93NUMPY" + bytes([version, 0]) + size + h + payload


out("npy", "v2_f8.npy", npy("<f8", [3], struct.pack("<3d", 0.5, -1.0, 2.0), version=2))
out("npy", "u1_28x28x1.npy", npy("|u1", [28, 28, 1], bytes(range(256)) * 3 + bytes(16)))
out("npy", "i1_1x4x4x3.npy", npy("|i1", [1, 4, 4, 3], bytes(48)))
out("npy", "scalar_i8.npy", npy("<i8", [], struct.pack("<q", -7)))

# ---- YAML: the example networks, and one with its .npy parameters inline ----
clean("yaml")
for n in ("lenet.yaml", "lenet_small.yaml", "tiny.yaml"):
    out("yaml", n, read(CONFIGS, n))
inline = """network: inline
params: p
input: {shape: [6, 6, 2], dtype: int8, scale: 0.5, zero_point: 0}
layers:
  - name: conv
    op: conv2d
    kernel: [3, 3]
    padding: same
    weights: in0.npy
    bias: in1.npy
    weight_scales: in2.npy
    output: {dtype: int8, scale: 1.0, zero_point: 0}
    hw: {pe: 2, simd: 6}
  - name: pool
    op: average_pool2d
    pool: 2
    stride: 2
  - name: fc
    op: fully_connected
    weights: in3.npy
    weight_scales: 0.01
    output: {scale: 0.5, zero_point: 3}
  - name: sm
    op: softmax
    output: {dtype: int8, scale: 0.00390625, zero_point: -128}
"""
parts = [
    npy("|i1", [4, 3, 3, 2], bytes((i % 7 - 3) & 0xFF for i in range(72))),
    npy("<i4", [4], struct.pack("<4i", 1, -2, 3, -4)),
    npy("<f4", [4], struct.pack("<4f", 0.01, 0.02, 0.03, 0.04)),
    npy("|i1", [3, 36], bytes([1, 0xFF]) * 54),
]
out("yaml", "inline_npy.yaml", inline.encode() + b"".join(b"\n#@npy\n" + p for p in parts))
with_add = """network: branches
params: p
input: {name: x, shape: [4, 4, 1], dtype: uint8, scale: 0.0039, zero_point: 0}
layers:
  - {name: a, op: pad, pads: [1, 1, 1, 1]}
  - {name: b, op: max_pool2d, pool: [3, 3], padding: valid, inputs: a}
  - {name: c, op: add, inputs: [x, b], output: {scale: 0.008, zero_point: 0}, activation: relu}
  - {name: d, op: mean, output: {scale: 0.008, zero_point: 0}}
  - {name: e, op: reshape, shape: [1, 1, 1]}
"""
out("yaml", "branches.yaml", with_add.encode())

# ---- images: PGM, BMP (8/24/32-bit, bottom-up and top-down), IDX plain and gzip ----
clean("image")


def pgm(w, h, comment=False):
    px = bytes((x * 37 + y * 11) & 0xFF for y in range(h) for x in range(w))
    head = b"P5\n" + (b"# made by make_seeds.py\n" if comment else b"") + b"%d %d\n255\n" % (w, h)
    return head + px


def bmp(w, h, bpp, top_down=False, compression=0):
    bpp_bytes = bpp // 8
    row = (w * bpp_bytes + 3) // 4 * 4
    pixels = b""
    for y in range(h):
        r = bytes(((x * 29 + y * 7 + c * 50) & 0xFF) for x in range(w) for c in range(bpp_bytes))
        pixels += r + bytes(row - len(r))
    palette = bytes(i for i in range(256) for _ in range(4)) if bpp == 8 else b""
    off = 14 + 40 + len(palette)
    header = b"BM" + struct.pack("<IHHI", off + len(pixels), 0, 0, off)
    info = struct.pack("<IiiHHIIiiII", 40, w, -h if top_down else h, 1, bpp, compression,
                       len(pixels), 2835, 2835, 256 if bpp == 8 else 0, 0)
    return header + info + palette + pixels


def idx(dims, payload):
    return bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + payload


out("image", "gray_5x4.pgm", pgm(5, 4))
out("image", "gray_28x28_comment.pgm", pgm(28, 28, comment=True))
out("image", "rgb24_6x3.bmp", bmp(6, 3, 24))
out("image", "rgb32_4x4_topdown.bmp", bmp(4, 4, 32, top_down=True))
out("image", "gray8_7x5.bmp", bmp(7, 5, 8))
out("image", "bitfields32_2x2.bmp", bmp(2, 2, 32, compression=3))
digits = read(ROOT, "tests", "data", "mnist100-images-idx3-ubyte")[16:16 + 2 * 784]
out("image", "mnist2-images-idx3-ubyte", idx([2, 28, 28], digits))
out("image", "labels-idx1-ubyte", idx([5], bytes([7, 2, 1, 0, 4])))
out("image", "mnist1-images-idx3-ubyte.gz", gzip.compress(idx([1, 28, 28], digits[:784]), mtime=0))

total = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(CORPUS) for f in fs)
print("corpus: %d bytes in %s" % (total, CORPUS))
