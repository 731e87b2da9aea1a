#!/usr/bin/env bash
# Fingerprint of everything rtlgen generates, for behaviour-preserving refactors: the generated
# output must stay byte-identical.
#
#   scripts/output_fingerprint.sh [RTLGEN] > fingerprints.txt
#
# For every network in configs/ (YAML, .tflite, .onnx, configs/zoo/ included) and the seed
# MobileNet (../shared/models/mobilenet_v1_0.25_128_quant.tflite; skipped, and said so, when
# absent) it runs `rtlgen generate` and, for models, `rtlgen import`, and prints one line per
# run: the sha256 of the OUT tree (file names and contents) and of what the command printed
# (stdout and stderr, exit status). A command that fails is fingerprinted by its message.
#
# The commands run in a scratch directory with relative paths (configs/..., out/...), so the
# command lines rtlgen writes into its output are the same whichever checkout or build runs it.
# RTLGEN defaults to build/gen/rtlgen of this checkout; templates come from that build's source tree.
# Compare two runs with diff; the last line hashes all lines above it.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
rtlgen=$(realpath "${1:-$repo/build/gen/rtlgen}")
[ -x "$rtlgen" ] || { echo "output_fingerprint.sh: no rtlgen at $rtlgen (build it first)" >&2; exit 2; }
scratch=$(mktemp -d "${TMPDIR:-/tmp}/rtlgen_fingerprint.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"
ln -s "$repo/configs" configs
shared_model="$repo/../shared/models/mobilenet_v1_0.25_128_quant.tflite"

tree_sha() {  # names and contents of every file under $1, in a fixed order
  (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum |
    cut -c1-16
}

# run LABEL OUTDIR -- ARGS...: prints "LABEL tree=<sha> log=<sha>"
run() {
  local label=$1 out=$2
  shift 3
  local status=0
  "$rtlgen" "$@" >"$scratch/log" 2>&1 || status=$?
  echo "exit $status" >>"$scratch/log"
  local tree=none
  [ -d "$out" ] && tree=$(tree_sha "$out")
  printf '%-58s tree=%s log=%s\n' "$label" "$tree" "$(sha256sum <"$scratch/log" | cut -c1-16)"
  rm -rf "$out"
}

nets=$(cd "$repo" && find configs -name '*.yaml' -o -name '*.yml' -o -name '*.tflite' -o \
  -name '*.onnx' | LC_ALL=C sort)
if [ -f "$shared_model" ]; then
  mkdir -p shared && ln -s "$shared_model" shared/mobilenet_v1_0.25_128_quant.tflite
  nets="$nets shared/mobilenet_v1_0.25_128_quant.tflite"
else
  echo "# seed MobileNet skipped: $shared_model absent" >&2
fi

{
  for net in $nets; do
    stem=$(basename "${net%.*}")
    run "generate $net" "out/$stem" -- generate "$net" -o "out/$stem"
    case "$net" in
      *.tflite | *.onnx) run "import $net" "imp/$stem" -- import "$net" -o "imp/$stem" ;;
    esac
  done
  # The testing options of the skip-FIFO sizing, on networks with residual joins.
  for net in configs/residual_tiny.yaml configs/zoo/mlperf_resnet8.tflite; do
    stem=$(basename "${net%.*}")
    run "generate --skip-fifo-bound-only --skip-fifo-adjust -1 $net" "out/$stem" -- \
      generate --skip-fifo-bound-only --skip-fifo-adjust -1 "$net" -o "out/$stem"
  done
} | tee "$scratch/all"
echo "all $(sha256sum <"$scratch/all" | cut -c1-16)"
