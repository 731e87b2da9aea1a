#!/usr/bin/env bash
# An output directory is replaced atomically: `rtlgen generate NET -o OUT` killed (SIGKILL, or
# SIGINT as Ctrl-C) at any moment leaves OUT as the complete old or the complete new
# directory, never a mix or a partial one. Leftover temporary siblings are hidden (.OUT.tmp-PID),
# a partial one never carries the .rtlgen marker of a complete output, and the next run removes
# them.
#   usage: atomic_output_kill.sh RTLGEN SOURCE_DIR WORKDIR
# RTLGEN_DEBUG_SLOW_WRITE_MS stretches the write (a pause after each file) so that the kills
# below land before, during and after it.
set -euo pipefail
rtlgen=$1 src=$2 work=$3
old_net=$src/configs/lenet_small.yaml new_net=$src/configs/lenet.yaml
rm -rf "$work"
mkdir -p "$work"
out=$work/OUT
# A private copy of the templates: every run below must produce the same bytes.
cp -r "$src/rtl_templates" "$work/templates"
export RTLGEN_TEMPLATES=$work/templates

# References, generated at the same path (the command line is recorded in the files).
"$rtlgen" generate "$new_net" -o "$out" >/dev/null
cp -a "$out" "$work/ref_new"
rm -rf "$out"
"$rtlgen" generate "$old_net" -o "$out" >/dev/null
cp -a "$out" "$work/ref_old"
nfiles=$(find "$work/ref_new" -type f | wc -l)
echo "new output: $nfiles files"

same() { diff -r -q "$1" "$2" >/dev/null 2>&1; }
stray() { find "$work" -maxdepth 1 -name '.OUT.*' | sort; }

ms=25  # pause per file: the write takes about nfiles * ms
# Job control: background jobs of a non-interactive shell would otherwise ignore SIGINT.
set -m
kills=0 partial_seen=0 saw_old=0 saw_new=0
for sig in KILL INT; do
  for delay in 0.05 0.2 0.35 0.5 0.7 0.9 1.2 2 4; do
    rm -rf "$out"
    cp -a "$work/ref_old" "$out"
    RTLGEN_DEBUG_SLOW_WRITE_MS=$ms "$rtlgen" generate "$new_net" -o "$out" >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    kill -s "$sig" "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    kills=$((kills + 1))
    if same "$out" "$work/ref_old"; then
      state=old saw_old=$((saw_old + 1))
    elif same "$out" "$work/ref_new"; then
      state=new saw_new=$((saw_new + 1))
    else
      echo "FAIL: after SIG$sig at ${delay}s, $out is neither the old nor the new output:"
      diff -r -q "$out" "$work/ref_new" | head -5 || true
      exit 1
    fi
    left=""
    for t in $(stray); do
      # A leftover is a partial write, without the .rtlgen marker of a complete output, or
      # (killed right after the swap) the complete old tree on its way out.
      if [[ $t == *.tmp-* && -f $t/.rtlgen ]] && ! same "$t" "$work/ref_old"; then
        echo "FAIL: leftover $t carries the .rtlgen marker but is not a complete output"
        exit 1
      fi
      if [[ $t == *.tmp-* ]]; then
        partial_seen=$((partial_seen + 1))
        left+=" $(basename "$t") ($(find "$t" -type f | wc -l)/$nfiles files)"
      else
        left+=" $(basename "$t")"
      fi
    done
    echo "SIG$sig at ${delay}s: OUT is the complete $state output;${left:- no leftovers}"
    # The next run (not killed) cleans up what the killed one left, and succeeds.
    "$rtlgen" generate "$new_net" -o "$out" >/dev/null
    if ! same "$out" "$work/ref_new"; then
      echo "FAIL: the run after the kill did not produce the new output"
      exit 1
    fi
    if [[ -n $(stray) ]]; then
      echo "FAIL: temporary siblings left after a complete run: $(stray)"
      exit 1
    fi
  done
done
echo "$kills kills: OUT was old $saw_old times, new $saw_new times, never partial;" \
  "$partial_seen kills landed mid-write (partial temporary sibling left and cleaned up)"
if ((partial_seen == 0 || saw_old == 0 || saw_new == 0)); then
  echo "FAIL: the kills did not cover before, during and after the write"
  exit 1
fi
echo "atomic_output_kill: PASS"
