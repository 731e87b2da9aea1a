#include "rtlgen/quant_checks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "ops/op.hpp"
#include "rtlgen/fixed_point.hpp"

namespace rtlgen {

namespace {

// Channel count, for the layouts of docs/network-format.md: conv [O][KH][KW][I], fully
// connected [O][I] (channel-major), depthwise [1][KH][KW][C] (the entry's weights_channel_last).
int channels_of(const Layer& l) {
  if (l.weight_shape.empty()) return 0;
  return op_def(l.op).weights_channel_last() ? l.weight_shape.back() : l.weight_shape.front();
}

}  // namespace

std::string quantization_problem(const Layer& l, const TensorQuant& in,
                                 const TensorQuant& second_in) {
  // Fused activation: the clamp bounds are zero_point + round(f / scale) in int32.
  const float bound = l.activation == Activation::Relu6       ? 6.0f
                      : l.activation == Activation::ReluN1To1 ? 1.0f
                                                              : 0.0f;
  if (bound != 0.0f) {
    const float q = bound / l.out_quant.scale;
    if (!std::isfinite(q) || std::fabs(q) >= kTwoTo31 - 512)
      return fmt::format(
          "output scale {:.9g} is too small for the fused {} activation: its clamp "
          "bound {} / scale does not fit int32",
          l.out_quant.scale, to_string(l.activation), bound);
  }
  return op_def(l.op).scale_problem(l, in, second_in);  // the op's own scales
}

std::string accumulator_problem(const Layer& l, const TensorQuant& in) {
  if (!has_weights(l.op)) return "";
  const int oc = channels_of(l);
  if (oc <= 0 || l.weights.empty() || l.weights.size() % size_t(oc) != 0) return "";
  const int64_t max_x = std::max<int64_t>(int64_t(in.zero_point) - qmin(in.dtype),
                                          int64_t(qmax(in.dtype)) - in.zero_point);
  const size_t per_channel = l.weights.size() / size_t(oc);
  const bool channel_last = op_def(l.op).weights_channel_last();
  std::vector<int64_t> sum_abs_w(size_t(oc), 0);
  for (size_t i = 0; i < l.weights.size(); ++i) {
    const size_t c = channel_last ? i % size_t(oc) : i / per_channel;
    sum_abs_w[c] += std::abs(int64_t(l.weights[i]) - l.weight_zero_point);
  }
  for (int c = 0; c < oc; ++c) {
    const int64_t bias = size_t(c) < l.bias.size() ? std::abs(int64_t(l.bias[size_t(c)])) : 0;
    const int64_t worst = sum_abs_w[size_t(c)] * max_x + bias;  // < 2^31 * 2^8 * 2^8 + 2^31
    if (worst > INT32_MAX)
      return fmt::format(
          "output channel {}: worst-case accumulator {} overflows int32 (vector "
          "length {}); split the layer or reduce weight magnitudes",
          c, worst, per_channel);
    if (l.weight_scales.empty() || l.out_quant.scale <= 0.0f) continue;
    bool float_overflow = false;
    const double m =
        weighted_multiplier(l, in, l.weight_scales.size() > 1 ? size_t(c) : 0, &float_overflow);
    if (float_overflow || !(m < kTwoTo31)) continue;  // quantization_problem reports it
    const int left = std::max(0, quantize_multiplier(m).shift);
    if (worst > 0 && (left > 31 || worst > (int64_t(INT32_MAX) >> left)))
      return fmt::format(
          "output channel {}: accumulator + bias (up to {}) times the "
          "requantization left shift 2^{} could overflow int32; reduce the weight "
          "range or the output scale",
          c, worst, left);
  }
  return "";
}

}  // namespace rtlgen
