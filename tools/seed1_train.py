#!/usr/bin/env python3
"""Train the first seed document's LeNet-5 in float (numpy only) and save it as a PyTorch
state-dict .pth (tools/pth_io.py; no torch needed).

Architecture (the document's, PyTorch layer names and layouts):
  c1  Conv2d(1, 6, 5, padding=2) + ReLU     -> s2 AvgPool2d(2)
  c3  Conv2d(6, 16, 5)           + ReLU     -> s4 AvgPool2d(2)
  c5  Conv2d(16, 120, 5)  (no ReLU) -> flatten
  f6  Linear(120, 84)     (no ReLU)
  output Linear(84, 10)   logits; class = first index of the maximum
Input: pixel / 255 (float). Data: the first 8,000 shared digits train (random +/-2 pixel
shifts), the last 2,000 evaluate. Adam (batch 64, lr 2e-3 halved every 5 epochs), fixed seed: deterministic on one
machine (numpy float32 sums may differ across BLAS builds).

Usage: python3 tools/seed1_train.py --mnist ../shared/data/mnist --out MODEL.pth [--epochs 20]
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mnist_idx import load_mnist  # noqa: E402
from pth_io import write_state_dict  # noqa: E402


def im2col(x, k, pad):
    """x [N, H, W, C] -> [N, OH, OW, k*k*C] in (ky, kx, c) order."""
    if pad:
        x = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    n, h, w, c = x.shape
    oh, ow = h - k + 1, w - k + 1
    cols = np.empty((n, oh, ow, k, k, c), dtype=x.dtype)
    for ky in range(k):
        for kx in range(k):
            cols[:, :, :, ky, kx, :] = x[:, ky:ky + oh, kx:kx + ow, :]
    return cols.reshape(n, oh, ow, k * k * c)


def col2im(dcols, shape, k, pad):
    n, h, w, c = shape
    hp, wp = h + 2 * pad, w + 2 * pad
    oh, ow = hp - k + 1, wp - k + 1
    d = dcols.reshape(n, oh, ow, k, k, c)
    dx = np.zeros((n, hp, wp, c), dtype=dcols.dtype)
    for ky in range(k):
        for kx in range(k):
            dx[:, ky:ky + oh, kx:kx + ow, :] += d[:, :, :, ky, kx, :]
    return dx[:, pad:pad + h, pad:pad + w, :] if pad else dx


def avgpool(x):
    n, h, w, c = x.shape
    return x.reshape(n, h // 2, 2, w // 2, 2, c).mean(axis=(2, 4))


def avgpool_back(d):
    return np.repeat(np.repeat(d, 2, axis=1), 2, axis=2) / 4


# Parameters in OHWI (convs) / [O, I] (linear); converted to PyTorch OIHW when saved.
SPEC = [("c1", 5, 1, 6, 2), ("c3", 5, 6, 16, 0), ("c5", 5, 16, 120, 0)]


def init(rng):
    p = {}
    for name, k, cin, cout, _ in SPEC:
        bound = 1 / np.sqrt(k * k * cin)
        p[name + ".w"] = rng.uniform(-bound, bound, (cout, k, k, cin)).astype(np.float32)
        p[name + ".b"] = rng.uniform(-bound, bound, cout).astype(np.float32)
    for name, cin, cout in [("f6", 120, 84), ("output", 84, 10)]:
        bound = 1 / np.sqrt(cin)
        p[name + ".w"] = rng.uniform(-bound, bound, (cout, cin)).astype(np.float32)
        p[name + ".b"] = rng.uniform(-bound, bound, cout).astype(np.float32)
    return p


def forward(p, x, keep=False):
    """x [N, 28, 28, 1] float32 in [0, 1] -> logits [N, 10] (and the cache for backward)."""
    cache = {}
    h = x
    for i, (name, k, cin, cout, pad) in enumerate(SPEC):
        cols = im2col(h, k, pad)
        z = cols @ p[name + ".w"].reshape(cout, -1).T + p[name + ".b"]
        cache[name] = (cols, h.shape)
        if name != "c5":
            a = np.maximum(z, 0)
            cache[name + ".relu"] = z > 0
            h = avgpool(a)
        else:
            h = z
    v = h.reshape(h.shape[0], -1)
    cache["f6.in"] = v
    v = v @ p["f6.w"].T + p["f6.b"]
    cache["output.in"] = v
    logits = v @ p["output.w"].T + p["output.b"]
    return (logits, cache) if keep else logits


def backward(p, cache, dlogits):
    g = {}
    g["output.w"] = dlogits.T @ cache["output.in"]
    g["output.b"] = dlogits.sum(0)
    dv = dlogits @ p["output.w"]
    g["f6.w"] = dv.T @ cache["f6.in"]
    g["f6.b"] = dv.sum(0)
    dv = dv @ p["f6.w"]
    dh = dv.reshape(-1, 1, 1, 120)
    for name, k, cin, cout, pad in reversed(SPEC):
        if name != "c5":
            dh = avgpool_back(dh) * cache[name + ".relu"]
        cols, in_shape = cache[name]
        d2 = dh.reshape(-1, cout)
        g[name + ".w"] = (d2.T @ cols.reshape(-1, cols.shape[-1])).reshape(p[name + ".w"].shape)
        g[name + ".b"] = d2.sum(0)
        if name != "c1":
            dcols = (d2 @ p[name + ".w"].reshape(cout, -1)).reshape(cols.shape)
            dh = col2im(dcols, in_shape, k, pad)
    return g


def shift(x, rng, m=2):
    n = x.shape[0]
    padded = np.pad(x, ((0, 0), (m, m), (m, m)))
    dy, dx = rng.integers(-m, m + 1, n), rng.integers(-m, m + 1, n)
    return np.stack([padded[i, m - dy[i]:m - dy[i] + 28, m - dx[i]:m - dx[i] + 28]
                     for i in range(n)])


def to_state_dict(p):
    sd = {}
    for name, k, cin, cout, _ in SPEC:
        sd[name + ".weight"] = np.ascontiguousarray(p[name + ".w"].transpose(0, 3, 1, 2))
        sd[name + ".bias"] = p[name + ".b"]
    for name in ("f6", "output"):
        sd[name + ".weight"] = p[name + ".w"]
        sd[name + ".bias"] = p[name + ".b"]
    return {k: v.astype(np.float32) for k, v in sd.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mnist", required=True)
    ap.add_argument("--out", required=True, help="state-dict .pth to write")
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    images, labels = load_mnist(args.mnist)
    xtr, ytr = images[:8000], labels[:8000].astype(np.int64)
    xev, yev = images[8000:10000], labels[8000:10000].astype(np.int64)
    rng = np.random.default_rng(args.seed)
    p = init(rng)
    m = {k: np.zeros_like(v) for k, v in p.items()}
    v2 = {k: np.zeros_like(v) for k, v in p.items()}
    b1, b2, eps, step = 0.9, 0.999, 1e-8, 0
    for epoch in range(args.epochs):
        t0 = time.time()
        lr = 2e-3 * 0.5 ** (epoch // 5)
        order = rng.permutation(len(xtr))
        xa = shift(xtr, rng)
        for i in range(0, len(order), 64):
            idx = order[i:i + 64]
            x = (xa[idx].astype(np.float32) / 255)[..., None]
            logits, cache = forward(p, x, keep=True)
            e = np.exp(logits - logits.max(1, keepdims=True))
            prob = e / e.sum(1, keepdims=True)
            prob[np.arange(len(idx)), ytr[idx]] -= 1
            g = backward(p, cache, (prob / len(idx)).astype(np.float32))
            step += 1
            for k in p:
                m[k] = b1 * m[k] + (1 - b1) * g[k]
                v2[k] = b2 * v2[k] + (1 - b2) * g[k] * g[k]
                mh, vh = m[k] / (1 - b1 ** step), v2[k] / (1 - b2 ** step)
                p[k] = (p[k] - lr * mh / (np.sqrt(vh) + eps)).astype(np.float32)
        acc = (forward(p, (xev.astype(np.float32) / 255)[..., None]).argmax(1) == yev).mean()
        print(f"epoch {epoch + 1}: held-out float accuracy {100 * acc:.2f}% ({time.time() - t0:.0f} s)",
              flush=True)
    write_state_dict(args.out, to_state_dict(p))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
