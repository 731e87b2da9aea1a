#!/usr/bin/env bash
# Bad input never crashes or lies: every malformed network, parameter, input image or output
# directory given to the rtlgen CLI ends with exit status 1 and one "rtlgen: error: <file>: ..."
# line naming the file and what is wrong (never a crash, a sanitizer report, an "internal
# error" or a success). Prints a table: kind of bad input | what the user sees.
#   usage: bad_inputs.sh RTLGEN SOURCE_DIR WORKDIR
set -euo pipefail
rtlgen=$1 src=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
cd "$work"

# ---- the bad inputs (small files made here from the project's own valid ones) ----
cp -r "$src/configs/lenet_params" lenet_params
cp -r "$src/configs/tiny_params" tiny_params
python3 - "$src" <<'EOF'
import os, struct, sys
src = sys.argv[1]
def w(name, data):
    with open(name, "wb") as f:
        f.write(data)
def npy(descr, shape, payload, shape_text=None):
    st = shape_text or "(" + "".join("%d, " % d for d in shape).rstrip(" ").rstrip(",") + ("," if len(shape) == 1 else "") + ")"
    h = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, st)
    h += " " * ((64 - (10 + len(h) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode() + payload
tfl = open(os.path.join(src, "configs/lenet.tflite"), "rb").read()
w("truncated.tflite", tfl[:1000])
w("not_tflite.tflite", b"PK\x03\x04" + bytes(60))
bad_id = bytearray(tfl); bad_id[4:8] = b"XYZ1"; w("bad_identifier.tflite", bytes(bad_id))
w("misaligned.tflite", open(os.path.join(src, "tests/fuzz/corpus/tflite/crash_misaligned_zero_point.tflite"), "rb").read())
yaml = open(os.path.join(src, "configs/lenet.yaml")).read()
w("syntax.yaml", b"network: x\nlayers: [\n  - name: a\n")
w("unknown_key.yaml", yaml.replace("kernel: [5, 5]", "kernal: [5, 5]", 1).encode())
w("missing_param.yaml", yaml.replace("conv1_weights.npy", "nowhere.npy", 1).encode())
w("huge_scale.yaml", yaml.replace("scale: 0.0139740072", "scale: 1e39", 1).encode())
w("nan_scale.yaml", yaml.replace("scale: 0.0139740072", "scale: .nan", 1).encode())
w("relu6_tiny_scale.yaml", b"""network: t
input: {shape: [4, 4, 1], dtype: int8, scale: 1.0, zero_point: 0}
layers:
  - {name: p, op: max_pool2d, pool: 2, activation: relu6, output: {scale: 1e-12, zero_point: 0}}
""")
w("big_pads.yaml", b"""network: t
input: {shape: [4, 4, 1], dtype: int8, scale: 1.0, zero_point: 0}
layers:
  - {name: p, op: pad, pads: [2147483647, 2147483647, 0, 0]}
""")
os.makedirs("p", exist_ok=True)
w("p/w_trunc.npy", npy("|i1", [4, 5, 5, 1], bytes(50)))
w("p/w_big.npy", npy("|i1", [1, 300000], b"\x7f" * 300000))
w("p/w_hugeshape.npy", npy("|i1", [], b"", shape_text="(4294967296, 4294967296)"))
net = """network: t
params: p
input: {shape: [%s], dtype: %s, scale: 0.5, zero_point: 0}
layers:
  - name: l
    op: %s
    weights: %s
    weight_scales: 0.01
    output: {scale: 0.5, zero_point: 0}
"""
w("trunc_npy.yaml", (net % ("8, 8, 1", "int8", "conv2d\n    kernel: 5", "w_trunc.npy")).encode())
w("acc_overflow.yaml", (net % ("1, 300, 1000", "uint8", "fully_connected", "w_big.npy")).encode())
w("huge_npy_shape.yaml", (net % ("4, 4, 1", "int8", "fully_connected", "w_hugeshape.npy")).encode())
x = npy("|i1", [12, 12, 1], bytes(144))
w("input_truncated.npy", x[:-10])
w("input_wrong_shape.npy", npy("|i1", [12, 13, 1], bytes(156)))
w("input_wrong_dtype.npy", npy("<f4", [12, 12, 1], bytes(576)))
w("input_bad_header.npy", npy("|i1", [], bytes(144), shape_text="(12, -12, 1)"))
w("input_overflow_shape.npy", npy("|i1", [], bytes(16), shape_text="(2147483647, 2147483647, 2147483647)"))
bmp = b"BM" + struct.pack("<IHHI", 70, 0, 0, 54) + struct.pack("<IiiHHIIiiII", 40, 4, -2147483648, 1, 24, 0, 16, 0, 0, 0, 0) + bytes(16)
w("int_min_height.bmp", bmp)
bmp = b"BM" + struct.pack("<IHHI", 70, 0, 0, 54) + struct.pack("<IiiHHIIiiII", 40, 1000, 1000, 1, 24, 0, 16, 0, 0, 0, 0) + bytes(16)
w("truncated.bmp", bmp)
w("rle.bmp", b"BM" + struct.pack("<IHHI", 70, 0, 0, 54) + struct.pack("<IiiHHIIiiII", 40, 2, 2, 1, 8, 1, 16, 0, 0, 0, 0) + bytes(16))
w("deep.pgm", b"P5\n4 4\n65535\n" + bytes(32))
w("truncated.pgm", b"P5\n# c\n28 28\n255\n" + bytes(100))
w("image.gif", b"GIF89a" + bytes(20))
os.makedirs("mnist_bad", exist_ok=True)
w("mnist_bad/t10k-images-idx3-ubyte", bytes([0, 0, 8, 3]) + struct.pack(">III", 10, 28, 28) + bytes(500))
w("mnist_bad/t10k-labels-idx1-ubyte", bytes([0, 0, 8, 1]) + struct.pack(">I", 10) + bytes(10))
os.makedirs("mnist_wrap", exist_ok=True)
w("mnist_wrap/t10k-images-idx3-ubyte", bytes([0, 0, 8, 4]) + struct.pack(">IIII", 1 << 24, 1 << 24, 1 << 16, 1))
w("mnist_wrap/t10k-labels-idx1-ubyte", bytes([0, 0, 8, 1]) + struct.pack(">I", 1) + bytes(1))
os.makedirs("mnist_gz", exist_ok=True)
w("mnist_gz/t10k-images-idx3-ubyte.gz", b"\x1f\x8b\x08\x00" + bytes(30))
w("mnist_gz/t10k-labels-idx1-ubyte.gz", b"\x1f\x8b\x08\x00" + bytes(30))
os.makedirs("foreign", exist_ok=True)
w("foreign/notes.txt", b"mine\n")
w("a_file", b"x")
os.makedirs("dir.yaml", exist_ok=True)
EOF

tiny=$src/configs/tiny.yaml lenet=$src/configs/lenet.yaml small=$src/configs/lenet_small.yaml
cases=(
  "network file missing|no such file|info no_such.yaml"
  "network path is a directory|is a directory|info dir.yaml"
  "unknown network file type|unknown network file type|info $src/README.md"
  ".tflite truncated to 1000 bytes|truncated or corrupt .tflite file|info truncated.tflite"
  "not a .tflite file|not a TensorFlow Lite model|info not_tflite.tflite"
  ".tflite with a wrong file identifier|file identifier (bytes 4-7) is 'XYZ1'|info bad_identifier.tflite"
  ".tflite with misaligned int64 zero points (fuzz crash)|FlatBuffer verification failed|info misaligned.tflite"
  "YAML syntax error|YAML syntax error|info syntax.yaml"
  "YAML unknown key|unknown key 'kernal'|info unknown_key.yaml"
  "YAML parameter file missing|parameter file 'nowhere.npy' not found|info missing_param.yaml"
  "YAML scale beyond float32|outside the float32 range|info huge_scale.yaml"
  "YAML scale NaN|scale must be a positive finite number|info nan_scale.yaml"
  "YAML relu6 with a tiny output scale|too small for the fused relu6 activation|info relu6_tiny_scale.yaml"
  "YAML pads near 2^31|pads must be in 0..65536|info big_pads.yaml"
  ".npy parameter truncated|truncated .npy data|info trunc_npy.yaml"
  ".npy parameter with a 2^64-element shape|dimension larger than 2^31 - 1|info huge_npy_shape.yaml"
  "accumulator could overflow int32|overflows int32|info acc_overflow.yaml"
  "input .npy truncated|truncated .npy data|run $tiny --input input_truncated.npy"
  "input .npy of the wrong shape|input .npy must have shape (12, 12, 1)|run $tiny --input input_wrong_shape.npy"
  "input .npy of the wrong dtype|holds '<f4' but the network input is int8|run $tiny --input input_wrong_dtype.npy"
  "input .npy with a negative dimension|bad .npy shape|run $tiny --input input_bad_header.npy"
  "input .npy whose shape product overflows 2^64|truncated .npy data|run $tiny --input input_overflow_shape.npy"
  "BMP height INT32_MIN|bad BMP dimensions|run $tiny --input int_min_height.bmp"
  "BMP truncated|truncated BMP pixel data|run $tiny --input truncated.bmp"
  "BMP compressed (RLE8)|compressed BMP (mode 1) is not supported|run $tiny --input rle.bmp"
  "PGM 16-bit|only 8-bit PGM|run $tiny --input deep.pgm"
  "PGM truncated|truncated PGM|run $tiny --input truncated.pgm"
  "unknown image format|unknown image format|run $tiny --input image.gif"
  "IDX data shorter than its header|IDX data has 500 bytes, header says 7840|eval $lenet --mnist mnist_bad"
  "IDX header whose size wraps 2^64|announce more than 2 GiB|eval $lenet --mnist mnist_wrap"
  "IDX .gz corrupt|corrupt gzip stream|eval $lenet --mnist mnist_gz"
  "-o a directory rtlgen did not write|was not written by rtlgen|generate $small -o foreign"
  "-o an existing file|exists and is not a directory|generate $small -o a_file"
  "--dump into a directory rtlgen did not write|was not written by rtlgen|run $tiny --input $src/configs/tiny_input.npy --dump foreign"
)
echo "| bad input kind | what the user sees |"
echo "| --- | --- |"
failed=0
for c in "${cases[@]}"; do
  IFS='|' read -r kind expect cmd <<<"$c"
  set +e
  # shellcheck disable=SC2086
  msg=$("$rtlgen" $cmd 2>&1 >/dev/null)
  rc=$?
  set -e
  first=$(printf '%s\n' "$msg" | head -1)
  echo "| $kind | \`$first\` |"
  if ((rc != 1)) || [[ $first != "rtlgen: error: "* ]] || [[ $msg != *"$expect"* ]] ||
     (($(printf '%s\n' "$msg" | wc -l) != 1)); then
    echo "FAIL: '$kind' (rtlgen $cmd): exit $rc, expected 1 and one error line containing '$expect':"
    printf '%s\n' "$msg" | head -20
    failed=$((failed + 1))
  fi
done
[[ -f foreign/notes.txt && $(cat foreign/notes.txt) == mine ]] || { echo "FAIL: foreign/ was touched"; failed=$((failed + 1)); }
echo "${#cases[@]} bad inputs: $((${#cases[@]} - failed)) refused cleanly, $failed failed"
((failed == 0))
