#!/usr/bin/env python3
"""tools/tflite_int8.py sets up TFLite's converter as the tools need it (checked against a stand-in
`tf`, so TensorFlow is not needed), and it is the only place in tools/ that does.
usage: tflite_int8_helper.py SOURCE_DIR"""
import glob
import os
import sys
import types

import numpy as np

src = sys.argv[1]
sys.path.insert(0, os.path.join(src, "tools"))
import tflite_int8  # noqa: E402

made = []


class Converter:
    @classmethod
    def from_keras_model(cls, model):
        c = cls()
        c.model, c.target_spec = model, types.SimpleNamespace()
        made.append(c)
        return c

    def convert(self):
        self.calibration = [batch for batch in self.representative_dataset()]
        return b"TFL3"


tf = types.SimpleNamespace(
    int8="int8",
    lite=types.SimpleNamespace(TFLiteConverter=Converter,
                               Optimize=types.SimpleNamespace(DEFAULT="DEFAULT"),
                               OpsSet=types.SimpleNamespace(TFLITE_BUILTINS_INT8="BUILTINS_INT8")))
samples = np.arange(5 * 2 * 3, dtype=np.float32).reshape(5, 2, 3)
failures = []
out = tflite_int8.convert_int8(tf, "keras model", tflite_int8.one_at_a_time(samples))
c = made[0]
expect = {"model": "keras model", "optimizations": ["DEFAULT"], "inference_input_type": "int8",
          "inference_output_type": "int8"}
for k, v in expect.items():
    if getattr(c, k) != v:
        failures.append(f"{k} = {getattr(c, k)!r}, expected {v!r}")
if c.target_spec.supported_ops != ["BUILTINS_INT8"]:
    failures.append(f"supported_ops = {c.target_spec.supported_ops!r}")
if out != b"TFL3":
    failures.append("convert_int8 does not return the converter's bytes")
if len(c.calibration) != 5 or any(len(b) != 1 or b[0].shape != (1, 2, 3) or
                                  not np.array_equal(b[0][0], samples[i])
                                  for i, b in enumerate(c.calibration)):
    failures.append("one_at_a_time does not yield [samples[i:i+1]] for each i")
# The set-up lives in one place: no other tool builds a converter.
others = [p for p in glob.glob(os.path.join(src, "tools", "*.py"))
          if "TFLiteConverter" in open(p).read() and not p.endswith("tflite_int8.py")]
if others:
    failures.append("TFLiteConverter set up outside tools/tflite_int8.py: " + ", ".join(others))
for f in failures:
    print("FAIL:", f)
print("tflite_int8 helper: " + ("ok" if not failures else f"{len(failures)} failures"))
sys.exit(1 if failures else 0)
