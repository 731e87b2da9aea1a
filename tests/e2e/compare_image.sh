#!/usr/bin/env bash
# TFLite vs rtlgen on one image: rtlgen decodes and resizes the image (bilinear, see README),
# dumps the exact input tensor, and the comparison feeds that same tensor to both runtimes.
# Prints rtlgen's top-5 and checks the expected top-1 class when given.
# usage: compare_image.sh RTLGEN MODEL.tflite IMAGE WORKDIR [EXPECTED_TOP1_CLASSES e.g. 282-286]
set -euo pipefail
rtlgen=$1 model=$2 image=$3 work=$4 expect=${5:-}
mkdir -p "$work"
rm -rf "$work/dump"  # (dumps of older rtlgen versions have no .rtlgen marker)
"$rtlgen" run "$model" --input "$image" --dump "$work/dump" | tee "$work/top5.txt"
python3 "$(dirname "$0")/../../tools/tflite_compare.py" --model "$model" --rtlgen "$rtlgen" \
  --input "$work/dump/input.npy" --workdir "$work/compare" --quiet
if [[ -n $expect ]]; then
  top1=$(awk '/class/ {print $2; exit}' "$work/top5.txt")
  lo=${expect%-*} hi=${expect#*-}
  if ((top1 < lo || top1 > hi)); then
    echo "FAIL: top-1 class $top1 not in $expect"; exit 1
  fi
  echo "top-1 class $top1 is in $expect"
fi
