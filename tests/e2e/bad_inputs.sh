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
# operator 3's inputs vector made 100,000 long (located through the FlatBuffer tables)
u32 = lambda o: struct.unpack_from("<I", tfl, o)[0]
u16 = lambda o: struct.unpack_from("<H", tfl, o)[0]
def field(t, fid):
    vt = t - struct.unpack_from("<i", tfl, t)[0]
    return t + u16(vt + 4 + 2 * fid) if 4 + 2 * fid < u16(vt) else None
deref = lambda p: p + u32(p)
sg0 = deref(deref(field(deref(0), 2)) + 4)
op3 = deref(deref(field(sg0, 3)) + 4 + 4 * 3)
long_inputs = bytearray(tfl); struct.pack_into("<I", long_inputs, deref(field(op3, 1)), 100000)
w("long_inputs.tflite", bytes(long_inputs))
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
# the rest of the pipeline and the CLI
w("softmax_only.yaml", b"""network: t
input: {shape: [1, 1, 10], dtype: int8, scale: 0.1, zero_point: 0}
layers:
  - {name: s, op: softmax, output: {dtype: int8, scale: 0.00390625, zero_point: -128}}
""")
rt = open(os.path.join(src, "configs/residual_tiny.yaml")).read().replace(
    "params: residual_tiny_params", "params: " + os.path.join(src, "configs/residual_tiny_params"))
w("collide_rq.yaml", rt.replace("- name: conv_b", "- name: conv_a_rq").replace("conv_b]", "conv_a_rq]").encode())
w("collide_fork.yaml", rt.replace("- name: conv_b", "- name: input_b1").replace("conv_b]", "input_b1]").encode())
w("collide_port.yaml", rt.replace("- name: conv_b", "- name: m_axis").replace("conv_b]", "m_axis]").encode())
w("collide_win.yaml", rt.replace("- name: conv_b", "- name: conv_a_win").replace("conv_b]", "conv_a_win]").encode())
w("collide_skip.yaml", rt.replace("- name: conv_b", "- name: input_b1_sk").replace("conv_b]", "input_b1_sk]").encode())
w("collide_s_axis.yaml", rt.replace("- name: conv_b", "- name: s_axis").replace("conv_b]", "s_axis]").encode())
w("pad_65536.yaml", b"""network: t
input: {shape: [4, 4, 1], dtype: int8, scale: 1.0, zero_point: 0}
layers:
  - {name: p, op: pad, pads: [65536, 65536, 65536, 65536]}
""")
lenet_abs = yaml.replace("params: lenet_params", "params: " + os.path.join(src, "configs/lenet_params"))
w("long_network_name.yaml", lenet_abs.replace("network: lenet", "network: " + "n" * 300, 1).encode())
w("long_layer_name.yaml", lenet_abs.replace("- name: conv1", "- name: " + "c" * 5000, 1).replace("inputs: conv1", "inputs: " + "c" * 5000).encode())
os.makedirs("pz", exist_ok=True)
os.symlink("/dev/zero", "pz/w_zero.npy")
w("npy_dev_zero.yaml", (net % ("8, 8, 1", "int8", "conv2d\n    kernel: 5", "w_zero.npy")).replace("params: p", "params: pz").encode())
os.symlink("/dev/zero", "zero.tflite")
os.makedirs("mnist_small", exist_ok=True)
for kind in ("images-idx3", "labels-idx1"):
    w("mnist_small/t10k-%s-ubyte" % kind, open(os.path.join(src, "tests/data/mnist100-%s-ubyte" % kind), "rb").read())
