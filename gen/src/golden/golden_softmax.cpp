// Quantized SOFTMAX as TFLite's reference kernel computes it: exp of the scaled difference to
// the row maximum in fixed point (5 integer bits), sum with 12 integer bits, reciprocal, and a
// rounding shift to 8-bit output with scale 1/256.
#include <algorithm>

#include "rtlgen/fixed_point_math.hpp"
#include "rtlgen/golden.hpp"

namespace rtlgen::golden {

Tensor softmax(const Layer& l, const Tensor& in) {
  constexpr int kScaledDiffIntegerBits = 5;
  constexpr int kAccumulationIntegerBits = 12;
  Tensor out(l.out_shape, l.out_quant.dtype);
  const int depth = in.shape.c;
  const int rows = static_cast<int>(in.data.size() / depth);
  const int out_bits = 8;
  const int32_t out_min = qmin(l.out_quant.dtype), out_max = qmax(l.out_quant.dtype);
  const SoftmaxParams& p = l.softmax;
  auto scaled_diff = [&](int32_t diff) {
    // MultiplyByQuantizedMultiplierGreaterThanOne
    return srdhm(static_cast<int32_t>(static_cast<uint32_t>(diff) << p.input_left_shift),
                 p.input_multiplier);
  };
  for (int r = 0; r < rows; ++r) {
    const int32_t* x = &in.data[size_t(r) * depth];
    const int32_t max_in_row = *std::max_element(x, x + depth);
    int32_t sum_of_exps = 0;
    for (int c = 0; c < depth; ++c) {
      const int32_t diff = x[c] - max_in_row;
      if (diff >= p.diff_min) {
        const int32_t e = fxp::exp_on_negative_values(scaled_diff(diff), kScaledDiffIntegerBits);
        sum_of_exps += fxp::rescale(e, 0, kAccumulationIntegerBits);
      }
    }
    // Reciprocal of the sum: normalise into [1, 2), then 1 / (1 + x).
    const int headroom_plus_one = count_leading_zeros(static_cast<uint32_t>(sum_of_exps));
    const int num_bits_over_unit = kAccumulationIntegerBits - headroom_plus_one;
    const auto shifted_sum_minus_one = static_cast<int32_t>(
        (static_cast<uint32_t>(sum_of_exps) << headroom_plus_one) - (uint32_t(1) << 31));
    const int32_t shifted_scale = fxp::one_over_one_plus_x_for_x_in_0_1(shifted_sum_minus_one);
    for (int c = 0; c < depth; ++c) {
      const int32_t diff = x[c] - max_in_row;
      int32_t v = out_min;
      if (diff >= p.diff_min) {
        const int32_t e = fxp::exp_on_negative_values(scaled_diff(diff), kScaledDiffIntegerBits);
        const int32_t unsat = rdbpot(srdhm(shifted_scale, e), num_bits_over_unit + 31 - out_bits);
        v = std::min(std::max(unsat + out_min, out_min), out_max);
      }
      out.data[size_t(r) * depth + c] = v;
    }
  }
  return out;
}

}  // namespace rtlgen::golden
