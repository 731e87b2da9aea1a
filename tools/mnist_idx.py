#!/usr/bin/env python3
"""Minimal IDX (MNIST) reader/writer.

Reads gzip-compressed or plain IDX files (the format of the MNIST distribution).
Accepted file names inside a directory (first match wins):

  images: mnist10k-images-idx3-ubyte[.gz], train-images-idx3-ubyte[.gz],
          train-images.idx3-ubyte[.gz], t10k-images-idx3-ubyte[.gz],
          t10k-images.idx3-ubyte[.gz], mnist100-images-idx3-ubyte[.gz]
  labels: the same with "labels" / idx1.

Only the unsigned-byte element type (0x08) is supported, which is what MNIST uses.

Library:
  read_idx(path)              -> numpy uint8 array of the stored shape
  load_mnist(dir, prefix=None) -> (images [N,28,28] uint8, labels [N] uint8)
  write_idx(path, array)      -> writes an uncompressed (or .gz) uint8 IDX file

CLI:  python3 tools/mnist_idx.py FILE_OR_DIR   (prints shapes and a digit)
"""
import gzip
import os
import struct
import sys

import numpy as np

__all__ = ["IdxError", "read_idx", "write_idx", "load_mnist", "find_mnist_files"]

_UBYTE = 0x08
_TYPE_NAMES = {0x08: "ubyte", 0x09: "sbyte", 0x0B: "short", 0x0C: "int",
               0x0D: "float", 0x0E: "double"}

IMAGE_NAMES = [
    "mnist10k-images-idx3-ubyte",
    "train-images-idx3-ubyte",
    "train-images.idx3-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-images.idx3-ubyte",
    "mnist100-images-idx3-ubyte",
]
LABEL_NAMES = [n.replace("images", "labels").replace("idx3", "idx1") for n in IMAGE_NAMES]


class IdxError(ValueError):
    """Raised for malformed IDX files."""


def _open_bytes(path):
    with open(path, "rb") as f:
        head = f.read(2)
    if head == b"\x1f\x8b":  # gzip magic, regardless of file name
        with gzip.open(path, "rb") as f:
            try:
                return f.read()
            except (OSError, EOFError) as e:
                raise IdxError(f"{path}: corrupt gzip stream: {e}") from None
    with open(path, "rb") as f:
        return f.read()


def read_idx(path, expect_ndim=None):
    """Read an IDX file (plain or gzip). Returns a uint8 ndarray."""
    data = _open_bytes(path)
    if len(data) < 4:
        raise IdxError(f"{path}: file too short ({len(data)} bytes) for an IDX header")
    zero0, zero1, dtype, ndim = data[0], data[1], data[2], data[3]
    if zero0 != 0 or zero1 != 0:
        raise IdxError(f"{path}: bad magic {data[:4].hex()} (first two bytes must be 0)")
    if dtype != _UBYTE:
        tn = _TYPE_NAMES.get(dtype)
        if tn is None:
            raise IdxError(f"{path}: bad magic {data[:4].hex()}: unknown element type 0x{dtype:02x}")
        raise IdxError(f"{path}: element type {tn} (0x{dtype:02x}) not supported, only ubyte")
    if ndim == 0:
        raise IdxError(f"{path}: bad magic {data[:4].hex()}: zero dimensions")
    if expect_ndim is not None and ndim != expect_ndim:
        raise IdxError(f"{path}: expected {expect_ndim} dimensions (magic 0x0000080{expect_ndim}), "
                       f"file has {ndim}")
    hdr = 4 + 4 * ndim
    if len(data) < hdr:
        raise IdxError(f"{path}: truncated header ({len(data)} bytes, need {hdr})")
    dims = struct.unpack(">" + "I" * ndim, data[4:hdr])
    count = 1
    for d in dims:
        count *= d
    if len(data) - hdr != count:
        raise IdxError(f"{path}: size mismatch: dims {list(dims)} need {count} data bytes, "
                       f"file has {len(data) - hdr}")
    return np.frombuffer(data, dtype=np.uint8, count=count, offset=hdr).reshape(dims).copy()


def write_idx(path, array):
    """Write a uint8 array as IDX (gzip if path ends with .gz)."""
    a = np.ascontiguousarray(array)
    if a.dtype != np.uint8:
        raise IdxError(f"write_idx: only uint8 supported, got {a.dtype}")
    if a.ndim == 0 or a.ndim > 255:
        raise IdxError("write_idx: bad rank")
    payload = bytes([0, 0, _UBYTE, a.ndim]) + struct.pack(">" + "I" * a.ndim, *a.shape) + a.tobytes()
    if path.endswith(".gz"):
        # mtime=0 so the output is reproducible
        with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
            f.write(payload)
    else:
        with open(path, "wb") as f:
            f.write(payload)


def _find(directory, names):
    for n in names:
        for cand in (n, n + ".gz"):
            p = os.path.join(directory, cand)
            if os.path.isfile(p):
                return p
    return None


def find_mnist_files(directory):
    """Return (images_path, labels_path) found in directory, or raise IdxError."""
    if not os.path.isdir(directory):
        raise IdxError(f"{directory}: not a directory")
    # Pair images and labels by the same naming scheme.
    for img_name, lab_name in zip(IMAGE_NAMES, LABEL_NAMES):
        ip = _find(directory, [img_name])
        lp = _find(directory, [lab_name])
        if ip and lp:
            return ip, lp
    raise IdxError(f"{directory}: no MNIST image/label IDX pair found (looked for "
                   f"{', '.join(IMAGE_NAMES)} with matching labels, optionally .gz)")


def load_mnist(path):
    """Load images [N,28,28] uint8 and labels [N] uint8.

    `path` may be a directory (searched with find_mnist_files) or an images file
    (labels file is derived by the images->labels / idx3->idx1 substitution)."""
    if os.path.isdir(path):
        ip, lp = find_mnist_files(path)
    else:
        ip = path
        d, b = os.path.split(path)
        lp = os.path.join(d, b.replace("images", "labels").replace("idx3", "idx1"))
        if not os.path.isfile(lp):
            raise IdxError(f"{path}: matching labels file {lp} not found")
    images = read_idx(ip, expect_ndim=3)
    labels = read_idx(lp, expect_ndim=1)
    if images.shape[0] != labels.shape[0]:
        raise IdxError(f"{ip} has {images.shape[0]} images but {lp} has {labels.shape[0]} labels")
    if labels.size and labels.max() > 9:
        raise IdxError(f"{lp}: label value {int(labels.max())} out of range 0..9")
    return images, labels


def _main(argv):
    if len(argv) != 2:
        print(__doc__)
        return 2
    p = argv[1]
    try:
        if os.path.isdir(p) or "images" in os.path.basename(p):
            x, y = load_mnist(p)
            print(f"images {x.shape} {x.dtype}, labels {y.shape}; first label {y[0]}")
            for row in x[0]:
                print("".join("#" if v > 127 else ("+" if v > 32 else ".") for v in row))
            print("label histogram:", np.bincount(y, minlength=10).tolist())
        else:
            a = read_idx(p)
            print(f"{p}: shape {a.shape} dtype {a.dtype}")
    except IdxError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv))