os.makedirs("mnist_rank", exist_ok=True)
w("mnist_rank/t10k-images-idx3-ubyte", bytes([0, 0, 8, 2]) + struct.pack(">II", 10, 784) + bytes(7840))
w("mnist_rank/t10k-labels-idx1-ubyte", bytes([0, 0, 8, 1]) + struct.pack(">I", 10) + bytes(10))
os.symlink("/nonexistent/rtlgen", "dangling")
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
  ".tflite truncated to 1000 bytes|truncated.tflite: byte 52: Model.operator_codes: offset 71712 points to byte 71764, past the end of the file (1000 bytes) (the .tflite file is truncated or corrupt|info truncated.tflite"
  ".tflite with a vector past the end|: Model.subgraphs[0].operators[3].inputs: vector runs past the end of the file (len 100000, 4 bytes each, file 71840 bytes)|info long_inputs.tflite"
  "not a .tflite file|not a TensorFlow Lite model|info not_tflite.tflite"
  ".tflite with a wrong file identifier|bad_identifier.tflite: byte 4: file header: not a TensorFlow Lite model: file identifier (bytes 4-7) is 'XYZ1'|info bad_identifier.tflite"
  ".tflite with misaligned int64 zero points (fuzz crash)|misaligned.tflite: byte 5928: Model.subgraphs[0].tensors[7].quantization.zero_point: its 8-byte elements start at byte 5932, not 8-byte aligned|info misaligned.tflite"
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
  # D1-D12 of the second adversarial probe: the planner, the emitters, the output paths and the CLI arguments
  "D1 eval --skip negative|--skip: a count must be in [0, 2147483647], got -5|eval $lenet --mnist mnist_small --skip -5 --limit 10"
  "D1 eval --limit negative|--limit: a count must be in [0, 2147483647], got -1|eval $lenet --mnist mnist_small --limit -1"
  "eval images of rank 2|IDX images must have 3 dimensions|eval $lenet --mnist mnist_rank"
  "D3 network of one softmax|no layer runs in hardware|generate softmax_only.yaml -o out_sm"
  "D4 layer named like a requantizer (conv_a_rq)|the netlist would declare 'conv_a_rq_tdata' twice|generate collide_rq.yaml -o out_c1"
  "D4 layer named like a fork branch (input_b1)|would declare 'input_b1_tdata' twice|generate collide_fork.yaml -o out_c2"
  "D4 layer named like a port (m_axis)|would declare 'm_axis_tdata' twice|generate collide_port.yaml -o out_c3"
  "D4 at load: layer named like a window generator (conv_a_win)|collide_win.yaml:22:5: the netlist would declare 'conv_a_win_tdata' twice|info collide_win.yaml"
  "D4 at load: layer named like a skip FIFO stream (input_b1_sk)|collide_skip.yaml:22:5: the netlist would declare 'input_b1_sk_tdata' twice|info collide_skip.yaml"
  "D4 at load: layer named like the input port (s_axis)|rename 's_axis'|fold collide_s_axis.yaml --target-fps 100"
  "D4 at load: layer named like a requantizer (conv_a_rq)|collide_rq.yaml:22:5: the netlist would declare 'conv_a_rq_tdata' twice|info collide_rq.yaml"
  "D6 pad layer making a 2^34-element tensor|every tensor is limited to 2^26|info pad_65536.yaml"
  "D7 --input /dev/zero|/dev/zero: is not a regular file|run $tiny --input /dev/zero"
  "D7 --tb-inputs /dev/zero|/dev/zero: is not a regular file|generate $small -o out_tb --tb-inputs /dev/zero"
  "D7 .npy parameter symlinked to /dev/zero|parameter file 'w_zero.npy' (pz/w_zero.npy) is not a regular file|info npy_dev_zero.yaml"
  "D7 .tflite symlinked to /dev/zero|zero.tflite: is not a regular file|info zero.tflite"
  "D8 -o under a file|a_file' is not a directory|generate $small -o a_file/sub"
  "D8 -o a dangling symlink|is a dangling symbolic link|generate $small -o dangling"
  "D8 -o in /proc/self|cannot write /proc/self/|generate $small -o /proc/self/out"
  "D10 fold --clock-mhz 1e308|--clock-mhz: the clock in MHz must be in (0, 2000], got 1e308|fold $small --target-fps 100 --clock-mhz 1e308"
  "D10 fold --target-fps inf|--target-fps: frames per second must be in (0, 1000000000000], got inf|fold $small --target-fps inf"
  "D11 300-character network name|is 300 characters long; at most 64|generate long_network_name.yaml -o out_long"
  "D11 5000-character layer name|is 5000 characters long; at most 64|info long_layer_name.yaml"
  "sim --perf-frames negative|--perf-frames: a count must be in [0, 2147483647], got -2|sim $small -o out_pf --perf-frames -2"
  "--tb-frames beyond 256 MiB of vectors|the testbench vectors would take|generate $small -o out_tbf --tb-frames 100000000"
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
