#!/usr/bin/env python3
"""Random valid networks through the whole of rtlgen.

Each network is a random YAML + .npy description: conv2d / depthwise_conv2d / pools / pad /
mean / reshape / fully_connected / softmax, residual joins (add after a forked tensor), random
shapes, kernels, strides, SAME/VALID padding, int8 or uint8 quantization (per-channel or
per-tensor scales, zero points, fused activations) and folding hints (hw: {pe, simd} or a
top-level fold: budget). For each one:

  rtlgen generate NET -o OUT      must either refuse with one clean "rtlgen: error: FILE..." line
                                  (exit 1) or write RTL that
  verilator --lint-only -Wall     lints clean and
  iverilog -g2005                 compiles;
  rtlgen sim NET --random 3       (the first --sim N generated networks, small shapes) runs the
                                  Verilator model with random stalls and backpressure against the
                                  golden model: every layer of every frame bit-exact.

Anything else (a crash, an "internal error", a sanitizer report, a lint warning, a mismatch) is a
bug: the network is kept in WORK/failures/ with the command and its output.

  random_networks.py --rtlgen BIN --work DIR [--count N] [--seed S] [--sim N] [--minutes M]

Prints one line per network and a summary (also WORK/summary.json); exit status 1 on any bug.
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time

import numpy as np


class Net:
    def __init__(self, rng, small):
        self.rng = rng
        self.small = small
        self.layers = []
        self.params = {}  # file name -> numpy array
        self.count = 0

    def name(self, prefix):
        self.count += 1
        return "%s%d" % (prefix, self.count)


def quant(rng, dtype):
    scale = float(np.float32(rng.uniform(0.005, 0.2)))
    if dtype == "int8":
        zp = rng.choice([0, 0, -128, rng.randint(-20, 20)])
    else:
        zp = rng.choice([0, 128, rng.randint(100, 150)])
    return {"dtype": dtype, "scale": scale, "zero_point": zp}


def divisors(n):
    return [d for d in range(1, n + 1) if n % d == 0]


def weighted(net, t, op, kh, kw, cin, cout, dtype):
    """Parameters of a conv2d / depthwise / fully_connected layer; returns YAML keys."""
    rng = net.rng
    name = net.name({"conv2d": "conv", "depthwise_conv2d": "dw", "fully_connected": "fc"}[op])
    if op == "conv2d":
        shape = (cout, kh, kw, cin)
    elif op == "depthwise_conv2d":
        shape = (1, kh, kw, cout)
    else:
        shape = (cout, cin)
    mag = rng.choice([3, 20, 127])
    if dtype == "int8":
        w = np.array([rng.randint(-mag, mag) for _ in range(int(np.prod(shape)))], np.int8)
        wzp = 0
    else:
        wzp = rng.randint(100, 150)
        w = np.array([min(255, max(0, wzp + rng.randint(-mag, mag)))
                      for _ in range(int(np.prod(shape)))], np.uint8)
    w = w.reshape(shape)
    net.params[name + "_w.npy"] = w
    keys = {"name": name, "op": op, "weights": name + "_w.npy"}
    if rng.random() < 0.7:
        net.params[name + "_b.npy"] = np.array([rng.randint(-2000, 2000) for _ in range(cout)],
                                               np.int32)
        keys["bias"] = name + "_b.npy"
    per_channel = dtype == "int8" and op != "fully_connected" and rng.random() < 0.6
    ws = [float(np.float32(rng.uniform(0.002, 0.05))) for _ in range(cout if per_channel else 1)]
    if per_channel:
        net.params[name + "_s.npy"] = np.array(ws, np.float32)
        keys["weight_scales"] = name + "_s.npy"
    else:
        keys["weight_scales"] = ws[0]
    if wzp:
        keys["weight_zero_point"] = wzp
    # An output scale that keeps the requantization multiplier mostly below 1.
    n = (kh * kw * (cin if op != "depthwise_conv2d" else 1))
    out = quant(rng, dtype)
    out["scale"] = float(np.float32(t["scale"] * max(ws) * (n ** 0.5) * mag *
                                    rng.uniform(0.05, 0.5)))
    keys["output"] = out
    keys["activation"] = rng.choice(["none", "relu", "relu6", "none"])
    return keys, out


def random_network(seed, small):
    rng = random.Random(seed)
    net = Net(rng, small)
    dtype = "int8" if rng.random() < 0.75 else "uint8"
    h = rng.randint(2, 6 if small else 12)
    w = rng.randint(2, 6 if small else 12)
    c = rng.choice([1, 2, 3, 4] if small else [1, 2, 3, 4, 8, 16])
    inq = quant(rng, dtype)
    doc = {"network": "rnd%d" % seed, "params": "params",
           "input": dict(name="input", shape=[h, w, c], **inq), "layers": []}
    # current tensor: name, shape, quantization
    cur = ("input", [h, w, c], inq)
    n_layers = rng.randint(1, 4 if small else 7)
    for _ in range(n_layers):
        name, (h, w, c), q = cur
        choices = ["conv", "dw", "pool", "pad_conv", "residual"]
        if h * w > 1:
            choices += ["mean"]
        op = rng.choice(choices)
        if op in ("conv", "dw", "pad_conv"):
            kh, kw = rng.randint(1, min(3, h)), rng.randint(1, min(3, w))
            if op == "pad_conv":  # merged into the convolution: each pad below the kernel
                pads = [rng.randint(0, kh - 1), rng.randint(0, kh - 1), rng.randint(0, kw - 1),
                        rng.randint(0, kw - 1)]
                if rng.random() < 0.1:
                    pads[rng.randint(0, 3)] += 3  # too much: must be refused cleanly
                pname = net.name("pad")
                doc["layers"].append({"name": pname, "op": "pad", "pads": pads, "inputs": name})
                name, h, w = pname, h + pads[0] + pads[1], w + pads[2] + pads[3]
            sh, sw = rng.choice([1, 1, 2]), rng.choice([1, 1, 2])
            padding = rng.choice(["same", "valid"]) if op != "pad_conv" else "valid"
            kind = "depthwise_conv2d" if op == "dw" else "conv2d"
            cout = c if kind == "depthwise_conv2d" else rng.choice([1, 2, 4, 8] if small
                                                                   else [1, 2, 4, 8, 16])
            keys, out = weighted(net, q, kind, kh, kw, c, cout, dtype)
            keys.update({"kernel": [kh, kw], "stride": [sh, sw], "padding": padding,
                         "inputs": name})
            if rng.random() < 0.5:  # folding hints
                hw = {"pe": rng.choice(divisors(cout))}
                if kind == "conv2d":
                    hw["simd"] = rng.choice(divisors(c) + ([kh * kw * c] if rng.random() < 0.2
                                                           else []))
                keys["hw"] = hw
            doc["layers"].append(keys)
            if padding == "same":
                oh, ow = -(-h // sh), -(-w // sw)
            else:
                oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
            cur = (keys["name"], [oh, ow, cout], out)
        elif op == "pool":
            kind = rng.choice(["max_pool2d", "average_pool2d"])
            kh, kw = rng.randint(1, min(3, h)), rng.randint(1, min(3, w))
            sh, sw = rng.randint(1, kh), rng.randint(1, kw)
            padding = rng.choice(["valid", "valid", "same"])
            pname = net.name("pool")
            doc["layers"].append({"name": pname, "op": kind, "pool": [kh, kw],
                                  "stride": [sh, sw], "padding": padding, "inputs": name})
            if padding == "same":
                oh, ow = -(-h // sh), -(-w // sw)
            else:
                oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
            cur = (pname, [oh, ow, c], q)
        elif op == "mean":
            mname = net.name("mean")
            out = quant(rng, dtype)
            out["scale"] = float(np.float32(q["scale"] * rng.uniform(0.5, 2)))
            doc["layers"].append({"name": mname, "op": "mean", "inputs": name, "output": out})
            cur = (mname, [1, 1, c], out)
        else:  # residual: a same-shape conv branch joined with its input
            keys, out = weighted(net, q, "conv2d", min(3, h), min(3, w), c, c, dtype)
            keys.update({"kernel": [min(3, h), min(3, w)], "padding": "same", "inputs": name})
            doc["layers"].append(keys)
            aname = net.name("add")
            aout = quant(rng, dtype)
            aout["scale"] = float(np.float32(2.5 * max(q["scale"], out["scale"]) *
                                             rng.uniform(1, 2)))
            doc["layers"].append({"name": aname, "op": "add", "inputs": [name, keys["name"]],
                                  "activation": rng.choice(["none", "relu"]), "output": aout})
            cur = (aname, [h, w, c], aout)
    name, (h, w, c), q = cur
    if rng.random() < 0.5:  # a classifier head
        if rng.random() < 0.5:
            rname = net.name("flat")
            doc["layers"].append({"name": rname, "op": "reshape", "inputs": name})
            name = rname
        classes = rng.randint(2, 10)
        keys, out = weighted(net, q, "fully_connected", 1, 1, h * w * c, classes, dtype)
        keys["inputs"] = name
        if rng.random() < 0.4:
            keys["hw"] = {"pe": rng.choice(divisors(classes)),
                          "simd": rng.choice(divisors(h * w * c))}
        doc["layers"].append(keys)
        if rng.random() < 0.3:
            doc["layers"].append({"name": net.name("prob"), "op": "softmax",
                                  "output": {"dtype": dtype, "scale": 1.0 / 256,
                                             "zero_point": -128 if dtype == "int8" else 0}})
    if rng.random() < 0.2:
        doc["fold"] = {"max_multipliers": rng.choice([4, 16, 64, 256])}
        for l in doc["layers"]:
            l.pop("hw", None)
    if rng.random() < 0.15:
        break_one_thing(rng, doc)
    return doc, net.params


def break_one_thing(rng, doc):
    """A valid-looking change rtlgen must refuse cleanly (never crash or emit bad RTL)."""
    layers = doc["layers"]
    weighted_layers = [l for l in layers if "weights" in l]
    kind = rng.choice(["pe", "dw_simd", "add_scale", "softmax_middle", "relu6_scale", "name"])
    if kind == "pe" and weighted_layers:
        weighted_layers[0]["hw"] = {"pe": 7 * 11 * 13}  # divides no channel count here
    elif kind == "dw_simd":
        for l in layers:
            if l["op"] == "depthwise_conv2d":
                l["hw"] = {"simd": 2}
    elif kind == "add_scale":
        for l in layers:
            if l["op"] == "add":
                l["output"]["scale"] = 1e-6
    elif kind == "softmax_middle" and len(layers) > 1:
        layers.insert(0, {"name": "early_softmax", "op": "softmax", "inputs": "input",
                          "output": {"dtype": doc["input"]["dtype"], "scale": 1.0 / 256,
                                     "zero_point": -128 if doc["input"]["dtype"] == "int8" else 0}})
    elif kind == "relu6_scale" and weighted_layers:
        weighted_layers[-1]["activation"] = "relu6"
        weighted_layers[-1]["output"]["scale"] = 1e-9
    elif kind == "name" and len(layers) > 1:
        # a second layer named like a stream wire of the first
        old = layers[1]["name"]
        layers[1]["name"] = layers[0]["name"] + "_win"
        for l in layers[2:]:
            if l.get("inputs") == old:
                l["inputs"] = layers[1]["name"]
            elif isinstance(l.get("inputs"), list):
                l["inputs"] = [layers[1]["name"] if i == old else i for i in l["inputs"]]


def write_network(d, doc, params):
    os.makedirs(os.path.join(d, "params"), exist_ok=True)
    for f, a in params.items():
        np.save(os.path.join(d, "params", f), a)
    path = os.path.join(d, "net.yaml")
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)  # JSON is YAML
    return path


def run(cmd, cwd=None, timeout=600, env=None):
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        return -999, "", "timeout after %d s" % timeout


def clean_refusal(rc, err):
    lines = err.strip().splitlines()
    return rc == 1 and len(lines) == 1 and lines[0].startswith("rtlgen: error: ")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rtlgen", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sim", type=int, default=0, help="simulate the first N generated networks")
    ap.add_argument("--minutes", type=float, default=0, help="stop after this long (0: no limit)")
    ap.add_argument("--no-lint", action="store_true")
    a = ap.parse_args()
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    t0 = time.time()
    s = dict(tried=0, refused=0, generated=0, lint_clean=0, simulated=0, bit_exact=0, bugs=[])
    refusals = {}
    for i in range(a.count):
        if a.minutes and time.time() - t0 > a.minutes * 60:
            break
        seed = a.seed * 100000 + i
        small = i < a.sim or i % 2 == 0
        doc, params = random_network(seed, small)
        d = os.path.join(a.work, "n%d" % seed)
        net = write_network(d, doc, params)
        s["tried"] += 1
        out = os.path.join(d, "out")
        rc, _, err = run([a.rtlgen, "generate", net, "-o", out], timeout=300)
        status = ""
        bug = None
        if rc == 0:
            s["generated"] += 1
            status = "generated"
            if not a.no_lint:
                top = [f for f in os.listdir(os.path.join(out, "rtl")) if f.endswith("_top.v")][0][:-2]
                lrc, lo, le = run(["verilator", "--lint-only", "-Wall", "-f", "filelist.f",
                                   "--top-module", top], cwd=out)
                irc, io, ie = run(["iverilog", "-g2005", "-o", "/dev/null", "-s", top, "-c",
                                   "filelist.f"], cwd=out)
                if lrc == 0 and irc == 0 and not le.strip() and not ie.strip():
                    s["lint_clean"] += 1
                    status += ", lint+iverilog clean"
                else:
                    bug = "lint/compile: verilator %d %s / iverilog %d %s" % (lrc, le[-2000:], irc,
                                                                             ie[-2000:])
            if bug is None and s["simulated"] < a.sim and small:
                env = dict(os.environ, RTLGEN_SIM_OPT=os.environ.get("RTLGEN_SIM_OPT", "-O1"))
                src, so, se = run([a.rtlgen, "sim", net, "-o", os.path.join(d, "sim"), "--random",
                                   "3", "--seed", str(seed), "--quiet", "--jobs", "1"],
                                  timeout=900, env=env)
                s["simulated"] += 1
                rep = os.path.join(d, "sim", "sim_report.json")
                mism = None
                if os.path.exists(rep):
                    mism = json.load(open(rep)).get("mismatches")
                if src == 0 and mism == 0:
                    s["bit_exact"] += 1
                    status += ", sim bit-exact"
                else:
                    bug = "sim: rc %d mismatches %s: %s %s" % (src, mism, so[-1500:], se[-1500:])
        elif clean_refusal(rc, err):
            s["refused"] += 1
            msg = err.strip().split(": ", 2)[-1]
            key = msg.split(":")[-1].strip()[:60]
            refusals[key] = refusals.get(key, 0) + 1
            status = "refused: " + msg[:120]
        else:
            bug = "generate: rc %d: %s" % (rc, err[-3000:])
        if bug:
            status = "BUG " + bug[:300]
            s["bugs"].append({"seed": seed, "what": bug})
            fd = os.path.join(a.work, "failures", "n%d" % seed)
            shutil.copytree(d, fd, ignore=shutil.ignore_patterns("out", "sim"), dirs_exist_ok=True)
            with open(os.path.join(fd, "what.txt"), "w") as f:
                f.write(bug + "\n")
        else:
            shutil.rmtree(os.path.join(d, "sim"), ignore_errors=True)
            shutil.rmtree(out, ignore_errors=True)
        print("[%d] seed %d: %s" % (i, seed, status), flush=True)
    s["wall_seconds"] = round(time.time() - t0, 1)
    s["refusal_kinds"] = refusals
    with open(os.path.join(a.work, "summary.json"), "w") as f:
        json.dump(s, f, indent=1)
    print("random networks: %d tried, %d refused cleanly, %d generated, %d lint+compile clean, "
          "%d simulated, %d bit-exact, %d bugs, %.0f s" %
          (s["tried"], s["refused"], s["generated"], s["lint_clean"], s["simulated"],
           s["bit_exact"], len(s["bugs"]), s["wall_seconds"]))
    return 1 if s["bugs"] else 0


if __name__ == "__main__":
    sys.exit(main())
