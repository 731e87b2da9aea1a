#!/usr/bin/env bash
# The first seed document's integer scheme: golden model (rtlgen eval --dump) against
# the independent numpy reference (tools/seed1_reference.py), every layer, N digits.
# usage: seed1_check.sh RTLGEN SRC MNIST_DIR WORKDIR MODE [N]
#   config:    configs/lenet_seed1.yaml as committed; also re-exports configs/lenet_seed1.pth
#              with --auto and requires the committed parameters and integers to be reproduced
#   codes_doc: tests/data/seed1/lenet_seed1_codes.pth (uint8 codes in int32 tensors) exported
#              with the document's table (S, K, ZP)
#   float_doc: configs/lenet_seed1.pth (float) exported with the document's table
#   errors:    the exporter's refusals (codes without a table, a missing tensor, a bad --layer)
set -uo pipefail
rtlgen=$1 src=$2 mnist=$3 work=$4 mode=$5 n=${6:-100}
DOC=(--layer c1=23,12,99 --layer c3=13,12,141 --layer c5=3,11,128 --layer f6=13,13,126
     --layer output=13,12,127)
rm -rf "$work" && mkdir -p "$work" || exit 1
export_net() {  # PTH NAME ARGS...
  local pth=$1 name=$2
  shift 2
  python3 "$src/tools/seed1_export.py" "$pth" "$@" -o "$work/exp" --name "$name" || exit 1
}
compare() {  # NET.yaml PTH REFERENCE-ARGS...
  local net=$1 pth=$2
  shift 2
  "$rtlgen" eval "$net" --mnist "$mnist" --skip 8000 --limit "$n" --dump "$work/dump" || exit 1
  python3 "$src/tools/seed1_reference.py" "$pth" "$@" --mnist "$mnist" --skip 8000 --limit "$n" \
    --golden "$work/dump" || exit 1
}
case $mode in
  config)
    export_net "$src/configs/lenet_seed1.pth" lenet_seed1 --auto
    for f in "$src"/configs/lenet_seed1_params/*.npy; do
      cmp "$f" "$work/exp/lenet_seed1_params/$(basename "$f")" || { echo "$f differs"; exit 1; }
    done
    # The same layers and integers (the committed YAML adds hw: foldings and comments).
    strip() { grep -E '^\s*(- name|op|weight_zero_point|requant|output|rounding):' "$1"; }
    diff <(strip "$src/configs/lenet_seed1.yaml") <(strip "$work/exp/lenet_seed1.yaml") ||
      { echo "configs/lenet_seed1.yaml no longer matches the exporter"; exit 1; }
    compare "$src/configs/lenet_seed1.yaml" "$src/configs/lenet_seed1.pth" \
      --table "$src/configs/lenet_seed1.yaml" ;;
  codes_doc)
    export_net "$src/tests/data/seed1/lenet_seed1_codes.pth" seed1_codes "${DOC[@]}"
    compare "$work/exp/seed1_codes.yaml" "$src/tests/data/seed1/lenet_seed1_codes.pth" "${DOC[@]}" ;;
  float_doc)
    export_net "$src/configs/lenet_seed1.pth" seed1_float "${DOC[@]}"
    compare "$work/exp/seed1_float.yaml" "$src/configs/lenet_seed1.pth" "${DOC[@]}" ;;
  errors)
    expect() {  # WANT ARGS...: the exporter must fail and say WANT
      local want=$1
      shift
      out=$(python3 "$src/tools/seed1_export.py" "$@" -o "$work/bad" 2>&1) && { echo "accepted: $*"; exit 1; }
      grep -qF "$want" <<<"$out" || { echo "expected '$want', got: $out"; exit 1; }
      echo "refused as expected: $want"
    }
    expect "holds integer codes: give --layer c1=S,K,ZP" "$src/tests/data/seed1/lenet_seed1_codes.pth" --auto
    expect "expected NAME=S,K,ZP" "$src/configs/lenet_seed1.pth" --layer c2=1,2,3 --auto
    expect "need 0 < |S| < 2^31" "$src/configs/lenet_seed1.pth" --layer c1=0,2,3 --auto
    expect "no --layer c1=S,K,ZP (or give --auto)" "$src/configs/lenet_seed1.pth"
    printf 'not a zip' > "$work/bad.pth"
    expect "not a PyTorch zip archive" "$work/bad.pth" --auto ;;
  *) echo "unknown mode $mode"; exit 2 ;;
esac
echo "seed1_check $mode: OK"
