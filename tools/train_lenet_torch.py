#!/usr/bin/env python3
"""Makes configs/lenet_torch.onnx: LeNet-5 trained in PyTorch, exported with torch.onnx.export,
statically quantized by ONNX Runtime (QDQ, int8 activations, per-channel int8 weights).

  c1 conv 1->6 5x5 pad 2, ReLU, 2x2 average pool, c3 conv 6->16 5x5, ReLU, 2x2 average pool,
  c5 conv 16->120 5x5, ReLU, flatten, f6 120->84, ReLU, output 84->10

(the ReLUs after c5 and f6 as in configs/lenet_qdq.onnx). Trained on the first 8,000 shared
MNIST digits (pixels / 255), calibrated on 500 of them (every 16th), as tools/make_onnx_models.py
does for lenet_qdq.onnx. Needs PyTorch (tools/requirements-torch.txt: PyPI's torch, ~540 MB wheel
plus ~4.5 GB of CUDA libraries it depends on; CPU training takes about a minute); never needed by
the build or the tests, which use the committed .onnx with onnx + onnxruntime only.

    python3 tools/train_lenet_torch.py [--mnist ../shared/data/mnist] [--out configs]
        [--float-out FILE]    also keep the float ONNX model (for its accuracy)
"""
import argparse
import os
import sys

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from make_onnx_models import quantize_lenet  # noqa: E402
from mnist_idx import load_mnist  # noqa: E402


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, 5, padding=2)
        self.c3 = nn.Conv2d(6, 16, 5)
        self.c5 = nn.Conv2d(16, 120, 5)
        self.f6 = nn.Linear(120, 84)
        self.out = nn.Linear(84, 10)
        self.pool = nn.AvgPool2d(2)
        self.relu = nn.ReLU()

    def forward(self, x):
        x = self.pool(self.relu(self.c1(x)))
        x = self.pool(self.relu(self.c3(x)))
        x = torch.flatten(self.relu(self.c5(x)), 1)
        return self.out(self.relu(self.f6(x)))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mnist", default=os.path.join(ROOT, "..", "shared", "data", "mnist"))
    ap.add_argument("--out", default=os.path.join(ROOT, "configs"))
    ap.add_argument("--float-out")
    ap.add_argument("--epochs", type=int, default=20)
    a = ap.parse_args()
    torch.manual_seed(1)
    torch.set_num_threads(1)
    images, labels = load_mnist(a.mnist)
    x = torch.tensor(images[:8000].astype(np.float32) / 255.0).reshape(-1, 1, 28, 28)
    y = torch.tensor(labels[:8000].astype(np.int64))
    net = LeNet5()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=8, gamma=0.3)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(a.epochs):
        perm = torch.randperm(len(x))
        total = 0.0
        for i in range(0, len(x), 64):
            idx = perm[i:i + 64]
            opt.zero_grad()
            loss = loss_fn(net(x[idx]), y[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        sched.step()
        print(f"epoch {epoch + 1}: loss {total / len(x):.4f}", flush=True)
    net.eval()
    xt = torch.tensor(images[8000:].astype(np.float32) / 255.0).reshape(-1, 1, 28, 28)
    with torch.no_grad():
        acc = float((net(xt).argmax(1).numpy() == labels[8000:]).mean())
    print(f"float PyTorch accuracy on the last {len(xt)} digits: {100 * acc:.2f}%")
    fpath = os.path.join(a.out, "lenet_torch_float.onnx")
    torch.onnx.export(net, torch.zeros(1, 1, 28, 28), fpath, input_names=["pixels"],
                      output_names=["logits"], opset_version=17, dynamo=False)
    quantize_lenet(fpath, os.path.join(a.out, "lenet_torch.onnx"), images[:8000:16])
    if a.float_out:
        os.replace(fpath, a.float_out)
    else:
        os.remove(fpath)
    print("wrote", os.path.join(a.out, "lenet_torch.onnx"))


if __name__ == "__main__":
    main()
