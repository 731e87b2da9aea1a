// The integer scale-shift scheme (the first seed document's own quantization):
// acc = B + sum((x - x_zp) * (code - w_zp)), y = round(acc * S / 2^k) + out_zp, optional clamp,
// activations of any width up to 32 bits chosen by an interval analysis of the worst case, and
// average pools rounding half to even. Layers opt in with YAML `requant:`
// (RequantMode::ScaleShift).
#pragma once

#include <cstdint>

#include "rtlgen/ir.hpp"

namespace rtlgen {

// round(v / 2^shift) with the given rounding; shift 0..62, exact for any int64 v.
int64_t shift_round(int64_t v, int shift, Rounding r);

// sum / n rounded half to even (n > 0), exact; the seed's 2x2 average pool is sum / 4.
int64_t divide_half_even(int64_t sum, int64_t n);

// The seed's bias: B = round_half_even(float32(bias * gain) / float32(S / 2^k)), float32
// arithmetic as PyTorch does it on a float32 tensor (gain 256: the raw-pixel input gain).
int64_t scale_shift_bias(float bias, float gain, int64_t multiplier, int shift);

// Signed bits holding [lo, hi] (two's complement), unsigned bits when lo >= 0 and !force_signed.
int bits_for_interval(int64_t lo, int64_t hi, bool force_signed);

// Interval analysis of every ScaleShift layer and what follows it: worst-case accumulator,
// product and output ranges from the input range and the actual weights and biases; sets
// acc_bits, product_bits, out_min/out_max, the output width where `bits: auto`, and
// act_min/act_max (the width's range, ReLU, explicit clamp). A width given in the YAML that is
// narrower than the worst case is kept: the output is then clamped to it (golden and hardware).
void analyze_scale_shift(Network& net);

// Epilogue of a ScaleShift layer for output channel c.
inline int32_t scale_shift_requantize(const Layer& l, int64_t acc) {
  const int64_t y =
      shift_round(acc * l.scale_shift.multiplier, l.scale_shift.shift, l.scale_shift.rounding) +
      l.out_quant.zero_point;
  return static_cast<int32_t>(y < l.act_min ? l.act_min : y > l.act_max ? l.act_max : y);
}

}  // namespace rtlgen
